"""The safety screen: deterministic spaCy rules run over every user message.

It backs up the intent classifier on the two mistakes a clinic assistant must not make: missing
someone in danger, and answering a personal medical question as if it were general. Rules live in
`src/clinic_faq/core/patterns/*.yml` in a small syntax staff can edit (see the header of `crisis.yml`); they are
compiled into spaCy `Matcher` patterns over lemmas, and the lexicons into `PhraseMatcher`s.

The pipeline is a blank English one with the lookup lemmatizer from `spacy-lookups-data`: no
pretrained model is needed or downloaded.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple, cast

import spacy
import yaml
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

from clinic_faq.core.asking import after_treatment, asks, is_long, reports_symptom, request_of_long
from clinic_faq.core.contact import complaint, wants_callback
from clinic_faq.core.dose import DOSE_AMOUNT_RE
from clinic_faq.core.normalize import WORD_FIXES, normalize
from clinic_faq.core.phi import placeholders_in
from clinic_faq.core.social import social

logger = logging.getLogger(__name__)

PATTERN_DIR = Path(__file__).resolve().parent / "patterns"
WILDCARD_WIDTH = 3  # how many tokens a `*` in a rule may stand for
NEGATION_WINDOW = 3  # how many tokens before a negatable hit are searched for a negation
NEGATIONS = {"not", "no", "never", "nor", "without", "deny", "denies"}
UNCLEAR_SHARE = 0.6  # share of unknown words from which a message counts as unclear

# Words that make a crisis mention about the speaker or someone with them, or about now.
EXPERIENCE_WORDS = {
    "i", "me", "my", "myself", "mine", "we", "us", "our", "he", "she", "him", "her", "his", "someone",
    "somebody", "friend", "mom", "mother", "dad", "father", "husband", "wife", "son", "daughter",
    "brother", "sister", "partner", "grandma", "grandpa", "now", "tonight", "today", "currently",
    "emergency", "ambulance", "911", "dying",
}
# Crisis categories that are urgent whatever the frame: a question about a lethal amount or a way to die is
# never read as a general question about the treatment.
ALWAYS_URGENT = {"lethal"}
# The lookup table's mistakes on words the rules need: "does" is read as the animal ("doe"), so a rule's "do i
# stop" missed "does she stop"; "dying" is read as "dye", so "die" missed "dying".
# The lookup lemmatizer is English's: it reads the Spanish "dice" (says) as the plural of "die", a word of danger
# (140 times in the evaluation sets' Spanish), and English "dice" is the game's, never dying.
LEMMA_FIXES = {"does": "do", "dying": "die", "dice": "dice"}
# Words that put a message inside the clinic's domain whatever the domain gate says: a message that names
# ketamine, cancer or an opioid is for this assistant (the classifier then places it). An infusion of herbs, tea or
# fruit ("infusión de manzanilla", "herbal infusion") is a drink, not the treatment.
_DRINK_OF = (r"(?:manzanilla|chamomile|t[eé]|tea|hierbas?|herbs?|herbal|menta|mint|peppermint|canela|cinnamon|"
             r"jengibre|ginger|tila|jamaica|hibiscus|hierbabuena|lim[oó]n|lemon|boldo|romero|rosemary|rooibos|lavanda|"
             r"lavender|frutas|fruit|caf[eé]|coffee|aceite|oil)")
DOMAIN_TERMS = re.compile(
    rf"\b(?:ketamin[ae]?|(?<!herbal )(?<!tea )(?<!fruit )infusi(?:on|ones|ón)s?(?! (?:de|of) {_DRINK_OF})|cancer|cáncer|oncolog\w*|chemo\w*|quimio\w*|"
    r"opioid\w*|opioide\w*|morphine|morfina|fentan\w*|oxycod\w*|oxicod\w*|oxycontin|hydromorph\w*|"
    r"dilaudid|methadone|metadona|gabapentin\w*|pregabalin\w*|tramadol|tumou?rs?|metasta\w*|"
    r"hospice|palliative|paliativ\w*|nerve blocks?|bloqueos? nervios\w*|bioavailab\w*)\b",
    re.IGNORECASE,
)
# An amount of a medicine someone has taken that no prescription gives at once ("she took like 3000mg of her
# sertraline", "swallowed 40 pills"): an overdose, whatever else the message says.
TAKEN_AMOUNT = re.compile(
    r"\b(?:took|taken|take|taking|swallowed|swallow|ate|downed|popped|had|tomó|tomo|tome|tomé|tomado|"
    r"se\s+tom[oó]|me\s+tom[eé]|trag[oóué]|trague|tragué)\b(?:\s+\S+){0,4}?\s+"
    r"(?:like\s+|about\s+|around\s+|over\s+|como\s+|unas?\s+|m[aá]s\s+de\s+)?"
    r"(\d[\d,.]*)\s*(mg|milligrams?|miligramos?|g|grams?|gramos?|pills?|tablets?|tabs?|capsules?|caps?|"
    r"pastillas?|tabletas?|c[aá]psulas?)\b",
    re.IGNORECASE,
)
# A count of pills, or of a named medicine, taken at once ("took 30 of my pills", "took 20 tylenol pm at 3").
_PILL_WORDS = (r"(?:pills?|tabs?|tablets?|caps?|capsules?|meds?|patches|pastillas?|tabletas?|c[aá]psulas?|parches|"
               r"tylenol|advil|aleve|motrin|benadryl|ambien|xanax|xans|ativan|valium|klonopin|norcos?|vicodin|percocets?|percs?|"
               r"dilaudids?|hydromorphone|methadone|lexapro|prozac|amitriptyline|"
               r"oxy\w*|hydrocodone|morphine|morfina|tramadol|gabapentin\w*|ibuprof\w*|acetaminophen|paracetamol|aspirin\w*|"
               r"aspirinas?|seroquel|trazodone|zoloft|sertraline|lorazepam|clonazepam|alprazolam|diazepam|melatonin\w*|"
               r"nyquil|unisom|excedrin|naproxen\w*|benzos?)")
TAKEN_COUNT = re.compile(
    r"\b(?:took|taken|swallowed|ate|downed|popped|tom[oó]|tom[eé]|tomado|trag[oó]|tragu[eé])\s+"
    r"(?:(?:like|about|around|over|maybe|probably|roughly|almost|nearly|at\s+least|more\s+than|como|unas?|casi|"
    r"m[aá]s\s+de|alrededor\s+de|por\s+lo\s+menos|all)\s+){0,2}(\d{2,4})\s+"
    r"(?:(?:of\s+(?:my|his|her|their|the|mom'?s|dad'?s)\s+|de\s+(?:mis|sus|las|los|su)\s+)?(?:\w+\s+)?" + _PILL_WORDS + r"\b|"
    # "me tomé como 20 de las de dormir", "took like 15 of the sleeping ones": the pills named by what they are for
    r"de\s+(?:las|los|mis|sus)\s+(?:de|para)\s+(?:dormir|el\s+dolor|la\s+presi[oó]n|los\s+nervios|la\s+ansiedad)\b|"
    r"of\s+(?:my|his|her|the|their)\s+(?:sleeping|sleep|pain|anxiety|nerve|blood\s+pressure)\s+ones\b)",
    re.IGNORECASE,
)
OVERDOSE_MG = 1000.0  # at once, in milligrams
OVERDOSE_UNITS = 10  # pills, tablets or capsules at once
# Fentanyl patches put on together ("put 4 fentanyl patches on at the same time"): a patch releases for days,
# so a few at once are an overdose under way that removing them does not stop at once. Only the act of putting
# them on counts: someone on a high dose may wear several as prescribed ("he has 3 patches on").
_NUMBER_WORDS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10}
PATCHES_ON = re.compile(
    r"\b(?:put|puts|putting|stuck|stuk|applied|slapped|puse|puso|pegu[eé]|peg[oó])\s+(?:on\s+)?(?:(?:de\s+una\s+vez|all|todos|los|the|at\s+once)\s+){0,3}(?:like\s+|about\s+|como\s+)?(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+"
    r"(?:\w+\s+){0,2}?(?:fentanyl|fentanilo|duragesic)\s*(?:patch(?:es)?|parches?)\b|"
    r"\b(?:put|stuck|applied|slapped|puse|puso|pegu[eé]|peg[oó])\s+(?:on\s+)?(?:(?:de\s+una\s+vez|all|todos|los|the|at\s+once)\s+){0,3}(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+"
    r"(?:of\s+(?:my|his|her|the)\s+|de\s+(?:mis|sus|los)\s+)?(?:patch(?:es)?|parches?)\b[^.?!]{0,40}?\b(?:fentanyl|fentanilo|duragesic)\b",
    re.IGNORECASE,
)
PATCHES_AT_ONCE = 3


def large_amount_taken(text: str) -> bool:
    """A stated amount taken at once beyond any single dose (OVERDOSE_MG, OVERDOSE_UNITS)."""
    if any(int(m.group(1)) >= OVERDOSE_UNITS for m in TAKEN_COUNT.finditer(text)):
        return True
    for match in PATCHES_ON.finditer(text):
        number = (match.group(1) or match.group(2)).lower()
        if (int(number) if number.isdigit() else _NUMBER_WORDS[number]) >= PATCHES_AT_ONCE:
            return True
    for match in TAKEN_AMOUNT.finditer(text):
        try:
            amount = float(match.group(1).replace(",", ""))
        except ValueError:
            continue
        unit = match.group(2).lower()
        if unit.startswith(("mg", "milligram", "miligramo")):
            milligrams = amount
        elif unit in ("g", "gram", "grams", "gramo", "gramos"):
            milligrams = amount * 1000
        else:
            if amount >= OVERDOSE_UNITS:
                return True
            continue
        if milligrams >= OVERDOSE_MG:
            return True
    return False


# A question about how much of something kills, or how long a way of dying takes, however it is worded and
# however far apart its words are ("how many ambien would actually be lethal", "q cantidad de clonazepam con
# alcohol es letal", "how long does it take to die from car exhaust"): always urgent (the rules' `lethal`
# category holds the short forms). Run on the message with its figures of speech blanked out.
# "could a person survive", "can you survive": asked of anyone
_SOMEONE_SURVIVE = r"(?:can|could|would|will)\s+(?:a\s+person|someone|somebody|anyone|you|one|a\s+body)\s+survive"
# a height asked about, and a fall, in Spanish ("a q altura", "desde qué piso"; "la caída", "tirarse")
_HEIGHT_ES = r"(?:(?:a\s+)?(?:qu[eé]|q)\s+altura|(?:desde|de)\s+(?:qu[eé]|q|cu[aá]l)\s+piso)"
_FALL_ES = r"(?:ca[ií]da|caer(?:se|me|le)?|tirar(?:se|me)|aventar(?:se|me)|saltar|brincar)"
_QUANTITY_EN = r"(?:how\s+(?:much|many)|what\s+(?:amount|dose|dosage|number|quantity)|at\s+what\s+(?:dose|amount|point))"
_DEATH_EN = (r"(?:lethal|fatal|deadly|kills?|killed|die|dies|dying|od|overdose|(?:not|never)\s+wake(?:\s+up)?|point\s+of\s+no\s+return|"
             r"stops?\s+(?:\w+(?:'s)?\s+)?(?:heart|breathing)|"
             # "to just go to sleep and not come back"; "to shut their liver down", "before the liver fails for good"
             r"(?:sleep|go)\s+and\s+(?:not|never)\s+(?:come\s+back|wake)|"
             r"shut\s+(?:\w+\s+){0,2}?(?:liver|kidneys?)\s+down|shut\s+down\s+(?:\w+\s+)?(?:liver|kidneys?)|"
             r"(?:liver|kidneys?)\s+(?:fails?|failure|shuts?\s+down)|"
             # "how much insulin is too much to survive", "how many of these could a person survive"
             rf"too\s+(?:much|many)\s+to\s+survive|{_SOMEONE_SURVIVE}|"
             # "how much tylenol would it take to damage your liver beyond fixing": harm that cannot be undone
             r"(?:liver|kidneys?|heart|brain)\s+(?:\w+\s+){0,2}?beyond\s+(?:fixing|repair|saving))")
_QUANTITY_ES = r"(?:cu[aá]nt[oa]s?|(?:qu[eé]|q)\s+(?:cantidad|dosis)|cu[aá]l\s+es\s+la\s+(?:dosis|cantidad))"
_DEATH_ES = (r"(?:letal(?:es)?|mortal(?:es)?|fatal(?:es)?|morir(?:se|me|nos)?|muer[ae]n?|mat(?:a|an|ar|arme|arse|ar[ií]a)|"
             r"no\s+despertar(?:me|se)?|dormid[oa]s?\s+para\s+siempre|sobredosis|quitar(?:me|se|le)\s+la\s+vida|"
             r"demasiad[oa]s?\s+para\s+sobrevivir|(?:puede|podr[ií]a)\s+(?:una\s+persona|alguien|uno)\s+sobrevivir|"
             # "para que se pare el corazón", "para que alguien ya no despierte"
             r"(?:se\s+)?(?:pare|par[ae]r[ií]a|detenga|detendr[ií]a)\s+el\s+coraz[oó]n|no\s+despiert[ea]n?\b|"
             # "cuántas serían demasiadas como para ya no volver" (not "para no volver a sentir dolor": never again; the
             # normalized text reads "ya" as the SMS "you")
             r"(?:para|pa)\s+(?:(?:ya|you)\s+)?no\s+(?:volver|regresar)(?!\s+a\b)|"
             r"pa(?:ra)?\s+(?:q|que)\s+sea\s+la\s+[uú]ltima(?:\s+vez)?(?=\s*(?:[.?!,]|$))|"
             r"(?:h[ií]gado|ri[nñ]ones|ri[nñ][oó]n|coraz[oó]n|cerebro)\s+(?:\w+\s+){0,2}?(?:sin\s+remedio|sin\s+vuelta\s+atr[aá]s)|"
             # "cuánto paracetamol tendría que tomarse una persona para que el hígado ya no aguante": an organ given out
             r"(?:para|pa)\s+(?:q|que)\s+(?:el\s+|los\s+|le\s+)?(?:h[ií]gado|ri[nñ]ones|ri[nñ][oó]n|coraz[oó]n)\s+(?:(?:ya|you)\s+)?"
             r"(?:no\s+aguante|falle|fallen|deje\s+de\s+funcionar|dejen\s+de\s+funcionar|truene|revient[ea]))")
LETHAL_QUESTION = re.compile(
    rf"\b{_QUANTITY_EN}\b[^.?!]{{0,80}}?\b{_DEATH_EN}\b|\b(?:lethal|fatal|deadly)\b[^.?!]{{0,60}}?\b{_QUANTITY_EN}\b|"
    r"\bhow\s+long\s+(?:does|would|will|did|do)\s+(?:it|you|someone|somebody|a\s+person|one)\s+(?:take\s+)?"
    r"(?:\w+\s+){0,3}?(?:to\s+)?(?:die|kill|pass\s+away)\b|"
    rf"\b{_QUANTITY_ES}\b[^.?!]{{0,80}}?\b{_DEATH_ES}\b|\b(?:letal|mortal)\b[^.?!]{{0,60}}?\b{_QUANTITY_ES}\b|"
    r"\bcu[aá]nto\s+tarda(?:r[ií]a)?\s+(?:\w+\s+){0,3}?en\s+(?:morir|matar)|"
    # "if someone took a month of gabapentin at once, would it be enough?", "which pills do the most damage if you
    # take a lot at once": an amount taken asked about as enough, or the most harmful medicine asked for
    r"\b(?:took|take|takes|taking|swallowed|swallow)\b[^.?!]{0,60}?\b(?:at\s+once|all\s+of\s+(?:them|it)|the\s+whole)\b[^.?!]{0,40}?"
    r"\b(?:would|will|is)\s+(?:it|that|this)\s+be\s+enough\b|"
    r"\b(?:which|what)\s+(?:\w+\s+){0,5}?(?:pills?|medicines?|meds|drugs?|tablets?)\s+(?:do|does|would|could|cause|causes)\s+(?:the\s+)?most\s+damage\b|"
    r"\b(?:which|what)\s+(?:\w+\s+){0,5}?(?:pills?|medicines?|meds|drugs?|tablets?)\s+(?:would|will|could|can|do|does)\s+"
    r"(?:\w+\s+)?(?:shut\s+down|destroy|kill|fry)\s+(?:\w+\s+)?(?:liver|kidneys?|heart)\b|"
    # a fall as a way to die, asked by its height: "how high does a building need to be for a fall to be fatal", "what
    # floor would you need to jump from to not survive", "a q altura tiene q ser un edificio para q la caida sea segura"
    r"\b(?:how\s+high|what\s+(?:height|floor|story|storey)|which\s+(?:floor|story|storey))\b[^.?!]{0,60}?"
    r"\b(?:fall|falls|falling|jump|jumping|drop)\b[^.?!]{0,40}?\b(?:fatal|lethal|deadly|kill|kills|die|dies|not\s+survive|"
    r"survive|for\s+sure|guaranteed|certain)\b|"
    rf"\b{_HEIGHT_ES}\b[^.?!]{{0,60}}?\b{_FALL_ES}\b[^.?!]{{0,40}}?"
    r"\b(?:segur[oa]|mortal|fatal|letal|morir(?:se|me)?|muer[ae]n?|matar(?:se|me)?|sobrevivir|sobrevive)\b|"
    rf"\b{_HEIGHT_ES}\b[^.?!]{{0,70}}?\b(?:es|ser[ií]a|sea)\s+(?:mortal|fatal|letal)\b|"
    rf"\b{_SOMEONE_SURVIVE}\s+"
    r"(?:\d+\s+(?:of\b|(?:\w+\s+)?" + _PILL_WORDS + r"\b)|(?:a\s+(?:whole\s+)?bottle|all|the\s+whole|an?\s+entire)\s+(?:\w+\s+){0,2}?"
    + _PILL_WORDS + r"\b)|"
    # "would 30 of my lexapro do it": a count of pills asked about as enough
    r"\b(?:would|will|could|is|are)\s+(?:\d{2,4}|all|a\s+(?:whole\s+)?bottle|the\s+(?:whole\s+)?bottle)\s+(?:of\s+)?(?:my|his|her|the|these|those|mis|sus)?\s*"
    r"(?:\w+\s+)?" + _PILL_WORDS + r"\s+(?:do\s+it|kill\s+me|be\s+lethal)\b|"
    # using a medicine or a thing to take one's life, asked about: "se puede usar la ketamina para quitarse la vida?"
    r"\b(?:se\s+puede|puedo|podr[ií]a|sirve|can\s+(?:you|i|someone)|could\s+(?:you|i|someone))\s+(?:\w+\s+){0,4}?"
    r"(?:para|pa|to)\s+(?:quitar(?:me|se|le)\s+la\s+vida|suicidar(?:me|se)|matar(?:me|se)|kill\s+(?:yourself|myself|oneself|themselves)|"
    r"end\s+(?:your|my|one'?s|their)\s+(?:own\s+)?life|commit\s+suicide)\b|"
    # which poison, asked about for a person or as the least detectable, or the fastest poison: "which poison works
    # fastest on a person", "qué veneno no se detecta en la autopsia" (not "rat poison for the garage", poison ivy)
    r"\b(?:which|what|cu[aá]l|qu[eé]|que)\s+(?:\w+\s+){0,2}?(?:poisons?|venenos?|raticida|cyanide|cianuro)\b(?!\s+(?:ivy|oak|sumac|control|center|centre))[^.?!]{0,60}?"
    r"\b(?:(?:on|in|to\s+kill)\s+(?:a\s+)?(?:person|human|adult|someone)|(?:en|a)\s+(?:una\s+|un\s+)?(?:persona|humano|adulto|alguien)|"
    r"autops(?:y|ia|ias)|undetectable|untraceable|no\s+se\s+detecta)\b|"
    r"\b(?:fastest|quickest|most\s+painless|least\s+painful|undetectable|untraceable)\s+(?:acting\s+|working\s+)?(?:poisons?)\b|"
    # "if i took all of them would i die", "si me tomo todas las oxicodonas con alcohol me muero?"
    r"\bif\s+(?:i|he|she|someone|you|u)\s+(?:took|take|takes|swallowed|swallow|drank|drink|ate|used)\s+"
    r"(?:all|the\s+whole|a\s+whole|every|the\s+entire)\b[^.?!]{0,60}?\b(?:would|will|could|can|do|does|am|is)\s+"
    r"(?:i|he|she|they|you|u|it|that)\s+(?:die|be\s+dead|not\s+wake|kill|be\s+fatal|be\s+lethal)\b|"
    r"\bsi\s+(?:me\s+|se\s+|le\s+)?(?:tomo|toma|tomara|tomo|trago|traga|bebo|bebe|doy|da)\s+(?:tod[oa]s?|el\s+frasco|la\s+caja|"
    r"el\s+bote|muchas|un\s+mont[oó]n)\b[^.?!]{0,80}?\b(?:me\s+muero|me\s+morir[ií]a|se\s+muere|se\s+morir[ií]a|"
    r"muero|morir[ií]a|me\s+mata|me\s+matar[ií]a|lo\s+mata|la\s+mata|no\s+despierto|no\s+despertar[ií]a)\b",
    re.IGNORECASE,
)
# What makes such a sentence something else: numbers about people ("how many people die of cancer pain"),
# killing pain or germs, a battery or a plant, time left to live (a prognosis, answered with care elsewhere).
LETHAL_NOT = re.compile(
    r"\b(?:how\s+many|cu[aá]nt[oa]s)\s+(?:\w+\s+)?(?:people|patients|americans|adults|persons|personas|pacientes|gente)\b|"
    r"\b(?:kill|kills|killing|mata|matar|matan)\s+(?:the\s+|my\s+|your\s+|his\s+|her\s+|el\s+|la\s+|los\s+|las\s+)?"
    r"(?:pain|dolor|bacteria|bacterias|germs|g[eé]rmenes|cells|c[eé]lulas|cancer|c[aá]ncer|tumou?rs?|weeds|bugs|lice|"
    r"fleas|mold|virus|time|tiempo|mood|buzz)\b|"
    r"\b(?:battery|phone|laptop|plant|plants|bater[ií]a|celular|planta|plantas)\b|\bcar\b(?![^.?!]*\b(?:exhaust|fumes|garage)\b)|"
    r"\bcu[aá]nto\s+tiempo\s+(?:me|le|les|nos)\s+queda",
    re.IGNORECASE,
)


# How much of a medicine is safe, too much or harmful, asked without the word "dose" ("how much tylenol is safe in a day",
# "at what point does ibuprofen become toxic", "a partir de cuántas pastillas es tóxico"): the maximum amount, which
# only the care team or a pharmacist answers. Counts only with a medicine of the lexicons in the message ("how much
# screen time is safe for kids" is not); a lethal amount is urgent (lethal_question).
HARMFUL_AMOUNT = re.compile(
    r"\b(?:at\s+what\s+point|how\s+(?:much|many)|a\s+partir\s+de\s+(?:cu[aá]nt[oa]s?|qu[eé])|cu[aá]nt[oa]s?)\b[^.?!]{0,60}?"
    r"\b(?:toxic|poisonous|harmful|safe|too\s+(?:much|many)|t[oó]xic[oa]s?|segur[oa]s?|demasiad[oa]s?|da[nñ]in[oa]s?)\b|"
    r"\b(?:toxic|harmful|poisonous)\s+(?:level|amount|dose|dosage)s?\b|"
    r"\b(?:nivel|cantidad|dosis)\s+(?:t[oó]xic[oa]|peligros[oa]|da[nñ]in[oa])\b",
    re.IGNORECASE,
)


def lethal_question(text: str) -> bool:
    """A question about a lethal amount or how long a way of dying takes (LETHAL_QUESTION), not LETHAL_NOT."""
    return bool(LETHAL_QUESTION.search(text)) and not LETHAL_NOT.search(text)


# A fever during chemotherapy (a stated temperature of 100.4 F / 38 C or more, or fever with shaking chills):
# an oncological emergency (febrile neutropenia), call now. A general question ("can chemo cause a fever?") is not.
_CHEMO = re.compile(r"\b(?:chemo\w*|quimio\w*|neutrop[eé]ni\w*)", re.IGNORECASE)
_FEVER = re.compile(r"\b(?:fever|febrile|temp|temperature|thermometer|degrees|fiebre|calentura|temperatura|term[oó]metro|grados)\b|°",
                    re.IGNORECASE)
_CHILLS = re.compile(r"\b(?:chills|shaking|shivering|rigors|escalofr[ií]os?|temblando|tiritando)\b", re.IGNORECASE)
# The weather's degrees ("40 grados y humedad de sauna", "it's 102 degrees outside"): not a temperature taken, unless
# a word of fever or a thermometer is there too.
_WEATHER = re.compile(r"\b(?:weather|outside|heat ?wave|humid\w*|summer|sunny|forecast|calor|clima|humedad|afuera|verano|"
                      r"ola de calor|soleado|pron[oó]stico)\b", re.IGNORECASE)
_TAKEN = re.compile(r"\b(?:fever|febrile|temp|temperature|thermometer|fiebre|calentura|temperatura|term[oó]metro)\b",
                    re.IGNORECASE)
_DEGREES = re.compile(r"(?<![\d.,])(\d{2,3}(?:[.,]\d)?)(?![\d.,]*\s*(?:mg|%|lbs?|pounds|kg|years|a[nñ]os|min|hours|horas))")
# Sudden weakness or numbness of the legs with back pain in someone with cancer: possible spinal cord
# compression, an emergency (NICE NG234). Either alone is not.
_LEGS_FAIL = re.compile(
    r"\blegs?\s+(?:just\s+|suddenly\s+|totally\s+)?(?:gave|give|giving|gone|went|going)\s+(?:out|numb|weak|dead)\b|"
    r"\b(?:can'?t|cannot|can\s+not|could\s*n'?t|couldn'?t)\s+(?:feel|move|lift|stand\s+on)\s+(?:my\s+|his\s+|her\s+|their\s+)?legs?\b|"
    r"\blegs?\s+(?:are|is|went|feel|feels|got|have\s+gone)\s+(?:suddenly\s+|all\s+|really\s+|so\s+)?(?:weak|numb|dead|heavy|wobbly|useless)\b|"
    r"\bpiernas?\s+(?:se\s+me\s+)?(?:doblaron|doblan|d[eé]biles|dormidas?|entumid[ao]s?|no\s+(?:me\s+)?responden|sin\s+fuerza)\b|"
    r"\bse\s+(?:me|le)\s+(?:doblaron|aflojaron|durmieron|duermen)\s+las\s+piernas\b|"
    r"\bno\s+(?:puedo|puede)\s+(?:mover|sentir)\s+(?:las|mis|sus)\s+piernas\b|"
    r"\bno\s+(?:me\s+|le\s+|se\s+)?(?:siento|siente|sent[ií]a)\s+(?:las|mis|sus)\s+piernas\b",
    re.IGNORECASE,
)
_BACK = re.compile(r"\b(?:back|spine|spinal|vertebra\w*|espalda|columna|v[eé]rtebra\w*)\b", re.IGNORECASE)
# Bladder or bowel control lost: with back pain or failing legs, the same emergency.
_CONTINENCE = re.compile(
    r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to|no\s+(?:puedo|puede|pod[ií]a))\s+(?:control|hold|aguantar|controlar|detener)\s+"
    r"(?:my\s+|his\s+|her\s+|the\s+|la\s+|el\s+|mi\s+|su\s+)?(?:bladder|bowels?|pee|urine|poop|orina|pip[ií]|vejiga|pop[oó])\b|"
    r"\b(?:wet|peed|pooped)\s+(?:myself|himself|herself)\s+without\s+(?:knowing|feeling)\b|"
    r"\bse\s+(?:me|le)\s+sale\s+(?:la\s+orina|el\s+pip[ií])\s+sin\s+(?:sentir|darme\s+cuenta|darse\s+cuenta)\b",
    re.IGNORECASE,
)


# Stroke signs told together: speech gone wrong and an arm, a hand, a leg or the face that will not work ("can't talk
# properly, my right hand won't work, started ten minutes ago", "no puede hablar bien y no mueve el brazo").
_SPEECH = re.compile(
    r"\b(?:can'?t|cannot|can\s+not|could\s*n'?t|couldn'?t|unable\s+to|trouble|hard\s+to)\s+(?:talk|talking|speak|speaking|"
    r"get\s+(?:the\s+|my\s+|his\s+|her\s+)?words\s+out)\b|\b(?:slurr\w*|garbled|mumbl\w*)\b|\bwords\s+(?:are\s+|were\s+|keep\s+)?(?:come|came|coming)\s+out\s+"
    r"(?:wrong|jumbled|funny|weird|slurred)\b|\b(?:talks?|talking|speech)\s+(?:is\s+|was\s+)?(?:funny|weird|strange|slurred|"
    r"jumbled|off)\b|\bno\s+(?:puede|puedo|pod[ií]a|le\s+salen\s+las\s+palabras)\s*(?:hablar|habla)?\b|"
    r"\bhabla\w*\s+(?:raro|chistoso|trabad\w*|arrastrando|mal)\b|\barrastra\s+las\s+palabras\b|"
    r"\bno\s+(?:me|le)\s+salen\s+las\s+palabras\b|\bse\s+(?:me|le)\s+traba\s+la\s+lengua\b",
    re.IGNORECASE,
)
_LIMB_WEAK = re.compile(
    r"\b(?:arm|hand|leg|face|side|foot)\s+(?:won'?t|will\s+not|wo\s+n'?t|doesn'?t|does\s+not|can'?t|cannot|can\s+not|isn'?t|is\s+not)\s+"
    r"(?:work|working|move|moving|respond\w*|lift|grip)\b|"
    r"\b(?:can'?t|cannot|can\s+not|couldn'?t|could\s*n'?t)\s+(?:move|lift|raise|feel|grip\s+with)\s+(?:my\s+|his\s+|her\s+|the\s+)?"
    r"(?:(?:left|right)\s+)?(?:arm|hand|leg|face|side)\b|"
    r"\b(?:face|mouth|smile)\s+(?:is\s+|looks\s+|went\s+|got\s+)?(?:droop\w*|crooked|lopsided|uneven)\b|"
    r"\bno\s+(?:puede|puedo|pod[ií]a)\s+(?:mover|levantar|sentir)\s+(?:el|la|su|mi)\s+(?:brazo|mano|pierna|cara)\b|"
    r"\b(?:no\s+(?:le|me)\s+)?(?:responde|responden|funciona|funcionan)\s+(?:el|la|su|mi)\s+(?:brazo|mano|pierna)\b|"
    r"\b(?:brazo|mano|pierna|cara)\s+(?:no\s+(?:le|me)\s+)?(?:responde|funciona|se\s+mueve)\b|"
    r"\b(?:left|right)\s+(?:arm|hand|leg|side)\s+(?:is\s+|went\s+|feels\s+|has\s+gone\s+|just\s+went\s+)?(?:numb|dead|weak|limp|asleep)\b|"
    r"\b(?:brazo|mano|pierna)\s+(?:derech[ao]|izquierd[ao])\s+(?:dormid[ao]|entumid[ao]|sin\s+fuerza|muert[ao]|d[eé]bil)\b|"
    r"\bse\s+(?:me|le)\s+(?:cae|cay[oó])\s+la\s+cara\b",
    re.IGNORECASE,
)


def urgent_symptom(text: str) -> Optional[str]:
    """An urgent symptom the word rules cannot see in one span: fever on chemotherapy, legs failing (or bladder or
    bowel control lost) with back pain, speech gone wrong with a weak arm, hand, leg or face."""
    if _CHEMO.search(text) and (_FEVER.search(text) or _CHILLS.search(text)):
        hot = any(100.4 <= v <= 107.0 or 38.0 <= v <= 42.5 for v in (float(m.group(1).replace(",", "."))
                                                                       for m in _DEGREES.finditer(text)))
        hot = hot and not (_WEATHER.search(text) and not _TAKEN.search(text))
        if hot or (_FEVER.search(text) and _CHILLS.search(text)):
            return "medical_urgent: fever during chemotherapy"
    if _LEGS_FAIL.search(text) and _BACK.search(text):
        return "medical_urgent: legs failing with back pain"
    if _CONTINENCE.search(text) and (_BACK.search(text) or _LEGS_FAIL.search(text)):
        return "medical_urgent: bladder or bowel control lost with back pain or failing legs"
    if _SPEECH.search(text) and _LIMB_WEAK.search(text):
        return "medical_urgent: speech and an arm, leg or face gone wrong (stroke signs)"
    return None


# Question frames that make a crisis mention a general question about the treatment.
INFORMATIONAL_RULES = [
    "do|can|could|will|would|be|may|might|should ketamine|it|infusion|infusions|treatment|therapy|this * help|treat|cause|work|reduce|trigger|lead|give|make|prevent|ease|affect|relieve",
    "side effect|effects",
    "risk|risks|chance|chances of",
    "help|helpful|work|used|use for|with * suicidal|suicide|depression|thoughts|ideation|anxiety",
    "what be * overdose|seizure|suicidal|suicide",
    "how common",
]

# One token of a spaCy Matcher pattern, e.g. {"LEMMA": {"IN": ["pill", "tablet"]}, "OP": "?"}.
TokenPattern = Dict[str, Any]


class PatternError(ValueError):
    """A rule in the patterns files cannot be compiled."""


@dataclass(frozen=True)
class Hit:
    category: str
    rule: str
    start: int
    negatable: bool = False
    mention_only: bool = False

    @property
    def rule_id(self) -> str:
        return f"{self.category}: {self.rule}"


@dataclass
class ScreenResult:
    """What the screen found in one message. Holds rule ids and kinds only: never the user's text."""

    crisis: Optional[str] = None  # "urgent", "informational" or None
    crisis_rules: List[str] = field(default_factory=list)
    referral_reasons: List[str] = field(default_factory=list)
    phi: List[str] = field(default_factory=list)
    unclear: bool = False  # mostly words no English word list knows: nothing to classify
    # Evidence the learned crisis detector needs (patterns/evidence.yml): words of danger, and the
    # writer's own words of distress.
    danger_evidence: bool = False
    distress_evidence: bool = False
    # Distress stated so plainly that it calls for the concern reply whatever the detector says ("I want to give
    # up on life", "who would even notice if I disappeared"): patterns/evidence.yml `stated`, said of oneself.
    distress_stated: bool = False
    # Danger decided on or prepared (a decision, a date, a means put aside, the way asked for): patterns/evidence.yml
    # `planned`. Implies danger_evidence.
    danger_planned: bool = False
    # A figure of speech of crisis.yml's `idioms` was found ("buried alive in boxes", "estoy muerta"): the crisis
    # rules and the evidence read the message without it, and the detector alone raises no alarm on it.
    figure_of_speech: bool = False
    # The message names something of the clinic's field: ketamine, cancer, an opioid (DOMAIN_TERMS), or a
    # medicine, condition or test of the lexicons; `medicine`: a medicine of the lexicon in particular.
    domain_term: bool = False
    # A long message whose terms of the field are all in the story around what it asks ("my dad passed from lung
    # cancer in March ... can you help with his final tax return?"): the decision lets its request decide.
    story_domain: bool = False
    # What a long message asks names a medicine, holds a reason of the referral rules or tells a symptom
    # (`_of_the_persons_care`): the person's own care, whatever the domain gate makes of it.
    asked_care: bool = False
    medical: bool = False
    medicine: bool = False
    not_a_person: bool = False  # about a pet, a garden or a pool: its doses are not the person's care
    wants_callback: bool = False  # asks to be called ("please call me back at ..."): clinic_faq.core.contact
    complaint: Optional[str] = None  # "staff" or "general": a complaint to the clinic (clinic_faq.core.contact.complaint)
    asks: bool = True  # a question or a request, not everyday talk (clinic_faq.core.asking)
    symptom_report: bool = False  # the writer's own or a relative's symptom, told, not asked about (asking.reports_symptom)
    after_treatment: bool = False  # a change told as following a treatment or a medicine (asking.after_treatment)
    social: Optional[str] = None  # the whole message is a greeting, thanks, goodbye or "are you a bot" (core.social)
    long: bool = False  # a story rather than a message (asking.is_long: 40 words or more, in 3 sentences or more)

    @property
    def referral(self) -> bool:
        return bool(self.referral_reasons)

    @property
    def referral_kinds(self) -> Set[str]:
        """The referral rules' categories and lexicon kinds: "dose", "eligibility", "personal medicine", ..."""
        return {reason.split(":", 1)[0] for reason in self.referral_reasons}

    @property
    def dose_question(self) -> bool:
        return "dose" in self.referral_kinds

    def as_dict(self) -> Dict[str, object]:
        return {
            "crisis": self.crisis,
            "crisis_rules": list(self.crisis_rules),
            "referral": self.referral,
            "referral_reasons": list(self.referral_reasons),
            "phi": list(self.phi),
            "unclear": self.unclear,
            "danger_evidence": self.danger_evidence,
            "distress_evidence": self.distress_evidence,
            "distress_stated": self.distress_stated,
            "danger_planned": self.danger_planned,
            "figure_of_speech": self.figure_of_speech,
            "domain_term": self.domain_term,
            "story_domain": self.story_domain,
            "asked_care": self.asked_care,
            "medical": self.medical,
            "medicine": self.medicine,
            "not_a_person": self.not_a_person,
            "asks": self.asks,
            "symptom_report": self.symptom_report,
            "after_treatment": self.after_treatment,
            "social": self.social,
            "wants_callback": self.wants_callback,
            "complaint": self.complaint,
        }


