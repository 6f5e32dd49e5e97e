"""Whether a message asks something: a question, a request to the clinic, or a symptom reported to it.

Everyday talk ("it's been a long week", "ya empezo el frio") is not addressed to the clinic, yet the
classifier still ranks some topic or practical intent first, with little confidence. A message that neither
asks nor requests anything, and whose answer the classifier is unsure of, gets the rephrase prompt instead of
an answer to a question nobody asked (clinic_faq.core.decision, `statement_confidence`).

Asking is read from the words, English and Spanish as people type them: a question mark, a question word
anywhere, an auxiliary that opens the message or comes before its subject ("is it", "does she", "will
ketamine"), Spanish question verbs ("se puede", "hay", "tienen"), or the words of a request or a complaint to
an office ("i need", "please", "call", "nobody", "cita", "llamen").
"""

from __future__ import annotations

import re
from typing import List, Optional

from clinic_faq.core.social import sentences

_WH = (r"(?:how|what|whats|what's|wat|when|where|wheres|where's|why|who|whos|which|whom|qu[eé]|c[oó]mo|"
       r"cu[aá]ndo|d[oó]nde|cu[aá]l|cu[aá]les|cu[aá]nt[oa]s?|qui[eé]n|xq|pq|porque|por qu[eé])")
_AUX = r"(?:is|are|am|was|were|can|could|do|does|did|will|would|should|may|might|have|has|any)"
_SUBJECT = r"(?:it|that|this|there|i|you|u|they|she|he|we|ketamine|someone|anyone)"
_SPANISH_ASKING = (r"(?:es normal|es cierto|es verdad|se puede|puedo|puede|pueden|hay|tienen|aceptan|atienden|abren|"
                   r"cierran|sirve|funciona)")
_REQUEST = (r"(?:i need|i want|i'd like|id like|i would like|i wanna|need to|want to|please|pls|plz|help|looking for|"
            r"wondering|curious|call|calls|called|calling|message|messages|voicemail|rude|waited|nobody|no one|never|"
            r"appointment|appt|slot|quiero|necesito|quisiera|me gustar[ií]a|ocupo|por favor|porfa|porfavor|saber|info|"
            r"informaci[oó]n|llam\w*|mensaje|contestan|cita|servicio|atenci[oó]n)")

# A symptom reported is a question to a clinic even without a question mark ("my hands have been tingling more
# since the last session", "ando con mucho mareo desde la infusión"): the care team answers it.
_SYMPTOM = (r"(?:pain|painful|hurts?|hurting|aches?|aching|achy|sore|worse|sharper|nause\w*|queasy|dizz\w*|woozy|"
            r"lightheaded|light-headed|vertigo|spins|spinning|tingl\w*|pins\s+(?:and|n|&)\s+needles|numb|numbness|itch\w*|rash|"
            r"hives|swell\w*|swollen|puffy|vomit\w*|throwing up|threw up|constipat\w*|diarrh\w*|fever\w*|chills|"
            r"hallucinat\w*|confus\w*|foggy|fog|groggy|drows\w*|hungover|insomnia|nightmares|vivid dreams|weird dreams|"
            r"bleed\w*|bruis\w*|burn|burns|burning|cramp\w*|twitch\w*|tremors?|shaky|headaches?|migraines?|blurry|"
            r"blurred|ringing|weepy|teary|detached|spacey|spaced out|restless legs|metal(?:lic)? taste|heartburn|"
            r"can'?t focus|can'?t sleep|cannot sleep|no appetite|"
            r"dolor\w*|duele\w*|doliendo|mareo\w*|mare[ao]\w*|n[aá]usea\w*|hormigue\w*|entumid\w*|adormecid\w*|"
            r"dormid[oa]s|durmieron|comez[oó]n|ronchas|sarpullido|hinchad\w*|hinchan|hinchaz[oó]n|v[oó]mit\w*|estreñ\w*|"
            r"diarrea|fiebre|calentura|escalofr[ií]os?|confundid\w*|atontad\w*|olvidadiz\w*|sangr\w*|arde|ardor|quemaz[oó]n|"
            r"agruras|calambres?|jaqueca|migra[nñ]a|borroso|zumban|zumbido|pesadillas|llor[oó]n\w*|tiemblan|temblor\w*|"
            r"cruda|sin hambre|no tengo hambre|no puedo dormir|"
            r"(?:vivid|strange|weird|bad|crazy|wild|scary|intense) (?:\w+ )?dreams|runny nose|stuffy nose|nosebleeds?|"
            r"sin poder (?:ir al baño|hacer del baño|dormir|comer)|no (?:he )?(?:podido|puedo) (?:ir al baño|hacer del baño))")

