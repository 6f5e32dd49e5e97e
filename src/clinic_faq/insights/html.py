"""The report as one HTML page: no script, no external font, image or style; charts are inline PNGs.

The page carries its own Content-Security-Policy (the style block by its hash, images only from data:
URIs), so even opened from disk it can load nothing from anywhere. Every chart has its numbers in a
table beside it, and a text alternative.
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Sequence

from clinic_faq.insights import charts
from clinic_faq.insights.aggregate import REASONS
from clinic_faq.insights.cluster import Cluster
from clinic_faq.insights.export import languages, nlu_block, plural, story_draft
from clinic_faq.insights.page import page
from clinic_faq.insights.report import Report, share

MAX_GROUPS_SHOWN = 30
CLEAR_TOPIC = 0.25  # a closest topic is named when at least this share of the group's messages lean to it
NUMBER = ' class="n"'
REASON_NAMES = {"fallback": "not understood", "out_of_scope": "out of scope", "low_confidence": "low confidence",
                "not_helpful": "marked not helpful"}


def _table(caption: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[bool]) -> str:
    head = "".join(f"<th scope=\"col\"{NUMBER if n else ''}>{escape(c)}</th>" for c, n in zip(columns, numeric, strict=True))
    body = "".join(
        "<tr>" + "".join(
            (f"<th scope=\"row\">{escape(str(v))}</th>" if i == 0 else
             f"<td{NUMBER if numeric[i] else ''}>{escape(f'{v:,}' if isinstance(v, int) else str(v))}</td>")
            for i, v in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(src: str, alt: str) -> str:
    return f"<img src=\"{src}\" alt=\"{escape(alt)}\">"


def render(report: Report, data: Dict[str, Any]) -> str:
    i, s = report.insights, report.settings
    buckets = i.buckets
    unit = "day" if s.bucket == "day" else "week (starting Monday)"
    out: List[str] = [
        "<h1>Assistant insights</h1>",
        f"<p class=\"meta\">{escape(report.period.label.capitalize())}, per {escape(unit)}. "
        f"Generated {escape(data['generated'])} ({escape(str(s.tz))}) from the {escape(report.store)} tracker store. "
        f"First message {escape(data['period']['first_message'] or '-')}, last {escape(data['period']['last_message'] or '-')}.</p>",
        "<ul class=\"cards\">",
        *(f"<li><strong>{v:,}</strong>{escape(k)}</li>" for k, v in (
            ("people", i.totals.people), ("conversations", i.totals.conversations), ("messages", i.totals.messages),
            ("answers rated", i.feedback_total), ("unanswered messages", len(i.unanswered)))),
        "</ul>",
        "<nav aria-label=\"Sections\"><ul><li><a href=\"#activity\">Activity</a></li><li><a href=\"#routes\">What the "
        "assistant did</a></li><li><a href=\"#topics\">Answers by topic</a></li><li><a href=\"#safety\">Emergencies "
        "and referrals</a></li><li><a href=\"#unanswered\">Unanswered questions</a></li><li><a href=\"#privacy\">"
        "About this report</a></li></ul></nav>",
    ]

    callbacks = data.get("callbacks") or {}
    if callbacks.get("requests") is not None:
        median = callbacks.get("median_seconds_to_first_call")
        wait = "no call made yet" if median is None else f"{median / 3600:.1f} hours"
        out.append(f"<p>Callback requests in this period: <strong>{callbacks['requests']:,}</strong>; "
                   f"{callbacks['called']:,} called so far; median time to the first call: {escape(wait)} "
                   "(the staff page's inbox has the details).</p>")

    # Activity
    out.append("<h2 id=\"activity\">Activity</h2>")
    if buckets:
        series = {name: [getattr(i.by_bucket[b], name) for b in buckets] for name in ("conversations", "messages", "people")}
        out.append(_img(charts.lines(buckets, series, f"Conversations, messages and people per {s.bucket}"),
                        f"Line chart of conversations, messages and people per {s.bucket}; the numbers are in the table below."))
        out.append(_table(f"Per {s.bucket}", ["Period", "Conversations", "Messages", "People"],
                          [(b, *(series[k][n] for k in series)) for n, b in enumerate(buckets)], [False, True, True, True]))
        for title, key, index in (("channel", "by_channel", 1), ("language", "by_language", 2)):
            names = sorted(data[key])
            per = {name: [sum(c.messages for (b, ch, lang), c in i.activity.items()
                              if b == bucket and (ch, lang)[index - 1] == name) for bucket in buckets] for name in names}
            out.append(_img(charts.stacked(buckets, per, f"Messages per {s.bucket} by {title}"),
                            f"Stacked bar chart of messages per {s.bucket} by {title}; totals are in the table below."))
            out.append(_table(f"By {title}", [title.capitalize(), "Conversations", "Messages", "People"],
                              [(name, data[key][name]["conversations"], data[key][name]["messages"],
                                data[key][name]["people"]) for name in names], [False, True, True, True]))
    else:
        out.append("<p>No messages in this period.</p>")

    # Routes
    out.append("<h2 id=\"routes\">What the assistant did</h2>")
    out.append("<p>Each message counted once, by its first reply: a curated answer, a referral to the care team, "
               "emergency guidance, a polite \"out of scope\", a request to rephrase (not understood), small talk, "
               "or the privacy warning.</p>")
    routes = data["routes"]
    if routes:
        out.append(_img(charts.bars([r["route"] for r in routes], [r["share"] for r in routes], "Share of messages by route", "%"),
                        "Bar chart of the share of messages by route; the numbers are in the table below."))
        out.append(_table("Messages by route", ["Route", "Messages", "Share (%)"],
                          [(r["route"], r["messages"], r["share"]) for r in routes], [False, True, True]))

    # Topics
    out.append("<h2 id=\"topics\">Answers by topic</h2>")
    topics = data["topics"]
    if topics:
        out.append("<p>\"Helpful\" and \"not helpful\" are the website visitors' clicks after an answer (the text "
                   "messages channel does not ask).</p>")
        shown = topics[:25]
        out.append(_img(charts.bars([t["topic"] for t in shown], [t["answers"] for t in shown], "Answers by topic"),
                        "Bar chart of the number of answers per topic; the numbers are in the table below."))
        out.append(_table("Answers, and how they were rated", ["Topic", "Answers", "Share of answers (%)", "Helpful",
                                                             "Not helpful", "Helpful (% of rated)"],
                          [(t["topic"], t["answers"], t["share_of_answers"], t["helpful"], t["not_helpful"],
                            share(t["helpful"], t["helpful"] + t["not_helpful"]) if t["helpful"] + t["not_helpful"] else "-")
                           for t in topics], [False, True, True, True, True, True]))
    else:
        out.append("<p>No answers in this period.</p>")

    # Safety
    out.append("<h2 id=\"safety\">Emergencies and referrals</h2>")
    out.append("<p>How many messages got emergency guidance or a referral to the care team. These are counts "
               "only: what people wrote is never shown here.</p>")
    rows = data["safety"]
    if rows:
        out.append(_img(charts.lines(buckets, {"emergencies": [r["emergencies"] for r in rows],
                                               "referrals": [r["referrals"] for r in rows]},
                                     f"Emergencies and referrals per {s.bucket}"),
                        f"Line chart of emergencies and referrals per {s.bucket}; the numbers are in the table below."))
        out.append(_table(f"Per {s.bucket}", ["Period", "Emergencies", "Referrals"],
                          [(r["period"], r["emergencies"], r["referrals"]) for r in rows], [False, True, True]))

    # Unanswered
    out.append("<h2 id=\"unanswered\">Unanswered questions</h2>")
    reasons = data["unanswered_by_reason"]
    out.append(
        f"<p>{plural(len(i.unanswered), 'message')}, in {plural(len(report.clusters), 'group')} of similar questions, "
        "largest first: "
        + ", ".join(f"{reasons[r]:,} {escape(REASON_NAMES[r])}" for r in REASONS)
        + f" (an answer with a confidence below {s.low_confidence:g} counts as low confidence). "
        "Each group can become a new answer: docs/insights.md explains how.</p>"
    )
    if not s.show_single_conversation_messages:
        out.append(f"<p class=\"note\">A message is shown only when at least {s.min_conversations} different "
                   "conversations wrote it. The others are counted but never shown.</p>")
    else:
        out.append("<p class=\"note\">This clinic has chosen to show messages written in one conversation only. "
                   "They are redacted, but may still say something personal: handle this report with care.</p>")
    for cluster in report.clusters[:MAX_GROUPS_SHOWN]:
        out.append(_group(cluster, data["groups"][cluster.number - 1]))
    if len(report.clusters) > MAX_GROUPS_SHOWN:
        out.append(f"<p>{len(report.clusters) - MAX_GROUPS_SHOWN:,} smaller groups are in clusters.csv and summary.json.</p>")

    out.append("<h2 id=\"privacy\">About this report</h2>")
    out.append(
        "<ul><li>Personal details (names, phone numbers, dates of birth, addresses, e-mail, record numbers) are "
        "replaced by placeholders such as [NAME] before anything is stored; this report redacts every message "
        "again before using it.</li>"
        "<li>Conversation ids are hashed" + (" with the clinic's key" if s.hash_key else "") + ".</li>"
        "<li>A <em>person</em> is one conversation id (a website visit, a phone number); a <em>conversation</em> is one "
        "session of it (a new one starts after an hour of silence).</li>"
        "<li>Feedback clicks belong to the answer just before them; they are not counted as messages.</li>"
        f"<li>Read, counted and grouped in {report.seconds:.1f} s.</li></ul>"
    )
    return page("Assistant insights", "\n".join(out))


def _group(cluster: Cluster, record: Dict[str, Any]) -> str:
    reasons = ", ".join(f"{n:,} {escape(REASON_NAMES.get(r, r))}" for r, n in cluster.reasons.items())
    spoken = ", ".join(f"{escape(k)} {v:,}" for k, v in cluster.languages.items())
    topic = (f"{escape(cluster.closest_topic)} ({100 * cluster.closest_topic_share:.0f}% of its messages)"
             if cluster.closest_topic and cluster.closest_topic_share >= CLEAR_TOPIC else "none clearly")
    parts = [
        "<section class=\"group\">",
        f"<h3 id=\"group-{cluster.number}\">Group {cluster.number}: {escape(cluster.label)}</h3>",
        f"<p>{plural(cluster.messages, 'message')} from {plural(cluster.conversations, 'conversation')}, "
        f"{escape(record['first_seen'])} to {escape(record['last_seen'])}. Why: {reasons}. Language: {spoken}. "
        f"Closest existing topic: {topic}.</p>",
    ]
    if cluster.examples:
        parts.append("<p>Examples:</p><ul>" + "".join(
            f"<li>{escape(e.text)} <span class=\"hidden\">({e.messages:,} times, {e.conversations:,} conversations)</span></li>"
            for e in cluster.examples) + "</ul>")
    if cluster.hidden:
        parts.append(f"<p class=\"hidden\">{cluster.hidden:,} distinct messages of this group are not shown: each was "
                     "written in too few conversations.</p>")
    for language in languages(cluster):
        name = {"en": "English", "es": "Spanish"}.get(language, language)
        parts.append(f"<details><summary>NLU block for the training data, {escape(name)} (group {cluster.number})</summary>"
                     f"<pre>{escape(nlu_block(cluster, language))}</pre></details>")
    parts.append(f"<details><summary>Draft test story (group {cluster.number})</summary>"
                 f"<pre>{escape(story_draft(cluster))}</pre></details>")
    parts.append("</section>")
    return "\n".join(parts)
