"""What a sentence holds of what the question asks for, across English and Korean: the asked kind of
fact (a date, a count, a name, a place), and whether it reports an event or only announces it."""

from __future__ import annotations

import re

from ingest.analysis import has_hangul, korean_places
from qa.abstain import ASKS_LENGTH, places_of
from qa.facts import without_days
from qa.text import MONTHS, NUMBER_WORDS, tokens

_DATE_IN_TEXT = re.compile(
    r"\b(?:%s)\b|\b(?:19|20)\d\d\b|\d+\s*월|\d+\s*일|\d{4}\s*년" % "|".join(MONTHS), re.IGNORECASE
)
_NUMBER = re.compile(r"\d[\d,.]*")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+")
_FULL_DATE = re.compile(r"\b(?:%s)\s+\d{1,2}\b|\d+\s*월\s*\d+\s*일" % "|".join(MONTHS), re.IGNORECASE)
_DESIGNATION = re.compile(r"\b[A-Za-z]+-?\d+\b")
_LENGTH = re.compile(
    r"\b(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|half an?)\s+(?:and a half\s+)?(?:minutes?|hours?)\b"
    r"|\d+\s*(?:분|시간)(?:간|여|가량|동안)?",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:USD|US\$|\$|KRW|EUR|€|₩)\s?\d|\d[\d,.]*\s*(?:million|billion|trillion)?\s*(?:dollars|won|euros)\b|\d[\d,.]*\s*(?:만|억|조)?\s*(?:달러|원|유로)",
    re.IGNORECASE,
)
_MONEY_TOPIC = re.compile(
    r"\b(?:aid|assistance|budget|fund(?:s|ing)?|pledge[ds]?|contribut\w*|donat\w*|grants?|loans?|package|money|cost|spend\w*)\b"
    r"|지원|예산|기여|공여|기부|출연|자금|금액",
    re.IGNORECASE,
)
_NUMBER_PHRASE = re.compile(r"(\d[\d,.]*)\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)")


# "Why did the ministry act so quickly?" is answered by a sentence that gives a reason.
_ASKS_WHY = re.compile(r"\bwhy\b|\bfor what reasons?\b|\bwhat (?:was|were) the reasons?\b|왜|이유", re.IGNORECASE)
_REASON = re.compile(
    # Not "since" ("the first visit since 2017") nor 따라 ("according to"): mostly not a reason.
    r"\b(?:because|due to|owing to|given (?:that|the)|in order to|so that|as a result of|in light of|reasons?)\b"
    r"|때문|위해|이유|감안",
    re.IGNORECASE,
)


def kind_cue(sentence: str, kind: str | None, question: str) -> float:
    """How well the sentence holds the kind of fact asked for: 1 strong, 0.5 weak, 0 none."""
    if kind == "date":
        if _FULL_DATE.search(sentence):
            return 1.0
        return 0.5 if _DATE_IN_TEXT.search(sentence) else 0.0
    if kind == "number":
        # A designation's digits ("KC-330", "Hwasong-18", "COP28") name a thing; they count nothing.
        sentence = _DESIGNATION.sub(" ", without_days(sentence))
        asked = set(_NUMBER.findall(question))
        q_tokens = set(tokens(question))
        best = 0.0
        # Korean counts the thing asked with a counter after 몇: "몇 명" is answered by "118명".
        for unit in re.findall(r"몇\s*([\uac00-\ud7a3]{1,2})", question):
            if re.search(r"\d[\d,.]*\s*" + unit[0], sentence):
                return 1.0
            if counted_in_english(unit, sentence):
                return 1.0
        # "How long did they talk?" is answered by a length of time: "about 55 minutes", "약 20분간".
        if ASKS_LENGTH.search(question) and _LENGTH.search(sentence):
            return 1.0
        # Asked the size of aid, a budget or a pledge: a sum of money is the figure, whatever words follow it.
        if _MONEY_TOPIC.search(question) and _AMOUNT.search(sentence):
            return 1.0
        for number, following in _NUMBER_PHRASE.findall(sentence):
            if number in asked:
                continue
            # "180 votes", "16 institutions": a new number counting what the question asks about.
            best = max(best, 1.0 if set(tokens(following)) & q_tokens else 0.5)
        if not best and any(n not in asked for n in _NUMBER.findall(sentence)):
            best = 0.5
        return best
    if kind == "name":
        return 1.0 if any(name not in question for name in _NAME.findall(sentence)) else 0.0
    if kind is None and _ASKS_WHY.search(question):
        return 1.0 if _REASON.search(sentence) else 0.0
    if kind == "place":
        if has_hangul(sentence):
            return 1.0 if any(place not in question for place in korean_places(sentence)) else 0.0
        asked = set(places_of(question))
        return 1.0 if any(place not in asked for place in places_of(sentence)) else 0.0
    return 0.0


