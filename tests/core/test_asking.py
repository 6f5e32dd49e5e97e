"""Whether a message asks something (clinic_faq.core.asking): questions and requests, in English and Spanish,
against everyday talk."""

import pytest

from clinic_faq.core.asking import asks, is_long


@pytest.mark.parametrize("text", [
    "how long does the drip take",
    "ketamine nasal vs iv?",
    "does it wear off fast",
    "my neighbor says it's a horse tranquilizer, is that true",
    "will ketamine help my mom sleep",
    "i need to move my thursday appointment",
    "please have someone ring me after 3",
    "left two voicemails and nobody got back to me",
    "operator please",
    "cuanto dura cada sesion",
    "se puede ir en bata",
    "tienen estacionamiento para discapacitados",
    "necesito cambiar la cita de mi esposo",
    "nadie me contesta las llamadas",
    "q es la ketamina",
    "k pasa si me duermo durante la infusion",
    "my feet have been burning worse since the last round",
    "mi esposo anda con mucho mareo desde ayer",
])
def test_questions_and_requests_ask(text):
    assert asks(text)


@pytest.mark.parametrize("text", [
    "it's been a long week",
    "feeling kinda blah today",
    "the neighbors are grilling again",
    "finally finished the puzzle",
    "ya empezo el frio",
    "mi perro se comio mi calcetin jaja",
    "hoy hace un año q se fue mi abuelo",
    "",
])
def test_everyday_talk_does_not(text):
    assert not asks(text)


@pytest.mark.parametrize("text, reported", [
    ("my pain has been way worse since yesterday", True),
    ("mi mamá tiene más dolor desde ayer", True),
    ("ringing in both ears since the last session", True),  # the subject left out, but when it began is said
    ("does ketamine cause nausea", False),  # a question: answered as one
    ("my aunt is into reiki, does any of it help with pain", False),
    ("i need the pin number for my card", False),  # "number" is not "numb"
    ("this week has been one long nightmare of deadlines", False),
    ("headache from the spreadsheets all day", False),  # nobody's symptom, no when
    # inside a statement "que", "como", "donde", "when" are conjunctions, not questions
    ("me duele más la espalda que de costumbre", True),
    ("ando como mareada desde el jueves", True),
    ("my husband gets woozy when he stands up", True),
    ("¿qué tan seguido da mareo la ketamina?", False),  # an accented question word: a question
    # a relative as the subject, without "my"
    ("dad says his feet burn at night worse than before", True),
    # asked about while it goes on: the person's own case
    ("i've felt foggy since tuesday, should i tell someone?", True),
    ("¿es normal que me siga doliendo la cabeza dos días después?", True),
    # asked in general, or about what may come: a question
    ("is it normal to feel dizzy after the infusion?", False),
    ("will i feel sick after the infusion", False),
    ("my dad has stage 4 cancer. do most people at that stage end up in pain", False),
    # Spanish says who by the verb; "worse than before", "the day after" say when
    ("ando con mucha náusea y sin ganas de comer", True),
    ("amanezco como con cruda al día siguiente de cada sesión", True),
    ("fingertips are numb, worse than last month", True),
    ("llevo 4 días sin poder ir al baño con las pastillas nuevas", True),
    # an ache the message explains by an everyday cause is everyday talk ...
    ("so sore from the gym i can barely walk", False),
    ("me duele todo de tanto bailar anoche", False),
    ("went to a concert last night and my ears are still ringing", False),
    # ... but not one after a treatment, a medicine, or an ordinary effort a patient may find hard
    ("my back hurts after the infusion", True),
    ("tengo dolor de tanto vomitar", True),
    ("my legs hurt after walking to the bathroom", True),
])
def test_a_symptom_told_is_a_report_and_one_asked_about_is_a_question(text, reported):
    from clinic_faq.core.asking import reports_symptom
    from clinic_faq.core.screen import get_screen

    assert get_screen().screen(text).symptom_report is reported
    assert not reported or reports_symptom(text, first_person=True)


@pytest.mark.parametrize("text, after", [
    ("just feel flat since treatment. not sad exactly", True),
    ("back pain creeping back sooner than it did after round one", True),
    ("so tired lately, started right after they raised my dose", True),
    ("me siento débil y cansada todo el día desde que me subieron la dosis", True),
    ("tengo náuseas desde la infusión de ayer", True),
    ("ugh bloated and gassy on the new pills", True),
    # a time, a place or an errand is no treatment
    ("so tired since the move, boxes everywhere", False),
    ("after the game we went out for tacos", False),
    ("desde el lunes no para de llover", False),
])
def test_a_change_told_after_a_treatment_or_a_medicine(text, after):
    from clinic_faq.core.asking import after_treatment

    assert after_treatment(text) is after


# A long message tells a story: its request, complaint and symptom words are part of the story, not a question.
_STORY = ("Big news from our house this week. My dad has had prostate cancer for years and the pain comes and goes. "
          "Nobody expected him to organise anything, but he started a domino tournament at his care home. "
          "Twelve men play every afternoon now and the nurses call him the commissioner. He never stops talking about it.")


@pytest.mark.parametrize("text, asked", [
    (_STORY, False),
    (_STORY + " Is it normal that he sleeps so much after a good day?", True),
    (_STORY + " Anyway, I would like to book his first consultation.", True),
    (_STORY + " Could ketamine help him on the bad days", True),
    ("Semana de locos. El lunes se descompuso la lavadora y nadie me ayudó con la ropa. El martes fue la cita de mi "
     "esposo con el oncólogo y todo salió bien, gracias a Dios. El miércoles llegó mi hermana de El Salvador con dulces "
     "y nos quedamos platicando hasta la madrugada. Hoy nomás quiero dormir temprano.", True),  # "quiero": a request
    ("Semana de locos. El lunes se descompuso la lavadora y nadie me ayudó con la ropa. El martes fue la cita de mi "
     "esposo con el oncólogo y todo salió bien, gracias a Dios. El miércoles llegó mi hermana de El Salvador con dulces "
     "y nos quedamos platicando hasta la madrugada.", False),
])
def test_a_long_message_asks_only_with_a_question_or_a_plain_request(text, asked):
    assert is_long(text)
    assert asks(text) is asked


def test_a_short_message_keeps_every_sign_of_asking():
    # the same words in a short message still ask: a complaint or a symptom told to the clinic
    assert not is_long("nobody called me back. my pain is worse")
    assert asks("nobody called me back. my pain is worse")


def test_what_a_long_message_asks_is_its_questions_and_requests():
    from clinic_faq.core.asking import request_of_long

    story = ("My sister has been in chemo since June and I drive her every week. The nurses are lovely. The waiting "
             "room is cold, so we bring a blanket. Also she uses a walker, is there a ramp at the side door? Please "
             "send me the fax number too. We usually arrive early.")
    assert request_of_long(story) == "Also she uses a walker, is there a ramp at the side door? Please send me the fax number too"
    told = ("My sister has been in chemo since June and I drive her every week. The nurses are lovely. The waiting "
            "room is cold, so we bring a blanket. We usually arrive early and leave after lunch, and it works for us.")
    assert is_long(told) and request_of_long(told) is None  # a long message that asks nothing
    assert request_of_long("is there a ramp at the side door? my sister uses a walker") is None  # not long
