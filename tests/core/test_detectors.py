"""The learned domain gate and crisis detector (src/clinic_faq/core/detectors.py), trained on the project's data
with the pre-trained sentence encoder. The probe messages are not training examples, nor close to one
(the last test checks it)."""

from pathlib import Path

import numpy as np
import pytest

from clinic_faq.core.detectors import Detectors, Featurizer, data_fingerprint, load_crisis, load_out_of_domain
from clinic_faq_dev.content import training_examples
from clinic_faq_dev.overlap import near_duplicates

UNRELATED = [
    "remind me to water the tomatoes at six", "what's the exchange rate for pesos right now",
    "can you find a cheap flight to denver in march", "add oat milk and bread to the grocery list",
    "convert forty kilometres to miles for my run", "pon una alarma para las siete de la mañana",
]
CLINIC = [
    "does the ketamine drip make people feel floaty", "roughly how many hours do i sit there for an infusion",
    "i'd like to set up a first appointment with your team", "my fentanyl patch, does it stay stuck on while the drip runs",
    "hello there", "le agradezco mucho, me sirvió bastante",
]
URGENT = [
    "my dad won't wake up and his lips look grey after his pain pills", "i've counted out every pill i have and tonight i'm taking them",
    "mi esposa se tomó todas sus pastillas para dormir y no reacciona", "he is clutching his chest, sweating and says his jaw and left arm hurt",
]
ORDINARY = ["this traffic jam is killing me", "my phone is about to die, text you later", "ugh that exam destroyed me lol"]
# Practical questions: the clinic's front desk's, and other offices' or a general assistant's in the same words
FRONT_DESK = ["open on sundays?", "you guys open before 8?", "is there a discount for paying up front", "abren los domingos?"]
OTHER_OFFICES = ["what timezone is lisbon in", "what day of the week is new year's day", "is the library open on veterans day",
                 "cancel my table for two tonight"]


def test_fast_single_message_features_equal_scikit_learns(detectors, encode):
    texts = ["how long is a ketamine session", "got the rope picked the date", "", "ÇA VA?? 😀", "a " * 400]
    for text in texts:
        dense = encode(text)
        indices, values = detectors.featurizer.transform_one(text, dense)
        full = np.zeros(detectors.featurizer.transform([text], dense[None, :]).shape[1])
        full[indices] = values
        assert np.allclose(full, detectors.featurizer.transform([text], dense[None, :]).toarray()[0], atol=1e-6), text
        fast = detectors.score(text, dense)
        slow = (detectors.gate.probability([text], dense[None, :])[0],
                *(p[0] for p in detectors.crisis.probabilities([text], dense[None, :])))
        assert np.allclose(fast, slow, atol=1e-5), text


def test_a_featurizer_fitted_with_sentence_vectors_refuses_a_message_without_one():
    featurizer = Featurizer(dense_weight=1.0)
    featurizer.fit_transform(["one message here", "another message there"], np.eye(2, 4, dtype=np.float32))
    with pytest.raises(ValueError, match="sentence vector"):
        featurizer.transform_one("one message here")
    indices, values = featurizer.transform_one("one message here", np.array([0, 0, 1, 0], dtype=np.float32))
    assert featurizer.sparse_width + 2 in set(indices.tolist())


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_requests_are_outside_the_domain(detectors, encode, text):
    p_in, p_urgent, p_concern = detectors.score(text, encode(text))
    assert p_in < 0.5
    assert p_urgent < 0.5 and p_concern < 0.5


@pytest.mark.parametrize("text", CLINIC)
def test_clinic_messages_are_inside_the_domain(detectors, encode, text):
    assert detectors.score(text, encode(text))[0] >= 0.5


@pytest.mark.parametrize("text", URGENT)
def test_danger_is_urgent(detectors, encode, text):
    assert detectors.score(text, encode(text))[1] >= 0.5


