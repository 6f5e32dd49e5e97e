"""Views of the staff page besides the insights report: each in its own module, each a `StaffView`.

The staff channel (clinic_faq.rasa_ext.channels.staff) signs staff in and routes
`/webhooks/staff/<slug>/...` to the view with that slug, only for a request that carries the staff token.
A view returns HTML bodies, which the channel wraps in the shared page frame (a strict Content-Security-
Policy: no script, nothing from another origin) with the navigation between views; or any Sanic response.

Views are listed in `VIEWS` (module path and class name), built once when the channel is.
"""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from html import escape
from typing import Any, Awaitable, Callable, List, Optional, Sequence, Tuple, Union

from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# (module, class) of every view, in the order of the navigation.
VIEWS: Sequence[Tuple[str, str]] = (
    ("clinic_faq.rasa_ext.channels.staff_views.inbox", "InboxView"),
    ("clinic_faq.rasa_ext.channels.staff_views.review", "ReviewView"),
    ("clinic_faq.rasa_ext.channels.staff_views.why", "WhyView"),
)


@dataclass
class Page:
    """An HTML page body for the shared frame (title: the browser tab and the page heading's context)."""

    title: str
    body: str
    status: int = 200


Result = Union[Page, HTTPResponse]
Handler = Callable[[Request, "StaffContext"], Awaitable[Result]]


@dataclass
class StaffContext:
    """What a view may use: the Sanic app (the Rasa agent is `app.ctx.agent`) and the URL prefix."""

    app: Any
    prefix: str

    def url(self, *parts: str) -> str:
        return "/".join([self.prefix.rstrip("/"), *(p.strip("/") for p in parts)])


class StaffView(ABC):
    """One view: its slug (URL segment), its navigation label, and its routes below the slug."""

    slug: str = ""
    label: str = ""

    @abstractmethod
    def routes(self) -> List[Tuple[str, List[str], Handler]]:
        """(path below /<slug>, e.g. "" or "/sign", HTTP methods, handler)."""


def load_views(specs: Optional[Sequence[Tuple[str, str]]] = None) -> List[StaffView]:
    views = []
    for module, name in VIEWS if specs is None else specs:
        views.append(getattr(importlib.import_module(module), name)())
    return views


def nav(prefix: str, views: Sequence[StaffView], current: str = "") -> str:
    links = [("", "Insights report")] + [(v.slug, v.label) for v in views]
    current_mark = ' aria-current="page"'
    items = "".join(
        f"<li><a href=\"{escape(prefix)}/{escape(slug)}{'/' if slug else ''}\""
        f"{current_mark if slug == current else ''}>{escape(label)}</a></li>"
        for slug, label in links
    )
    return f"<nav class=\"staffnav\" aria-label=\"Staff pages\"><ul>{items}</ul></nav>"
