"""Whether a whole message is social: a greeting, thanks, a goodbye, or asking whether the assistant is a bot.

The intent classifier ranks some intent first for any message, and a short social message shares words with
the clinic's own intents: "it was lovely to speak with you" with asking to speak with a person, "you've been a
big help" with how well ketamine helps, "i owe you one" with paying a bill, "goodnight" with nothing at all (the
domain gate declines it). When every part of a message is a social formula, in English or Spanish as people
type them, the small-talk reply is the right one whatever the classifier guessed.

Only the WHOLE message counts: "thanks! and where do i park?" asks something and keeps its own route. A goodbye
to everyone, to the world or forever ("goodbye everyone", "me despido de todos") is not matched: it may carry
danger, and the crisis screen, which runs first (clinic_faq.core.decision), is the one to read it.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

import regex

from clinic_faq.core.normalize import normalize

GREET, THANK, GOODBYE, BOT, ACK = "greet", "thank", "goodbye", "bot_challenge", "affirm"

_A = r"(?:a |an |un |una )?"
_REAL = r"(?:(?:real|actual|live|living|human|true|genuine|de verdad|real y) )*"
_BEING = (r"(?:person|human|human being|bot|robot|chatbot|chat bot|computer|machine|ai|a\.i\.|program|automated|"
          r"real|alive|someone real|persona(?: real| de verdad)?|humano|humana|m[aá]quina|computadora|programa|ia|"
          r"inteligencia artificial|alguien real|contestadora)")
_TALKING = r"(?:talking|talkin|speaking|speakin|chatting|chattin|texting|textin|messaging|writing)"
_HELP = r"(?:help|assist|assistance|info|information|answer|answers|reply|replies|chat|time|explanation|patience)"

_KINDS: List[Tuple[str, str]] = [
    (BOT, "|".join([
        rf"(?:are|r) (?:you|u|ya) (?:secretly |really |actually )?{_A}{_REAL}{_BEING}"
        rf"(?: or (?:are you )?{_A}{_REAL}{_BEING})?",
        rf"(?:am i|are we|i am|i'm) {_TALKING} (?:to|with) {_A}{_REAL}{_BEING}(?: or {_A}{_REAL}{_BEING})?",
        rf"is (?:this|it|that) {_A}{_REAL}{_BEING}(?: or {_A}{_REAL}{_BEING})?",
        r"is (?:this|it) (?:an )?automated(?: (?:system|message|service|reply|chat))?",
        rf"(?:would|could|can) (?:you|it) be {_A}{_REAL}{_BEING}",
        rf"would (?:you|it) (?:say (?:you are|you're)|be classified as|call yourself|be accurate to call you) {_A}{_REAL}{_BEING}",
        rf"(?:(?:please |can you |could you )?tell me|i (?:would like|want|wanna) (?:to )?know|i wonder|i am wondering|"
        rf"i'm wondering) (?:if|whether) (?:you are|you're|ur|this is|i am talking to|i'm talking to) {_A}{_REAL}{_BEING}",
        rf"(?:eres|es|sos|est[aá]s) {_A}{_REAL}{_BEING}(?: o {_A}{_REAL}{_BEING})?",
        rf"(?:estoy )?habl(?:o|ando)(?: con| a) {_A}{_REAL}{_BEING}(?: o {_A}{_REAL}{_BEING})?",
        r"(?:esto |este chat )?es (?:una respuesta |un mensaje |un chat )?autom[aá]tic[oa]",
        rf"me (?:contesta|responde|atiende|escribe) {_A}{_REAL}{_BEING}(?: o {_A}{_REAL}{_BEING})?",
        rf"who (?:am i|are we) {_TALKING} (?:to|with)|who is this|who are you|who's this|"
        rf"con qui[eé]n (?:hablo|estoy hablando|me comunico)|qui[eé]n (?:eres|es usted|me contesta|me responde)",
    ])),
    (THANK, "|".join([
        rf"(?:thanks|thank you|thank u|thankyou|thanku|thx|thnx|thnks|thanx|tx|ty|tysm|tyvm|many thanks|cheers|thank you kindly)"
        rf"(?: (?:so|very|soo+|sooo+) much| a (?:lot|bunch|ton|million)| again| kindly| sm)*"
        rf"(?: (?:for|4) (?:the|your|all the|all your|all of your|this|that|all|the quick|the fast|the great|the good) "
        rf"(?:great |quick |good |kind |clear )?{_HELP}(?: (?:with|on) (?:that|this|it))?"
        rf"| (?:for|4) (?:helping|chatting|talking|explaining|listening|reading|responding|answering|replying|being there|"
        rf"being so patient)(?: (?:me|with me|to me|that|it|earlier|before))*"
        rf"| (?:for|4) (?:everything|that|this|it))?",
        r"(?:much|really|truly|greatly|very much) appreciated|appreciated|appreciate it",
        r"i (?:really |truly |so |very much )?appreciate (?:it|that|this|you|your help|you doing that|the help|all your help)",
        r"i am (?:so |very |really |truly )?(?:thankful|grateful)(?: for (?:your|the) (?:help|time))?",
        r"(?:you have|you've|u have|youve) been (?:a |so |very |really |super |such a |a really |a very )?"
        r"(?:big |great |huge |real |good |lot of |tremendous )?help(?:ful)?(?: to me)?",
        r"(?:you are|you're|ur|you were|u r|u were) (?:so |very |really |super |too )?(?:helpful|kind|sweet|awesome|"
        r"the best|a star|great|amazing|a lifesaver|a life saver)",
        r"(?:that|this) (?:helped|helps)(?: (?:me|so much|a lot|a ton|loads))*",
        r"(?:that|this|it) (?:was|is|has been)(?: so| very| really| super| incredibly| truly)* "
        r"(?:helpful|useful|nice of you|kind of you|great|perfect|very clear|clear)",
        r"(?:you|u)(?: have|'ve| ve)? helped(?: me)?(?: (?:a lot|so much|a ton|loads|tremendously))?",
        r"i owe you(?: one| big)?",
        r"(?:i am |i'm )?(?:glad|happy) (?:that )?you (?:did that|helped)(?: for me)?",
        r"(?:great|good|nice) (?:job|work)|you rock|much obliged|bless you",
        r"(?:muchas |mil |much[ií]simas |muchisimas )?gracias(?: (?:de nuevo|otra vez|mil|a ti|a usted|x todo))*"
        r"(?: (?:por|x) (?:la|su|tu|toda la|todo|el|tu gran|su gran|la gran) ?(?:ayuda|info|informaci[oó]n|atenci[oó]n|"
        r"tiempo|respuesta|paciencia|apoyo|amabilidad)?"
        r"| (?:por|x) (?:escuchar|escucharme|leer|leerme|responder|responderme|contestar|contestarme|estar ah[ií]|"
        r"explicar|explicarme|ayudar|ayudarme)(?: (?:antes|de nuevo))?)?",
        r"(?:muy |super |s[uú]per )?[uú]til (?:la info|la informaci[oó]n|su ayuda|tu ayuda|la respuesta)|"
        r"(?:la info|la informaci[oó]n|su ayuda|tu ayuda|la respuesta) (?:fue |es |me fue |me es )?(?:muy |super |s[uú]per )?[uú]til",
        r"(?:se )?(?:lo |le |te )?agradezco(?: mucho| much[ií]simo)?|se agradece|muy amable|qu[eé] amable|"
        r"(?:me )?(?:fue|has sido|ha sido|eres) (?:de )?(?:mucha |gran |muy )?(?:ayuda|[uú]til)|muy [uú]til|"
        r"me (?:sirvi[oó]|ayud[oó])(?: mucho| bastante)?|dios (?:te|le|los) bendiga|bendiciones",
    ])),
    (GOODBYE, "|".join([
        r"(?:bye|bye bye|byebye|bye now|goodbye|good bye|buh bye|bye for now)",
        r"see (?:you|ya|u)(?: (?:later|soon|around|tomorrow|next time|then))?|later|laters|l8r|peace(?: out)?|take care"
        r"|cya|ttyl|so long|farewell|until next time|catch you later|talk (?:to you |to u )?(?:later|soon|tomorrow)",
        r"have a (?:good|nice|great|lovely|wonderful|blessed|pleasant|good rest of your) (?:day|night|evening|weekend|one|afternoon|week)",
        r"(?:i will|i'll|ill) let you go(?: now)?",
        r"good ?night|g'?nite|g'?night|nite|night night|gotta go|got to go|i have to go|i need to go now|i must go",
        r"(?:it was|this was|that was|this has been|it has been|what|that's been|it's been) (?:such )?(?:a )?"
        r"(?:nice|lovely|great|good|pleasant|fun|helpful) (?:chat|talk|conversation)",
        rf"(?:it was |it's been |it has been |this was )?(?:a pleasure|lovely|nice|great|good|fun) "
        rf"(?:{_TALKING}|to (?:talk|speak|chat)) (?:with|to) (?:you|u)",
        r"(?:i|we) (?:really )?(?:enjoyed|liked|loved) (?:our|the|this) (?:talk|chat|conversation)",
        rf"(?:i|we) (?:really )?(?:enjoyed|liked|loved) {_TALKING} (?:with|to) (?:you|u)",
        r"good (?:talk|chat)",
        r"adi[oó]s|hasta (?:luego|pronto|mañana|manana|la vista|la pr[oó]xima)|nos vemos(?: (?:luego|pronto|mañana))?|"
        r"chao|chau|bye|cu[ií]date(?: mucho)?|cu[ií]dese(?: mucho)?|descansa|descanse",
        r"que (?:tenga|tengas|tengan|pase|pases|pasen) (?:un |una )?(?:buen|buena|bonito|bonita|lindo|linda|feliz|excelente) "
        r"(?:d[ií]a|fin de semana|noche|tarde|semana)",
        r"(?:fue|ha sido|es) un (?:gusto|placer)(?: (?:hablar|platicar|charlar) (?:contigo|con usted))?|un gusto|un placer",
        r"bonita noche|linda noche|feliz noche",
    ])),
    # only an acknowledgement or a laugh ("ok", "perfecto", "lol", "jajaja"): the reply asks what else it can do
    (ACK, "|".join([
        r"ok+|okay|okey|oki|okis|kk|k|got it|gotcha|cool|alright|all right|sounds good|perfect|understood|noted|i see",
        r"lo+l|lmao+|lmfao|rofl|ha(?:ha)+h?|he(?:he)+|ja(?:ja)+j?|je(?:je)+|xd+",
        r"perfect[oa]|listo|lista|vale|entendido|entendida|de acuerdo|ya entend[ií]|sale|va pues|ah ok|oh ok|ok ok|"
        r"est[aá] bien|muy bien|bueno",
    ])),
    (GREET, "|".join([
        r"hi+|hello+|hey+|heya|heyo|hiya|howdy|yo|helo|hallo|greetings|hi there|hey there|hello there|sup|wassup|"
        r"what's up|whats up|wat up|what's new|whats new",
        r"good (?:morning|afternoon|evening|day)|morning|afternoon|evening",
        r"how (?:are|r) (?:you|u|ya|things)(?: doing| today| going| holding up| this (?:morning|afternoon|evening))?",
        r"how(?: is|'s|s| s) (?:it going|everything|your day|the day|life|your day going|it goin)",
        r"hows (?:it going|everything|your day|life)|how (?:have |'ve |ve |)(?:you|u|ya) been|how've (?:you|u) been|how (?:you|ya|u) been",
        r"how (?:you|ya|u) (?:are|doing|doin)|tell me how (?:are you|you are)|how do you do",
        r"nice to meet you|pleased to meet you|good to meet you",
        r"hola|buenas|buenos d[ií]as|buen d[ií]a|buenas tardes|buenas noches|qu[eé] tal|q tal|k tal|que onda|qu[eé] hubo|quiubo|"
        r"saludos|mucho gusto|encantad[oa]",
        r"c[oó]mo (?:est[aá]s?|est[aá]n|le va|te va|va todo|andas|anda|te encuentras|se encuentra)(?: hoy)?",
        # only saying hello ("just wanted to say hi", "nomás saludando")
        r"(?:i )?(?:just |only )?(?:saying|wanted to say|wanna say|want to say|stopping by to say|checking in to say|"
        r"popping in to say|dropping by to say|dropping in to say) (?:hi|hello|hey|hola)(?: to you| to everyone there)?",
        r"(?:nom[aá]s|nada m[aá]s|no m[aá]s|solo|s[oó]lo|solamente) (?:saludando|para saludar|(?:pasaba|paso|quer[ií]a|"
        r"quiero|vengo) (?:a |para )?saludar(?:te|le|los)?)|(?:pasaba|paso|vengo) (?:a |para )?saludar(?:te|le|los)?",
        # introducing oneself as a patient's relative or carer, nothing asked
        r"(?:i am|i'm|im|this is|soy|le escribe|te escribe|habla|les escribe) (?:the |la |el |a |an |una |un )?"
        r"(?:daughter|son|wife|husband|mom|mother|dad|father|sister|brother|caregiver|carer|granddaughter|grandson|niece|"
        r"nephew|hija|hijo|esposa|esposo|mam[aá]|pap[aá]|hermana|hermano|cuidador|cuidadora|nieta|nieto|sobrina|sobrino) "
        r"(?:of|de) (?:a |un |una |one of your |uno de sus |una de sus )?(?:patient|patients|paciente|pacientes)",
    ])),
]
# Words said before or after a formula that change nothing: "ok thanks", "thanks friend", "hola doctora".
_BEFORE = (r"(?:ok|okay|k|oh|ah|well|so|great|awesome|perfect|cool|wow|yes|yeah|yep|alright|all right|got it|"
           r"understood|sounds good|i see|nice|lovely|wonderful|excellent|vale|bueno|perfecto|listo|genial|ok ok|"
           r"ah ok|oh ok|okey|oki|entendido|ya entend[ií]|s[ií]|claro|excelente|muy bien|que bien|qu[eé] bien|and|y|but|pero)")
_AFTER = (r"(?:my friend|friend|buddy|pal|mate|there|ai|bot|assistant|dear|sir|ma'am|again|too|as well|guys|"
          r"amigo|amiga|doc|doctor|doctora|señor|señora|seño|senorita|señorita|joven|mija|mijo|also|tambi[eé]n|"
          r"a ti tambi[eé]n|to you too|you too|u too|tú tambi[eé]n|tu tambi[eé]n|now|then|for now|por ahora|"
          r"right|right now|rn|huh|verdad|cierto|ahorita|earlier|before|anyway|anyways|de antes|de todos modos)")

# POSIX matching (leftmost-longest), so "hey how's it going" is read as one formula and not as "hey" then a rest.
_COMPILED = [(kind, regex.compile(rf"(?:{pattern})(?: {_AFTER})*", flags=regex.POSIX)) for kind, pattern in _KINDS]
_BEFORE_RE = re.compile(rf"{_BEFORE} ")
# Not a social formula whatever precedes it: a farewell to everyone or forever may carry danger.
_FINAL = re.compile(r"\b(?:everyone|everybody|all of you|world|forever|for good|for ever|todos|todas|mundo|para siempre|"
                    r"de todos|de todas|last|[uú]ltim[oa])\b")
_PRIORITY = (BOT, GOODBYE, THANK, GREET, ACK)


def _clean(text: str, normalized: bool = True) -> str:
    text = normalize(text) if normalized else text.lower()
    text = re.sub(r"[^\w\s'.]", " ", text)  # punctuation and emoji out; apostrophes kept ("what's up")
    text = re.sub(r"(?<!\w)\.|\.(?!\w)", " ", text)  # sentence dots out, "a.i." kept
    return re.sub(r"\s+", " ", text).strip()


def social(text: str) -> Optional[str]:
    """The small-talk intent when the whole message is social ("thanks so much, bye!", "are you a real
    person?", "buenas noches, gracias por todo", "ok lol"): greet, thank, goodbye, bot_challenge or affirm (only an
    acknowledgement or a laugh); None otherwise."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    # Read as normalized (SMS spellings and contractions: "thx", "u", "whats up") and as written: normalization
    # reads the Spanish "ya" and "y" as the SMS "you" and "why" ("ya entendí", "y gracias").
    for rest in dict.fromkeys((_clean(text), _clean(text, normalized=False))):
        kind = _read(rest)
        if kind:
            return kind
    return None


