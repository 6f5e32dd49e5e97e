"""A whole message that is social (clinic_faq.core.social), in English and Spanish as people type them; and the
messages that only start like one, or carry danger, which are not."""

import pytest

from clinic_faq.core.social import ACK, BOT, GOODBYE, GREET, THANK, social


@pytest.mark.parametrize("text, kind", [
    ("hey how's it going", GREET),
    ("Good evening!! how r u today", GREET),
    ("how have you been, my friend", GREET),
    ("buenas tardes, cómo está?", GREET),
    ("q tal", GREET),
    ("thank you SO much for all your help!!", THANK),
    ("ok thx, you've been a huge help", THANK),
    ("that was really helpful", THANK),
    ("mil gracias por su paciencia doctora", THANK),
    ("muy amable, se lo agradezco", THANK),
    ("it was lovely chatting with you", GOODBYE),
    ("i enjoyed our conversation, bye", GOODBYE),
    ("thanks again, have a great weekend", GOODBYE),
    ("good night 🌙", GOODBYE),
    ("hasta luego, que tenga un bonito día", GOODBYE),
    ("are you a real person or a bot?", BOT),
    ("am i texting with a human", BOT),
    ("is this an automated system", BOT),
    ("¿eres una persona de verdad?", BOT),
    ("estoy hablando con una máquina?", BOT),
    # only saying hello, or saying who one is
    ("hi there, just wanted to say hi", GREET),
    ("hola, nomás saludando", GREET),
    ("buenas, solo pasaba a saludarlos", GREET),
    ("hola, soy la hija de un paciente, nomas saludando", GREET),
    ("hello, this is the wife of one of your patients", GREET),
    # only an acknowledgement or a laugh
    ("lol", ACK),
    ("okay cool", ACK),
    ("jajaja", ACK),
    ("perfecto!", ACK),
    # Spanish "ya" and "y", which normalization reads as the SMS "you" and "why"
    ("ya entendí", ACK),
    ("ok, y gracias", THANK),
    ("ah ok, entendido", ACK),
    # ... a formula beside it is that formula
    ("ok thanks", THANK),
    ("haha ok bye", GOODBYE),
])
def test_social_messages(text, kind):
    assert social(text) == kind


@pytest.mark.parametrize("text", [
    # a request follows the formula: it keeps its own route
    "thanks! where do i park?",
    "hi, does ketamine cause nightmares?",
    "gracias, a qué hora abren el sábado?",
    "hello i need to reschedule",
    "soy la hija de un paciente, cuánto cuesta la consulta?",
    "just saying hi, my dad took all his pills",
    "lol i want to die",
    "ok so how long is a session",
    "jaja ya no aguanto",
    "solo saludando y ya no quiero vivir",
    # asking for a person is a request, not a question whether it is a bot
    "can i talk to a real person",
    "quiero hablar con una persona",
    # a farewell to everyone, to the world or forever: for the crisis screen to read
    "goodbye everyone",
    "thanks for everything, bye forever",
    "me despido de todos",
    "adiós para siempre",
    "this is my last goodbye",
    # words that only look like one
    "hip pain",
    "is it real ketamine",
    "are you a doctor",
    "it helps",
    "good morning! finally sunny out",
    "",
    "x" * 500,
])
def test_not_social(text):
    assert social(text) is None


def test_the_screen_reports_it():
    from clinic_faq.core.screen import get_screen

    assert get_screen().screen("thank you, bye!").social == GOODBYE
    assert get_screen().screen("thank you, when do you open?").social is None


@pytest.mark.parametrize("text, core", [
    ("buenas noches, ojalá no despertar mañana", "ojalá no despertar mañana"),
    ("thanks for everything, i won't be needing appointments after tonight", "i won't be needing appointments after tonight"),
    ("hey, i took all my pills. bye", "i took all my pills"),
    ("thanks for the info earlier. friday is the day, the pills are ready", "friday is the day, the pills are ready"),
    ("gracias por escucharme. ya me voy a dar por vencida", "ya me voy a dar por vencida"),
    ("hi! how long is a session? thanks", "how long is a session"),
    ("lol. i took every pill i had", "i took every pill i had"),
    # nothing social, or everything: the message as it is (its punctuation too)
    ("I hate Mondays more than anything.", "I hate Mondays more than anything."),
    ("ok thanks, bye", "ok thanks, bye"),
    # a farewell to everyone stays: the crisis screen reads it
    ("goodbye everyone, tell my kids i love them", "goodbye everyone, tell my kids i love them"),
])
def test_strip_social(text, core):
    from clinic_faq.core.social import strip_social

    assert strip_social(text) == core


@pytest.mark.parametrize("text, parts", [
    ("what time do you open tomorrow? my husband took all his sleeping pills an hour ago",
     ["what time do you open tomorrow", "my husband took all his sleeping pills an hour ago"]),
    ("question about parking - also my mom can't lift her arm since lunch",
     ["question about parking", "also my mom can't lift her arm since lunch"]),
    ("do you take medicare... btw i wrote the letters last night",
     ["do you take medicare", "btw i wrote the letters last night"]),
    ("¿cuánto cuesta la consulta? además ya no quiero seguir viviendo así",
     ["¿cuánto cuesta la consulta", "además ya no quiero seguir viviendo así"]),
    ("first line\nsecond line", ["first line", "second line"]),
    # one thing said: the message as it is
    ("how long is a session?", ["how long is a session?"]),
    ("also", ["also"]),
    ("", [""]),
])
def test_sentences(text, parts):
    from clinic_faq.core.social import sentences

    assert sentences(text) == parts


@pytest.mark.parametrize("text, clauses", [
    ("hola buenas tardes, la verdad a veces siento que seria mejor no despertar nunca mas, tienen citas el sabado",
     ["la verdad a veces siento que seria mejor no despertar nunca mas"]),
    # clauses of fewer than ten words are not read alone ("mi jefa me va a matar")
    ("mi jefa me va a matar, deje las llaves de la oficina en mi casa", []),
    ("one clause with no comma at all but plenty of words in it", []),
])
def test_long_clauses(text, clauses):
    from clinic_faq.core.social import long_clauses

    assert long_clauses(text) == clauses