# A message about an animal ("can you overdose a cat on flea medicine") is for a vet: crisis words in it are
# never an emergency for the person writing, and its doses are not the care team's.
ANIMALS = {"cat", "cats", "dog", "dogs", "puppy", "kitten", "pet", "pets", "vet", "horse", "bird", "hamster", "rabbit",
           "goldfish", "parrot", "turtle", "aquarium",
           "perro", "perros", "perrito", "gato", "gatos", "gatito", "mascota", "mascotas", "veterinario",
           "pez", "peces", "pecera", "pajarito", "perico", "loro", "tortuga", "conejo"}
# An animal word naming something else: a PET scan (a test of the person's own), dog food in an advert, a cat
# video ("mom's pet scan lit up in her ribs", "i cried at a dog food commercial").
NOT_THE_ANIMAL = {"scan", "scans", "ct", "food", "commercial", "commercials", "ad", "ads", "video", "videos", "meme",
                  "memes", "movie", "show", "park"}


def mentions_animal(doc: Doc) -> bool:
    """A message about an animal: an animal word that does not name something else (NOT_THE_ANIMAL)."""
    return any(t.lower_ in ANIMALS and not (t.i + 1 < len(doc) and doc[t.i + 1].lower_ in NOT_THE_ANIMAL) for t in doc)