@pytest.mark.parametrize("text", ORDINARY)
def test_figures_of_speech_raise_no_alarm(detectors, encode, text):
    """The detector and the screen together, as the decision reads them (the idioms leave no word of danger)."""
    from clinic_faq.core.contract import Scores
    from clinic_faq.core.decision import Thresholds, crisis_level
    from clinic_faq.core.screen import get_screen

    assert crisis_level(get_screen().screen(text), Scores(*detectors.score(text, encode(text))), Thresholds())[0] is None


def test_the_probes_are_not_training_examples():
    from clinic_faq.core.detectors import load_in_domain

    trained = [t for _, t in training_examples()] + [t for ts in load_out_of_domain().values() for t in ts]
    trained += [t for ts in load_crisis().values() for t in ts] + [t for ts in load_in_domain().values() for t in ts]
    probes = UNRELATED + CLINIC + URGENT + ORDINARY + FRONT_DESK + OTHER_OFFICES
    assert near_duplicates(probes, trained, 0.6) == []
    assert not set(FRONT_DESK + OTHER_OFFICES) & set(trained)  # word for word: short lines escape the overlap measure


def test_the_practical_boundary_tells_the_front_desk_from_other_offices(detectors, encode):
    """Detectors.clinic_practical: whether a practical question is the clinic's. "open on sundays?" is one the gate
    doubts (below 0.6); the other offices' questions are placed on the clinic's hours or cancellations by the intent
    classifier."""
    assert min(detectors.practical(t, encode(t)) for t in FRONT_DESK) >= 0.6
    assert max(detectors.practical(t, encode(t)) for t in OTHER_OFFICES) < 0.3
    assert detectors.score("open on sundays?", encode("open on sundays?"))[0] < 0.6


def test_a_model_trained_before_the_practical_boundary_reads_as_without_it(detectors, encode):
    import dataclasses

    older = dataclasses.replace(detectors, clinic_practical=None)
    assert older.practical("open on sundays?", encode("open on sundays?")) is None


def test_without_an_encoder_the_detectors_use_ngrams_alone():
    # a third of the examples and no pairs of several parts: the mode is what is tested
    detectors = Detectors.train(training_examples()[::3], mixed=0, long=False)
    assert not detectors.uses_sentence_vectors
    assert detectors.score("set an alarm for six", None)[0] < 0.5


def test_training_data_is_broad_enough():
    domains = load_out_of_domain()
    assert len(domains) >= 20 and sum(map(len, domains.values())) >= 2000
    crisis = load_crisis()
    assert len(crisis["urgent"]) >= 300 and len(crisis["concern"]) >= 150 and len(crisis["not_crisis"]) >= 300


def test_fingerprint_follows_the_files(tmp_path: Path):
    (tmp_path / "crisis.yml").write_text("urgent: [a]\n")
    before = data_fingerprint(tmp_path)
    (tmp_path / "crisis.yml").write_text("urgent: [b]\n")
    assert data_fingerprint(tmp_path) != before


def test_a_greeting_around_a_crisis_does_not_dilute_it(detectors, encode):
    """score_message reads the message without its social clauses too and keeps the higher crisis scores."""
    from clinic_faq.core.encoder import get_encoder

    text = "buenas noches, ojalá no despertar mañana"
    whole = detectors.score(text, encode(text), of_parts=True)  # two clauses: both readings of the whole
    core = detectors.score("ojalá no despertar mañana", encode("ojalá no despertar mañana"))
    found = detectors.score_message(text, encode(text), get_encoder().encode)
    assert found[0] == whole[0]  # the domain score is the whole message's
    assert found[1:] == (max(whole[1], core[1]), max(whole[2], core[2]))
    assert found[1] + found[2] > whole[1] + whole[2]


