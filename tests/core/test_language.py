"""The conversation's language (src/clinic_faq/core/language.py)."""

import pytest

from clinic_faq.core.language import detect, hint, is_only_a_language_request


@pytest.mark.parametrize("text", [
    "cuanto dura una sesion de ketamina", "me duele mucho la espalda desde la quimio", "hola", "gracias",
    "q efectos secundarios tiene", "necesito una cita para mi mama",
])
def test_spanish_messages_are_spanish(text):
    assert detect(text).language == "es"


@pytest.mark.parametrize("text", [
    "how long is a ketamine session", "do doctors use nsaids like naproxen for cancer pain", "thanks",
    "cancel my dinner reservation", "do u take medicare",
])
def test_english_messages_are_english(text):
    assert detect(text).language == "en"


@pytest.mark.parametrize("text", ["ok", "1", "no", "", "   "])
def test_short_messages_do_not_change_the_language(text):
    assert detect(text).language is None


@pytest.mark.parametrize("text, language", [
    ("en español por favor", "es"), ("ESPAÑOL", "es"), ("can you answer in spanish", "es"),
    ("cambia a español", "es"), ("English please", "en"), ("switch to english", "en"), ("en ingles porfa", "en"),
])
def test_asking_for_a_language_is_explicit(text, language):
    guess = detect(text)
    assert (guess.language, guess.explicit) == (language, True)
    assert is_only_a_language_request(text)


@pytest.mark.parametrize("text", [
    "translate good morning into spanish", "como se dice buenos dias en ingles", "en español, que es la ketamina",
])
def test_mentioning_a_language_is_not_only_a_request(text):
    assert not is_only_a_language_request(text)


@pytest.mark.parametrize("text", ["eres un bot?", "bone pain por cancer xq pasa", "grax", "sip", "okey gracias x todo",
                                  "aceptan medicare?", "atienden sabados?"])
def test_undecided_spanish_messages_get_a_spanish_hint(text):
    assert detect(text).language is None or detect(text).language == "es"
    assert hint(text) == "es"


@pytest.mark.parametrize("text", ["r u a bot", "whats ketamene", "cost per infusoin", "is it real", "medicare accepted?",
                                  "open saturdays?"])
def test_undecided_english_messages_never_get_a_spanish_hint(text):
    assert hint(text) in (None, "en")


@pytest.mark.parametrize("text", ["ok", "1", "no", ""])
def test_messages_that_say_nothing_get_no_hint(text):
    assert hint(text) is None


@pytest.mark.parametrize("text", ["el parking se paga o es gratis", "mañana es payday por fin",
                                  "el appointment de la infusion dura como una hora o es mas?"])
def test_a_spanish_sentence_with_english_nouns_is_spanish(text):
    assert detect(text).language == "es"


@pytest.mark.parametrize("text", ["is the parking free or do i pay", "my abuela has cancer, what is the infusion like",
                                  "where is the clinic, is it near the plaza"])
def test_an_english_sentence_with_a_spanish_word_stays_english(text):
    assert detect(text).language == "en"
