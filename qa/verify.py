"""The verify stage: every `[n]` must be backed by passage n, for every answerer.

For each answer sentence and each passage it cites: the sentence's numbers and dates (qa.facts,
the same across English and Korean) must appear in that passage, its names too when both are in
the same language, and it must be close to a sentence of the passage, in words or in meaning.
Unsupported markers are removed; a sentence left with no supported marker is dropped; nothing
left means a decline. An answer that no longer holds the kind of value asked for (a date for
"when"…) declines too. Each kept citation carries the span of the passage that supports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ingest.sentences import split_sentences
from qa.abstain import asks_for_action, decline, expected_kind, holds_slot
from qa.citations import markers
from qa.facts import facts_of, facts_of_date, names_of
from qa.models import Answer, Citation, ScoredPassage
from qa.text import normalize, tokens

_MARKER = re.compile(r"\s*\[(\d+)\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+\])+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class VerifyConfig:
    min_overlap: float = 0.5  # share of the sentence's content words found in the supporting passage sentence
    min_similarity: float = 0.55  # or: embedding cosine with it (catches paraphrase and translation)
    # …lower when the sentence's own numbers and dates were all found in the passage: a short Korean
    # sentence about an English passage ("한국은 180표를 얻었습니다") scores ~0.45 with its source.
    min_similarity_with_facts: float = 0.4
    check_slot: bool = True  # decline when no kept sentence holds the kind of value asked for


@dataclass
class Support:
    """How passage n supports one answer sentence."""

    ok: bool
    span: tuple[int, int] | None = None
    reasons: list[str] = field(default_factory=list)


_MARKERS_THEN_CAPITAL = re.compile(r"((?:\[\d+\]\s*)*\[\d+\])\s+(?=[A-Z\u25b2\u203b])")


def answer_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, its marker numbers).

    Markers written after the full stop ("… in 1989. [1]") stay with the sentence before them, unless
    the answer puts its markers first ("[1] … in 1989.", as small models often do): then a marker at
    a sentence's start is its own.
    """
    markers_first = bool(_LEADING_MARKERS.match(text.strip()))
    if not markers_first:
        # A marker run then a capital starts a new sentence even without a full stop before it: a
        # quoted list item ("▲February 28: … 47 African embassies [1] Foreign Minister Cho…").
        text = _MARKERS_THEN_CAPITAL.sub(lambda m: m.group(1) + "\n\n", text)
    pieces: list[str] = []
    for sentence in split_sentences(text):
        lead = _LEADING_MARKERS.match(sentence)
        if lead and pieces and not markers_first:
            pieces[-1] += " " + lead.group(0).strip()
            sentence = sentence[lead.end() :].strip()
        if sentence:
            pieces.append(sentence)
    out = []
    for piece in pieces:
        numbers = markers(piece)
        bare = " ".join(_MARKER.sub(" ", piece).split())
        bare = re.sub(r"\s+([.,;:!?])", r"\1", bare)
        if bare:
            out.append((bare, numbers))
    return out


def _language(text: str) -> str:
    return "ko" if _HANGUL.search(text) else "en"


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:
            continue
        spans.append((start, start + len(sentence)))
        cursor = start + len(sentence)
    return spans or [(0, len(text))]


_ADDED_YEAR = re.compile(r",\s((?:19|20)\d\d)\b|\s?\(((?:19|20)\d\d)년?\)|\b((?:19|20)\d\d)년\s")


def _shortened_and_dated(sentence: str, quote: str, release_date: str) -> bool:
    """Whether `sentence` is `quote` with words left out and years added that its release date allows."""
    # The years the sentence has that its quote does not: the added ones.
    years = [int(y) for m in _ADDED_YEAR.finditer(sentence) if (y := next(g for g in m.groups() if g)) not in quote]
    if years and (not release_date[:4].isdigit() or any(abs(y - int(release_date[:4])) > 1 for y in years)):
        return False
    words = iter(re.findall(r"\w+", quote))
    return all(word in words for word in re.findall(r"\w+", _ADDED_YEAR.sub(" ", sentence)))