# A question as such: a question mark, a question word, an auxiliary that opens the message or comes before its
# subject; "q es la ketamina", "k pasa si la mezclo": a Spanish question word as texted, opening the message
# (inside one, "q" is mostly "que": "hoy hace un año q se fue").
_QUESTION = (
    r"\?|¿"
    rf"|\b{_WH}\b"
    rf"|^\s*{_AUX}\b"
    rf"|\b{_AUX} {_SUBJECT}\b"
    r"|^\s*(?:q|k|ke|qe|x\s?q)\b"
)
# Asking: a question, or a request or complaint to an office, or a symptom reported.
ASKING = re.compile(rf"{_QUESTION}|\b{_SPANISH_ASKING}\b|\b{_REQUEST}\b|\b{_SYMPTOM}\b", re.IGNORECASE)
_SYMPTOM_WORD = re.compile(rf"\b{_SYMPTOM}\b", re.IGNORECASE)


# A long message (a story, a forum post: LONG_WORDS words or more in LONG_SENTENCES sentences or more) nearly always
# holds some word of a request, a complaint or a symptom as it tells what happened ("nobody called", "my pain",
# "the nurse was great"). It asks only with a question mark, a plain request, or a sentence that opens as a
# question. Measured on the long posts of blind15_dev: 5 pieces of chatter no longer given the care team's referral
# ("My wife and I renewed our vows last weekend. She was diagnosed ... "), none lost on the other development sets.
LONG_WORDS = 40
LONG_SENTENCES = 3
_PLAIN_REQUEST = re.compile(
    r"\?|¿|\b(?:i need|need to know|need to find out|i want|i'd like|id like|i would like|please|pls|plz|can you|could you|can someone|help me|"
    r"wondering|curious|quiero|necesito|quisiera|me gustar[ií]a|por favor|porfa|ay[uú]d(?:ame|enme)|me ayudas?|me ayudan|me puede\w*|me podr[ií]a\w*)\b",
    re.IGNORECASE)
_OPENS_AS_QUESTION = re.compile(rf"^\s*(?:{_WH}|{_AUX}|{_SPANISH_ASKING})\b", re.IGNORECASE)


def is_long(text: str, split: Optional[List[str]] = None) -> bool:
    """A story rather than a message: LONG_WORDS words or more, in LONG_SENTENCES sentences or more."""
    return len(text.split()) >= LONG_WORDS and len(sentences(text) if split is None else split) >= LONG_SENTENCES


_QUESTION_MARKED = re.compile(r"[^.!?¿\n]*\?")


def request_of_long(text: str, split: Optional[List[str]] = None) -> Optional[str]:
    """What a long message asks: its sentences that end with a question mark, make a plain request or open as a
    question, joined; None for a message that is not long or asks nothing. The rest is the story around it."""
    split = sentences(text) if split is None else split
    if not is_long(text, split):
        return None
    asked = [q.strip() for q in _QUESTION_MARKED.findall(text)]
    asked += [s for s in split if (_PLAIN_REQUEST.search(s) or _OPENS_AS_QUESTION.search(s))
              and not any(s in q for q in asked)]
    return " ".join(a for a in asked if a) or None


def asks(text: str) -> bool:
    """True when the message asks a question or makes a request (see the module's docstring); a long message only
    with a question mark, a plain request or a sentence that opens as a question."""
    text = text or ""
    if len(text.split()) >= LONG_WORDS:
        split = sentences(text)
        if is_long(text, split):
            return bool(_PLAIN_REQUEST.search(text)) or any(_OPENS_AS_QUESTION.search(s) for s in split)
    return bool(ASKING.search(text))


# When a symptom began or how often it comes: a report about the person, even with the subject left out
# ("ringing in both ears since the last session", "bit lightheaded today").
_WHEN = re.compile(r"\b(?:since|started|starting|after (?:the|my|his|her|each|every)|this week|today|tonight|lately|"
                   r"every (?:night|day|morning|time)|at night|in the (?:morning|evening)s?|at bedtime|"
                   r"desde|empez[oó]|despu[eé]s de|esta semana|hoy|[uú]ltimamente|"
                   r"cada (?:noche|d[ií]a|vez|ma[nñ]ana)|en las (?:noches|tardes|ma[nñ]anas)|en la noche|por las noches|"
                   r"worse than|better than|than (?:before|usual)|m[aá]s que antes|peor que|que de costumbre|"
                   r"the next day|the day after|the morning after|al d[ií]a siguiente|el d[ií]a despu[eé]s)\b",
                   re.IGNORECASE)
