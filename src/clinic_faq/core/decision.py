"""The safety decision: which kind of reply a message gets, from what the screens and the classifier found.

A pure function of its inputs (no Rasa, no I/O), so every route has a row in a table of test cases
(tests/core/test_decision.py). The Rasa adapter (clinic_faq.rasa_ext.nlu.safety_screen) gathers the inputs
and applies the decision to the message.

The order is the order of what matters most:

1. **Danger, on evidence.** The crisis rules, or the learned crisis detector when the message also holds a
   word of danger (urgent) or the writer's own words of distress (concern): urgent -> `emergency` (911
   first), concern -> `crisis_concern` (a warm reply with 988). A message whose only likeness to a crisis
   is its shape gets neither, nor does one whose danger-like words a figure of speech explains ("buried
   alive in boxes"). A lethal-amount question is urgent through the rules.
2. **Intents that need evidence.** The classifier alone never decides `emergency`, `crisis_concern`, the
   privacy warning, or the referral of a message that holds nothing medical: without the evidence its next
   guess is taken.
3. **Asking for a language**, then **mostly unknown words** (the rephrase prompt).
4. **The domain gate.** A message the gate finds unrelated to the clinic is declined, unless it names the
   clinic's field (ketamine, cancer, a medicine: a medicine question always goes to a person) or is small
   talk the classifier is sure of.
5. **Answer and refer.** A question on a topic gets the topic's answer, and when it also touches the
   person's own care the referral follows it (`refer_after`). Only what cannot be answered in general (a
   dose, a verdict on eligibility, changing a medicine, interactions, pregnancy) gets the referral alone,
   unless the classifier is sure of the topic.
6. **What is left:** a general crisis mention the classifier could not place gets the crisis line; personal
   details in small talk get the privacy warning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence, Tuple

from clinic_faq.core.contract import PRACTICAL_INTENTS, CrisisLevel, Scores
from clinic_faq.core.screen import ScreenResult

EMERGENCY = "emergency"
CONCERN = "crisis_concern"
REFERRAL = "ask_personal_medical"
PHI = "share_personal_info"
CRISIS_SUPPORT = "crisis_support"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
SWITCH_LANGUAGE = "switch_language"
CALLBACK = "request_callback"
TALK_TO_HUMAN = "talk_to_human"
BOT_CHALLENGE = "bot_challenge"
SMALLTALK = ("greet", "goodbye", "thank", "affirm", "deny", BOT_CHALLENGE)
# Follow-ups that carry no content of their own ("cuénteme más"): never declined as unrelated when sure.
FOLLOW_UPS = ("more_info",)
# Intents that carry no content of their own: a crisis mention or personal details in them take over.
UNPLACED = SMALLTALK + (OUT_OF_SCOPE, FALLBACK)
# Referral kinds (screen.ScreenResult.referral_kinds) that cannot be answered in general.
REFER_ALONE = frozenset({"dose", "eligibility", "medicine_change", "interaction", "pregnancy"})
# The one topic whose answer is itself about taking less of a medicine, and says only the care team changes it: a
# question on how much opioid one needs ("could ketamine mean someone needs less of their opioid?") gets it, then the
# referral, instead of the referral alone.
LESS_OPIOID = "ask_opioid_reduction"
TOPIC_PREFIX = "ask_"
# The clinic's practical questions and reaching a person (clinic.yml's details, the callback request).
PRACTICAL = PRACTICAL_INTENTS
# The domain gate this sure is evidence enough that a personal question is medical (the lexicons are short).
SURELY_IN_DOMAIN = 0.95
# Why a message that asks nothing gets the rephrase prompt (_unasked_answer).
UNASKED = "a statement, not a question, and the classifier unsure"
LONG_STORY = "a long story that asks nothing"


@dataclass(frozen=True)
class Thresholds:
    """The decision's numbers, set in config.yml (chosen on outside development data, docs/safety.md)."""

    domain: float = 0.6  # below this P(in domain) a message is declined as unrelated ...
    domain_referral: float = 0.2  # ... unless the referral rules found a personal medical question and it is above this
    crisis_urgent: float = 0.5  # P(urgent) from which the detector (with evidence) calls for emergency guidance
    crisis_concern: float = 0.56  # P(urgent) + P(concern) from which it calls for the warm reply with 988
    # The same without a word of danger or distress in the message: only a detector this sure may raise
    # an alarm on the meaning alone ("i'll be gone by morning", "lips going blue").
    crisis_urgent_unsupported: float = 0.82
    crisis_concern_unsupported: float = 0.76  # P(concern) alone
    crisis_override_informational: float = 0.85  # the detector overrides the rules' "general question" only this sure
    smalltalk_confidence: float = 0.5  # small talk this sure is answered even when the gate doubts it ("thx")
    topic_sure: float = 0.5  # a topic this likely is answered even when the question is also a referral-alone kind
    topic_for_referral: float = 0.1  # a personal question whose topic is this likely gets the answer before the referral
    personal_sure: float = 0.7  # the classifier this sure of "personal" adds the referral after such an answer
    domain_practical: float = 0.2  # a practical question the classifier is sure of is kept from this P(in domain) ...
    practical_confidence: float = 0.7  # ... when the classifier is this sure ...
    # ... and the model of the practical boundary (Scores.practical) finds it the clinic's this likely, not another
    # office's or a general assistant's ("what timezone is hanoi in": hours 0.77, gate 0.28, practical 0.27)
    practical_clinic: float = 0.3
    domain_topic: float = 0.3  # a question on a topic the classifier is sure of is kept from this P(in domain) ...
    topic_confidence: float = 0.9  # ... when the classifier is this sure
    # the detector alone, with no word of danger, gives a question on a topic this likely its answer and the crisis line
    topic_over_unsupported_alarm: float = 0.5
    # When the classifier's guess lacks its evidence, its next guess is taken only this likely; else the
    # rephrase prompt ("so tired today, barely slept": emergency 0.52 without evidence, then "running late" 0.13).
    next_guess: float = 0.3
    # A message that neither asks nor requests anything (clinic_faq.core.asking) gets a topic's answer only
    # when the classifier is this sure of it; else the rephrase prompt ("it's been a long week", "my stomach is
    # growling, can't wait for dinner": eating before an infusion, 0.52).
    statement_confidence: float = 0.6
    # The same for the care-team referral the classifier alone chose (no rule found the person's own care in
    # it): a statement gets it only this sure ("sat with my aunt at hospice today, it was lovely": 0.43).
    statement_referral_confidence: float = 0.7
    # The same for a long story that asks nothing and tells of a change after a treatment or a medicine (a forum
    # post: "the cold makes my chemo neuropathy unbearable"): it tells of a life, and the classifier's "personal"
    # reads the life's illness words. (A long story without such a change gets the rephrase prompt whatever the
    # classifier says.)
    statement_referral_confidence_long: float = 0.95
    # Below this P(in domain), when the classifier also ranks "out of scope" first, a medicine word does not make
    # the message the care team's ("how are my cannabis stocks doing", "how do i patch a hole in drywall"): on the
    # dev halves no personal question ever reached this branch under 0.2.
    medicine_unrelated: float = 0.05
    # Below this P(in domain) of what a long message asks, read without the story around it, the request is another
    # domain's ("... my husband passed after his pancreatic cancer ... how do I activate the bank's new debit card?"),
    # unless what it asks is about a medicine or the person's own care. Chosen on the development halves
    # (docs/safety.md).
    asked_domain: float = 0.3
    # Danger decided on or prepared (evidence.yml `planned`: a date picked, a means gathered "and I know exactly what
    # they're for") calls for emergency guidance from this P(urgent), below `crisis_urgent`: the detector reads such a
    # message's calm shape as an ordinary one.
    crisis_planned: float = 0.1