# What a Korean counter after 몇 counts, as an English release words it: "몇 표" is answered by "180 votes",
# "몇 개국" by "six countries". A closed class of the language, not a list of topics.
_COUNTER_NOUNS = {
    "명": "people persons individuals nationals citizens members officials staff personnel participants delegates",
    "표": "votes",
    "개국": "countries nations states",
    "곳": "institutions entities organizations organisations places sites locations companies",
    "개월": "months",
    "년": "years",
    "일": "days",
    "주": "weeks",
    "시간": "hours",
    "번": "times rounds",
    "회": "times rounds sessions",
    "차례": "times rounds",
    "건": "cases projects agreements",
    "대": "aircraft vehicles planes units",
    "척": "ships vessels",
    "톤": "tons tonnes",
    "달러": "dollars usd",
    "원": "won krw",
}
_COUNTERS_LONGEST_FIRST = sorted(_COUNTER_NOUNS, key=len, reverse=True)  # "개국" before "개"
_COUNT_WORD = r"(?:\d[\d,.]*|%s)" % "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))


def counted_in_english(counter: str, sentence: str) -> bool:
    """Whether an English sentence gives a count of what the Korean counter (the syllables after 몇) counts."""
    key = next((k for k in _COUNTERS_LONGEST_FIRST if counter.startswith(k)), None)
    if key is None:
        return False
    nouns = "|".join(_COUNTER_NOUNS[key].split())
    if key in ("달러", "원"):  # an amount: the unit may come first ("USD 3 million")
        return bool(re.search(rf"\b(?:{nouns})\s*{_COUNT_WORD}|{_COUNT_WORD}\s*(?:\w+\s+)?(?:{nouns})\b|\$\s*\d", sentence, re.IGNORECASE))
    return bool(re.search(rf"\b{_COUNT_WORD}\s+(?:[\w'’-]+\s+){{0,2}}(?:{nouns})\b", sentence, re.IGNORECASE))


# "What did the summit agree on?" asks what happened; "the summit is scheduled to be held later this
# month" only says it will happen: the release came out before the event.
_ASKS_OUTCOME = re.compile(
    r"\bwhat (?:did|was|were)\b.*\b(?:agree|agreed|discuss|discussed|say|said|decide|decided|adopt|adopted|sign|signed"
    r"|conclude|concluded|announce|announced|reply|replied|result)\b",
    re.IGNORECASE,
)
_NOT_YET = re.compile(
    r"\b(?:is|are|was|were) (?:scheduled|expected|set|due|slated) to\b|\bwill (?:attend|hold|visit|be held|take place|meet)\b"
    r"|\bto be held\b|\bplans to\b",
    re.IGNORECASE,
)


def announces_only(sentence: str) -> bool:
    """The sentence says the event is still to come: "is scheduled to be held later this month"."""
    return bool(_NOT_YET.search(sentence))


def asks_outcome(question: str) -> bool:
    """"What did they agree on?" asks what happened, unlike "What was the meeting set to discuss?"."""
    return bool(_ASKS_OUTCOME.search(question)) and not _NOT_YET.search(question) and not re.search(
        r"\b(?:set|scheduled|expected|due|planned|slated) to\b|\bwill\b|\bplan", question, re.IGNORECASE
    )


# What a release says an event produced or what someone said there: the reporting verbs of an outcome.
_TELLS_OUTCOME = re.compile(
    r"\b(?:agree[ds]?|agreeing|said|say|says|stress(?:ed|es)?|emphasi[sz]ed|note[ds]?|noting|express(?:ed|es)|discuss(?:ed|es)?"
    r"|decide[ds]?|adopt(?:ed|s)?|sign(?:ed|s)?|conclude[ds]?|announce[ds]?|repl(?:ied|ies)|urge[ds]?|call(?:ed|s)? (?:for|on)"
    r"|welcome[ds]?|share[ds]?|reaffirm(?:ed|s)?|exchange[ds]?|explain(?:ed|s)?|ask(?:ed|s)?|propos(?:ed|es)|request(?:ed|s)?"
    r"|highlight(?:ed|s)?|underscor(?:ed|es)|vow(?:ed|s)?|pledge[ds]?|commit(?:ted|s)?|confirm(?:ed|s)?|recogni[sz]ed|appreciat(?:ed|es)"
    r"|hope[ds]?|look(?:ed|s)? forward|assess(?:ed|es)?|review(?:ed|s)?|condemn(?:ed|s)?|protest(?:ed|s)?|demand(?:ed|s)?"
    r"|accord|agreement|outcome|result(?:ed|s)?)\b"
    r"|합의|강조|밝혔|밝히|언급|논의|표명|요청|평가|공유|설명|제안|당부|촉구|환영|확인|재확인|서명|채택|발표|결정|협의|의견을 교환",
    re.IGNORECASE,
)


def tells_outcome(sentence: str) -> bool:
    """The sentence reports what was agreed, said or decided, not only that the event took place."""
    return bool(_TELLS_OUTCOME.search(sentence))
