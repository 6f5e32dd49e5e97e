"""Checks of the answer content itself (run by `make validate` after `rasa data validate`, and by tests).

- every response has a route; every curated answer has its metadata (topic, medical, sources) and the
  term the catalogue (docs/topics.md) says it always mentions;
- no response contains a dose or a dosing instruction, or repeats a forbidden overclaim;
- every response is short enough for a chat bubble, and easy to read: English at grade 8 or lower
  (Flesch-Kincaid), Spanish at the same level (Fernández-Huerta 60 or more, Crawford grade 8 or lower);
- every medical answer cites references listed in content/references.yml, and one that makes a claim about
  effect or safety does not rest on a clinic's marketing page alone;
- every topic in the catalogue has its intent, training examples, answer and rule.
"""

from __future__ import annotations

import glob
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import yaml

from clinic_faq.core.contract import ROUTES
from clinic_faq.core.dose import find_dose
from clinic_faq.paths import project_dir

PROJECT = project_dir()
MAX_CHARS = 500
# Claims the seed pages make that the assistant must never repeat.
FORBIDDEN_CLAIMS = [
    r"no (long[- ]term )?side effects", r"no risks?\b", r"completely safe", r"100% safe", r"risk[- ]free",
    r"non[- ]addictive", r"\bguarantee", r"\bcures?\b", r"will (relieve|eliminate|cure)", r"treats the cause",
    r"no downtime", r"works for everyone", r"\b80 ?%", r"\b80 percent", r"works? best (for|on|with) nerve",
    r"most effective for nerve", r"fairly new", r"relatively new",
    # Spanish
    r"sin efectos (secundarios )?a largo plazo", r"sin (ning[uú]n )?riesgo", r"completamente segur[oa]",
    r"100 ?% segur[oa]", r"\bgarantiza", r"\bcura(?:r|n)?\b", r"funciona para todos", r"no (es|crea) adictiv",
    r"funciona mejor (para|en|con) (el )?dolor (de )?nervio", r"bastante nuev[oa]", r"relativamente nuev[oa]",
]
# Reading level of every text a person reads (placeholders read as a plain word).
MAX_GRADE_EN = 8.0  # Flesch-Kincaid grade
MIN_EASE_ES = 60.0  # Fernández-Huerta reading ease (60-70: about grade 8)
MAX_GRADE_ES = 8.0  # Crawford: years of school
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def reading_level(text: str, language: str) -> Dict[str, float]:
    """Flesch-Kincaid grade (English) or Fernández-Huerta ease and Crawford grade (Spanish), via textstat."""
    import textstat

    plain = PLACEHOLDER.sub("clinic", text)
    textstat.set_lang("es" if language == "es" else "en")
    if language == "es":
        return {"fernandez_huerta": float(textstat.fernandez_huerta(plain)), "crawford": float(textstat.crawford(plain))}
    return {"grade": float(textstat.flesch_kincaid_grade(plain))}


def reading_problems(name: str, text: str, language: str) -> List[str]:
    if len(text.split()) < 12:  # too short for a formula to mean anything ("Okay. Anything else?")
        return []
    level = reading_level(text, language)
    if language == "es":
        if level["fernandez_huerta"] < MIN_EASE_ES or level["crawford"] > MAX_GRADE_ES:
            return [f"{name} (es): hard to read: Fernández-Huerta {level['fernandez_huerta']:.0f} (at least "
                    f"{MIN_EASE_ES:.0f}), Crawford grade {level['crawford']:.1f} (at most {MAX_GRADE_ES:.0f})"]
    elif level["grade"] > MAX_GRADE_EN:
        return [f"{name}: hard to read: grade {level['grade']:.1f} (at most {MAX_GRADE_EN:.0f})"]
    return []


