"""The staff page's callback inbox: the open requests, the only place their numbers are shown.

    GET  /webhooks/staff/inbox/        open requests (time, channel, language, reason, best time, name, number,
                                       what was done so far, and whether staff were notified)
    POST /webhooks/staff/inbox/mark    mark one: called, no answer or closed (form: request, status, by)
    GET  /webhooks/staff/inbox/closed  the closed ones still kept (deleted `callbacks.keep_days` after closing)
"""

from __future__ import annotations

import time
from html import escape
from typing import List, Tuple

from sanic import response
from sanic.request import Request

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.rasa_ext.channels.staff_views import Handler, Page, Result, StaffContext, StaffView
from clinic_faq.stores.callbacks import STATUSES, CallbackStore
from clinic_faq.stores.callbacks import Request as CallbackRequest

REASONS = {"treatment": "A treatment question", "appointment": "An appointment", "billing": "A bill", "other": "Something else"}
TIMES = {"morning": "Morning", "afternoon": "Afternoon", "any": "Any time"}
STATUS_LABELS = {"open": "Open", "called": "Called", "no_answer": "No answer", "closed": "Closed"}


def when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def _row(r: CallbackRequest, ctx: StaffContext, closed: bool) -> str:
    history = "; ".join(f"{STATUS_LABELS.get(s, s)} by {escape(by)} at {when(at)}" for at, s, by in r.history) or "nothing yet"
    actions = ""
    if not closed:
        options = "".join(f"<option value=\"{s}\">{STATUS_LABELS[s]}</option>" for s in STATUSES if s != "open")
        actions = (
            f"<form class=\"staff\" method=\"post\" action=\"{escape(ctx.url('inbox', 'mark'))}\">"
            f"<input type=\"hidden\" name=\"request\" value=\"{r.id}\">"
            f"<label for=\"s-{r.id}\">Mark request {r.id}</label><select id=\"s-{r.id}\" name=\"status\">{options}</select>"
            f"<label for=\"b-{r.id}\">Your name</label><input id=\"b-{r.id}\" name=\"by\" required maxlength=\"200\" autocomplete=\"name\">"
            "<button type=\"submit\">Save</button></form>")
    return (
        f"<tr><th scope=\"row\">{r.id}</th><td>{when(r.created_at)}</td><td>{escape(r.channel)}</td>"
        f"<td>{'Spanish' if r.language == 'es' else 'English'}</td><td>{escape(REASONS.get(r.reason, r.reason))}</td>"
        f"<td>{escape(TIMES.get(r.best_time or '', r.best_time or 'not given'))}</td><td>{escape(r.name or 'not given')}</td>"
        f"<td><a href=\"tel:{escape(r.phone)}\">{escape(r.phone)}</a></td>"
        f"<td>{escape(STATUS_LABELS.get(r.status, r.status))}</td><td>{history}</td>"
        f"<td>{escape(r.notified or 'off')}</td><td>{actions}</td></tr>")


def table(requests: List[CallbackRequest], ctx: StaffContext, closed: bool, caption: str) -> str:
    if not requests:
        return f"<p>{escape(caption)}: none.</p>"
    head = "".join(f"<th scope=\"col\">{h}</th>" for h in ("Request", "Asked at", "Channel", "Language", "Reason", "Best time",
                                                             "Name", "Number", "Status", "Done so far", "Staff notified", "Update"))
    rows = "".join(_row(r, ctx, closed) for r in requests)
    return (f"<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{escape(caption)}\">"
            f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


class InboxView(StaffView):
    slug = "inbox"
    label = "Callback requests"

    def routes(self) -> List[Tuple[str, List[str], Handler]]:
        return [("/", ["GET"], self.show), ("/mark", ["POST"], self.mark), ("/closed", ["GET"], self.closed)]

    async def show(self, request: Request, ctx: StaffContext) -> Result:
        store = CallbackStore()
        open_requests = [r for r in store.requests() if r.status != "closed"]
        keep = load_clinic_config().callbacks.get("keep_days", 30)
        saved = request.args.get("saved")
        body = (
            "<h1>Callback requests</h1>"
            "<p class=\"meta\">People who asked the assistant to be called. Their numbers are shown only here. A request "
            f"is deleted {keep} days after it is closed.</p>"
            + (f"<p role=\"status\">Request {escape(saved)} updated.</p>" if saved and saved.isdigit() else "")
            + table(open_requests, ctx, False, "Open requests, oldest first")
            + f"<p><a href=\"{escape(ctx.url('inbox', 'closed'))}\">Closed requests still kept</a></p>")
        return Page("Callback requests", body)

    async def closed(self, request: Request, ctx: StaffContext) -> Result:
        closed = [r for r in CallbackStore().requests(include_closed=True) if r.status == "closed"]
        return Page("Closed callback requests", "<h1>Closed callback requests</h1>" + table(closed, ctx, True, "Closed requests"))

    async def mark(self, request: Request, ctx: StaffContext) -> Result:
        form = request.form or {}
        status = (form.get("status") or "").strip()
        by = (form.get("by") or "").strip()[:200]
        number = (form.get("request") or "").strip()
        if status not in STATUSES or status == "open" or not by or not number.isdigit():
            return Page("Not saved", "<h1>Not saved</h1><p role=\"alert\">Choose what happened and give your name.</p>"
                        f"<p><a href=\"{escape(ctx.url('inbox'))}/\">Back to the requests</a></p>", status=400)
        if not CallbackStore().mark(int(number), status, by):
            return Page("Not found", f"<h1>Request {escape(number)} was not found</h1>", status=404)
        return response.redirect(f"{ctx.url('inbox')}/?saved={number}", status=303)
