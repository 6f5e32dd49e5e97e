import pytest
from spacy.lang.en import English

from clinic_faq.core.screen import PatternError, RuleCompiler, get_screen, iter_rules


@pytest.fixture(scope="module")
def screen():
    return get_screen()


@pytest.mark.parametrize(
    "text",
    [
        "everyone would be better off without me",
        "i dont want to wake up tomorrow",
        "i just want to sleep and not wake up",
        "thinking about ending my life",
        "i have pills saved up",
        "whats the point anymore",
        "wanna kms",
        "im sucidal",
        "i keep cutting myself",
        "i took too many oxycodone",
        "my dad took all his pills",
        "i think i od'd",
        "grandpa swallowed his whole bottle of morphine",
        "chest pain after my infusion",
        "I CAN'T BREATHE",
        "cant breath",
        "my wife fainted and won't wake up",
        "he's having a seizure",
        "her lips are turning blue",
        "he is unresponsive",
        "quiero morir",
        "no puedo respirar",
        "my toddler got into my hydrocodone bottle",
        "so about the parking, also i think im having a heart attack",
    ],
)
def test_crisis_is_urgent(screen, text):
    result = screen.screen(text)
    assert result.crisis == "urgent", result
    assert result.crisis_rules


@pytest.mark.parametrize(
    "text",
    [
        "does ketamine help with suicidal thoughts?",
        "can ketamine cause an overdose",
        "is chest pain a side effect",
        "im not suicidal, just curious about depression",
        "he had a heart attack last year, is ketamine ok for him",
        "can ketamine cause a stroke",
    ],
)
def test_informational_or_negated_mentions_are_gentle(screen, text):
    assert screen.screen(text).crisis == "informational"


@pytest.mark.parametrize(
    "text",
    [
        "how long is a session",
        "what are the side effects",
        "this pain is killing me",
        "who is a good candidate",
        "how many sessions do people usually need",
    ],
)
def test_plain_questions_are_not_crises(screen, text):
    assert screen.screen(text).crisis is None


@pytest.mark.parametrize(
    "text",
    [
        "should I stop my fentanyl before coming in",
        "what dose of ketamine do you use",
        "am i a candidate",
        "would it work for my moms bone pain",
        "can i drive home after",
        "im pregnant is it ok",
        "is it ok with my blood pressure pills",
        "my doctor said 0.5 mg/kg is that right",
        "whats the d0se of k3tamine",
        "k-e-t-a-m-i-n-e d-o-s-e pls",
    ],
)
def test_personal_medical_questions_are_referred(screen, text):
    assert screen.screen(text).referral


@pytest.mark.parametrize(
    "text",
    [
        "who is a good candidate for ketamine",
        "what are opioids",
        "how much does a ketamine infusion cost",
        "how long does relief last",
        "what kind of patients qualify for ketamine",
    ],
)
def test_general_questions_are_not_referred(screen, text):
    assert not screen.screen(text).referral


def test_phi_placeholders_are_reported(screen):
    assert screen.screen("my number is [PHONE], born [DOB]").phi == ["DOB", "PHONE"]


def test_result_holds_rule_ids_not_text(screen):
    decision = screen.screen("i took all my pills and my number is [PHONE]").as_dict()
    assert "pills" not in str(decision.get("phi"))
    assert all(":" in rule for rule in decision["crisis_rules"])


def test_every_rule_in_the_patterns_files_compiles():
    rules = list(iter_rules())
    assert len(rules) > 150
    assert {category for category, _ in rules} >= {"suicidal", "self_harm", "overdose", "medical_urgent", "dose"}


def test_rule_compiler_handles_alternatives_optional_words_and_wildcards():
    nlp = English()
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    patterns = RuleCompiler(nlp).compile("took|swallowed ?all * pills")
    assert patterns == [[
        {"LEMMA": {"IN": ["swallow", "take"]}},
        {"LEMMA": {"IN": ["all"]}, "OP": "?"},
        {"OP": "?"}, {"OP": "?"}, {"OP": "?"},
        {"LEMMA": {"IN": ["pill"]}},
    ]]


@pytest.mark.parametrize("rule", ["", "   ", "?maybe", "* *"])
def test_rule_compiler_rejects_rules_that_match_nothing_required(rule):
    nlp = English()
    with pytest.raises(PatternError):
        RuleCompiler(nlp).compile(rule)


@pytest.mark.parametrize("text, urgent", [
    ("q quiere decir cuando dicen q un dolor no responde a los tratamientos normales", False),
    ("el dolor no responde a la morfina", False),
    ("mi mama no responde", True),
    ("le hablo y no responde a nada", True),
    ("mi abuela tomo muchas pastillas y no reacciona", True),
])
def test_spanish_not_responding_is_about_a_person_not_a_pain(screen, text, urgent):
    assert (screen.screen(text).crisis == "urgent") is urgent, text