# Still going on or come back: a question about such a symptom is the person's own case, for the care team
# ("i've felt foggy since tuesday, should i tell someone?", "¿por qué me mareo cada vez? me pasa desde el lunes").
_ONGOING = re.compile(r"\b(?:since|lately|still|again|is back|are back|came back|coming back|"
                      r"(?:for|the) (?:the )?(?:past|last) (?:\w+ )?(?:days?|nights?|weeks?)|for (?:\w+ )(?:days|nights|weeks)|"
                      r"desde|[uú]ltimamente|todav[ií]a|a[uú]n|sigue|siga|siguen|otra vez|de nuevo|volvi[oó]|regres[oó]|"
                      r"ya (?:pasaron|van|llevo)|llev[oa] \w+ (?:d[ií]as|semanas|noches)|hace \w+ (?:d[ií]as|semanas|noches))\b",
                      re.IGNORECASE)
# Spanish says who without a pronoun: the first-person verbs a symptom is told with ("no tengo hambre", "amanezco
# mareada", "ando con náuseas").
_FIRST_PERSON_ES = re.compile(r"\b(?:tengo|ando|amanezco|duermo|estoy|siento|sigo|llevo|traigo|noto|me)\b", re.IGNORECASE)
# A relative as the subject ("dad says his feet burn", "la abuela amanece mareada"): told for them.
_RELATIVE = re.compile(r"\b(?:mom|mum|mother|dad|father|husband|wife|partner|son|daughter|grandma|grandpa|grandmother|"
                       r"grandfather|sister|brother|aunt|uncle|mam[aá]|pap[aá]|madre|padre|esposo|esposa|marido|mujer|"
                       r"hij[oa]|abuel[oa]|suegr[oa]|herman[oa]|t[ií][oa]|pareja)\b", re.IGNORECASE)
# For telling a symptom told from a question about one, a question is read more strictly than for `asks`: a
# question mark, an accented Spanish question word, a question word or an auxiliary opening the message or one
# of its sentences, or an auxiliary before its subject. Inside a statement "when", "que", "como", "donde" are
# mostly conjunctions: "he gets woozy when he stands up", "me duele más que antes", "donde me pusieron el suero
# me arde".
_OPENING = r"(?:^|[.!;:,\n]|\b(?:and|so|but|also|y|pero|oye)\b)\s*(?:(?:hi|hello|hey|hola|ok|okay|doctor|doctora)\W+)*"
_ASKED = re.compile(
    r"\?|¿"
    r"|\b(?:qu[eé]|c[oó]mo|cu[aá]ndo|d[oó]nde)\b(?=\s*\?)"
    r"|(?<!\w)(?:qué|cómo|cuándo|dónde|cuál|cuáles|cuánt[oa]s?|quién|por qué)(?!\w)"
    rf"|{_OPENING}(?:{_WH}|{_AUX})\b"
    rf"|\b{_AUX} {_SUBJECT}\b"
    # "does any of it help with pain" (not in ASKING: "i can't do anything" is not a question)
    rf"|\b{_AUX} (?:any|anything|anyone|anybody|something|someone)\b"
    r"|^\s*(?:q|k|ke|qe|x\s?q)\b",
    re.IGNORECASE,
)


# An ache the message itself explains by an everyday cause is everyday talk, not a symptom told to the clinic
# ("so sore from the gym", "feet are sore from standing at the fair all day", "my ears are still ringing after the
# concert", "me duele todo de tanto bailar"). The causes are activities, never a treatment or a medicine.
_ACTIVITY = (r"(?:gym|workout|working out|exercis\w*|hik\w*|run|running|jog\w*|danc\w*|moving|"
             r"(?:the |a )?move|lift\w*|yell\w*|scream\w*|laugh\w*|concert|show|drive|driving|flight|traffic|commute|"
             r"(?:the )?kids|game|party|partying|drinks|drinking|coffee|caffeine|spicy|gardening|yard ?work|cleaning|"
             r"shopping|(?:the )?mall|shoveling|typing|guitar|practice|training|yoga|(?:the )?sun|sunburn|tamales|"
             r"spreading|cooking|baking|hauling|carrying|painting|the fair|crocheting|knitting|cake|pizza|(?:all )?nighters?)")
