"""What a person gives on purpose for a callback (clinic_faq.core.contact)."""

import pytest

from clinic_faq.core.contact import first_name, first_phone, last_digits, valid_phone, wants_callback


@pytest.mark.parametrize("text", ["can someone call me back", "pls call me", "I'd like a callback", "llámenme por favor",
                                  "me pueden llamar mañana", "have the nurse call me", "que me llamen",
                                  "i don't have time to type, call me back later", "no rush, call me back tomorrow"])
def test_asking_for_a_call(text):
    assert wants_callback(text)


@pytest.mark.parametrize("text", ["what do you call this treatment", "call jessica", "how long is a session",
                                  "como se llama la medicina", "cancel the callback", "please don't call me",
                                  "no need to call me back after all", "ya no me llamen", "cancela la llamada"])
def test_not_asking_for_a_call(text):
    assert not wants_callback(text)


def test_the_first_phone_number_in_e164():
    assert first_phone("call me at (555) 010-0142 after 3") == "+15550100142"
    assert first_phone("mi número es 555 010 0142") == "+15550100142"
    assert first_phone("room 12, 3 pm") is None
    assert valid_phone("+15550100142") and not valid_phone("12")
    assert last_digits("+15550100142") == "0142"


@pytest.mark.parametrize("text,name", [("Maria", "Maria"), ("my name is Ana Lucía", "Ana Lucía"), ("me llamo José", "José"),
                                       ("Mary-Ann O'Neil", "Mary-Ann O'Neil")])
def test_a_first_name(text, name):
    assert first_name(text) == name


@pytest.mark.parametrize("text", ["555 010 0142", "", "my husband has pain in his back since monday morning please",
                                  "skip", "Saltar", "no thanks"])
def test_not_a_name(text):
    assert first_name(text) is None


@pytest.mark.parametrize("text, kind", [
    ("the lady at the front desk was really rude to my mom", "staff"),
    ("la recepcionista fue bien grosera con mi mama", "staff"),
    ("the nurse on the phone hung up on me", "staff"),
    ("i've left 3 messages and no one calls back", "general"),
    ("left two voicemails and a portal message and nobody has gotten back to us", "general"),
    ("quiero poner una queja, nadie me regresa la llamada", "general"),
    ("i want to file a complaint", "general"),
    # a complaint that names the clinic's people is about them, whatever the gate makes of its words
    ("how do i file a complaint about the front desk", "staff"),
    ("quiero poner una queja de la recepcionista", "staff"),
    ("i want to file a complaint with my bank", "general"),
    ("the cashier at walmart was so rude today", None),
    ("my sister never calls me back lol", None),
    ("my personal trainer was mean to me today", None),
])
def test_complaints_to_the_clinic(text, kind):
    from clinic_faq.core.contact import complaint

    assert complaint(text) == kind
