"""The strict answer grader: a correct answer states the gold answer's key facts, concisely.

For an answerable question an answer is correct when it
- does not abstain (neither the system's flag nor the text says "the releases don't say"),
- states every number, date and amount of the gold answer (normalised, see evals/normalize.py),
- names every person, place and organisation of the gold answer, in English or Korean (evals/aliases.tsv),
- recalls at least half of the gold answer's key words that the question did not already hold,
- says something the question did not (an echo of the question is not an answer),
- fits the length budget: 80 words, or 400 characters for a Korean answer.
Every number, date and amount of the gold is required, in parentheses too; names and key words
are required only outside parentheses (there they are context).
For an unanswerable question only an abstention is correct, and the text must say so: a flag
alone, on an answer that asserts something, is not an abstention.
Gold answers may come in two forms (`answer`, `answer_ko`); meeting either one is enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evals.normalize import (
    STOPWORDS,
    WORD_NUMBERS,
    Date,
    Facts,
    facts_of,
    fold,
    is_korean,
    keywords,
    length_ok,
    without_parentheses,
    word_tokens,
)

KEYWORD_RECALL_CORRECT = 0.5
MAX_WORDS = 80
MAX_KOREAN_CHARS = 400
ALIASES = Path(__file__).with_name("aliases.tsv")

_MARKER = re.compile(r"\s*\[\d+\]")
_ABSTAIN = re.compile(
    r"\b(?:do(?:es)?n[o'’]?t (?:say|state|mention|contain|cover|include|specify|provide)|"
    r"do(?:es)? not (?:say|state|mention|contain|cover|include|specify|provide)|"
    r"(?:no|not enough) (?:information|details?|mention|record)|not (?:mentioned|stated|specified|covered|found)|"
    r"(?:can ?not|can'?t|unable to) (?:answer|find|determine|say)|i (?:do not|don'?t) know|"
    r"nothing (?:i found|in the (?:press )?releases))\b"
    r"|(?:내용이|정보가|언급이|자료가|답이)\s*없|알 수 없|찾을 수 없|답할 수 없|나와 있지 않|언급(?:되어|하고) 있지 않|포함되어 있지 않|모르겠",
    re.IGNORECASE,
)

# Capitalised words that are roles, titles or sentence openers, not names.
GENERIC = frozenset(
    """minister ministers vice foreign affairs secretary secretaries president deputy director general
    ambassador ambassadors prime chief head office ministry department government committee national
    international special senior official officials meeting meetings summit conference dialogue
    republic state states about around approximately nearly over under some every first second third
    new joint center centre council forum statement strategy strategic partnership plan program programme
    agreement memorandum initiative framework fund funds air force army navy people's peoples
    mr ms dr his her their its after before during since until on in at both either neither
    usd krw eur jpy won dollars""".split()
) | STOPWORDS
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_MONTH_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def says_it_abstains(text: str) -> bool:
    """The grader's own reading of the text: does it decline to answer?"""
    return bool(_ABSTAIN.search(strip_markers(text)))