_EVERYDAY_CAUSE = re.compile(
    rf"\b(?:from|after|because of)\s+(?:\w+\s+){{0,3}}?{_ACTIVITY}\b"
    r"|\bde tanto (?:bailar|caminar|re[ií]r\w*|correr|cargar|trabajar|estudiar|cocinar|limpiar|comer|gritar|cantar|"
    r"manejar|escribir|leer|jugar|estar (?:parad|sentad)[oa]|trapear|barrer|hablar|andar|brincar|saltar)\b"
    r"|\b(?:del|el) (?:gimnasio|gym|ejercicio|tr[aá]fico|concierto|baile|partido)\b"
    r"|\bpor (?:bailar|caminar|correr|cargar|el tr[aá]fico|el gimnasio|el ejercicio)\b"
    r"|\b(?:went|go|going|been|was|were|fui|fuimos) (?:to|at|a|al) (?:a |the |my |un |una |la )?"
    r"(?:concert|gym|party|club|game|show|wedding|bar|concierto|gimnasio|fiesta|boda|partido|antro)\b"
    r"|\blearn\w* (?:to play )?(?:the )?(?:guitar|piano|violin|bass|ukulele)\b",
    re.IGNORECASE,
)


# A change told as following a treatment or a medicine ("just feel flat since treatment", "weak all day since they
# raised my dose", "desde que me subieron la dosis", "después de la infusión"): a possible side effect, the care
# team's to hear about (clinic_faq.core.decision reads it with the crisis detector's unsupported concern).
_TREATMENT = (r"(?:(?:the |my |his |her |their |each |every |last |latest |first |second |third |new |\w+'s )*"
              r"(?:infusions?|treatments?|sessions?|drip|iv|dose|doses|dosage|ketamine|medicines?|medications?|meds|"
              r"pills|tablets|patch|chemo|chemotherapy|radiation|injections?|nasal spray|round \w+|appt|appointment))")
_TRATAMIENTO = (r"(?:(?:la |el |los |las |mi |su |sus |cada |[uú]ltima |primera |segunda |nueva |nuevas |nuevo |nuevos )*"
                r"(?:infusi[oó]n|infusiones|tratamiento|sesi[oó]n|sesiones|goteo|suero|dosis|ketamina|medicinas?|"
                r"medicamentos?|pastillas|parche|quimio|quimioterapia|radiaci[oó]n|inyecci[oó]n|cita))")
AFTER_TREATMENT = re.compile(
    rf"\b(?:since|after|ever since|following|from)\s+{_TREATMENT}\b"
    rf"|\b(?:since|after|ever since) (?:they|the doctor|dr\.? \w+|i|we|she|he) (?:\w+ )?"
    r"(?:raised|upped|bumped|increased|lowered|changed|switched|started|added|began|stopped)\b"
    r"|\b(?:on|with) (?:the |these |this |my )?new (?:pills|meds|medicines?|medications?|patch|dose)\b"
    rf"|\b(?:desde|despu[eé]s de|con)\s+{_TRATAMIENTO}\b"
    r"|\bdesde que (?:me |le |nos )?(?:subieron|bajaron|cambiaron|aumentaron|pusieron|dieron|empec[eé]|empez[oó]|"
    r"inici[eé]|tomo|toma|uso)\b",
    re.IGNORECASE,
)


def after_treatment(text: str) -> bool:
    """The message tells of a change that followed a treatment or a medicine (see AFTER_TREATMENT)."""
    return bool(AFTER_TREATMENT.search(text or ""))


def reports_symptom(text: str, first_person: bool = True) -> bool:
    """A symptom told, not asked about ("my pain has been way worse since yesterday", "mi mamá tiene más dolor
    desde ayer", "dad says his feet burn at night"), or asked about while it goes on ("i've felt foggy since
    tuesday, should i tell someone?"): the care team's to answer (clinic_faq.core.decision), whatever topic it
    resembles. The writer or a relative is its subject, or the message says when it began or how often it comes."""
    text = text or ""
    if not _SYMPTOM_WORD.search(text) or _EVERYDAY_CAUSE.search(text):
        return False
    about_someone = first_person or bool(_RELATIVE.search(text) or _FIRST_PERSON_ES.search(text))
    if _ASKED.search(text):
        return about_someone and bool(_ONGOING.search(text))
    return about_someone or bool(_WHEN.search(text) or _ONGOING.search(text) or AFTER_TREATMENT.search(text))
