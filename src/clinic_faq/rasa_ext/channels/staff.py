"""The staff page: the latest insights report (docs/insights.md), served by the Rasa server itself.

    GET  /webhooks/staff/            the latest report (or a sign-in form, 401)
    POST /webhooks/staff/            sign in (form field `token`), and/or `action=regenerate` / `action=signout`
    POST /webhooks/staff/regenerate  start a new report (202; for scripts: `Authorization: Bearer <token>`)
    GET  /webhooks/staff/status      whether a report is being made, and how the last one went (JSON)
    GET  /webhooks/staff/file/<name> one of the report's files (CSV, JSON, a group's NLU block or story)
    *    /webhooks/staff/<view>/...  the other staff views (clinic_faq.rasa_ext.channels.staff_views), each
                                     behind the same token

**Off unless `STAFF_TOKEN` is set** (at least 16 characters; `python -c "import secrets;
print(secrets.token_urlsafe(32))"` makes one): without it every request is answered 404. With it, every
request must carry the token, compared with `hmac.compare_digest`: an `Authorization: Bearer` header, a
form field `token`, or the cookie the sign-in form sets (HttpOnly, SameSite=Strict, so no other site can
use it; gone when the browser closes). Anything else is answered 401.

Nothing is sent to anyone else: the pages load no script, font or image from anywhere (the report's charts
are inline), and every response carries a strict Content-Security-Policy, `no-store` and `no-referrer`.

The report is made by `python -m clinic_faq.insights` in a separate process (it would otherwise hold up
the server's conversations), on the tracker store this server writes to.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import sys
import time
from html import escape
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_faq import settings
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.insights.page import TOOLBAR_MARK, content_security_policy, page
from clinic_faq.paths import project_dir
from clinic_faq.rasa_ext.channels.staff_views import Page, StaffContext, StaffView, load_views, nav
from clinic_faq.settings import Settings

logger = logging.getLogger(__name__)

TOKEN_ENV = "STAFF_TOKEN"
DIR_ENV = "INSIGHTS_DIR"
MIN_TOKEN_CHARS = 16
COOKIE = "clinic_staff"
PREFIX = "/webhooks/staff"
REPORT_TIMEOUT_SECONDS = 900.0
# The report's files that may be downloaded (nothing else in the folder, and no path outside it).
FILES = re.compile(r"^(summary\.json|[a-z]+\.csv|clusters/group-\d{3}\.(nlu|nlu\.es|story)\.yml)$")
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv", ".yml": "text/yaml"}
DOWNLOADS = ("summary.json", "clusters.csv", "topics.csv", "routes.csv", "activity.csv", "safety.csv", "unanswered.csv")


def headers() -> Dict[str, str]:
    """On every response: load nothing from anywhere, keep nothing in caches, tell no one where we came from."""
    return {
        "Content-Security-Policy": content_security_policy() + "; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


def store_url(app: Any) -> Optional[str]:
    """The database URL of the tracker store the running server writes to (through Rasa's wrappers)."""
    store = getattr(getattr(getattr(app, "ctx", None), "agent", None), "tracker_store", None)
    for _ in range(5):
        engine = getattr(store, "engine", None)
        if engine is not None and hasattr(engine, "url"):
            return str(engine.url.render_as_string(hide_password=False))
        store = getattr(store, "_tracker_store", None)
    return None


class StaffInput(InputChannel):  # type: ignore[misc]  # rasa has no type information
    """Serves the insights report to staff who hold the token; sends no message to the assistant."""

    @classmethod
    def name(cls) -> str:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        install_log_redaction()  # on the log handlers Rasa has set up, however the server was started
        credentials = credentials or {}
        token = Settings.secret(settings.current().staff_token)
        if token is None:
            logger.info("Staff page: off until STAFF_TOKEN is set (every request is answered 404).")
        elif len(token) < MIN_TOKEN_CHARS:
            logger.error(f"Staff page: off, STAFF_TOKEN is shorter than {MIN_TOKEN_CHARS} characters.")
            token = None
        folder = settings.current().insights_dir or Path(credentials.get("report_dir") or "reports/insights")
        folder = folder if folder.is_absolute() else project_dir() / folder
        return cls(token, folder, str(credentials.get("period") or "90d"),
                   bool(credentials.get("show_single_conversation_messages", False)), load_views())

    def __init__(self, token: Optional[str], report_dir: Path, period: str = "90d",
                 show_single_conversation_messages: bool = False, views: Optional[List[StaffView]] = None) -> None:
        self.token = token
        self.views = list(views or [])
        self.report_dir = Path(report_dir)
        self.period = period
        self.show_single = show_single_conversation_messages
        self._job: Optional[asyncio.Task[None]] = None
        self.last: Dict[str, Any] = {}  # the last regeneration: started, finished, ok

    # --- who may ----------------------------------------------------------------------------------

    def authorized(self, request: Request) -> bool:
        """Whether the request carries the token (header, form field or cookie); never without a token."""
        if not self.token:
            return False
        expected = self.token.encode()
        offered: List[str] = []
        auth = request.headers.get("authorization") or ""
        if auth[:7].lower() == "bearer ":
            offered.append(auth[7:].strip())
        if request.method == "POST" and request.form:
            offered.append(request.form.get("token") or "")
        offered.append(request.cookies.get(COOKIE) or "")
        ok = False
        for candidate in offered:  # every candidate compared, in constant time each
            ok |= bool(candidate) and hmac.compare_digest(candidate.encode(), expected)
        return ok

    # --- pages ------------------------------------------------------------------------------------

    def _respond(self, body: str, status: int = 200, **extra: str) -> HTTPResponse:
        return response.html(body, status=status, headers={**headers(), **extra})

    def _sign_in(self, wrong: bool = False) -> HTTPResponse:
        body = (
            "<h1>Assistant insights</h1><p>This page is for the clinic's staff.</p>"
            + ("<p role=\"alert\">That token is not right.</p>" if wrong else "")
            + f"<form class=\"signin\" method=\"post\" action=\"{PREFIX}/\"><label for=\"token\">Staff token</label>"
            "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required>"
            " <button type=\"submit\">Open the report</button></form>"
        )
        return self._respond(page("Assistant insights: sign in", body), 401,
                             **{"WWW-Authenticate": 'Bearer realm="staff"'})

    def _toolbar(self) -> str:
        running = self._job is not None and not self._job.done()
        if running:
            status = "A new report is being prepared: reload this page in a minute."
        elif self.last.get("finished"):
            done = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.last["finished"]))
            status = f"Last regenerated {done}" + ("." if self.last.get("ok") else ": it failed, see the server log.")
        else:
            status = ""
        links = " ".join(f"<a href=\"{PREFIX}/file/{name}\">{escape(name)}</a>" for name in DOWNLOADS)
        return (
            nav(PREFIX, self.views)
            + "<div class=\"toolbar\" role=\"region\" aria-label=\"Staff page\">"
            f"<form method=\"post\" action=\"{PREFIX}/\"><input type=\"hidden\" name=\"action\" value=\"regenerate\">"
            f"<button type=\"submit\"{' disabled' if running else ''}>Regenerate the report</button></form>"
            f"<span class=\"status\" role=\"status\">{escape(status)}</span>"
            f"<span>Download: {links}</span>"
            f"<form method=\"post\" action=\"{PREFIX}/\"><input type=\"hidden\" name=\"action\" value=\"signout\">"
            "<button type=\"submit\">Sign out</button></form></div>"
        )

    def _signout_form(self) -> str:
        return (f"<div class=\"toolbar\"><form method=\"post\" action=\"{PREFIX}/\"><input type=\"hidden\" "
                "name=\"action\" value=\"signout\"><button type=\"submit\">Sign out</button></form></div>")

    def render(self, result: Any, current: str) -> HTTPResponse:
        """A view's result in the shared frame, with the navigation."""
        if not isinstance(result, Page):
            for name, value in headers().items():
                result.headers.setdefault(name, value)
            response_: HTTPResponse = result
            return response_
        html = page(result.title, result.body).replace(TOOLBAR_MARK, nav(PREFIX, self.views, current)
                                                       + self._signout_form(), 1)
        return self._respond(html, result.status)

    def _report(self) -> HTTPResponse:
        path = self.report_dir / "report.html"
        try:
            html = path.read_text(encoding="utf-8")
        except OSError:
            html = page("Assistant insights", "<h1>Assistant insights</h1><p>No report yet: press "
                        "\"Regenerate the report\" to make the first one.</p>")
        return self._respond(html.replace(TOOLBAR_MARK, self._toolbar(), 1))

    # --- making a report --------------------------------------------------------------------------

    def regenerate(self, app: Any) -> bool:
        """Start a new report in its own process; False if one is already being made."""
        if self._job is not None and not self._job.done():
            return False
        self._job = asyncio.get_running_loop().create_task(self._run(store_url(app)))
        return True

    async def _run(self, url: Optional[str]) -> None:
        self.last = {"started": time.time()}
        cmd = [sys.executable, "-m", "clinic_faq.insights", "--out-dir", str(self.report_dir), "--period", self.period]
        if self.show_single:
            cmd.append("--show-single-conversation-messages")
        env = dict(os.environ)
        if url:
            env["INSIGHTS_STORE_URL"] = url  # in the environment, never on the command line
        ok = False
        try:
            proc = await asyncio.create_subprocess_exec(
                *cmd, cwd=str(project_dir()), env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            try:
                _, err = await asyncio.wait_for(proc.communicate(), REPORT_TIMEOUT_SECONDS)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
                logger.error("Staff page: the report took too long and was stopped.")
            else:
                ok = proc.returncode == 0
                tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
                (logger.info if ok else logger.error)(f"Staff page: report {'written' if ok else 'failed'}: {tail[0]}")
        except OSError:
            logger.exception("Staff page: the report could not be started.")
        self.last.update(finished=time.time(), ok=ok)

    # --- routes -----------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        not_found = {"error": "Not found."}

        def refuse(request: Request) -> Optional[HTTPResponse]:
            if not self.token:
                return response.json(not_found, status=404, headers=headers())
            if not self.authorized(request):
                return response.json({"error": "The staff token is required."}, status=401,
                                     headers={**headers(), "WWW-Authenticate": 'Bearer realm="staff"'})
            return None

        async def show(request: Request) -> HTTPResponse:
            if not self.token:
                return response.json(not_found, status=404, headers=headers())
            if not self.authorized(request):
                return self._sign_in()
            return self._report()

        async def form(request: Request) -> HTTPResponse:
            if not self.token:
                return response.json(not_found, status=404, headers=headers())
            if not self.authorized(request):
                return self._sign_in(wrong=bool(request.form and request.form.get("token")))
            action = (request.form.get("action") if request.form else None) or "view"
            redirect = response.redirect(f"{PREFIX}/", status=303, headers=headers())
            if action == "signout":
                redirect.cookies[COOKIE] = ""
                redirect.cookies[COOKIE]["max-age"] = 0
                redirect.cookies[COOKIE]["path"] = f"{PREFIX}/"
                return redirect
            if action == "regenerate":
                self.regenerate(request.app)
            offered = request.form.get("token") if request.form else None
            if offered:  # signed in with the form: remember it for this browser session
                redirect.cookies[COOKIE] = offered
                redirect.cookies[COOKIE]["httponly"] = True
                redirect.cookies[COOKIE]["samesite"] = "Strict"
                redirect.cookies[COOKIE]["path"] = f"{PREFIX}/"
                if request.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
                    redirect.cookies[COOKIE]["secure"] = True
            return redirect

        async def regenerate(request: Request) -> HTTPResponse:
            refused = refuse(request)
            if refused is not None:
                return refused
            started = self.regenerate(request.app)
            return response.json({"started": started, "running": True}, status=202, headers=headers())

        async def status(request: Request) -> HTTPResponse:
            refused = refuse(request)
            if refused is not None:
                return refused
            running = self._job is not None and not self._job.done()
            report = self.report_dir / "report.html"
            return response.json({
                "running": running, "last": self.last,
                "report": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(report.stat().st_mtime))
                if report.exists() else None,
            }, headers=headers())

        async def download(request: Request, name: str) -> HTTPResponse:
            refused = refuse(request)
            if refused is not None:
                return refused
            path = self.report_dir / name
            if not FILES.match(name) or not path.is_file():
                return response.json(not_found, status=404, headers=headers())
            return response.raw(path.read_bytes(), content_type=CONTENT_TYPES[path.suffix] + "; charset=utf-8",
                                headers={**headers(), "Content-Disposition": f'attachment; filename="{path.name}"'})

        def guarded(view: StaffView, handler: Any) -> Any:
            async def route(request: Request, **kwargs: Any) -> HTTPResponse:
                if not self.token:
                    return response.json(not_found, status=404, headers=headers())
                if not self.authorized(request):
                    return self._sign_in() if request.method == "GET" else response.json(
                        {"error": "The staff token is required."}, status=401, headers=headers())
                return self.render(await handler(request, StaffContext(request.app, PREFIX), **kwargs), view.slug)

            route.__name__ = f"staff_{view.slug}_{handler.__name__}".replace("-", "_")
            return route

        for view in self.views:
            for path, methods, handler in view.routes():
                bp.add_route(guarded(view, handler), f"/{view.slug}{path}", methods=methods,
                             name=f"staff_{view.slug}_{handler.__name__}".replace("-", "_"))
        bp.add_route(show, "/", methods=["GET"])
        bp.add_route(form, "/", methods=["POST"])
        bp.add_route(regenerate, "/regenerate", methods=["POST"])
        bp.add_route(status, "/status", methods=["GET"])
        bp.add_route(download, "/file/<name:path>", methods=["GET"])
        return bp
