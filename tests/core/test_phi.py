import pytest

from clinic_faq.core.phi import placeholders_in, redact


@pytest.mark.parametrize(
    "text, secret, kind",
    [
        ("call me at (555) 201-8841 re my appt", "(555) 201-8841", "PHONE"),
        ("+1 555 201 8841 is my cell", "555 201 8841", "PHONE"),
        ("5552018841", "5552018841", "PHONE"),
        ("reach my daughter at 555-0199", "555-0199", "PHONE"),
        ("email dana.w@example.com please", "dana.w@example.com", "EMAIL"),
        ("DOB 03/14/1962", "03/14/1962", "DOB"),
        ("i was born March 14 1962", "March 14 1962", "DOB"),
        ("date of birth: 1962-03-14", "1962-03-14", "DOB"),
        ("I live at 42 Elm Street, Springfield", "42 Elm Street", "ADDRESS"),
        ("42 elm st apt 4b springfield il 62704", "42 elm st", "ADDRESS"),
        ("MRN: 00482913", "00482913", "MRN"),
        ("medical record number 4471-22", "4471-22", "MRN"),
        ("member id XJH448812", "XJH448812", "INSURANCE_ID"),
        ("group 00991 is on my card", "00991", "INSURANCE_ID"),
        ("my ssn is 123-45-6789", "123-45-6789", "SSN"),
        ("last 4 of my social are 6789", "6789", "SSN"),
        ("my name is Dana Whitfield and i have pain", "Dana Whitfield", "NAME"),
        ("my name is dana whitfield", "dana whitfield", "NAME"),
        ("Hi this is Robert Chen calling", "Robert Chen", "NAME"),
        ("my wife Sarah Okafor has nerve pain", "Sarah Okafor", "NAME"),
        ('{"patient": "Dana Whitfield", "dob": "1962-03-14"}', "Dana Whitfield", "NAME"),
        ("Dana Whitfield, DOB 03/14/1962", "Dana Whitfield", "NAME"),
    ],
)
def test_phi_is_replaced_by_a_typed_placeholder(text, secret, kind):
    result = redact(text)
    assert secret not in result.text
    assert f"[{kind}]" in result.text
    assert kind in result.found


def test_health_details_are_redacted_when_linked_to_an_identifier():
    result = redact("name: Lee Tran | dob: 1958-07-02 | dx: bone mets | meds: oxycontin 40mg")
    for secret in ("Lee Tran", "1958-07-02", "bone mets", "40mg"):
        assert secret not in result.text
    assert "HEALTH_DETAIL" in result.found


@pytest.mark.parametrize(
    "text",
    [
        "how long is a session",
        "I'm worried about side effects",
        "a session lasts 4 to 6 hours",
        "relief between 48 hours and 2 weeks",
        "my mom is 72 and has pain",
        "i took 10 mg of oxycodone",  # a dose without an identifier is not PHI: the screen needs it
        "this is the worst pain ever",
        "call 911",
        "is stage 4 cancer painful",
    ],
)
def test_ordinary_text_is_left_alone(text):
    result = redact(text)
    assert result.text == text
    assert result.found == ()


def test_placeholders_in_finds_kinds_in_redacted_text():
    assert placeholders_in("my number is [PHONE], born [DOB]") == ("DOB", "PHONE")
    assert placeholders_in("no placeholders [here]") == ()


def test_empty_and_none_are_safe():
    assert redact("").text == ""
    assert redact(None).text == ""


@pytest.mark.parametrize("text, secret, kind", [
    ("me llamo maria lopez y naci el 3/4/1960", "maria lopez", "NAME"),
    ("me llamo maria lopez y naci el 3/4/1960", "3/4/1960", "DOB"),
    ("Soy Carmen Ruiz, mi tel es 555-201-8841", "Carmen Ruiz", "NAME"),
    ("Soy Carmen Ruiz, mi tel es 555-201-8841", "555-201-8841", "PHONE"),
    ("mi nombre es jose garcia", "jose garcia", "NAME"),
    ("fecha de nacimiento: 12/05/1958", "12/05/1958", "DOB"),
])
def test_spanish_ways_of_giving_personal_details_are_redacted(text, secret, kind):
    result = redact(text)
    assert secret not in result.text and kind in result.found


@pytest.mark.parametrize("text", ["soy diabetica, puedo hacerme la infusion", "soy la hija de un paciente"])
def test_spanish_sentences_about_oneself_are_not_names(text):
    assert redact(text).found == ()


@pytest.mark.parametrize("text", [
    "GOT A NEW PUPPY!!! his name is waffles",
    "we adopted a kitten, her name is Luna",
    "mi gato se llama Michi",
])
def test_a_pets_name_is_no_identifier(text):
    assert redact(text).found == ()


@pytest.mark.parametrize("text, secret", [
    ("my dog died! his name is Max and my name is Tom Lee", "Tom Lee"),
    ("the cat is fine. his name is John Perez, my husband", "John Perez"),
    ("his name is John Perez and he has our dog today", "John Perez"),
])
def test_a_persons_name_beside_a_pet_is_still_redacted(text, secret):
    result = redact(text)
    assert secret not in result.text and "NAME" in result.found