@dataclass(frozen=True)
class Inputs:
    screen: ScreenResult
    intent: Optional[str]  # what the pipeline predicts so far (the FallbackClassifier may have said nlu_fallback)
    ranking: Sequence[Tuple[str, float]] = ()  # the classifier's intents and probabilities, most likely first
    scores: Optional[Scores] = None  # the learned detectors (None: a model trained without them)
    language_request: bool = False  # the message only asks for a language
    spanish: bool = False  # the message is, or leans, Spanish


@dataclass(frozen=True)
class Decision:
    intent: Optional[str]  # the intent the turn takes instead of the classifier's; None to keep it
    reason: str = ""
    crisis: Optional[CrisisLevel] = None
    refer_after: bool = False  # the referral follows the answer (a personal question on an answered topic)
    clears_crisis: bool = False  # a general crisis mention in an unrelated message: no crisis line either


def is_topic(intent: Optional[str]) -> bool:
    return bool(intent) and str(intent).startswith(TOPIC_PREFIX) and intent != REFERRAL


def crisis_level(screen: ScreenResult, scores: Optional[Scores], th: Thresholds) -> Tuple[Optional[CrisisLevel], str]:
    """urgent, concern, informational or None, and what decided it: the rules OR-ed with the detector on evidence."""
    if screen.crisis == "urgent":
        return "urgent", "crisis rules"
    # Distress stated plainly ("I want to give up on life"): the warm reply, whatever the detector says.
    stated = screen.distress_stated and screen.crisis != "informational"
    if scores is None:
        if stated:
            return "concern", "distress stated"
        return ("informational", "crisis rules") if screen.crisis == "informational" else (None, "")
    learned: Optional[CrisisLevel] = None
    why = "crisis detector: distress"
    supported = screen.distress_evidence or screen.danger_evidence
    # On the meaning alone the detector may raise an alarm only when no figure of speech explains the words
    # that look like danger ("moving next week, going to be buried alive in boxes").
    alone = not screen.figure_of_speech
    # A figure of speech on a message the domain gate reads as unrelated ("como mato las hormigas de mi cocina sin
    # veneno fuerte": pests, and poison named only to be avoided) asks the detector to be sure, not just over the line.
    figure_unrelated = screen.figure_of_speech and scores.in_domain < th.domain
    if scores.urgent >= (th.crisis_override_informational if figure_unrelated else th.crisis_urgent) and screen.danger_evidence:
        learned = "urgent"
    elif screen.danger_planned and scores.urgent >= th.crisis_planned:
        learned = "urgent"
    elif (alone and not screen.danger_evidence and scores.urgent >= th.crisis_urgent_unsupported
          and scores.in_domain >= th.domain):
        # Without a word of danger the detector reads only the message's shape: on a message the domain gate reads
        # as unrelated ("mi niño se cayo en el recreo y se raspo las rodillas"), that is not enough for 911.
        learned = "urgent"
    elif supported and scores.urgent + scores.concern >= th.crisis_concern:
        learned = "concern"
    elif alone and not supported and scores.concern >= th.crisis_concern_unsupported:
        learned = "concern"
    elif stated:
        learned, why = "concern", "distress stated"
    if screen.crisis == "informational":
        # A general question that mentions a crisis, unless the detector is sure of danger now.
        if learned == "urgent" and scores.urgent >= th.crisis_override_informational:
            return "urgent", "crisis detector: danger"
        return "informational", "crisis rules"
    if (learned == "urgent" and screen.referral and (screen.asks or not screen.long)
            and scores.urgent < th.crisis_override_informational and not screen.danger_planned):
        # The detector alone, unsure, on what the rules read as a question about one's own medicines or
        # condition: the care team's referral, with the crisis line added gently. Not when the danger is decided on
        # or prepared ("I'm at the pharmacy counter, how many boxes of these sleeping pills do I need to make sure"), nor
        # when a long message asks nothing ("Things are sorted now ... I have my pills, all of them ... I've written him a
        # note"): no question to refer.
        return ("concern", "distress stated") if stated else (
            "informational", "crisis detector: unsure, on a personal medical question")
    if learned == "urgent":
        return "urgent", "crisis detector: danger"
    if learned == "concern" and why != "distress stated" and not supported and screen.after_treatment:
        # The detector alone, with no word of distress, on a change told after a treatment or a medicine ("just
        # feel flat since treatment", "débil y cansada desde que me subieron la dosis"): a possible side effect,
        # the care team's; the crisis line is added gently, not put first.
        return "informational", "crisis detector alone, on a change after a treatment or medicine"
    if learned == "concern":
        return "concern", why
    return None, ""


