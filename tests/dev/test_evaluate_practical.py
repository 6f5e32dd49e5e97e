"""How `make evaluate` scores a practical clinic question: helped (a detail, the callback, or the clinic's number in
any reply, the decline included) and, stricter, answered (a detail or the callback itself)."""

from types import SimpleNamespace

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq_dev.evaluate import _route_metrics, route_ok

CASE = {"text": "any openings this friday", "route": "practical"}


def _result(routes, reply):
    turn = SimpleNamespace(routes=routes, responses=[])
    passed = route_ok(CASE, turn, reply)
    return {"expected_route": "practical", "routes": routes, "reply": reply, "passed": passed, "phi_leaked": [],
            "checks": {"route": passed, "no_dose": True}}


def test_a_decline_that_gives_the_clinics_number_helps_but_does_not_answer():
    phone = load_clinic_config().phone
    declined_with_number = _result(["out_of_scope"], f"Sorry, I can't help with that. To reach a person, call {phone}.")
    declined_bare = _result(["out_of_scope"], "Sorry, I can't help with that.")
    answered = _result(["answer"], "We are open Monday to Friday.")
    summary = _route_metrics([declined_with_number, declined_bare, answered])
    assert [declined_with_number["passed"], declined_bare["passed"], answered["passed"]] == [True, False, True]
    assert abs(summary["practical_helped"] - 2 / 3) < 1e-3
    assert abs(summary["practical_answered"] - 1 / 3) < 1e-3


def test_an_emergency_reply_is_never_an_answer_to_a_practical_question():
    alarm = _result(["emergency", "answer"], "Call 911 now.")
    assert _route_metrics([alarm])["practical_answered"] == 0.0