# -- aliases ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def alias_groups(path: Path = ALIASES) -> dict[str, frozenset[str]]:
    """Folded form -> every form of the same name (a line of the file is one group; shared forms join groups)."""
    groups: dict[str, set[str]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        forms = {fold(f.strip()) for f in line.split("\t") if f.strip()}
        merged = set(forms)
        for form in forms:
            merged |= groups.get(form, set())
        for form in merged:
            groups[form] = merged
    return {form: frozenset(group) for form, group in groups.items()}


def _form_in(form: str, folded_answer: str, answer_words: set[str]) -> bool:
    if re.search(r"[\uac00-\ud7a3]", form):
        return form in folded_answer
    words = re.findall(r"[a-z0-9]+", form)
    if not words:
        return False
    # Word by word in order, so "park jin" is not found in "jin park" or in "parking".
    pattern = r"\b" + r"[^a-z0-9]+".join(map(re.escape, words)) + r"\b"
    return bool(re.search(pattern, folded_answer))


def _group_present(forms: frozenset[str], folded_answer: str, answer_words: set[str]) -> bool:
    return any(_form_in(form, folded_answer, answer_words) for form in forms)


# -- names ------------------------------------------------------------------------------------


def english_names(text: str) -> list[tuple[str, ...]]:
    """Runs of capitalised words, minus titles and openers: ("Park", "Jin"), ("Tokyo",), ("ASEAN",)."""
    names: list[tuple[str, ...]] = []
    run: list[str] = []
    run_opens = False  # the run began a clause: "Establishing a …", "Appointed …" are not names
    opening = True
    groups = alias_groups()

    def close() -> None:
        if run and not (run_opens and len(run) == 1 and not run[0].isupper() and fold(run[0]) not in groups):
            names.append(tuple(run))

    for word in re.findall(r"[^\W\d_][\w'’.&-]*|\S", text):
        clean = word.rstrip(".,;:'’").removesuffix("'s").removesuffix("’s")
        capital = clean[:1].isupper()
        folded = fold(clean)
        if capital and folded not in GENERIC and folded not in _MONTH_WORDS and folded not in _WEEKDAYS and folded not in WORD_NUMBERS:
            if not run:
                run_opens = opening
            run.append(clean)
        else:
            close()
            run = []
        opening = word in (".", ";", ":", "—", "(", '"', "“") or (opening and not word[:1].isalnum())
    close()
    return names


def _name_missing(name: tuple[str, ...], folded_answer: str, answer_words: set[str]) -> bool:
    """True when some part of the name is absent; parts may match an alias (박진 for Park Jin)."""
    groups = alias_groups()
    tokens = [fold(t) for t in name]
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):  # the longest span with an alias first
            phrase = " ".join(tokens[i:j])
            if phrase in groups:
                if not _group_present(groups[phrase], folded_answer, answer_words):
                    return True
                i = j
                break
        else:
            words = re.findall(r"[a-z0-9]+", tokens[i])
            if not words or not all(w in answer_words for w in words):
                return True
            i += 1
    return False


def korean_names(text: str) -> list[frozenset[str]]:
    """Alias groups whose Korean form the (Korean) gold text uses."""
    folded = fold(text)
    found: dict[frozenset[str], None] = {}
    for form, group in alias_groups().items():
        if re.search(r"[\uac00-\ud7a3]", form) and form in folded:
            found[group] = None
    return list(found)


# -- facts ------------------------------------------------------------------------------------


def _date_stated(gold: Date, answer: Facts, context_years: set[int]) -> bool:
    for d in answer.dates:
        if gold.month and d.month != gold.month:
            continue
        if gold.day and d.day != gold.day:
            continue
        if not gold.month and not gold.day:
            if d.year == gold.year:
                return True
            continue
        if gold.year is None or d.year == gold.year:
            return True
        # "on June 13" without a year: right when the answer states that year elsewhere, or states no
        # year at all and the question or the date of a cited release (shown with the answer) gives it.
        if d.year is None and (gold.year in answer.years or (not answer.years and gold.year in context_years)):
            return True
    if not gold.month and gold.year in answer.years:
        return True
    return False


def missing_facts(gold: Facts, answer: Facts, question: Facts, cited_years: frozenset[int] = frozenset()) -> list[str]:
    missing: list[str] = []
    answer_numbers = answer.all_numbers()
    for number in sorted(gold.numbers):
        if number not in answer_numbers:
            missing.append(f"number {number}")
    for date in sorted(gold.dates, key=str):
        if not _date_stated(date, answer, question.years | set(cited_years)):
            missing.append(f"date {date}")
    for currency, value in sorted(gold.amounts):
        if (currency, value) not in answer.amounts:
            missing.append(f"amount {currency} {value}")
    return missing


# -- the verdict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormCheck:
    """One gold form against the answer."""

    missing_facts: tuple[str, ...]
    missing_names: tuple[str, ...]
    keyword_recall: float | None  # None: the answer is in the other language, key words not comparable

    @property
    def passed(self) -> bool:
        keywords_ok = self.keyword_recall is None or self.keyword_recall >= KEYWORD_RECALL_CORRECT
        return not self.missing_facts and not self.missing_names and keywords_ok


@dataclass(frozen=True)
class Verdict:
    correct: bool
    abstained: bool  # the grader's reading: the system's flag or the text
    text_abstains: bool
    within_budget: bool
    size: int  # words, or characters for a Korean answer
    echo: bool
    keyword_recall: float  # the best form's; 0 when abstained or not comparable
    missing: tuple[str, ...]  # the best form's missing facts and names
    reason: str


