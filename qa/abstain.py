"""Declining honestly: the messages, and whether the answer states what the question asks for.

A question asks for a slot: a date for "when", a number for "how many", a person or place for
"who"/"where". An answer whose cited sentences hold no value of that kind does not answer it, however
close in topic its passage is; such an answer becomes a decline. Used by every answerer (through the
verify stage) and by the extractive answerer's own confidence.
"""

from __future__ import annotations

import re

from qa.facts import facts_of, names_of, without_days
from qa.models import Answer
from qa.text import MONTHS, NUMBER_WORDS, normalize

ABSTAIN_EN = "The press releases I have don't say. Nothing I found answers this closely enough."
ABSTAIN_KO = "보유한 보도자료에는 이 질문에 답하는 내용이 없습니다."
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


ACTION_EN = "I can't answer that from the press releases: I answer questions about them, and can't carry out tasks such as bookings or orders."
ACTION_KO = "보도자료로는 답할 수 없습니다. 보도자료에 관한 질문에 답할 뿐, 예약이나 주문 같은 일은 할 수 없습니다."


def abstain_message(question: str, language: str | None = None) -> str:
    language = language or ("ko" if _HANGUL.search(question) else "en")
    if asks_for_action(question):
        return ACTION_KO if language == "ko" else ACTION_EN
    return ABSTAIN_KO if language == "ko" else ABSTAIN_EN


# Asking the assistant to do something in the world ("Can you book me a flight to Tokyo?", "항공권 예약해
# 줘"), not to say what a release says: the releases may mention Tokyo, yet nothing in them answers.
_ACTION_VERBS = (
    r"book|reserve|buy|order|purchase|pay|call|phone|text|schedule|remind|install|download|delete|cancel"
    r"|subscribe|register|transfer|deliver|print|email|e-mail"
)
_ASKS_ACTION = re.compile(
    rf"^\s*(?:(?:can|could|would|will) you\s+(?:please\s+)?|please\s+)?(?:{_ACTION_VERBS})\b(?:\s+(?:me|us|a|an|my|our|some)\b)",
    re.IGNORECASE,
)
_ASKS_ACTION_KO = re.compile(r"(?:예약|예매|주문|구매|결제|송금|전화|설치|삭제|취소|구독|인쇄|배달)(?:을|를)?\s*(?:해|하여)\s*(?:줘|줄래|주세요|주실|주시겠)")


def asks_for_action(question: str) -> bool:
    """Whether the question asks the assistant to do something (book, order, call…) rather than to tell."""
    return bool(_ASKS_ACTION.search(question) or _ASKS_ACTION_KO.search(question))


# "when" asks for a date when a verb or "and where" follows it, or it ends the question ("…, and when?");
# "when he met", "when meeting", "when it joined" only set the scene for another question word.
_ASKS_WHEN = (
    r"\bwhen\b(?=\s+(?:did|does|do|had|has|have|was|were|is|are|will|would|could|can|should|and)\b|\s*[?.]|\s*$)"
)


# "Which Japanese embassy official", "which two Mexican foreign secretaries": a person or a country.
_WHICH_PERSON = (
    r"\bwhich (?:[\w'’-]+ ){0,3}?(?:officials?|ministers?|secretar(?:y|ies)|diplomats?|envoys?|ambassadors?"
    r"|leaders?|counterparts?|persons?|people|individuals?|countr(?:y|ies)|nations?"
    r"|compan(?:y|ies)|firms?|organi[sz]ations?|agenc(?:y|ies)|institutions?|universit(?:y|ies))\b"
)


_CHOOSES_BY_TIME = re.compile(r"\bwhich\b[^?]*\b(?:earlier|later|sooner|first|more recent(?:ly)?)\b[^?]*\bor\b")


def chooses_by_time(question: str) -> bool:
    """"Which was released later: A or B?", "Which happened first, A or B?"."""
    return bool(_CHOOSES_BY_TIME.search(normalize(question)))