def _has_evidence(intent: str, inputs: Inputs, crisis: Optional[CrisisLevel]) -> bool:
    screen = inputs.screen
    if intent in (EMERGENCY, CONCERN):
        return False  # reached only when the crisis level did not call for them
    if intent == PHI:
        return bool(screen.phi)
    if intent == REFERRAL:
        in_domain = inputs.scores.in_domain if inputs.scores else 1.0
        return screen.referral or screen.medical or screen.after_treatment or in_domain >= SURELY_IN_DOMAIN
    return True


def _next_guess(inputs: Inputs, crisis: Optional[CrisisLevel], th: Thresholds) -> str:
    for name, p in inputs.ranking:
        if name and _has_evidence(name, inputs, crisis):
            return name if p >= th.next_guess else FALLBACK
    return FALLBACK


def _best_topic(inputs: Inputs) -> Tuple[Optional[str], float]:
    for name, p in inputs.ranking:
        if is_topic(name):
            return name, p
    return None, 0.0


def _dose_question(inputs: Inputs, th: Thresholds) -> Decision:
    """The care team's referral; when the question is whether ketamine lowers the opioid one needs, the answer on
    that (which names no amount and leaves every change to the care team) comes first."""
    if _confidence(inputs, LESS_OPIOID) >= th.topic_for_referral and _best_topic(inputs)[0] == LESS_OPIOID:
        return Decision(LESS_OPIOID, "dose question on needing less opioid: the answer, then refer", refer_after=True)
    return Decision(REFERRAL, "dose question")


