import pytest

from guardrails.dose import find_dose


@pytest.mark.parametrize(
    "text, kind",
    [
        ("take 50 mg", "amount"),
        ("0.5 mg/kg is typical", "amount"),
        ("two tablets at night", "amount"),
        ("25mcg patch", "amount"),
        ("10 ml of the syrup", "amount"),
        ("3 units", "amount"),
        ("double your dose tonight", "instruction"),
        ("increase your gabapentin", "instruction"),
        ("you can lower your opioid dose", "instruction"),
        ("stop your morphine before the infusion", "instruction"),
    ],
)
def test_doses_and_instructions_are_found(text, kind):
    assert find_dose(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "please don't change your medicine without your care team",
        "Do not stop your opioids on your own",
        "Never double your dose",
        "your care team may adjust your medicines",
        "a session lasts 4 to 6 hours",
        "relief between 48 hours and 2 weeks",
        "IV: 100%, oral 16-24%",
        "call 911 or text 988",
        "how many sessions",
        "",
    ],
)
def test_safe_text_passes(text):
    assert find_dose(text) is None
