"""The staff page's review of the curated answers: each answer in English and Spanish side by side, with its
references, its sign-off state and the day it falls due; a clinician signs answers off here.

    GET  /webhooks/staff/review/          every answer, unsigned and due ones first
    POST /webhooks/staff/review/sign      sign off answers (form: signer, role, review_by, one `key` per
                                          answer and language, e.g. utter_answer_side_effects:es)
    GET  /webhooks/staff/review/export    every sign-off in force, as content/signoffs.yml holds them (YAML)

A sign-off covers the exact text shown on the page (its hash is taken from the domain the server runs, not
from the form): if the text changes, the answer is unsigned again.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape
from typing import Dict, List, Tuple

import yaml
from sanic import response
from sanic.request import Request

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.signoff import Answer, SignOff, State, export_yaml, load_domain_answers
from clinic_faq.paths import project_file
from clinic_faq.rasa_ext.channels.staff_views import Handler, Page, Result, StaffContext, StaffView
from clinic_faq.stores.signoffs import SignOffStore, live_register

MAX_FIELD = 200
KEY = re.compile(r"^(utter_(?:answer|more)_[a-z_]+):(en|es)$")


def references() -> Dict[str, Dict[str, str]]:
    with open(project_file("content", "references.yml"), encoding="utf-8") as f:
        return dict((yaml.safe_load(f) or {}).get("references") or {})


def _state_html(state: State) -> str:
    if state.signed:
        assert state.signoff is not None
        due = " (due within 30 days)" if state.due_soon else ""
        css = "state-due" if state.due_soon else "state-ok"
        return (f"<span class=\"{css}\">Signed</span> by {escape(state.signoff.signer)} ({escape(state.signoff.role)}) "
                f"on {state.signoff.signed_on.isoformat()}; review by {state.signoff.review_by.isoformat()}{due}")
    text = {"never signed": "Unsigned: never signed", "changed since sign-off": "Unsigned: the text changed since its sign-off",
            "review overdue": "Unsigned: review overdue"}[state.status]
    extra = f" (was due {state.signoff.review_by.isoformat()})" if state.signoff else ""
    return f"<span class=\"state-bad\">{escape(text)}</span>{extra}"


class ReviewView(StaffView):
    slug = "review"
    label = "Answer review and sign-off"

    def routes(self) -> List[Tuple[str, List[str], Handler]]:
        return [("/", ["GET"], self.show), ("/sign", ["POST"], self.sign), ("/export", ["GET"], self.export)]

    @staticmethod
    def _states(today: date) -> List[Tuple[str, Dict[str, State]]]:
        register = live_register().get()
        by_name: Dict[str, Dict[str, State]] = {}
        for answer in load_domain_answers(project_file("domain.yml")):
            by_name.setdefault(answer.name, {})[answer.lang] = register.state(answer, today)

        def order(item: Tuple[str, Dict[str, State]]) -> Tuple[int, str]:
            states = item[1].values()
            pending = any(not s.signed or s.due_soon for s in states)
            return (0 if pending else 1, item[0])

        return sorted(by_name.items(), key=order)

    async def show(self, request: Request, ctx: StaffContext) -> Result:
        today = date.today()
        config = load_clinic_config()
        refs = references()
        states = self._states(today)
        unsigned = sum(1 for _, langs in states for s in langs.values() if not s.signed)
        due = sum(1 for _, langs in states for s in langs.values() if s.due_soon)
        policy = ("replaced by the care team's referral" if config.unsigned_policy == "refer"
                  else "served, with a warning in the server log")
        default_review = (today + timedelta(days=config.review_interval_days)).isoformat()
        saved = request.args.get("signed")
        parts = [
            "<h1>Answer review and sign-off</h1>",
            f"<p class=\"meta\">{len(states)} answers, {unsigned} unsigned texts, {due} due for review within 30 days. "
            f"An unsigned medical answer is now <strong>{escape(policy)}</strong> (clinic.yml, content.unsigned_answers).</p>",
            f"<p role=\"status\">{escape(saved)} sign-off(s) saved.</p>" if saved and saved.isdigit() else "",
            f"<p><a href=\"{escape(ctx.url('review', 'export'))}\">Download every sign-off (YAML, to keep with the content)</a></p>",
            f"<form class=\"staff\" method=\"post\" action=\"{escape(ctx.url('review', 'sign'))}\">",
            "<fieldset><legend>Who signs</legend>",
            "<label for=\"signer\">Your name</label><input id=\"signer\" name=\"signer\" required maxlength=\"200\" autocomplete=\"name\">",
            "<label for=\"role\">Your role</label><input id=\"role\" name=\"role\" required maxlength=\"200\" "
            "placeholder=\"for example: pain medicine physician\" autocomplete=\"organization-title\">",
            f"<label for=\"review_by\">Review again by</label><input id=\"review_by\" name=\"review_by\" type=\"date\" "
            f"required value=\"{default_review}\" min=\"{today.isoformat()}\">",
            "</fieldset>",
            "<p>Tick each text you have checked against its references, then sign at the end of the page.</p>",
        ]
        for name, langs in states:
            first = next(iter(langs.values())).answer
            cites = "".join(
                f"<li><strong>{escape(s)}</strong>: {escape(str((refs.get(s) or {}).get('citation', 'not in content/references.yml')))}"
                f" <em>({escape(str((refs.get(s) or {}).get('kind', '?')))})</em></li>" for s in first.sources)
            parts.append(f"<section aria-labelledby=\"h-{escape(name)}\"><h2 id=\"h-{escape(name)}\">{escape(name)}"
                         f" <small>({escape(first.topic)}{', medical' if first.medical else ''})</small></h2><div class=\"side\">")
            for lang in ("en", "es"):
                state = langs.get(lang)
                if state is None:
                    parts.append(f"<div><p>No {lang} text.</p></div>")
                    continue
                box = f"{name}:{lang}"
                parts.append(
                    f"<div lang=\"{lang}\"><h3>{'English' if lang == 'en' else 'Español'}</h3>"
                    f"<p>{escape(state.answer.text)}</p><p>{_state_html(state)}</p>"
                    f"<p><input type=\"checkbox\" id=\"k-{escape(box)}\" name=\"key\" value=\"{escape(box)}\">"
                    f" <label for=\"k-{escape(box)}\">I checked this text ({'English' if lang == 'en' else 'Spanish'})</label></p></div>")
            parts.append(f"</div><details><summary>References</summary><ul>{cites or '<li>none</li>'}</ul></details></section>")
        parts.append("<p><button type=\"submit\">Sign off the ticked texts</button></p></form>")
        return Page("Answer review and sign-off", "\n".join(parts))

    async def sign(self, request: Request, ctx: StaffContext) -> Result:
        form = request.form or {}
        signer = (form.get("signer") or "").strip()[:MAX_FIELD]
        role = (form.get("role") or "").strip()[:MAX_FIELD]
        keys = [k for k in ((request.form.getlist("key") if request.form else None) or []) if KEY.match(k)]
        try:
            review_by = date.fromisoformat((form.get("review_by") or "").strip())
        except ValueError:
            review_by = None
        today = date.today()
        problems = []
        if not signer or not role:
            problems.append("Give your name and your role.")
        if review_by is None or review_by < today:
            problems.append("Give a review date that is today or later.")
        if not keys:
            problems.append("Tick at least one text you have checked.")
        if problems:
            items = "".join(f"<li>{escape(p)}</li>" for p in problems)
            return Page("Sign-off not saved", f"<h1>Sign-off not saved</h1><div role=\"alert\"><ul>{items}</ul></div>"
                        f"<p><a href=\"{escape(ctx.url('review'))}/\">Back to the review</a></p>", status=400)
        assert review_by is not None
        answers: Dict[str, Answer] = {a.key: a for a in load_domain_answers(project_file("domain.yml"))}
        signoffs = [SignOff(answers[k].name, answers[k].lang, answers[k].hash, signer, role, today, review_by)
                    for k in keys if k in answers]
        SignOffStore().add(signoffs)
        live_register().invalidate()
        return response.redirect(f"{ctx.url('review')}/?signed={len(signoffs)}", status=303)

    async def export(self, request: Request, ctx: StaffContext) -> Result:
        body = export_yaml(live_register().get())
        return response.text(body, content_type="text/yaml; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="signoffs.yml"'})