def test_a_message_without_social_clauses_is_scored_once(detectors, encode):
    from clinic_faq.core.encoder import get_encoder

    for text in ("I hate Mondays more than anything.", "how long is a session?"):
        assert detectors.score_message(text, encode(text), get_encoder().encode) == detectors.score(text, encode(text))
    # and without an encoder, a detector that reads sentence vectors keeps the message's own scores
    text = "hi, i took all my pills"  # two clauses: the whole is read by both detectors
    assert detectors.score_message(text, encode(text), None) == detectors.score(text, encode(text), of_parts=True)


def test_a_danger_beside_an_ordinary_question_is_read_as_said(detectors, encode):
    """With the screen's evidence, score_message also scores each sentence holding a word of danger or distress, and
    keeps the higher crisis scores; sentences without such a word, or too short, are not scored alone."""
    from clinic_faq.core.encoder import get_encoder
    from clinic_faq.core.screen import get_screen

    has_evidence = get_screen().has_evidence
    text = "what are your hours on saturday? i would rather be dead than live another year like this"
    danger = "i would rather be dead than live another year like this"
    assert has_evidence(danger) and not has_evidence("what are your hours on saturday")
    whole, part = detectors.score(text, encode(text), of_parts=True), detectors.score(danger, encode(danger))
    found = detectors.score_message(text, encode(text), get_encoder().encode, has_evidence)
    assert found == (whole[0], max(whole[1], part[1]), max(whole[2], part[2]))
    assert found[1] + found[2] > whole[1] + whole[2]
    # without the evidence predicate, or when no sentence holds evidence, the message's own scores
    assert detectors.score_message(text, encode(text), get_encoder().encode) == whole
    plain = "what are your hours on saturday? is there parking in the back"
    assert detectors.score_message(plain, encode(plain), get_encoder().encode, has_evidence) == detectors.score(
        plain, encode(plain), of_parts=True)
    # a long clause between commas is read alone too (a run-on message with commas for periods)
    run_on = "una pregunta del estacionamiento, la verdad prefiero estar muerta que seguir otro año con este dolor, tienen citas el sabado"
    clause = "la verdad prefiero estar muerta que seguir otro año con este dolor"
    whole, part = detectors.score(run_on, encode(run_on), of_parts=True), detectors.score(clause, encode(clause))
    assert part[2] > whole[2]
    assert detectors.score_message(run_on, encode(run_on), get_encoder().encode, has_evidence) == (
        whole[0], max(whole[1], part[1]), max(whole[2], part[2]))
    # a sentence of fewer than five words is not scored alone, even with a word of danger
    short = "what is the score of the game tonight? i am dying here"
    assert detectors.score_message(short, encode(short), get_encoder().encode, has_evidence) == detectors.score(
        short, encode(short), of_parts=True)


@pytest.mark.parametrize("intent, told, probe, gate_text, the_clinics", [
    # a low mood told as a side effect, for the care team
    ("ask_personal_medical", ["feeling flat and empty since the session, nothing seems worth much",
                              "so empty and flat after the drip",
                              "flat and empty all week after my treatment, cannot enjoy anything"],
     "i feel flat and empty, nothing is worth anything anymore", "so empty and flat after the drip", True),
    # a declined intent's mark counts too (declined examples were once "none" whatever their mark)
    ("out_of_scope", ["so flat and empty today i cannot see a reason for anything",
                      "empty and flat, no reason for anything today",
                      "flat and empty, there is no reason for anything anymore"],
     "i feel flat and empty and see no reason for anything", "so flat and empty today i cannot see a reason for anything",
     False),
])
def test_examples_marked_not_for_the_crisis_detector_teach_only_the_gate(intent, told, probe, gate_text, the_clinics):
    """Examples of an intent marked `crisis_detector: not_trained` are not the detector's "none": a low mood trained
    as "none" would teach it that such words are ordinary. The gate still learns them, on their intent's side."""
    examples = training_examples()[::3] + [(intent, t) for t in told]
    # no pairs of several parts (mixed=0): score() reads the crisis detector of whole messages, which they do not teach
    with_none = Detectors.train(examples, mixed=0, long=False)
    left_out = Detectors.train(examples, not_for_crisis=told, mixed=0, long=False)
    assert left_out.score(probe, None)[2] > with_none.score(probe, None)[2]  # concern: higher when not taught "none"
    assert (left_out.score(gate_text, None)[0] > 0.5) is the_clinics  # the gate learned them on their intent's side