def check_form(gold: str, question: str, answer: str, cited_years: frozenset[int] = frozenset()) -> FormCheck:
    required = without_parentheses(gold)
    answer_facts = facts_of(answer)
    # Every number, date and amount is required, in parentheses too; names and key words only outside them.
    missing = missing_facts(facts_of(gold), answer_facts, facts_of(question), cited_years)
    folded_answer = fold(answer)
    answer_words = word_tokens(answer)
    names = [" ".join(n) for n in english_names(required) if _name_missing(n, folded_answer, answer_words)]
    names += [
        sorted(group)[0] for group in korean_names(required) if not _group_present(group, folded_answer, answer_words)
    ]
    recall: float | None = None
    if is_korean(required) == is_korean(answer) or unchecked_words(required, question):
        # Across the languages the facts and names stand in for the key words only when they are all
        # the gold holds: "중국 내 탈북민이 강제북송되지 않도록 요청" names China and says more, and an
        # English answer that names China is not thereby right.
        recall = keyword_recall(required, question, answer)
    return FormCheck(tuple(missing), tuple(names), recall)


def unchecked_words(gold: str, question: str) -> set[str]:
    """The gold's key words, beyond the question's, that are neither a fact nor part of a name or title
    the grader can match in the other language (capitalised English words: names and their titles, as
    "Foreign Minister Park Jin"; a Korean form in evals/aliases.tsv)."""
    named = " ".join(re.findall(r"\b[A-Z][\w'’.&-]*", gold))
    folded = fold(gold)
    named += " " + " ".join(form for group in korean_names(gold) for form in group if form in folded)
    # A Korean counter written onto its number ("192개국", "15명") belongs to the fact.
    counted = re.sub(r"\d[\d,.]*\s*[\uac00-\ud7a3]+", " ", gold)
    return keywords(counted) - keywords(question) - keywords(named)


def keyword_recall(gold: str, question: str, answer: str) -> float:
    """Share of the gold's key words found in the answer, leaving out those the question already holds."""
    gold_words = keywords(gold)
    novel = gold_words - keywords(question) or gold_words
    if not novel:
        return 1.0
    return len(novel & keywords(answer)) / len(novel)


def is_echo(question: str, answer: str) -> bool:
    """Nothing in the answer that the question did not already say."""
    new_words = keywords(answer) - keywords(question)
    answer_facts = facts_of(answer)
    new_facts = answer_facts.all_numbers() - facts_of(question).all_numbers()
    new_dates = {str(d) for d in answer_facts.dates} - {str(d) for d in facts_of(question).dates}
    return not new_words and not new_facts and not new_dates


def grade_text(
    question: str,
    gold_forms: list[str],
    answer: str,
    *,
    answerable: bool,
    system_abstained: bool,
    cited_years: frozenset[int] = frozenset(),
) -> Verdict:
    """`cited_years`: the years of the releases the answer cites, which the reader sees beside it."""
    text = strip_markers(answer)
    text_abstains = says_it_abstains(text)
    within, size = length_ok(text, words=MAX_WORDS, korean_chars=MAX_KOREAN_CHARS)
    if not answerable:
        reason = "abstained" if text_abstains else "answered an unanswerable question"
        if system_abstained and not text_abstains:
            reason = "flagged as abstention but the text asserts an answer"
        return Verdict(text_abstains, system_abstained or text_abstains, text_abstains, within, size, False, 0.0, (), reason)
    abstained = system_abstained or text_abstains
    echo = is_echo(question, text)
    checks = [check_form(form, question, text, cited_years) for form in gold_forms if form.strip()]
    best = max(
        checks,
        key=lambda c: (c.passed, -len(c.missing_facts) - len(c.missing_names), c.keyword_recall or 0.0),
        default=None,
    )
    passed = best is not None and best.passed
    correct = passed and not abstained and within and not echo
    if abstained:
        reason = "abstained on an answerable question"
    elif not within:
        reason = f"too long ({size})"
    elif echo:
        reason = "echoes the question"
    elif best is None:
        reason = "no gold answer"
    elif not passed:
        reason = "missing " + ", ".join([*best.missing_facts, *best.missing_names]) if (
            best.missing_facts or best.missing_names
        ) else f"key-word recall {best.keyword_recall or 0:.2f} < {KEYWORD_RECALL_CORRECT}"
    else:
        reason = "correct"
    recall = 0.0 if abstained or best is None else (best.keyword_recall or 0.0)
    missing = () if best is None else (*best.missing_facts, *best.missing_names)
    return Verdict(correct, abstained, text_abstains, within, size, echo, recall, tuple(missing), reason)