# "How long did they talk?" is answered by a length of time (qa.cues).
ASKS_LENGTH = re.compile(
    r"\bhow long\b(?!\s+(?:after|before|ago|since|ahead|following|prior))|얼마\s*(?:나|동안)\s*(?:오래|길게|걸|진행)|몇\s*(?:분|시간)"
    # "Which ran longer, the one in Tokyo or the one in New York?": each one's length.
    r"|(?<!no )\b(?:longer|shorter)\b(?![-\s]term)(?!\s+than\s+(?:expected|planned|scheduled))|더\s*(?:길|짧|오래)",
    re.IGNORECASE,
)


def expected_kind(question: str) -> str | None:
    """The kind of value the question asks for: "date", "number", "name", "place", or None (anything)."""
    q = normalize(question)
    if re.search(_ASKS_WHEN + r"|(?:what|which) (?:(?:is|was|were) the )?(?:date|day|year|month)|언제|며칠|몇 년|날짜", q):
        return "date"
    if _CHOOSES_BY_TIME.search(q):  # "Which was released later: A or B?" is answered by the two dates
        return "date"
    # "How often", "얼마 주기로", "얼마나 자주" ask a frequency, which a release words without a number
    # ("every six months", "반기마다").
    if re.search(r"\bhow often\b|얼마\s*(?:나\s*)?(?:주기|자주|마다)", q):
        return None
    if re.search(r"how (?:many|much|large|big|long)|what (?:number|amount|percentage)|\bthe (?:number|amount) of\b|몇|얼마", q):
        return "number"
    # Compared in size ("compare in size with", "differ in scale", "bigger or smaller than"): the figures.
    if ASKS_LENGTH.search(q) or re.search(r"\b(?:in|of) (?:size|scale)\b|\b(?:bigger|larger|smaller|more|fewer|less) or (?:bigger|larger|smaller|more|fewer|less)\b|규모", q):
        return "number"
    if re.search(r"\bwho\b|\bwhom\b|" + _WHICH_PERSON + r"|누구|누가", q):
        return "name"
    # "도와준 나라는 어디인가요?" asks which country acted, as "Which country…?" does: no place slot.
    if re.search(r"\bwhere\b|which (?:city|cities|venue)|in what city|(?<!나라는 )(?<!나라가 )(?<!국가는 )(?<!국가가 )(?<!기관은 )(?<!기관이 )어디", q):
        return "place"
    return None


# "…, and how long did they talk?", "… 언제 열렸고, 몇 개국이 참가했나요?": a clause of its own asking another slot.
_NEXT_CLAUSE = re.compile(
    r",?\s+and\s+(?=(?:when|where|who|whom|what|which|how|on what|in what|at what)\b)|(?<=[고며])\s*,?\s+(?=\S*\s*(?:몇|언제|누가|누구|어디|얼마))",
    re.IGNORECASE,
)


def asked_slots(question: str) -> list[tuple[str, str]]:
    """Each clause of a question that asks things in turn, with the slot it asks: [(clause, kind)];
    clauses asking no slot are left out."""
    out = []
    for clause in _NEXT_CLAUSE.split(question):
        kind = expected_kind(clause)
        if kind is not None and clause.strip():
            out.append((clause.strip(), kind))
    return out


_PLACE = re.compile(r"\b(?:in|at|to|from)\s+(?:the\s+)?((?:[A-Z][\w’'.-]*)(?:\s+(?:[A-Z][\w’'.-]*|of|de))*)")


_NOT_PLACES = frozenset([*MONTHS, *"monday tuesday wednesday thursday friday saturday sunday the".split()])


def places_of(text: str) -> list[str]:
    """Capitalised names after "in", "at", "to", "from": "in Busan", "at the Diaoyutai State Guesthouse"."""
    found = (m.group(1).rstrip(".").lower() for m in _PLACE.finditer(text))
    return [place for place in found if place.split()[0] not in _NOT_PLACES]


