"""Counting turns: people, conversations, messages, routes, feedback and the unanswered messages."""

import datetime as dt
import hashlib
import hmac

import pytest

from clinic_faq.core.turns import turns
from clinic_faq.insights.aggregate import Aggregator, Settings
from tests.insights.synthetic import MONDAY, bot_event, click, turn, user_event

DAY = 86400
TOPICS = (("side_effects", "ask_side_effects"), ("cost_insurance", "ask_cost_insurance"),
          ("book_consultation", "book_consultation"))


def run(conversations, **settings):
    aggregator = Aggregator(Settings(topic_intents=TOPICS, **settings))
    for sender, conversation in conversations:
        aggregator.add_conversation(sender, conversation)
    return aggregator.finish()


def test_people_conversations_and_messages_per_channel_language_and_week():
    result = run([
        ("web-a", [turn("what are the side effects"), turn("thanks", "smalltalk", session=1),
                   turn("hola", "smalltalk", session=2, at=MONDAY + 8 * DAY, lang="es")]),
        ("+15550001111", [turn("cost?", topic="cost_insurance", channel="phone_tree")]),
        ("web-b", [turn("asdf qwer", "fallback", at=MONDAY + 6 * DAY + 3600)]),  # Sunday: still the first week
    ], bucket="week")
    assert (result.totals.people, result.totals.conversations, result.totals.messages) == (3, 4, 5)
    first, second = "2025-03-03", "2025-03-10"
    assert result.buckets == [first, second]
    assert (result.by_bucket[first].conversations, result.by_bucket[first].messages, result.by_bucket[first].people) == (3, 4, 3)
    assert (result.by_bucket[second].conversations, result.by_bucket[second].messages) == (1, 1)
    assert result.by_channel["phone_tree"].messages == 1 and result.by_channel["socketio"].people == 2
    assert result.by_language["es"].conversations == 1 and result.by_language["en"].conversations == 3
    assert result.activity[(second, "socketio", "es")].people == 1
    assert result.routes == {"answer": 2, "smalltalk": 2, "fallback": 1}
    assert result.answers == {"side_effects": 1, "cost_insurance": 1}


def test_days_follow_the_clinic_time_zone():
    late = dt.datetime(2025, 3, 4, 3, tzinfo=dt.timezone.utc).timestamp()  # 4 March UTC, 3 March in Chicago
    assert run([("a", [turn("hi", "smalltalk", at=late)])], bucket="day").buckets == ["2025-03-04"]
    chicago = dt.timezone(dt.timedelta(hours=-6))
    assert run([("a", [turn("hi", "smalltalk", at=late)])], bucket="day", tz=chicago).buckets == ["2025-03-03"]


def test_a_click_belongs_to_the_answer_before_it_and_is_not_a_message():
    result = run([
        ("a", [turn("what are the side effects", topic="side_effects"), click(True),
               turn("how much does it cost", topic="cost_insurance"), click(False)]),
        ("b", [turn("side effects?", topic="side_effects"), click(False)]),
    ])
    assert result.totals.messages == 3 and result.feedback_total == 3
    assert result.helpful == {"side_effects": 1}
    assert result.not_helpful == {"cost_insurance": 1, "side_effects": 1}
    listed = {(u.text, u.reason, u.closest_topic) for u in result.unanswered}
    assert listed == {("how much does it cost", "not_helpful", "cost_insurance"),
                      ("side effects?", "not_helpful", "side_effects")}


def test_a_second_click_replaces_the_first_and_a_click_without_an_answer_is_unattributed():
    result = run([
        ("a", [turn("side effects", topic="side_effects"), click(False), click(True)]),
        ("b", [click(True)]),  # nothing answered yet
        ("c", [turn("zzz", "fallback"), click(False)]),  # after a fallback, not an answer
        ("d", [turn("side effects", topic="side_effects"), click(True, session=2)]),  # a later session
    ])
    assert result.helpful == {"side_effects": 1} and result.not_helpful == {}
    assert result.feedback_unattributed == 3
    assert [u.reason for u in result.unanswered] == ["fallback"]