def _read(rest: str) -> Optional[str]:
    """The small-talk kind of a cleaned message made only of social formulas; None otherwise."""
    if not rest or _FINAL.search(rest):
        return None
    found = set()
    while rest:
        before = _BEFORE_RE.match(rest)
        if before:
            rest = rest[before.end():]
            continue
        best: Optional[Tuple[str, int]] = None
        for kind, pattern in _COMPILED:
            match = pattern.match(rest)
            # a formula must end at a word boundary: "hi" is not the start of "hip"
            if match and (match.end() == len(rest) or rest[match.end()] == " ") and (best is None or match.end() > best[1]):
                best = (kind, match.end())
        if best is None or best[1] == 0:
            return None
        found.add(best[0])
        rest = rest[best[1]:].lstrip()
    return next((kind for kind in _PRIORITY if kind in found), None)


_CLAUSE = re.compile(r"[^,.!?;:\n]+[,.!?;:\n]*|[,.!?;:\n]+")
_PUNCTUATION = " \t,.!?;:\n"


def strip_social(text: str) -> str:
    """The message without the social clauses that open or close it ("buenas noches, ojalá no despertar mañana"
    -> "ojalá no despertar mañana"; "thanks for everything, i won't need the appointments after tonight" -> "i won't
    need the appointments after tonight"). The crisis detector reads this too: a greeting or thanks around a
    message must not dilute what it says. The whole text when nothing is social or everything is."""
    if not isinstance(text, str) or len(text) > 2000:
        return text
    parts = _CLAUSE.findall(text)
    start, end = 0, len(parts)
    while start < end and social(parts[start].strip(_PUNCTUATION)):
        start += 1
    while end > start and social(parts[end - 1].strip(_PUNCTUATION)):
        end -= 1
    if (start, end) == (0, len(parts)):
        return text
    core = "".join(parts[start:end]).strip(_PUNCTUATION)
    return core if core else text