def test_the_detector_reads_every_crisis_file_of_its_folder(tmp_path):
    from clinic_faq.core.detectors import load_crisis

    (tmp_path / "crisis.yml").write_text('urgent: ["a"]\nconcern: ["b"]\nnot_crisis: ["c"]\n')
    (tmp_path / "crisis_outside.yml").write_text('urgent: ["d"]\nnot_crisis: ["e", "f"]\n')
    (tmp_path / "out_of_domain.yml").write_text('urgent: ["not a crisis file"]\n')
    assert load_crisis(tmp_path) == {"urgent": ["a", "d"], "concern": ["b"], "not_crisis": ["c", "e", "f"]}


def test_the_long_detector_reads_every_long_crisis_file_of_its_folder(tmp_path):
    from clinic_faq.core.detectors import load_crisis, load_long_crisis

    assert load_long_crisis(tmp_path) == {"urgent": [], "concern": [], "not_crisis": []}
    (tmp_path / "crisis.yml").write_text('urgent: ["a"]\n')
    (tmp_path / "long_crisis.yml").write_text('urgent: ["b"]\nnot_crisis: ["c"]\n')
    (tmp_path / "long_crisis_more.yml").write_text('concern: ["d"]\nnot_crisis: ["e"]\n')
    assert load_long_crisis(tmp_path) == {"urgent": ["b"], "concern": ["d"], "not_crisis": ["c", "e"]}
    assert load_crisis(tmp_path)["urgent"] == ["a"]  # the short messages' detector does not read them


def test_mixed_pairs_differ_only_by_the_danger():
    from clinic_faq.core.detectors import CONCERN, NONE, URGENT, mixed_pairs

    danger = [("i swallowed every pill in the bottle", URGENT), ("ya no quiero seguir viviendo así", CONCERN)]
    benign = ["this traffic is killing me", "me muero de risa con mi sobrino"]
    ordinary = ["what time do you open on saturday", "a qué hora abren el sábado"]
    pairs = mixed_pairs(danger, benign, ordinary, 40)
    assert len(pairs) == 80
    spanish = {"ya no quiero seguir viviendo así", "me muero de risa con mi sobrino", "a qué hora abren el sábado"}
    for (with_danger, label), (look_alike, other) in zip(pairs[::2], pairs[1::2], strict=True):
        assert label in (URGENT, CONCERN) and other == NONE
        part = next(t for t, _ in danger if t in with_danger)
        twin = next(t for t in benign if t in look_alike)
        question = next(q for q in ordinary if q in with_danger)
        assert with_danger.replace(part, twin) == look_alike  # the same question, joined the same way
        assert (part in spanish) == (twin in spanish) == (question in spanish)  # one language a message
    assert {label for _, label in pairs} == {URGENT, CONCERN, NONE}
    assert mixed_pairs(danger, benign, ordinary, 40) == pairs  # the same pairs on every training


def test_a_message_of_one_part_is_read_by_the_first_detector_alone(detectors, encode):
    from clinic_faq.core.detectors import several_parts

    assert detectors.crisis_of_parts is not None
    text = "is there a bus that stops near the clinic"
    assert not several_parts(text) and several_parts("hi. is there a bus") and several_parts("hi, is there a bus")
    assert detectors.score_message(text, encode(text)) == detectors.score(text, encode(text))
    both = detectors.score(text, encode(text), of_parts=True)
    assert both[1:] != detectors.score(text, encode(text))[1:]  # the second reading scores differently ...
    assert all(b >= a for a, b in zip(detectors.score(text, encode(text)), both, strict=True))  # ... and the higher counts