# A count in words, as releases give it: "more than a dozen specialists", "hundreds of people".
_ROUGH_COUNT = re.compile(r"\b(?:a dozen|dozens|hundreds|thousands|millions)\b", re.IGNORECASE)


def holds_slot(sentence: str, kind: str | None, question: str) -> bool:
    """Whether `sentence` holds a value of the asked kind that the question did not itself give."""
    if kind is None:
        return True
    asked = facts_of(question)
    found = facts_of(sentence) - asked
    if kind == "date":
        # Something new, in a sentence that names a month or year ("around February 3" when the
        # question already said "February 2023": the day is the answer).
        return bool(found) and any(f.startswith(("m", "y")) for f in facts_of(sentence))
    if kind == "number":
        counts = facts_of(without_days(sentence)) - asked
        found = any(f.startswith("n") or f.startswith("y") for f in counts) or bool(_ROUGH_COUNT.search(sentence))
        counted = _counted_noun(question)
        if found and counted in _PEOPLE and not _HANGUL.search(sentence):
            # "How many people were on the team?" is not answered by "USD 2 million": the count must count them.
            return _counts(sentence, counted)
        return found
    if kind == "place":
        if _HANGUL.search(sentence):
            return True
        return bool(_new_names(places_of(sentence), places_of(question)))
    if kind == "name":
        if _HANGUL.search(sentence):
            return True  # Korean names aren't capitalised: no cheap test, so no verdict
        return bool(_new_names(names_of(sentence), names_of(question)))
    return True


_HOW_MANY_NOUN = re.compile(
    r"\bhow many\s+(?:[\w'’-]+\s+){0,3}?([a-z][\w'’-]*?)(?=\s+(?:did|do|does|were|was|are|is|have|has|had|will|would|could|can"
    r"|in|on|at|from|of|for|with|to|took|take|attended|died|signed|joined|came|went)\b|\s*[?,]|\s*$)",
    re.IGNORECASE,
)
# Words that count people: a question's "people" is answered by "163 Korean nationals" or "118 personnel".
_PEOPLE = frozenset(
    """people persons individuals nationals citizens members officials staff personnel participants delegates
    koreans experts specialists rescuers workers troops soldiers visitors refugees students residents victims
    passengers diplomats representatives leaders ministers""".split()
)
# Counts spelled out ("eight North Korean individuals"), "one" and "zero" aside ("one of the", "one another").
_SPELLED = "|".join(sorted(NUMBER_WORDS - {"zero", "one"}, key=len, reverse=True))


def _counted_noun(question: str) -> str | None:
    m = _HOW_MANY_NOUN.search(question)
    return m.group(1).lower() if m else None


def _counts(sentence: str, noun: str) -> bool:
    """Whether the sentence gives a count of `noun` (or, for people, of any word that counts people)."""
    stem = noun[:-1] if noun.endswith("s") else noun
    # A lookahead, so that one count's words may hold the next count: "15 individuals and 16 institutions".
    for m in re.finditer(rf"(?:\b\d[\d,.]*|\b(?:{_SPELLED}))\s+(?=((?:[\w'’-]+\s+){{0,3}}[\w'’-]+))", sentence, re.IGNORECASE):
        for word in m.group(1).lower().split():
            if word.startswith(stem) or (noun in _PEOPLE and word in _PEOPLE):
                return True
    return False


def _new_names(found: list[str], asked: list[str]) -> list[str]:
    """The names in `found` the question did not give, a name inside a longer one it gave counting as
    given ("solidarity transport hub" in "poland's solidarity transport hub")."""
    return [name for name in found if not any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", a) for a in asked)]


def decline(answer: Answer, language: str | None = None) -> Answer:
    """`answer` turned into a decline, keeping what was retrieved and who answered."""
    return Answer(
        question=answer.question,
        answer=abstain_message(answer.question, language),
        abstained=True,
        citations=[],
        retrieved=answer.retrieved,
        confidence=answer.confidence,
        timings_ms=answer.timings_ms,
        answerer=answer.answerer,
        plan=answer.plan,
    )
