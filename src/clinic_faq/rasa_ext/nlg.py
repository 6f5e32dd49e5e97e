"""`ClinicNLG`: renders every bot response, filling in the clinic's details, guarding against doses and
serving only what a clinician signed.

Configured in `endpoints.yml` (`nlg: type: clinic_faq.rasa_ext.nlg.ClinicNLG`), it renders the responses in
`domain.yml` exactly like Rasa's templated generator, with three additions:

- `{clinic_name}`, `{clinic_phone}`, `{clinic_hours}`, `{booking_url}`, `{emergency_number}`,
  `{crisis_line}`, `{clinic_email}`, `{clinic_address}`, `{map_url}`, `{portal_url}` and the practical details
  `{detail_<name>}` (`{detail_<name>_es}` in Spanish) are filled from `clinic.yml`, so a clinic changes its
  details in one place; `{open_now}` (`{open_now_es}`) says, at the moment of sending, whether the office is
  open and when it opens next. A reply that needs a detail the clinic has not given becomes
  `utter_clinic_detail_missing` (the phone number, the hours, open now or not): never a decline;
- the dose guard: a rendered message that contains a dose or a dosing instruction is never sent.
  The care-team referral is sent instead and the event is logged (response name and kind, not text);
- the sign-off (clinic_faq.core.signoff): every curated answer carries, in its metadata (so in the tracker
  store and the audit export), its id, the hash of its text and the sign-off that covers it. A medical
  answer no clinician has signed in its current form gets the clinic's policy: served with a warning, or
  replaced by the care-team referral.

Every response, whether uttered by a rule or by a custom action, passes through here.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Any, Dict, Optional, Set, Tuple

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from clinic_faq.core.clinic_config import DETAILS, load_clinic_config
from clinic_faq.core.contract import SAFETY_KEY
from clinic_faq.core.decision import LONG_STORY
from clinic_faq.core.dose import find_dose
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.core.signoff import REFER, Answer, curated_answers
from clinic_faq.stores.signoffs import LiveRegister, live_register

logger = logging.getLogger(__name__)

REFERRAL_RESPONSE = "utter_refer_to_care_team"
# The rephrase prompt, and what a long story that asks nothing gets in its place (decision.LONG_STORY): a forum post
# about a good scan or a father's funeral is not a message to say again in other words.
REPHRASE_RESPONSE, LONG_STORY_RESPONSE = "utter_ask_rephrase", "utter_long_story"
MISSING_DETAIL_RESPONSE = "utter_clinic_detail_missing"
LANGUAGE_SLOT, HINT_SLOT = "language", "language_hint"
# A placeholder left in a rendered text: a detail the clinic has not given.
UNFILLED = re.compile(r"\{(?:detail_[a-z_]+|clinic_email|clinic_address|map_url|portal_url)\}")


class ClinicNLG(TemplatedNaturalLanguageGenerator):  # type: ignore[misc]  # rasa ships no type information
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 register: Optional[LiveRegister] = None) -> None:
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        config_path = (endpoint_config.kwargs or {}).get("clinic_config") if endpoint_config else None
        config = load_clinic_config(config_path)
        self.config = config
        # A detail the clinic has not given stays a placeholder, which UNFILLED then finds.
        unfilled = [f"detail_{d}{suffix}" for d in DETAILS for suffix in ("", "_es")]
        unfilled += ["clinic_email", "clinic_address", "map_url", "portal_url"]
        self.clinic_values = {**{k: "{" + k.removesuffix("_es") + "}" for k in unfilled}, **config.template_values()}
        self.unsigned_policy = config.unsigned_policy
        self._answers: Tuple[int, Dict[Tuple[str, str], Answer]] = (0, {})
        self.register = register or live_register()
        self._warned: Set[Tuple[str, str]] = set()
        install_log_redaction()  # on the log handlers Rasa has set up, however the server was started

    async def generate(self, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any) -> Optional[Dict[str, Any]]:
        if utter_action == REPHRASE_RESPONSE and _long_story(tracker) and LONG_STORY_RESPONSE in self.responses:
            utter_action = LONG_STORY_RESPONSE
        return self.generate_from_slots(utter_action, tracker.current_slot_values(), output_channel, **kwargs)

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: Dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        values = {**self.clinic_values, **self._now_values(), **kwargs}
        if filled_slots.get(LANGUAGE_SLOT) is None and filled_slots.get(HINT_SLOT) == "es":
            # No message has decided the conversation's language yet; the unsure ones lean Spanish.
            filled_slots = {**filled_slots, LANGUAGE_SLOT: "es"}
        rendered: Optional[Dict[str, Any]] = super().generate_from_slots(utter_action, filled_slots, output_channel, **values)
        if rendered is None:
            return None
        if UNFILLED.search(rendered.get("text") or "") and utter_action != MISSING_DETAIL_RESPONSE:
            missing: Optional[Dict[str, Any]] = super().generate_from_slots(
                MISSING_DETAIL_RESPONSE, filled_slots, output_channel, **values)
            if missing is not None:
                missing["metadata"] = {**(missing.get("metadata") or {}), "topic": (rendered.get("metadata") or {}).get("topic"),
                                       "detail_missing": utter_action}
                rendered = missing
        rendered = self._signed(utter_action, rendered, filled_slots, output_channel, values)
        kind = find_dose(rendered.get("text") or "")
        if kind is None:
            return rendered
        logger.error(
            "Dose guard: response %s contains a dose (%s); the care-team referral was sent instead.",
            utter_action,
            kind,
        )
        return self._referral(filled_slots, output_channel, values, {"dose_guard": {"blocked": utter_action, "kind": kind}})

    @property
    def answers(self) -> Dict[Tuple[str, str], Answer]:
        """The curated answers of the responses in use (Rasa gives the NLG the model's responses after it is
        built, by setting `responses`), per response and language."""
        if self._answers[0] != id(self.responses):
            self._answers = (id(self.responses), {(a.name, a.lang): a for a in curated_answers(self.responses)})
        return self._answers[1]

    def _now_values(self) -> Dict[str, str]:
        """What depends on the moment of sending: open now or not, in both languages."""
        hours = self.config.opening_hours
        if hours is None:
            return {"open_now": f"Our hours are {self.config.hours}.", "open_now_es": f"Nuestro horario es {self.config.hours_es}."}
        now = datetime.now(timezone.utc)
        status = hours.status(now)
        return {"open_now": status.sentence("en", now), "open_now_es": status.sentence("es", now)}

    def _referral(self, filled_slots: Dict[str, Any], output_channel: str, values: Dict[str, Any],
                  note: Dict[str, Any]) -> Dict[str, Any]:
        replacement: Optional[Dict[str, Any]] = super().generate_from_slots(REFERRAL_RESPONSE, filled_slots, output_channel, **values)
        if replacement is None or find_dose(replacement.get("text") or ""):
            raise RuntimeError(f"{REFERRAL_RESPONSE} is missing from the domain or contains a dose")
        replacement["metadata"] = {**(replacement.get("metadata") or {}), **note}
        return replacement

    def _signed(self, utter_action: str, rendered: Dict[str, Any], filled_slots: Dict[str, Any],
                output_channel: str, values: Dict[str, Any]) -> Dict[str, Any]:
        """Record which answer text was served and under which sign-off; apply the policy to an unsigned one."""
        meta = dict(rendered.get("metadata") or {})
        answer = self.answers.get((utter_action, "es" if meta.get("lang") == "es" else "en"))
        if answer is None:
            return rendered
        state = self.register.get().state(answer, date.today())
        served = {"answer": answer.key, "text_hash": answer.hash, "signoff": state.status}
        if state.signoff is not None:
            served.update(signed_by=f"{state.signoff.signer} ({state.signoff.role})",
                          signed_on=state.signoff.signed_on.isoformat(), review_by=state.signoff.review_by.isoformat())
        if state.signed or not answer.medical:
            rendered["metadata"] = {**meta, "served": served}
            return rendered
        if (answer.key, state.status) not in self._warned:
            self._warned.add((answer.key, state.status))
            logger.warning("Sign-off: %s is unsigned (%s); policy: %s.", answer.key, state.status, self.unsigned_policy)
        if self.unsigned_policy == REFER:
            return self._referral(filled_slots, output_channel, values, {"unsigned": served})
        rendered["metadata"] = {**meta, "served": served}
        return rendered


def _long_story(tracker: Any) -> bool:
    """Whether the safety screen gave the latest message the rephrase prompt as a long story that asks nothing."""
    latest = getattr(tracker, "latest_message", None)
    safety = ((latest.parse_data if latest is not None else None) or {}).get(SAFETY_KEY) or {}
    return bool((safety.get("override") or {}).get("reason") == LONG_STORY)
