"""A group of unanswered messages as text staff can paste into the project: an NLU block for the training
data and a draft test story (docs/staff-testing.md). Only the group's shown examples are used."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import List, Optional

from clinic_faq.insights.cluster import Cluster

PLACEHOLDER_EXAMPLE = "WRITE A QUESTION HERE"
_NOT_A_NAME = re.compile(r"[^a-z0-9]+")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def suggested_topic(cluster: Cluster) -> str:
    """A name for the new topic from the group's key words (ascii, lower case): `parking_park`."""
    words = []
    for word in cluster.keywords[:2]:
        ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        ascii_word = _NOT_A_NAME.sub("_", ascii_word.lower()).strip("_")
        if ascii_word:
            words.append(ascii_word)
    return "_".join(words) or f"new_topic_{cluster.number}"


def _examples(cluster: Cluster, language: Optional[str] = None) -> List[str]:
    # A message with a redaction placeholder is a poor training example: leave it out of the block.
    return [e.text for e in cluster.examples
            if "[" not in e.text and (language is None or e.language == language)] or [PLACEHOLDER_EXAMPLE]


def languages(cluster: Cluster) -> List[str]:
    """The languages of the group's shown examples (English first), or its main language if none is shown."""
    found = {e.language for e in cluster.examples if "[" not in e.text}
    return sorted(found, key=lambda lang: (lang != "en", lang)) or [cluster.language]


def nlu_block(cluster: Cluster, language: Optional[str] = None) -> str:
    """Rasa YAML with the group's examples in one language (by default its main one) under a new intent,
    ready to paste into data/nlu/ (English) or data/nlu/es/ (Spanish)."""
    language = language or languages(cluster)[0]
    topic = suggested_topic(cluster)
    folder = "data/nlu/es/" if language == "es" else "data/nlu/"
    lines = [
        f"# Group {cluster.number} of the insights report: {plural(cluster.messages, 'message')}, "
        f"{plural(cluster.conversations, 'conversation')}.",
        f"# Paste into a file in {folder} (a new file needs the two lines below; an existing one only the",
        "# `- intent:` block). Rename the intent if you like, add more examples in people's own words, then",
        f"# add the answer (utter_answer_{topic}), its rule and the topic (docs/topics.md).",
    ]
    if cluster.closest_topic and cluster.closest_intent and cluster.closest_topic_share >= 0.25:
        lines.append(f"# If the existing answer on {cluster.closest_topic} already covers these questions, add the")
        lines.append(f"# examples to its intent, {cluster.closest_intent}, instead.")
    if not cluster.examples:
        lines.append("# No example is shown: each message of this group was written in one conversation only.")
    lines += ['version: "3.1"', "nlu:", f"- intent: ask_{topic}", "  examples: |"]
    lines += [f"    - {text}" for text in _examples(cluster, language)]
    return "\n".join(lines) + "\n"


def story_draft(cluster: Cluster) -> str:
    """A draft staff test story (evaluation/stories/, the plain format of docs/staff-testing.md) for the
    group's new answer: the group's first shown question, expecting the answer about the suggested topic."""
    topic = suggested_topic(cluster)
    name = json.dumps(f"{cluster.label} (draft from insights group {cluster.number})", ensure_ascii=False)
    question = json.dumps(_examples(cluster, languages(cluster)[0])[0], ensure_ascii=False)
    lines = [
        f"# Draft test story for group {cluster.number}: save it in evaluation/stories/ once the answer exists",
        "# (docs/staff-testing.md). After `answer about`, write the new topic's title from docs/topics.md (here the",
        f"# suggested name, {topic.replace('_', ' ')}); add `says: [not medical advice]` if the answer is medical.",
        f"- test: {name}",
        "  conversation:",
        f"  - patient: {question}",
        f"    expect: answer about {topic.replace('_', ' ')}",
        "    never_matches: ['\\d+\\s*(mg|mcg|ml)\\b']",
    ]
    return "\n".join(lines) + "\n"