def test_a_danger_beside_an_ordinary_question_is_read_by_the_second_detector(detectors, encode):
    """Distress with no word of danger, after a practical question: the first detector reads the message by its
    ordinary half; the one taught on pairs of several parts does not. Its look-alike twin stays calm."""
    from clinic_faq.core.contract import Scores
    from clinic_faq.core.decision import Thresholds, crisis_level
    from clinic_faq.core.screen import get_screen

    screen = get_screen()

    def level(text: str, of_parts: bool):
        scores = detectors.score(text, encode(text), of_parts=of_parts)
        return crisis_level(screen.screen(text), Scores(*scores), Thresholds())[0]

    danger = "can i bring my daughter with me? i keep thinking it would be easier on everyone if i was gone"
    twin = "can i bring my daughter with me? i keep thinking it would be easier on everyone if i took the bus"
    assert level(danger, of_parts=False) is None
    assert level(danger, of_parts=True) == "concern"
    assert level(twin, of_parts=True) is None
    assert near_duplicates([danger, twin], [t for _, t in training_examples()], 0.6) == []


def test_a_fit_started_from_another_detectors_weights_reaches_the_same_model():
    """The second reading's fit starts from the first one's weights to save time; it must land where a fit from
    zero lands (the problem is convex), not stop early near its start."""
    from scipy import sparse

    from clinic_faq.core.detectors import CrisisDetector

    rng = np.random.default_rng(3)
    x = sparse.csr_matrix(rng.normal(size=(600, 40)).astype(np.float32))
    weights = rng.normal(size=(40, 3))
    labels = np.array(["none", "urgent", "concern"])[np.argmax(x @ weights + rng.normal(scale=0.5, size=(600, 3)), 1)]
    first = CrisisDetector(Featurizer()).fit(x[:300], labels[:300])
    cold = CrisisDetector(Featurizer()).fit(x, labels)
    warm = CrisisDetector(Featurizer()).fit(x, labels, start=first)
    assert not np.allclose(first.model.coef_, cold.model.coef_, atol=1e-2)  # the start is not the answer
    assert np.allclose(warm.model.predict_proba(x), cold.model.predict_proba(x), atol=1e-3)


def test_an_example_weighted_k_counts_as_k_copies_of_it():
    """The long messages' detector weighs its long examples above the short ones (LONG_WEIGHT): a weight of 3 must
    move the model about as three copies of the example would (not exactly: the balanced class weights count the
    copies), far from where a weight of 1 leaves it."""
    from scipy import sparse

    from clinic_faq.core.detectors import CrisisDetector

    rng = np.random.default_rng(5)
    x = sparse.csr_matrix(rng.normal(size=(300, 20)).astype(np.float32))
    labels = np.array(["none", "urgent", "concern"])[np.argmax(x @ rng.normal(size=(20, 3)) + rng.normal(size=(300, 3)), 1)]
    weighted = CrisisDetector(Featurizer()).fit(x, labels, weights=[3.0] * 100 + [1.0] * 200)
    copies = CrisisDetector(Featurizer()).fit(sparse.vstack([x[:100], x[:100], x]).tocsr(), np.concatenate([labels[:100], labels[:100], labels]))
    plain = CrisisDetector(Featurizer()).fit(x, labels)
    def gap(a, b):
        return np.abs(a.model.predict_proba(x) - b.model.predict_proba(x)).max()

    assert gap(weighted, copies) < 0.25 * gap(plain, copies), (gap(weighted, copies), gap(plain, copies))


# Long messages: a forum post's worth of words, calm or in danger (written for these tests; see the last assertion).
LONG_CALM = ("Long post, sorry. We said goodbye to my uncle Ray on Sunday. He had lung cancer for six years and spent "
             "the last month in hospice, where the nurses let his old beagle sleep on the bed. The funeral was small, "
             "mostly fishing buddies telling stories about the one that got away. I thought I would fall apart but "
             "honestly it felt peaceful, like we had all had time to say what we needed. Tonight I'm making his chili "
             "recipe and watching the game he would have yelled at.")
