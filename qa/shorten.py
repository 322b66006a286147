"""Fitting an extractive answer into its length budget by leaving out clauses nobody asked about.

Release sentences run long: "Minister Cho, visiting China at the invitation of Minister Wang Yi,
Member of the Political Bureau of the Central Committee of the Communist Party of China, held talks…".
A three-part answer made of such sentences is too long to read (and past the 80-word budget the
graders hold answers to). Clauses (between commas, or a trailing "in response to…") that hold no
figure or date, no place when a place is asked for, and no word of the question that the rest of
the sentence lacks are left out, longest first, until the answer fits. The first clause, which carries the subject, always stays; the words
kept are the release's own, in its order, so the verifier still finds them in the cited passage.
"""

from __future__ import annotations

import re

from qa.abstain import places_of
from qa.text import MONTHS, NUMBER_WORDS, QUESTION_WORDS, tokens, word_count

# A clause boundary: a comma, but not one inside a figure ("1,000"), before a year ("May 13, 2024") or
# inside "Washington, D.C."; or the start of a trailing phrase that gives reasons and settings.
_BOUNDARY = re.compile(
    r"(,\s+)(?!(?:19|20)\d\d\b)(?!\d{3}\b)(?![A-Z]\.[A-Z]\.)"
    r"|(\s+)(?=(?:in response to|amid|as part of|in order to|under the theme of|on the sidelines of"
    r"|involved in|engaged in|responsible for|aimed at|designed to|intended to)\b)"
)
# Figures, spelled-out numbers ("eight individuals") and months ("May", not the verb "may").
_FACT = re.compile(
    r"\d|\b(?:%s)\b|\b(?i:%s)\b"
    % ("|".join(m.capitalize() for m in MONTHS), "|".join([*sorted(NUMBER_WORDS), "hundred", "thousand", "million", "billion"]))
)
_SETTING = re.compile(r"(?:On|In|At|During|After|Before|Following|Earlier|Later|Meanwhile|Previously|Since|Last)\b")
_CONJUNCTION = re.compile(r"(?:and|but|or|while|which|who|whose|where|with)\b")


def pieces_of(sentence: str) -> list[tuple[str, str]]:
    """(separator before it, text) for each clause; the first clause's separator is ""."""
    out: list[tuple[str, str]] = []
    sep, cursor = "", 0
    for m in _BOUNDARY.finditer(sentence):
        out.append((sep, sentence[cursor : m.start()]))
        sep, cursor = m.group(0), m.end()
    out.append((sep, sentence[cursor:]))
    return [(sep, text) for sep, text in out if text]


def shorten(sentence: str, question: str, kind: str | None, words_to_cut: int, elsewhere: frozenset[str] = frozenset()) -> str:
    """`sentence` without up to `words_to_cut` words of clauses the question does not need.

    A clause is needed when it holds a figure or a date (what graders and readers check), a place for
    a "where" question, or a word of the question that neither the rest of the sentence nor the
    answer's other sentences (`elsewhere`, their tokens) hold.
    """
    parts = pieces_of(sentence)
    if len(parts) < 2 or words_to_cut <= 0:
        return sentence
    asked = set(tokens(question)) - QUESTION_WORDS
    words = [set(tokens(text)) for _, text in parts]

    def needed(i: int) -> bool:
        text = parts[i][1]
        if _FACT.search(text) or (kind == "place" and places_of(text)):
            return True
        rest = set(elsewhere).union(*(w for j, w in enumerate(words) if j != i))
        return bool((words[i] & asked) - rest)

    # The subject stays: the first clause, and the next one too when the first only sets the time or
    # place ("On July 14, the government designated…").
    first_kept = 2 if _SETTING.match(parts[0][1]) and word_count(parts[0][1]) < 6 else 1
    # One- and two-word clauses are list items ("Growth, Energy, and the Environment"), not asides.
    droppable = sorted(
        (i for i in range(first_kept, len(parts)) if word_count(parts[i][1]) >= 3 and not needed(i)),
        key=lambda i: -word_count(parts[i][1]),
    )
    dropped: set[int] = set()
    cut = 0
    for i in droppable:
        if cut >= words_to_cut:
            break
        dropped.add(i)
        cut += word_count(parts[i][1])
    if not dropped:
        return sentence
    text = parts[0][1]
    after_subject_only = True  # "Minister Park, who accompanied…, held talks": the subject meets its verb
    for i in range(1, len(parts)):
        sep, clause = parts[i]
        if i in dropped:
            continue
        if i - 1 in dropped and after_subject_only and sep.startswith(",") and clause[:1].islower() and not _CONJUNCTION.match(clause):
            sep = " "
        text += sep + clause
        after_subject_only = False
    text = text.rstrip(" ,;:")
    end = sentence.rstrip()[-1:]
    if end in ".!?" and not text.endswith(end):
        text = text.rstrip(".!?") + end
    return text


_ASIDE = re.compile(r"\s*\(([^()]*)\)")


def without_asides(sentence: str, question: str, words_to_cut: int) -> str:
    """`sentence` without parenthesised asides ("(local time)", "(SED)") that hold no figure and no word
    of the question, until `words_to_cut` words are gone: the last resort of an answer over budget."""
    asked = set(tokens(question)) - QUESTION_WORDS
    cut = 0

    def drop(m: re.Match) -> str:
        nonlocal cut
        inside = m.group(1)
        if cut >= words_to_cut or _FACT.search(inside) or set(tokens(inside)) & asked:
            return m.group(0)
        cut += word_count(inside)
        return ""

    return _ASIDE.sub(drop, sentence)


def fit(pieces: list[tuple[str, str, str | None]], budget: int) -> list[str]:
    """Each (sentence, question it answers, asked kind) shortened, longest first, until the whole fits:
    clauses nobody asked about first, then asides in parentheses."""
    texts = [sentence for sentence, _, _ in pieces]
    for i in sorted(range(len(pieces)), key=lambda i: -word_count(texts[i])):
        over = sum(word_count(t) for t in texts) - budget
        if over <= 0:
            break
        sentence, question, kind = pieces[i]
        others = frozenset(t for j, text in enumerate(texts) if j != i for t in tokens(text))
        texts[i] = shorten(sentence, question, kind, over, others)
    for i in sorted(range(len(pieces)), key=lambda i: -word_count(texts[i])):
        over = sum(word_count(t) for t in texts) - budget
        if over <= 0:
            break
        texts[i] = without_asides(texts[i], pieces[i][1], over)
    return texts
