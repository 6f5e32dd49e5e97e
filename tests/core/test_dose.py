import pytest

from clinic_faq.core.dose import find_dose


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


@pytest.mark.parametrize("text", [
    "about two hundred milligrams", "it is usually two hundred and fifty mg", "twenty-five micrograms per kilo",
    "one and a half tablets", "a hundred mcg", "fifteen drops", "half a tablet", "1/2 tablet", "½ tab",
    "take 2 - 3 pills", "Two Hundred Milligrams",
])
def test_spelled_out_amounts_are_found(text):
    assert find_dose(text) == "amount"


@pytest.mark.parametrize("text", [
    "dos cientos miligramos", "doscientos miligramos", "doscientos cincuenta mg", "quinientos microgramos",
    "treinta y cinco gotas", "veinticinco miligramos", "dos y media pastillas", "cien mg",
])
def test_spelled_out_spanish_amounts_are_found(text):
    assert find_dose(text) == "amount"


@pytest.mark.parametrize("text", [
    "two hundred people took part in the trial", "it takes twenty minutes", "once a week for two weeks",
    "often the dose is decided by your care team", "after ten sessions", "cuarenta minutos", "una dosis baja",
    "half an hour", "a hundred percent", "in 2023, 1,200 patients",
])
def test_spelled_out_numbers_that_are_not_doses_pass(text):
    assert find_dose(text) is None


@pytest.mark.parametrize("text", [
    "tome dos pastillas cada 4 horas", "50 miligramos", "media pastilla", "aumente la dosis de morfina",
    "duplique su morfina", "deje de tomar su morfina", "tres gotas",
])
def test_spanish_doses_and_instructions_are_found(text):
    assert find_dose(text) is not None


@pytest.mark.parametrize("text", [
    "No cambie ningún medicamento sin hablar antes con su equipo de atención",
    "su equipo de atención puede ajustar sus medicamentos", "la sesión dura unas horas",
    "llame al 911 o al 988", "una dosis baja, bajo supervisión", "en dos semanas",
])
def test_spanish_safe_advice_and_other_numbers_pass(text):
    assert find_dose(text) is None