def _confidence(inputs: Inputs, intent: Optional[str]) -> float:
    return next((p for name, p in inputs.ranking if name == intent), 0.0)


def decide(inputs: Inputs, th: Thresholds = Thresholds()) -> Decision:
    """The intent this message must take (or None to keep the pipeline's), and why."""
    screen = inputs.screen
    crisis, why = crisis_level(screen, inputs.scores, th)
    if (crisis == "urgent" and screen.crisis != "urgent" and not screen.danger_evidence and screen.asks
            and is_topic(inputs.intent) and inputs.intent not in PRACTICAL
            and _confidence(inputs, inputs.intent) >= th.topic_over_unsupported_alarm
            and inputs.scores is not None and inputs.scores.urgent < th.crisis_override_informational):
        # The detector alone, unsure and with no word of danger, on a question the classifier places on one of the
        # clinic's topics ("voy a estar despierta? q me hacen ese dia"): its answer, with the crisis line added gently.
        crisis = "informational"
    if crisis == "urgent":
        return Decision(EMERGENCY, why, crisis)
    if crisis == "concern":
        return Decision(CONCERN, why, crisis)
    decision = _decide_content(inputs, crisis, th)
    unasked = _unasked_answer(inputs, decision, th) if crisis is None else None
    if unasked:
        return Decision(FALLBACK, unasked)
    return Decision(decision.intent, decision.reason, None if decision.clears_crisis else crisis, decision.refer_after)


def _unasked_answer(inputs: Inputs, decision: Decision, th: Thresholds) -> Optional[str]:
    """Why a message gets the rephrase prompt instead of an answer or the referral (None: it does not). Everyday talk
    that the classifier answered with little confidence: no question, no request in it. The topics' answers and the
    referral the classifier alone chose; not the practical answers: a practical message is often a statement of the
    situation ("stuck in traffic, be there in 15", "in the lobby now") that needs the clinic's detail."""
    screen = inputs.screen
    intent = decision.intent or inputs.intent
    answering = is_topic(intent) and intent not in PRACTICAL
    if (screen.long and not screen.asks and not screen.phi and not screen.after_treatment and not screen.complaint
            and (intent in (REFERRAL, FALLBACK, OUT_OF_SCOPE) or answering)):
        # A long story that asks nothing (a forum post: a good scan, a trip, a pharmacy queue, a caregiver's week):
        # its medicine and illness words tell of a life, and the referral rules' "my mother's pills" is part of the
        # story, not a question for the care team; nor is it a request from another domain to decline. The long story's
        # reply (clinic_faq.rasa_ext.nlg: thanks, what the assistant is for, the care team's number). Not a change
        # told after a treatment or a medicine ("since the infusion on tuesday ..."), which only a classifier very sure of
        # it refers (below); nor a complaint ("left two voicemails and nobody has gotten back to us").
        return LONG_STORY
    if screen.asks or decision.refer_after or screen.referral or screen.phi:
        return None
    if intent == REFERRAL:
        bar = th.statement_referral_confidence_long if screen.long else th.statement_referral_confidence
        return UNASKED if _confidence(inputs, intent) < bar else None
    return UNASKED if answering and _confidence(inputs, intent) < th.statement_confidence else None