# Where one thing said ends and the next begins: sentence ends, new lines, a dash or an ellipsis between words,
# and the words people use to turn to a second matter ("..., also my dad", "anyway", "btw", "además", "por cierto").
_SENTENCE = regex.compile(
    r"(?<=[.!?;…])\s+|\n+|\s+[-–—]+\s+|\.{2,}\s*"
    r"|,?\s+(?=(?:also|anyway|anyways|btw|ps|oh and|and also|además|ademas|también|tambien|por cierto|otra cosa)\b)",
    regex.IGNORECASE,
)


def sentences(text: str) -> List[str]:
    """The message's parts, each one thing said ("quick q re billing - also fyi i took 15 of my gabapentins" -> "quick
    q re billing", "also fyi i took 15 of my gabapentins"); the whole text when it is one."""
    if not isinstance(text, str) or len(text) > 2000:
        return [text]
    parts = [p.strip(_PUNCTUATION + "-–—") for p in _SENTENCE.split(text)]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else [text]


# A clause between commas is read alone only when it is this long: people write a run-on message with commas for
# periods ("buenas, a veces pienso q seria mas facil si me muriera de una vez, tienen consulta en línea?"), but
# shorter clauses are often figures of speech ("mi jefa me va a matar, deje las llaves en mi casa").
CLAUSE_MIN_WORDS = 10


def long_clauses(text: str, split: Optional[List[str]] = None) -> List[str]:
    """The clauses between commas of the message's sentences that have CLAUSE_MIN_WORDS words or more, when a
    sentence has more than one clause. `split`: the message's sentences when the caller has them already."""
    found: List[str] = []
    for sentence in sentences(text) if split is None else split:
        clauses = [c.strip(_PUNCTUATION) for c in sentence.split(",")]
        if len(clauses) > 1:
            found.extend(c for c in clauses if len(c.split()) >= CLAUSE_MIN_WORDS)
    return found