LONG_DANGER = ("Long post, sorry. The pain from the tumour in my hip has been unbearable since spring and the patches "
               "barely touch it now. My kids are grown and my wife is tired of watching me suffer. I have been putting "
               "aside my night pills for weeks and I counted them this morning, there are enough. I am going to take "
               "all of them tonight after everyone is asleep. I wanted someone to know it was not their fault.")


def test_a_long_message_is_read_by_the_detector_of_long_messages(detectors, encode):
    from clinic_faq.core.asking import is_long

    assert detectors.crisis_of_long is not None
    assert is_long(LONG_CALM) and is_long(LONG_DANGER)
    calm_short_reading = detectors.score(LONG_CALM, encode(LONG_CALM), of_parts=True)
    calm_long_reading = detectors.score(LONG_CALM, encode(LONG_CALM), long=True)
    assert calm_long_reading[0] == calm_short_reading[0]  # the gate reads every message alike
    assert calm_long_reading[1] < calm_short_reading[1]  # calm grief, told at length, is less like danger
    assert detectors.score(LONG_DANGER, encode(LONG_DANGER), long=True)[1] >= 0.5  # a plan, a means, a time
    trained = [t for _, t in training_examples()] + [t for ts in load_crisis().values() for t in ts]
    assert near_duplicates([LONG_CALM, LONG_DANGER], trained, 0.34) == []


LONG_GRIEF = ("My uncle passed away on Sunday after a long fight with stomach cancer. He was 79. The last week he mostly "
              "slept and we took turns sitting with him and reading him the sports pages. The hospice nurse was "
              "wonderful and he was comfortable at the end. Today we picked out the music for the service, mostly old "
              "country songs he loved. I'm tired and a little numb but mostly grateful we had the time. Thanks for "
              "listening.")
LONG_BURIED = ("Work was a mess today, my boss moved the deadline again and the printer jammed twice. I got home late and "
               "the dog had chewed the couch cushion. My chemo is on Thursday and I'm dreading the nausea. Honestly I "
               "don't see the point of any of it anymore and I've been thinking everyone would be better off without "
               "me. Anyway the game is on later.")


def test_a_long_message_s_sentences_are_read_alone_only_when_the_whole_shows_a_sign(detectors, encode):
    """Calm grief told at length: its sentence of tiredness, read alone by the short messages' detector, looks like
    distress, but the long reading of the whole sees nothing, so the sentence is not read alone. A crisis buried in
    an ordinary day is still read sentence by sentence."""
    from clinic_faq.core.detectors import LONG_PARTS_GATE
    from clinic_faq.core.encoder import get_encoder
    from clinic_faq.core.screen import get_screen

    evidence, embed = get_screen().has_evidence, get_encoder().encode
    grief_whole = detectors.score(LONG_GRIEF, encode(LONG_GRIEF), of_parts=True, long=True)
    assert max(grief_whole[1:]) < LONG_PARTS_GATE
    tired = "I'm tired and a little numb but mostly grateful we had the time."
    assert evidence(tired) and detectors.score(tired, encode(tired))[2] > 3 * grief_whole[2]
    assert detectors.score_message(LONG_GRIEF, encode(LONG_GRIEF), embed, evidence) == grief_whole

    buried_whole = detectors.score(LONG_BURIED, encode(LONG_BURIED), of_parts=True, long=True)
    assert max(buried_whole[1:]) >= LONG_PARTS_GATE
    assert detectors.score_message(LONG_BURIED, encode(LONG_BURIED), embed, evidence)[2] > buried_whole[2] + 0.2
    trained = [t for _, t in training_examples()] + [t for ts in load_crisis().values() for t in ts]
    assert near_duplicates([LONG_GRIEF, LONG_BURIED], trained, 0.34) == []