def load_references() -> Tuple[Dict[str, dict], List[str]]:
    """(reference id -> entry, topics that may rest on clinic pages alone), from content/references.yml."""
    with open(PROJECT / "content" / "references.yml", encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    return dict(data.get("references") or {}), list(data.get("definitions") or [])


def check_sources(name: str, meta: dict, references: Dict[str, dict], definitions: List[str]) -> List[str]:
    sources = [str(s) for s in meta.get("sources") or []]
    unknown = [s for s in sources if s not in references]
    if unknown:
        return [f"{name}: cites {', '.join(unknown)}, not in content/references.yml"]
    if not meta.get("medical") or meta.get("topic") in definitions:
        return []
    if not sources or all(references[s].get("kind") == "marketing" for s in sources):
        return [f"{name}: rests on a clinic's marketing page alone; cite the evidence (content/references.yml)"]
    return []
SPANISH = {"type": "slot", "name": "language", "value": "es"}


def _catalogue_rows() -> List[List[str]]:
    """The topic table of docs/topics.md: title, intent, topic, medical, required term."""
    rows = []
    for line in (PROJECT / "docs" / "topics.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 7 and cells[4] in ("yes", "no"):
            rows.append(cells[1:6])
    return rows


def catalogue() -> Dict[str, Tuple[str, bool, str]]:
    """topic -> (intent, medical, required term), from docs/topics.md."""
    return {topic: (intent, medical == "yes", term.strip("`")) for _, intent, topic, medical, term in _catalogue_rows()}


def titles() -> Dict[str, str]:
    """topic -> its plain title (docs/topics.md), as staff name it."""
    return {topic: title for title, _, topic, _, _ in _catalogue_rows()}


def _nlu_blocks() -> Iterator[Tuple[Dict[str, Any], List[str]]]:
    """Every intent block of data/nlu (English and Spanish) with its example texts."""
    for path in sorted(glob.glob(str(PROJECT / "data" / "nlu" / "**" / "*.yml"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            for block in yaml.safe_load(f)["nlu"]:
                texts = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                yield block, texts


def not_for_crisis_examples() -> List[str]:
    """Texts of the intents marked `crisis_detector: not_trained` in the NLU data (as the Rasa pipeline reads them)."""
    return [t for block, texts in _nlu_blocks()
            if (block.get("metadata") or {}).get("crisis_detector") == "not_trained" for t in texts]


def training_examples() -> List[Tuple[str, str]]:
    return [(block["intent"], t) for block, texts in _nlu_blocks() for t in texts]


def check_responses(responses: Dict[str, list], topics: Dict[str, Tuple[str, bool, str]]) -> List[str]:
    problems = []
    references, definitions = load_references()
    for name, variations in responses.items():
        for variation in variations:
            text, meta = variation.get("text") or "", variation.get("metadata") or {}
            problems.extend(reading_problems(name, text, "es" if SPANISH in (variation.get("condition") or []) else "en"))
            if meta.get("route") == "answer" and meta.get("sources") is not None:
                problems.extend(check_sources(name, meta, references, definitions) if SPANISH not in (variation.get("condition") or []) else [])
            if meta.get("route") not in ROUTES:
                problems.append(f"{name}: metadata.route must be one of {sorted(ROUTES)}")
            kind = find_dose(text)
            if kind:
                problems.append(f"{name}: contains a dose ({kind})")
            for claim in FORBIDDEN_CLAIMS:
                if re.search(claim, text, re.IGNORECASE):
                    problems.append(f"{name}: repeats a forbidden claim ({claim})")
            if len(text) > MAX_CHARS:
                problems.append(f"{name}: {len(text)} characters, more than {MAX_CHARS} for a chat bubble")
        spanish = [v for v in variations if SPANISH in (v.get("condition") or [])]
        english = [v for v in variations if not v.get("condition")]
        if not spanish:
            problems.append(f"{name}: has no Spanish variation (condition: language slot = es)")
        for variation in spanish:
            meta_es, meta_en = variation.get("metadata") or {}, (english[0].get("metadata") or {}) if english else {}
            if {k: v for k, v in meta_es.items() if k != "lang"} != meta_en or meta_es.get("lang") != "es":
                problems.append(f"{name}: the Spanish variation needs the English metadata plus lang: es")
            if len(variation.get("buttons") or []) != len((english[0].get("buttons") or []) if english else []):
                problems.append(f"{name}: the Spanish variation needs the same buttons")
        if not name.startswith(("utter_answer_", "utter_more_")):
            continue
        topic = name.split("_", 2)[2]
        meta = (variations[0].get("metadata") or {}) if variations else {}
        if topic not in topics:
            problems.append(f"{name}: topic {topic!r} is not in docs/topics.md")
            continue
        _, medical, term = topics[topic]
        if meta.get("route") != "answer" or meta.get("topic") != topic:
            problems.append(f"{name}: metadata needs route: answer and topic: {topic}")
        if meta.get("medical") is not medical:
            problems.append(f"{name}: metadata.medical must be {str(medical).lower()} (docs/topics.md)")
        if medical and not isinstance(meta.get("sources"), list):
            problems.append(f"{name}: metadata.sources must list the references the answer rests on (content/references.yml)")
        if name.startswith("utter_answer_") and not re.search(term, english[0].get("text", "") if english else "", re.IGNORECASE):
            problems.append(f"{name}: must mention {term!r} (docs/topics.md)")
    return problems


def check_coverage(domain: dict, topics: Dict[str, Tuple[str, bool, str]]) -> List[str]:
    problems = []
    rules = "\n".join(Path(p).read_text(encoding="utf-8") for p in glob.glob(str(PROJECT / "data" / "rules" / "*.yml")))
    trained = {intent for intent, _ in training_examples()}
    for topic, (intent, _, _) in topics.items():
        if intent not in domain.get("intents", []):
            problems.append(f"{topic}: intent {intent} is not in domain.yml")
        if intent not in trained:
            problems.append(f"{topic}: intent {intent} has no training examples in data/nlu/")
        if f"utter_answer_{topic}" not in domain.get("responses", {}):
            problems.append(f"{topic}: no utter_answer_{topic} in domain.yml")
        if f"- intent: {intent}\n  - action: utter_answer_{topic}" not in rules:
            problems.append(f"{topic}: no rule in data/rules/ answers {intent} with utter_answer_{topic}")
    return problems


def check_content(domain_path: Path = PROJECT / "domain.yml") -> List[str]:
    with open(domain_path, encoding="utf-8") as f:
        domain = yaml.safe_load(f)
    topics = catalogue()
    return check_responses(domain.get("responses") or {}, topics) + check_coverage(domain, topics)


def main() -> int:
    problems = check_content()
    for problem in problems:
        print(f"content: {problem}")
    print(f"Answer content: {len(problems)} problem(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