class CitationVerifier:
    """Answer -> Answer with only supported sentences and citations; `embeddings` (optional) judge meaning."""

    def __init__(self, embeddings=None, config: VerifyConfig | None = None) -> None:
        self.embeddings = embeddings
        self.config = config or VerifyConfig()

    def __call__(self, answer: Answer) -> Answer:
        if answer.abstained:
            return answer
        language = getattr(answer.plan.query, "answer_language", None) if answer.plan else None
        if asks_for_action(answer.question):
            # Whatever passage a request to book or order happened to match, it does not answer it.
            return decline(answer, language)
        by_n = {c.n: c for c in answer.citations}
        passages = {p.chunk_id: p for p in answer.retrieved}
        kept: list[tuple[str, list[tuple[ScoredPassage, Support]]]] = []
        for sentence, numbers in answer_sentences(answer.answer):
            backed = []
            for n in dict.fromkeys(numbers):
                citation = by_n.get(n)
                passage = passages.get(citation.chunk_id) if citation else None
                if passage is None:
                    continue
                support = self.support(sentence, passage, answer.question, quote=citation.quote)
                if support.ok:
                    backed.append((passage, support))
            if backed:
                kept.append((sentence, backed))
        kind = expected_kind(answer.question)
        if not kept or (
            self.config.check_slot and not any(holds_slot(s, kind, answer.question) for s, _ in kept)
        ):
            return decline(answer, language)
        return self._rebuild(answer, kept)

    def support(self, sentence: str, passage: ScoredPassage, question: str = "", *, quote: str = "") -> Support:
        text = passage.text
        # The extractive answerer quotes the passage verbatim: the quote is its own support…
        if quote and sentence in text:
            start = text.find(sentence)
            return Support(True, (start, start + len(sentence)))
        # …and so is its shortened, dated form of a quote: clauses and asides left out, a day given
        # the year of the release's dateline (or the year either side: "December 28" in a January release).
        for piece in quote.split(" … ") if quote else []:
            if piece in text and _shortened_and_dated(sentence, piece, passage.date):
                start = text.find(piece)
                return Support(True, (start, start + len(piece)))
        reasons = []
        known = facts_of(f"{passage.title} {text}") | facts_of_date(passage.date)
        missing = facts_of(sentence) - known
        if missing:
            reasons.append(f"facts not in the passage: {sorted(missing)}")
        same_language = _language(sentence) == (passage.language or _language(text))
        if same_language:
            haystack = normalize(f"{passage.title} {text}")
            for name in names_of(sentence):
                words = [w for w in re.split(r"[\s-]+", name) if len(w) > 2 and w not in {"the", "and"}]
                if not all(w in haystack for w in words):
                    reasons.append(f"name not in the passage: {name}")
        span, overlap, similarity = self._closest(sentence, passage, same_language)
        facts_agree = bool(facts_of(sentence)) and not missing
        min_similarity = self.config.min_similarity_with_facts if facts_agree else self.config.min_similarity
        if overlap < self.config.min_overlap and similarity < min_similarity:
            reasons.append(f"not close to the passage (overlap {overlap:.2f}, similarity {similarity:.2f})")
        return Support(not reasons, span, reasons)

    def _closest(self, sentence: str, passage: ScoredPassage, same_language: bool) -> tuple[tuple[int, int], float, float]:
        """The passage sentence nearest the answer sentence: its span, word overlap and cosine."""
        spans = _sentence_spans(passage.text)
        pieces = [passage.text[a:b] for a, b in spans]
        words = set(tokens(sentence))
        overlaps = [len(words & set(tokens(f"{p} {passage.title}"))) / len(words) if words else 0.0 for p in pieces]
        similarities = [0.0] * len(pieces)
        best_overlap = max(overlaps)
        if self.embeddings is not None and (best_overlap < self.config.min_overlap or not same_language):
            # Only when the words don't settle it: embedding costs time, and most answers share words.
            vectors = np.asarray(self.embeddings.encode([sentence, *pieces]))
            similarities = [float(v) for v in vectors[1:] @ vectors[0]]
        scores = [o + s for o, s in zip(overlaps, similarities)]
        i = int(np.argmax(scores))
        # The whole-passage overlap counts too: a sentence may join facts from two passage sentences.
        whole = len(words & set(tokens(f"{passage.title} {passage.text}"))) / len(words) if words else 0.0
        return spans[i], max(overlaps[i], min(whole, best_overlap + 0.25)), max(similarities)

    def _rebuild(self, answer: Answer, kept: list[tuple[str, list[tuple[ScoredPassage, Support]]]]) -> Answer:
        """Kept sentences with markers renumbered in order of first use; one citation per passage."""
        numbers: dict[str, int] = {}
        quotes: dict[str, list[str]] = {}
        spans: dict[str, tuple[int, int] | None] = {}
        passages: dict[str, ScoredPassage] = {}
        parts = []
        for sentence, backed in kept:
            marks = []
            for passage, support in backed:
                cid = passage.chunk_id
                n = numbers.setdefault(cid, len(numbers) + 1)
                passages[cid] = passage
                spans.setdefault(cid, support.span)
                if support.span:
                    quote = passage.text[support.span[0] : support.span[1]]
                    if quote not in quotes.setdefault(cid, []):
                        quotes[cid].append(quote)
                marks.append(f"[{n}]")
            parts.append(f"{sentence} {''.join(marks)}")
        citations = [
            Citation(
                n=n, source=passages[cid].source, title=passages[cid].title, date=passages[cid].date,
                paragraph=passages[cid].paragraph, quote=" … ".join(quotes.get(cid, [])), chunk_id=cid, span=spans[cid],
            )
            for cid, n in numbers.items()
        ]
        return Answer(
            question=answer.question,
            answer=" ".join(parts),
            abstained=False,
            citations=citations,
            retrieved=answer.retrieved,
            confidence=answer.confidence,
            timings_ms=answer.timings_ms,
            answerer=answer.answerer,
            plan=answer.plan,
        )