def test_a_typed_feedback_phrase_is_a_message_not_a_click():
    typed = turn("this answer was helpful", "smalltalk", intent="feedback_helpful")
    result = run([("a", [turn("side effects", topic="side_effects"), typed])])
    assert result.feedback_total == 0 and result.totals.messages == 2


def test_low_confidence_answers_are_unanswered_unless_marked_helpful():
    result = run([
        ("a", [turn("does it make you sleepy", topic="side_effects", confidence=0.31)]),
        ("b", [turn("does it make you dizzy", topic="side_effects", confidence=0.33), click(True)]),
        ("c", [turn("what are the side effects", topic="side_effects", confidence=0.95)]),
    ], low_confidence=0.4)
    assert [(u.text, u.reason) for u in result.unanswered] == [("does it make you sleepy", "low_confidence")]


def test_fallback_and_out_of_scope_are_unanswered_with_the_closest_topic():
    result = run([("a", [
        turn("do u take medicare", "fallback", classifier_intent="nlu_fallback",
             ranking=["nlu_fallback", "ask_cost_insurance", "ask_side_effects"]),
        turn("where do i park", "out_of_scope", classifier_intent="out_of_scope", ranking=["out_of_scope", "book_consultation"]),
        turn("/more_info", "fallback"),  # a button payload: not a question
        turn("", "fallback"),  # an empty message
    ])])
    assert [(u.text, u.reason, u.closest_topic) for u in result.unanswered] == [
        ("do u take medicare", "fallback", "cost_insurance"), ("where do i park", "out_of_scope", "book_consultation")]
    assert result.routes["fallback"] == 3


def test_emergencies_and_referrals_are_counted_never_quoted():
    result = run([("a", [
        turn("i took all my pills", "emergency", crisis="urgent"),
        turn("can i double my oxy", "referral", referral=True),
        turn("i feel hopeless, what does ketamine do", "fallback", crisis="concern"),
        turn("should i stop my meds, side effects?", "answer", topic="side_effects", referral=True, confidence=0.2),
    ])], bucket="week")
    assert result.emergencies == {"2025-03-03": 1} and result.referrals == {"2025-03-03": 2}
    assert result.unanswered == []


def test_conversation_ids_are_hashed_and_keyed_when_a_key_is_set():
    sender = "+15552018841"
    plain = run([(sender, [turn("zzz", "fallback")])]).unanswered[0].conversation
    assert plain == hashlib.sha256(sender.encode()).hexdigest()[:16] and sender not in plain
    keyed = run([(sender, [turn("zzz", "fallback")])], hash_key=b"clinic-secret").unanswered[0].conversation
    assert keyed == hmac.new(b"clinic-secret", sender.encode(), hashlib.sha256).hexdigest()[:16] and keyed != plain


def test_turns_read_from_stored_events_carry_what_the_report_needs():
    events = [
        {"event": "session_started", "timestamp": MONDAY},
        user_event("what are the side effects", "ask_side_effects", 0.9, MONDAY + 1),
        bot_event("answer", MONDAY + 2, topic="side_effects"), bot_event("disclaimer", MONDAY + 3),
        user_event("/feedback_not_helpful", "feedback_not_helpful", 1.0, MONDAY + 4),
        bot_event("smalltalk", MONDAY + 5),
        {"event": "session_started", "timestamp": MONDAY + 7200},
        user_event("hola", "greet", 0.8, MONDAY + 7201, channel="rest"), bot_event("smalltalk", MONDAY + 7202, lang="es"),
    ]
    first, click_turn, later = turns(events)
    assert (first.text, first.topics, first.routes, first.channel, first.session) == (
        "what are the side effects", ["side_effects"], ["answer", "disclaimer"], "socketio", 1)
    assert click_turn.feedback is False and first.feedback is None
    assert (later.session, later.languages, later.channel) == (2, ["es"], "rest")
    result = run([("a", [first, click_turn, later])])
    assert result.not_helpful == {"side_effects": 1} and result.totals.conversations == 2


def test_settings_refuse_what_they_cannot_count():
    with pytest.raises(ValueError):
        Settings(bucket="month")
    with pytest.raises(ValueError):
        Settings(min_conversations=0)
