"""Dose guard: finds doses and dosing instructions in text.

Used on every bot message before it is sent (see `clinic_faq.rasa_ext.nlg`), and on user messages to tell
that a question is about a dose. Numbers that are not doses (hours, weeks, percentages, 911, 988)
pass; a number followed by a dosing unit does not, whether in digits or spelled out, in English or
Spanish ("250 mg", "about two hundred milligrams", "dos cientos miligramos", "one and a half tablets").

The evaluation and the conversation tests check replies with a dose detector of their own
(dev/clinic_faq_dev/dose_oracle.py), written apart from this one, so a dose this guard misses is not
missed by the check too.
"""

from __future__ import annotations

import re
from typing import Optional

# Numbers, in digits or spelled out ("two hundred", "twenty-five", "one and a half", "doscientos cincuenta",
# "dos cientos", "treinta y cinco", "media"): a first part, then parts joined by spaces, hyphens, "and" or
# "y". "One", "uno" and "una" alone are numbers only in English ("one tablet"); "una dosis baja" is advice.
_DIGITS = r"(?:\d+(?:[.,]\d+)?|\d*\.\d+|\d+\s*/\s*\d+|[½¼¾])"
_EN_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|thousand)"
)
_ES_WORD = (
    r"(?:dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieci[a-zé]+|"
    r"veinte|veinti[a-zúé]+|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento|cientos|"
    r"(?:dos|tres|cuatro|seis|sete|ocho|nove)cient[oa]s|quinient[oa]s|mil|media|medio)"
)
_FIRST = rf"(?:{_DIGITS}|{_EN_WORD}\b|{_ES_WORD}\b|an?\s+(?:half|quarter|hundred|thousand)\b|half\s+an?\b)"
_NEXT = rf"(?:{_DIGITS}|{_EN_WORD}\b|{_ES_WORD}\b|half\b|quarter\b)"
_JOIN = r"(?:\s+|\s*-\s*)(?:(?:and|y)\s+(?:an?\s+)?)?"
_NUMBER = rf"(?:{_FIRST}(?:{_JOIN}{_NEXT})*)"
_UNIT = (
    r"(?:mg\s*/\s*kg|mcg\s*/\s*kg|µg\s*/\s*kg|ug\s*/\s*kg|mg\s*/\s*hr?|mg|mcg|µg|ug|micrograms?|milligrams?|"
    r"grams?|g|ml|milliliters?|millilitres?|cc|units?|iu|tablets?|tabs?|pills?|capsules?|caps|puffs?|"
    r"drops?|patch(?:es)?|doses?|sprays?|squirts?|lozenges?|"
    # Spanish
    r"miligramos?|microgramos?|gramos?|mililitros?|unidades|unidad|pastillas?|comprimidos?|tabletas?|"
    r"c[aá]psulas?|gotas?|parches?|dosis|inhalaciones?|disparos?)"
)
DOSE_AMOUNT_RE = re.compile(rf"(?<![\w.]){_NUMBER}\s*-?\s*{_UNIT}(?![a-z])", re.IGNORECASE)

_MEDICINE = (
    r"(?:dose|doses|dosage|dosing|medicine|medicines|medication|medications|meds|pills?|tablets?|"
    r"prescription|opioids?|painkillers?|pain killers?|pain medicine|ketamine|oxy\w*|morphine|fentanyl|"
    r"hydromorphone|dilaudid|methadone|gabapentin|lyrica|pregabalin|tramadol|\w+ patch)"
)
# Spanish: "tome dos pastillas", "aumente la dosis", "duplique su morfina", "deje de tomar su medicina".
_MEDICINE_ES = (
    r"(?:dosis|medicina|medicinas|medicamento|medicamentos|pastillas?|comprimidos?|tabletas?|receta|"
    r"opioides?|analg[eé]sicos?|ketamina|oxicodona|morfina|fentanilo|hidromorfona|metadona|gabapentina|"
    r"pregabalina|tramadol|parches?)"
)
_CHANGE_VERB_ES = (
    r"(?:duplique|duplica|doble|triplique|aumente|aumenta|suba|sube|baje|baja|reduzca|reduce|disminuya|"
    r"disminuye|suspenda|suspende|deje de tomar|deja de tomar|tome m[aá]s|toma m[aá]s|tome menos|toma menos|"
    r"cambie|cambia|salte|s[aá]ltese|empiece|empieza|comience|comienza)"
)
INSTRUCTION_ES_RE = re.compile(
    rf"\b{_CHANGE_VERB_ES}\s+(?:(?:la|el|las|los|su|sus|tu|tus)\s+)?(?:\w+\s+)?{_MEDICINE_ES}\b", re.IGNORECASE
)
_CHANGE_VERB = (
    r"(?:double|triple|halve|increase|decrease|reduce|raise|lower|up|cut|cut back|taper|wean|stop|"
    r"start|skip|quit|change|adjust|switch|take more|take less|take extra)"
)
INSTRUCTION_RE = re.compile(
    rf"\b{_CHANGE_VERB}\s+(?:off\s+)?(?:your|the|his|her|their)\s+(?:\w+\s+)?{_MEDICINE}\b", re.IGNORECASE
)
# What may stand before a change verb without making it an instruction to the reader: a negation,
# or the care team as the one who decides.
_SAFE_BEFORE = re.compile(
    r"(?:\bnot|n't|n’t|\bnever|\bwithout|\bno one should|\bnobody should|\bbefore (?:you|they)|"
    r"\b(?:care team|doctor|doctors|clinician|clinicians|prescriber|team)\s+(?:may|might|can|could|will|would|decides? (?:whether|if) to)|"
    # Spanish: a negation, or the care team as the one who decides
    r"\bno|\bnunca|\bsin|\bantes de|"
    r"\b(?:equipo de atenci[oó]n|m[eé]dico|m[eé]dica|doctor|doctora|equipo)\s+(?:puede|podr[ií]a|va a|decide si))"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def find_dose(text: str) -> Optional[str]:
    """The kind of dose content in `text` ('amount' or 'instruction'), or None.

    An instruction preceded by a negation ("don't change your medicine without your care team"), or
    with the care team as its subject ("your care team may adjust your medicines"), is the advice the
    assistant is meant to give, not a dosing instruction.
    """
    if not text:
        return None
    if DOSE_AMOUNT_RE.search(text):
        return "amount"
    for pattern in (INSTRUCTION_RE, INSTRUCTION_ES_RE):
        for match in pattern.finditer(text):
            if not _SAFE_BEFORE.search(text[: match.start()]):
                return "instruction"
    return None