def _decide_content(inputs: Inputs, crisis: Optional[CrisisLevel], th: Thresholds) -> Decision:
    screen = inputs.screen
    best_guess = next((name for name, _ in inputs.ranking if name != FALLBACK), None)  # Rasa ranks its fallback first
    if screen.story_domain and best_guess not in PRACTICAL:
        # A long story's cancer words tell of the writer's life, and what it asks holds none: the request decides
        # whether it is the clinic's ("my dad passed from lung cancer in March ... his final tax return"). Unless
        # the classifier's best guess is a practical question of the clinic's ("where do we park?" after "my
        # wife has her first infusion Tuesday").
        screen = replace(screen, domain_term=False)
    intent = inputs.intent
    reason = ""
    if intent and not _has_evidence(intent, inputs, crisis):
        intent, reason = _next_guess(inputs, crisis, th), f"{intent} without evidence"
    if inputs.language_request and crisis is None and not screen.referral and not screen.phi:
        return Decision(SWITCH_LANGUAGE, "asks for a language")
    # Asking whether a person is there, when the classifier heard a wish to reach one ("am i talking to a real
    # person"), keeps the way to a person: that reply says it is not one, and how to reach one (a staff story).
    social_kind = screen.social
    if social_kind == BOT_CHALLENGE and intent in (CALLBACK, TALK_TO_HUMAN):
        social_kind = None
    if social_kind and crisis is None and not screen.referral and not screen.phi and not screen.wants_callback:
        # The whole message is a greeting, thanks, a goodbye, an "ok" or "lol", or "are you a bot" (core.social): its
        # small-talk reply, whatever the classifier ranked first ("it was lovely to speak with you" is not a
        # request to speak with a person), and whatever the gate or the word lists think of it ("gnite", "thank
        # you, muy útil la info"). A crisis, read first, always comes before it.
        return Decision(social_kind if intent != social_kind else None,
                        "only a greeting, thanks, a goodbye, an acknowledgement or asking whether it is a bot")
    unclear = screen.unclear and not inputs.spanish
    if unclear and not screen.referral and not screen.phi and crisis is None:
        return Decision(FALLBACK, "mostly unknown words")

    if screen.wants_callback and crisis is None and intent not in (CALLBACK, TALK_TO_HUMAN) and not screen.referral:
        # "please call me back at 555 ...": the callback request (the number is kept for it), not the privacy warning
        return Decision(CALLBACK, "asks to be called back")
    if screen.complaint == "staff" and crisis is None and intent not in (CALLBACK, TALK_TO_HUMAN) and not screen.referral:
        # "the front desk was rude to my father", "la recepcionista fue grosera": a complaint about the clinic's
        # people is for a person
        return Decision(TALK_TO_HUMAN, "a complaint about the clinic")
    if screen.dose_question and not screen.not_a_person and crisis is None:
        # The assistant never gives a dose: a dose question goes to the care team wherever it comes from.
        return _dose_question(inputs, th)
    if (screen.not_a_person and (crisis is None or (crisis == "informational" and screen.crisis == "informational"))
            and not screen.domain_term and (screen.referral or intent == REFERRAL or crisis == "informational")):
        # "dosis de desparasitante para mi perro", "fertilizer dose for tomatoes", "can you overdose a cat on flea
        # medicine?": a vet's or a garden shop's question, not the person's care, and its overdose is the animal's
        # (a ketamine, opioid or cancer word keeps it with the care team; a danger to a person is urgent, not here). Not
        # when the crisis line comes from the detector's reading of danger: a cat given away with one's pills counted
        # out is no pet's question.
        return Decision(OUT_OF_SCOPE, "a pet's, a garden's or a pool's question", clears_crisis=True)
    asked_domain = inputs.scores.asked_in_domain if inputs.scores else None
    if (asked_domain is not None and asked_domain < th.asked_domain and not screen.asked_care
            and crisis in (None, "informational") and not screen.wants_callback and not screen.complaint):
        # A long story whose request is another domain's: its illness words tell of the writer's life.
        if screen.phi:
            return Decision(PHI, "personal details in a long story asking something unrelated", clears_crisis=True)
        return Decision(OUT_OF_SCOPE, "domain gate: what a long story asks is unrelated", clears_crisis=True)
    in_domain = inputs.scores.in_domain if inputs.scores else None
    unrelated = (in_domain is not None and in_domain < th.domain and not screen.domain_term and not screen.medicine
                 and not screen.symptom_report)
    if (unrelated and intent in SMALLTALK + FOLLOW_UPS and not screen.phi
            and _confidence(inputs, intent) >= th.smalltalk_confidence):
        unrelated = False
    if (unrelated and intent in PRACTICAL and in_domain is not None and in_domain >= th.domain_practical
            and _confidence(inputs, intent) >= th.practical_confidence
            and (inputs.scores is None or inputs.scores.practical is None
                 or inputs.scores.practical >= th.practical_clinic)):
        # "what are your office hours": a clinic's practical question the classifier is sure of, in words any
        # office is asked in; the gate may doubt it more than a medical one.
        unrelated = False
    if (unrelated and is_topic(intent) and intent not in PRACTICAL and screen.asks and in_domain is not None
            and in_domain >= th.domain_topic and _confidence(inputs, intent) >= th.topic_confidence):
        # "how quick would someone notice a difference": a question the classifier places on one of the clinic's
        # topics with near certainty, in words with no term of the field, which the gate doubts.
        unrelated = False
    if unrelated and crisis in (None, "informational"):
        # Unrelated to the clinic: a crisis word in it was a figure of speech or a general mention
        # ("the playoffs will give me a heart attack lol"), not a reason for the crisis line.
        referral_ok = screen.referral and in_domain is not None and in_domain >= th.domain_referral
        if not referral_ok:
            if screen.phi:
                return Decision(PHI, "personal details in an unrelated message", clears_crisis=True)
            return Decision(OUT_OF_SCOPE, "domain gate", clears_crisis=True)

    if screen.complaint and crisis is None and intent not in (CALLBACK, TALK_TO_HUMAN) and not screen.referral:
        # "i've left 3 messages and no one calls back": a complaint the gate found the clinic's is for a person
        return Decision(TALK_TO_HUMAN, "a complaint about the clinic")
    if (crisis is None and intent == OUT_OF_SCOPE and screen.medicine and not screen.domain_term
            and not screen.symptom_report and in_domain is not None and in_domain < th.medicine_unrelated):
        return Decision(PHI if screen.phi else OUT_OF_SCOPE, "domain gate: surely unrelated, a medicine word aside")
    topic, topic_p = _best_topic(inputs)
    if crisis is None and (screen.medicine or screen.domain_term) and intent in (OUT_OF_SCOPE, FALLBACK):
        if not screen.medicine and not screen.referral and topic and topic_p >= th.topic_for_referral:
            # "what should I avoid after the infusion?": the clinic's field, and a likely topic: its answer, and
            # the care team after it (the classifier could not place the message: it may be the person's own case)
            return Decision(topic, "the clinic's field: its likeliest topic, then refer", refer_after=True)
        return Decision(REFERRAL, "a question about a medicine or the clinic's field")
    if (crisis is None and screen.symptom_report and not screen.referral and not screen.not_a_person
            and (intent not in PRACTICAL or _confidence(inputs, intent) < th.practical_confidence)):
        # "my pain has been way worse since yesterday", "mi mamá tiene más dolor desde ayer": a symptom told to the
        # clinic is for the care team; a topic the classifier is sure of comes first ("nauseous since the infusion").
        if intent == REFERRAL:
            return Decision(None, "a symptom reported")
        if is_topic(intent) and intent not in PRACTICAL and _confidence(inputs, intent) >= th.topic_sure:
            return Decision(intent if reason else None, reason or "a symptom reported: the topic, then refer",
                            refer_after=True)
        return Decision(REFERRAL, "a symptom reported")
    if crisis in (None, "informational"):
        personal = screen.referral or intent == REFERRAL
        if personal:
            alone = bool(screen.referral_kinds & REFER_ALONE)
            if screen.dose_question:
                return _dose_question(inputs, th)
            if is_topic(intent) and (not alone or _confidence(inputs, intent) >= th.topic_sure):
                return Decision(intent if reason else None, reason or "personal question on a topic", refer_after=True)
            if not alone and topic and topic_p >= th.topic_for_referral:
                # The referral follows when the rules found the person's own care in the question, or the
                # classifier is sure it is personal; a first-person general question gets the answer alone.
                sure = screen.referral or _confidence(inputs, REFERRAL) >= th.personal_sure
                return Decision(topic, "personal question: answer" + (", then refer" if sure else ""), refer_after=sure)
            if intent != REFERRAL:
                return Decision(REFERRAL, "personal medical question")
    if crisis == "informational" and intent in UNPLACED + (CONCERN, EMERGENCY) and screen.after_treatment:
        # a change told after a treatment or a medicine, which the detector alone read as distress: the care team,
        # with the crisis line added gently (crisis_level)
        return Decision(REFERRAL, "a change after a treatment or medicine, for the care team")
    if crisis == "informational" and intent in UNPLACED:
        return Decision(CRISIS_SUPPORT, "crisis mentioned in a general question")
    if screen.phi and intent in UNPLACED and crisis is None:
        return Decision(PHI, "personal details in the message")
    if intent != inputs.intent:
        return Decision(intent, reason)
    return Decision(None)
