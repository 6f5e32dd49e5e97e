"""`ClinicNLG`: renders every bot response, filling in the clinic's details and guarding against doses.

Configured in `endpoints.yml` (`nlg: type: clinic_faq.rasa_ext.nlg.ClinicNLG`), it renders the responses in
`domain.yml` exactly like Rasa's templated generator, with two additions:

- `{clinic_name}`, `{clinic_phone}`, `{clinic_hours}`, `{booking_url}`, `{emergency_number}` and
  `{crisis_line}` are filled from `clinic.yml`, so a clinic changes its details in one place;
- the dose guard: a rendered message that contains a dose or a dosing instruction is never sent.
  The care-team referral is sent instead and the event is logged (response name and kind, not text).

Every response, whether uttered by a rule or by a custom action, passes through here.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.dose import find_dose
from clinic_faq.rasa_ext.patches import require_applied

logger = logging.getLogger(__name__)

REFERRAL_RESPONSE = "utter_refer_to_care_team"
LANGUAGE_SLOT, HINT_SLOT = "language", "language_hint"


class ClinicNLG(TemplatedNaturalLanguageGenerator):  # type: ignore[misc]  # rasa ships no type information
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        config_path = (endpoint_config.kwargs or {}).get("clinic_config") if endpoint_config else None
        self.clinic_values = load_clinic_config(config_path).template_values()
        require_applied(type(self).__name__)

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: Dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        values = {**self.clinic_values, **kwargs}
        if filled_slots.get(LANGUAGE_SLOT) is None and filled_slots.get(HINT_SLOT) == "es":
            # No message has decided the conversation's language yet; the unsure ones lean Spanish.
            filled_slots = {**filled_slots, LANGUAGE_SLOT: "es"}
        rendered: Optional[Dict[str, Any]] = super().generate_from_slots(utter_action, filled_slots, output_channel, **values)
        if rendered is None:
            return None
        kind = find_dose(rendered.get("text") or "")
        if kind is None:
            return rendered
        logger.error(
            "Dose guard: response %s contains a dose (%s); the care-team referral was sent instead.",
            utter_action,
            kind,
        )
        replacement: Optional[Dict[str, Any]] = super().generate_from_slots(REFERRAL_RESPONSE, filled_slots, output_channel, **values)
        if replacement is None or find_dose(replacement.get("text") or ""):
            raise RuntimeError(f"{REFERRAL_RESPONSE} is missing from the domain or contains a dose")
        replacement.setdefault("metadata", {})
        replacement["metadata"] = {**replacement["metadata"], "dose_guard": {"blocked": utter_action, "kind": kind}}
        return replacement