def test_the_long_examples_leave_the_gate_and_the_short_messages_detector_alone(tmp_path):
    """long_crisis.yml teaches only the detector of long messages: the gate and the other detector are the same
    with it and without it (n-grams alone, a third of the examples, to keep the test short)."""
    import shutil

    from clinic_faq.core.detectors import default_data_dir, load_long_crisis

    assert sum(len(v) for v in load_long_crisis().values()) > 300
    for path in default_data_dir().glob("*.yml"):
        if not path.name.startswith("long_crisis"):
            shutil.copy(path, tmp_path / path.name)
    examples = training_examples()[::3]
    without = Detectors.train(examples, data_dir=tmp_path, mixed=0)
    with_long = Detectors.train(examples, mixed=0)
    assert without.crisis_of_long is None and with_long.crisis_of_long is not None
    assert np.array_equal(without.gate.model.coef_, with_long.gate.model.coef_)
    assert np.array_equal(without.crisis.model.coef_, with_long.crisis.model.coef_)
    assert not np.array_equal(with_long.crisis.model.coef_, with_long.crisis_of_long.model.coef_)


def test_the_front_desks_terse_questions_teach_the_gate_and_not_the_intent_classifier(tmp_path):
    """in_domain.yml raises P(in domain) of the terse practical questions it holds (n-grams alone, a third of the
    examples, to keep the test short); the intent classifier's examples do not include them."""
    import shutil

    from clinic_faq.core.detectors import default_data_dir, load_in_domain

    gate_only = [t for texts in load_in_domain().values() for t in texts]
    assert len(gate_only) > 300
    assert not set(gate_only) & {t for _, t in training_examples()}
    for path in default_data_dir().glob("*.yml"):
        if path.name != "in_domain.yml":
            shutil.copy(path, tmp_path / path.name)
    examples = training_examples()[::3]
    without = Detectors.train(examples, data_dir=tmp_path, mixed=0, long=False)
    with_them = Detectors.train(examples, mixed=0, long=False)
    probes = gate_only[::20]
    lifted = [with_them.score(t, None)[0] - without.score(t, None)[0] for t in probes]
    assert np.mean(lifted) > 0.1, lifted
    assert load_in_domain(tmp_path) == {}


LONG_OTHER_DOMAIN = ("My wife was diagnosed with ovarian cancer in the spring and since then I handle everything at home. "
                     "She used to do all the gardening and now the roses are a mess and full of black spots. She comes "
                     "home from the hospital next month. How and when should I prune climbing roses so "
                     "they bloom again next summer?")
LONG_CLINIC_ASK = ("My wife was diagnosed with ovarian cancer in the spring and her pain has been hard to control ever since. "
                   "Her oncologist mentioned a ketamine infusion as an option. We have read a little online but it is "
                   "confusing. How long does one of those infusion sessions usually take?")


def test_what_a_long_story_asks_is_read_by_the_gate_without_the_story(detectors, encode):
    """Detectors.asked_in_domain: the gate reads the whole story as the clinic's (its cancer words), and the request
    apart tells a gardener's question from the clinic's; a message that is not long or asks nothing has none."""
    from clinic_faq.core.encoder import get_encoder

    embed = get_encoder().encode
    whole = detectors.score(LONG_OTHER_DOMAIN, encode(LONG_OTHER_DOMAIN))[0]
    asked = detectors.asked_in_domain(LONG_OTHER_DOMAIN, embed)
    assert asked is not None and asked < 0.3 < whole
    assert detectors.asked_in_domain(LONG_CLINIC_ASK, embed) >= 0.6
    assert detectors.asked_in_domain("how do i prune climbing roses?", embed) is None
    assert detectors.asked_in_domain(LONG_GRIEF, embed) is None  # it asks nothing
    assert detectors.asked_in_domain(LONG_OTHER_DOMAIN, None) is None  # sentence vectors needed, none given
    trained = [t for _, t in training_examples()] + [t for ts in load_crisis().values() for t in ts]
    assert near_duplicates([LONG_OTHER_DOMAIN, LONG_CLINIC_ASK], trained, 0.34) == []