# Nor are the doses of a garden's or a pool's ("dosis de fertilizante para los tomates"). Crisis words next to
# these still count ("me voy a tirar a la alberca").
THINGS = {"plant", "plants", "garden", "lawn", "tomato", "tomatoes", "pool", "cistern", "fertilizer",
          "planta", "plantas", "jardin", "jardín", "pasto", "cesped", "césped", "tomate", "tomates", "alberca",
          "piscina", "cisterna", "tinaco", "fertilizante", "abono", "rosales", "macetas", "huerto", "roses", "rosebushes",
          "shrubs", "hedges"}


def _load_yaml(name: str) -> Dict[str, Any]:
    with open(PATTERN_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


class RuleCompiler:
    """Turns rules such as `take|swallow ?all * pills` into spaCy Matcher patterns on LEMMA."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def _forms(self, word: str, exact: bool) -> List[List[str]]:
        """The token sequence `word` becomes after normalization: lemmas, or lowercase forms if exact."""
        doc = self.nlp(normalize(word))
        return [[t.lower_ if exact else t.lemma_ for t in doc]] if len(doc) else []

    def compile(self, rule: str) -> List[List[TokenPattern]]:
        if not rule or not rule.strip():
            raise PatternError("empty rule")
        choices: List[List[List[TokenPattern]]] = []  # per element: alternative token sequences
        for element in rule.split():
            if element == "*":
                choices.append([[{"OP": "?"}] * WILDCARD_WIDTH])
                continue
            optional = element.startswith("?")
            element = element.lstrip("?")
            exact = element.startswith("=")  # match the word as written, not its dictionary form
            words = [w for w in element.lstrip("=").split("|") if w]
            if not words:
                raise PatternError(f"rule {rule!r} has an empty alternative")
            single: Set[str] = set()
            multi: List[List[str]] = []
            for word in words:
                for seq in self._forms(word, exact):
                    if len(seq) == 1:
                        single.add(seq[0])
                    else:
                        multi.append(seq)
            options: List[List[TokenPattern]] = []
            attr = "LOWER" if exact else "LEMMA"
            if single:
                options.append([{attr: {"IN": sorted(single)}}])
            options.extend([[{attr: form} for form in seq] for seq in multi])
            if optional:
                options = [[dict(tok, OP="?") for tok in opt] if len(opt) == 1 else opt for opt in options]
                if any(len(opt) > 1 for opt in options):
                    options.append([])
            choices.append(options)
        patterns = [list(itertools.chain.from_iterable(combo)) for combo in itertools.product(*choices)]
        patterns = [p for p in patterns if any(tok.get("OP") != "?" for tok in p)]
        if not patterns:
            raise PatternError(f"rule {rule!r} matches nothing but optional words")
        return patterns


class SafetyScreen:
    """Crisis, personal-medical-question and PHI screen over one message."""

    def __init__(self, nlp: Optional[Language] = None) -> None:
        self.nlp = nlp or build_pipeline()
        compiler = RuleCompiler(self.nlp)
        self.crisis = Matcher(self.nlp.vocab)
        self.negatable: Set[str] = set()
        self.mention_only: Set[str] = set()
        self._rules: Dict[str, Tuple[str, str]] = {}
        crisis_spec = _load_yaml("crisis.yml")
        self.idioms = [re.compile(p, re.IGNORECASE) for p in crisis_spec.pop("idioms", None) or []]
        for category, spec in crisis_spec.items():
            for kind in ("rules", "negatable", "mentions"):
                for rule in (spec or {}).get(kind, []) or []:
                    key = self._add(self.crisis, compiler, category, rule)
                    if kind == "negatable":
                        self.negatable.add(key)
                    elif kind == "mentions":
                        self.mention_only.add(key)
        referral = _load_yaml("referral.yml")
        self.referral = Matcher(self.nlp.vocab)
        for category, rules in (referral.get("rules") or {}).items():
            for rule in rules or []:
                self._add(self.referral, compiler, category, rule)
        self.lexicons = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for name, phrases in (referral.get("lexicons") or {}).items():
            self.lexicons.add(name, [self.nlp.tokenizer(form) for p in phrases for form in _with_plural(normalize(p))])
        self.personal = {normalize(w) for w in referral.get("personal") or []}
        lemmas = cast(Lemmatizer, self.nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")
        self.known_words = set(lemmas.values()) | set(STOP_WORDS) | set(WORD_FIXES.values())
        self._lemmas = lemmas
        for phrases in (referral.get("lexicons") or {}).values():
            self.known_words.update(w for p in phrases for w in normalize(p).split())
        self.informational = Matcher(self.nlp.vocab)
        for rule in INFORMATIONAL_RULES:
            self._add(self.informational, compiler, "informational", rule)
        evidence = _load_yaml("evidence.yml")
        self.evidence: Dict[str, Matcher] = {}
        for kind in ("danger", "distress", "stated", "planned"):
            self.evidence[kind] = Matcher(self.nlp.vocab)
            for rule in evidence.get(kind) or []:
                self._add(self.evidence[kind], compiler, f"evidence {kind}", rule)
        self.first_person = {normalize(w) for w in evidence.get("first_person") or []}

    def _add(self, matcher: Matcher, compiler: RuleCompiler, category: str, rule: str) -> str:
        key = f"{category}|{rule}"
        try:
            matcher.add(key, compiler.compile(rule))
        except (PatternError, ValueError) as e:
            raise PatternError(f"{category}: cannot compile rule {rule!r}: {e}") from e
        self._rules[key] = (category, rule)
        return key

    def _hits(self, matcher: Matcher, doc: Doc) -> List[Hit]:
        hits, seen = [], set()
        for match_id, start, _end in matcher(doc):
            key = self.nlp.vocab.strings[match_id]
            if key in seen:
                continue
            seen.add(key)
            category, rule = self._rules[key]
            hits.append(Hit(category, rule, start, key in self.negatable, key in self.mention_only))
        return sorted(hits, key=lambda h: (h.start, h.rule_id))

    def _negated(self, doc: Doc, hit: Hit) -> bool:
        window = doc[max(0, hit.start - NEGATION_WINDOW) : hit.start]
        return hit.negatable and any(t.lemma_ in NEGATIONS or t.lower_ in NEGATIONS for t in window)

    def _crisis_mode(self, doc: Doc, hits: Sequence[Hit]) -> Optional[str]:
        if not hits:
            return None
        if mentions_animal(doc):
            return "informational"
        if any(h.category in ALWAYS_URGENT for h in hits):
            return "urgent"
        if all(h.mention_only or self._negated(doc, h) for h in hits):
            return "informational"
        has_experience = any(t.lower_ in EXPERIENCE_WORDS for t in doc)
        if not has_experience and self.informational(doc):
            return "informational"
        return "urgent"

    def _lexicon_kinds(self, doc: Doc) -> Set[str]:
        """The kinds of the referral lexicons' words in the message ("medicine", "condition", ...)."""
        return {self.nlp.vocab.strings[m] for m, _, _ in self.lexicons(doc)}

    def _referral_reasons(self, doc: Doc, text: str, kinds: Optional[Set[str]] = None) -> List[str]:
        """`kinds`: the message's lexicon kinds when the caller has them already."""
        reasons = [h.rule_id for h in self._hits(self.referral, doc)]
        if DOSE_AMOUNT_RE.search(text):
            reasons.append("dose: a dose amount in the question")
        kinds = self._lexicon_kinds(doc) if kinds is None else kinds
        if "medicine" in kinds and HARMFUL_AMOUNT.search(text) and not any(r.startswith("dose") for r in reasons):
            reasons.append("dose: a safe, too large or harmful amount of a medicine")
        if any(t.lower_ in self.personal for t in doc):
            reasons.extend(f"personal {kind}" for kind in sorted(kinds))
        return reasons

    def _unclear(self, doc: Doc) -> bool:
        """Mostly unknown words ("blorp zizzle quonk"): the classifier would only be guessing."""
        words = [t.lower_ for t in doc if t.is_alpha and len(t) > 1]
        if len(words) < 2:
            return False
        unknown = [w for w in words if w not in self.known_words and w not in self._lemmas]
        return len(unknown) / len(words) >= UNCLEAR_SHARE

    def _without_idioms(self, normalized: str, doc: Doc) -> Doc:
        """The message with its figures of speech blanked out, for the crisis rules ("me muero de risa")."""
        plain = normalized
        for idiom in self.idioms:
            plain = idiom.sub(" ", plain)
        return doc if plain == normalized else self.nlp(plain)

    def _of_the_persons_care(self, asked: str) -> bool:
        """Whether what a long message asks names a medicine, holds a reason to refer or tells a symptom."""
        doc = self.nlp(normalize(asked))
        kinds = self._lexicon_kinds(doc)
        first_person = any(t.lower_ in self.first_person for t in doc)
        return "medicine" in kinds or bool(self._referral_reasons(doc, asked, kinds)) or reports_symptom(asked, first_person)

    def has_evidence(self, text: str) -> bool:
        """Whether the text holds a word of danger, or of distress said by the writer (evidence.yml), once its
        figures of speech are blanked out: the parts of a message the crisis detector also reads on their own."""
        doc, crisis_doc, first_person = self._read(text)
        if self.evidence["danger"](crisis_doc) or self.evidence["planned"](crisis_doc):
            return True
        return bool(self.evidence["distress"](crisis_doc)) and first_person

    def _read(self, text: str) -> Tuple[Doc, Doc, bool]:
        """The normalized text as spaCy reads it, the same with its figures of speech blanked out (what the crisis
        rules and the evidence read), and whether the writer speaks of themselves."""
        normalized = normalize(text)
        doc = self.nlp(normalized)
        return doc, self._without_idioms(normalized, doc), any(t.lower_ in self.first_person for t in doc)

    def screen(self, text: str) -> ScreenResult:
        doc, crisis_doc, first_person = self._read(text)
        crisis_hits = self._hits(self.crisis, crisis_doc)
        crisis_rules = [h.rule_id for h in crisis_hits]
        crisis = self._crisis_mode(crisis_doc, crisis_hits)
        if large_amount_taken(text):
            crisis, crisis_rules = "urgent", crisis_rules + ["overdose: a large amount taken at once"]
        animal = mentions_animal(doc)
        if not animal and crisis != "urgent":
            if lethal_question(crisis_doc.text):
                crisis, crisis_rules = "urgent", crisis_rules + ["lethal: a question about a lethal amount or way"]
            elif symptom := urgent_symptom(crisis_doc.text):
                crisis, crisis_rules = "urgent", crisis_rules + [symptom]
        lexicon_kinds = self._lexicon_kinds(doc)
        domain_term = bool(DOMAIN_TERMS.search(text))
        asked = request_of_long(text)
        asked_care = asked is not None and self._of_the_persons_care(asked)
        # asked about a medicine or one's own care, or naming the clinic's field, the story around it stays the clinic's
        story_domain = domain_term and asked is not None and not asked_care and not DOMAIN_TERMS.search(asked)
        planned = bool(self.evidence["planned"](crisis_doc))
        return ScreenResult(
            crisis=crisis,
            crisis_rules=crisis_rules,
            referral_reasons=self._referral_reasons(doc, text, lexicon_kinds),
            phi=list(placeholders_in(text)),
            unclear=self._unclear(doc),
            danger_evidence=bool(self.evidence["danger"](crisis_doc)) or planned,
            danger_planned=planned,
            distress_evidence=bool(self.evidence["distress"](crisis_doc)) and first_person,
            distress_stated=bool(self.evidence["stated"](crisis_doc)) and first_person,
            figure_of_speech=crisis_doc is not doc,
            domain_term=domain_term,
            story_domain=story_domain,
            asked_care=asked_care,
            medical=domain_term or bool(lexicon_kinds),
            medicine="medicine" in lexicon_kinds,
            not_a_person=animal or any(t.lower_ in THINGS for t in doc),
            wants_callback=wants_callback(text),
            complaint=complaint(text),
            asks=asks(text),
            symptom_report=reports_symptom(text, first_person),
            after_treatment=after_treatment(text),
            social=social(text),
            long=is_long(text),
        )


def _with_plural(phrase: str) -> List[str]:
    """A lexicon word and its plurals ("hidromorfona" -> "hidromorfonas"; "opioid" -> "opioids", "opioides"): the
    lexicons match words as written, and people write medicines and tests in the plural, in either language."""
    if " " in phrase or len(phrase) < 4 or not phrase[-1].isalpha():
        return [phrase]
    if phrase[-1] in "aeiouáéíóú":
        return [phrase, phrase + "s"]
    return [phrase, phrase + "s", phrase + "es"]


def build_pipeline() -> Language:
    """Blank English with the lookup lemmatizer: the only spaCy pipeline the screens need."""
    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = cast(Lemmatizer, lemmatizer).lookups.get_table("lemma_lookup")
    for word, lemma in LEMMA_FIXES.items():
        table[word] = lemma
    return nlp


@functools.lru_cache(maxsize=1)
def get_screen() -> SafetyScreen:
    """The process-wide screen, built on first use (not at import)."""
    return SafetyScreen()


def iter_rules() -> Iterable[Tuple[str, str]]:
    """(category, rule) for every crisis and referral rule, for docs and tests."""
    yield from get_screen()._rules.values()
