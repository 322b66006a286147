"""A lexical bridge from Korean questions to English releases: BM25 terms found by meaning.

A Korean question shares no words with an English release, and the multilingual model ranks by
language before topic, so its Korean near misses outrank the English release that answers it. The
same model does match single words across the languages well ("선거" - "election" 0.93, "예산" -
"budget" 0.91, "기관" - "institutions" 0.73). So each Korean word of the question brings in the English
terms of the BM25 index that the model puts closest to it, and those terms are searched in the English
releases as one more route. Chosen on dev (evals/questions/dev.jsonl): Korean questions' release
recall@5 25 -> 28 of 29 and top-1 12 -> 18; the paired EN/KO questions' shared top release 11 -> 16
of 24. Similarity 0.65-0.75 and two terms per word form a plateau; 0.7 and 2 sit in it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from ingest.analysis import ENGLISH_STOPWORDS, analyze, has_hangul
from ingest.term_vectors import bridge_vocabulary
from qa.loanwords import hangul_skeleton, hangul_syllables, latin_skeletons, latin_syllables, spelled_in_hangul

# A name of several words matched by sound alone needs this many consonant classes: 박진 - "Park Jin"
# (bkjn), 조태열 - "Cho Tae-yul" (jtl); two (왕이 - "Wang Yi") match too many ordinary words.
MIN_RUN_CLASSES = 3
_VERDICTS_KEPT = 4096  # names whose pairs NameBridge remembers (then it starts again)



def korean_words(terms: Iterable[str]) -> list[str]:
    """The Korean ones of a question's analysed terms (`ingest.analysis.analyze`), of two syllables or
    more (one-syllable ones are too ambiguous)."""
    return sorted({t for t in terms if has_hangul(t) and len(t) >= 2})


class LexicalBridge:
    """Korean words -> English index terms within `min_similarity` by the multilingual model."""

    def __init__(
        self,
        model,
        vocabulary: Iterable[str],
        *,
        min_similarity: float = 0.7,
        per_word: int = 2,
        known: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.model = model
        # Term vectors shared with the bridge of the index version before: after an ingest only the new
        # terms are encoded.
        self.known = known if known is not None else {}
        self.terms = bridge_vocabulary(vocabulary)
        self.min_similarity = min_similarity
        self.per_word = per_word
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def _term_vectors(self) -> np.ndarray:
        # Ingest stores them (ingest.term_vectors) and the retriever passes them in `known`; terms
        # still missing are encoded on the first Korean question (about 0.8 ms a term here).
        with self._lock:
            if self._vectors is None:
                new = [t for t in self.terms if t not in self.known]
                if new:
                    self.known.update(zip(new, np.asarray(self.model.encode(new), dtype=np.float32)))
                self._vectors = np.stack([self.known[t] for t in self.terms]) if self.terms else np.zeros((0, 1))
            return self._vectors

    def english_terms(self, words: list[str]) -> list[str]:
        if not words or not self.terms:
            return []
        similarity = np.asarray(self.model.encode(words), dtype=np.float32) @ self._term_vectors().T
        found: list[str] = []
        for row in similarity:
            for j in np.argsort(-row)[: self.per_word]:
                if row[j] >= self.min_similarity and self.terms[j] not in found:
                    found.append(self.terms[j])
        return found


_NAME_TERM = re.compile(r"[a-zà-ÿ]{3,}")
_CAPITALISED = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][a-zà-ÿ]{2,}\b")


def english_names(question: str) -> list[str]:
    """Capitalised words inside an English question ("Türkiye", "Bali"): what a Korean release spells in Hangul."""
    return [m.group(0) for m in _CAPITALISED.finditer(question.strip())]


@lru_cache(maxsize=4096)
def _hangul_nouns(sentence: str) -> tuple[str, ...]:
    return tuple(t for t in analyze(sentence, "ko") if has_hangul(t))


def names_spelled_in(names: list[str], sentence: str) -> int:
    """How many of an English question's `names` a Korean `sentence` writes in Hangul: "Türkiye" in
    "튀르키예를", "Bali" in "발리에서" (the analyser's nouns, matched by sound, qa.loanwords)."""
    if not names or not has_hangul(sentence):
        return 0
    nouns = _hangul_nouns(sentence)
    return sum(spelled_in_hangul(name, nouns) for name in names)


class NameBridge:
    """Names across the scripts by sound (qa.loanwords) and meaning: a Korean question's 폴란드 finds the
    English releases' "poland", an English question's "Türkiye" the Korean releases' 튀르키예.

    Sound alone also pairs ordinary words (폴란드 - "front"), so a pair must also be close in the
    multilingual model (`min_similarity`). A Korean person's name is one Hangul word and two or three
    English ones (조태열, "Cho Tae-yul"): with the English releases' `runs` of capitalised words
    (ingest.names) a Korean question's name brings in their words (`_run_terms`). The other way, an
    English question's run to a Korean term, was tried on dev and left out: it made Korean releases
    that merely name the same minister outrank the English release with the answer."""

    def __init__(
        self, model, vocabulary: Iterable[str], *, min_similarity: float = 0.4, runs: Iterable[str] = ()
    ) -> None:
        self.model = model
        self.min_similarity = min_similarity
        self.english: dict[str, list[str]] = {}
        self.korean: dict[str, list[str]] = {}
        vocabulary = set(vocabulary)
        for term in sorted(vocabulary):
            if _NAME_TERM.fullmatch(term) and term not in ENGLISH_STOPWORDS:
                for skeleton in latin_skeletons(term):
                    self.english.setdefault(skeleton, []).append(term)
            elif has_hangul(term) and len(term) >= 2:
                self.korean.setdefault(hangul_skeleton(term), []).append(term)
        # The English releases' names of several words (ingest.names), by the skeleton of the whole name.
        self.runs: dict[str, list[str]] = {}
        for run in runs:
            for skeleton in latin_skeletons(run):
                if len(skeleton.lstrip("_")) >= MIN_RUN_CLASSES:
                    self.runs.setdefault(skeleton, []).append(run)
        self._vocabulary = vocabulary
        self._verdicts: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def _close(self, name: str, candidates: list[str]) -> list[str]:
        if not candidates:
            return []
        # The parts of a multi-part question repeat their names, and questions repeat the ministry's:
        # each name's verdict is encoded once (about 5 ms a name with the multilingual model).
        key = (name, tuple(candidates))
        if key not in self._verdicts:
            vectors = np.asarray(self.model.encode([name, *candidates]), dtype=np.float32)
            similarity = vectors[1:] @ vectors[0]
            if len(self._verdicts) >= _VERDICTS_KEPT:
                self._verdicts.clear()
            self._verdicts[key] = [c for c, s in zip(candidates, similarity) if s >= self.min_similarity]
        return self._verdicts[key]

    def english_terms(self, korean_words: Iterable[str]) -> list[str]:
        found: list[str] = []
        for word in korean_words:
            sounds = [t for t in self.english.get(hangul_skeleton(word), []) if spelled_in_hangul(t, [word])]
            found += [t for t in self._close(word, sounds) if t not in found]
            found += [t for t in self._run_terms(word) if t not in found]
        return found

    def _run_terms(self, word: str) -> list[str]:
        """The words of the English names of several words that sound like the Korean `word`: 조태열 -
        "Cho Tae-yul" gives cho, tae, yul. The model is no check here (it puts a Korean name and its
        romanisation only 0.2-0.4 apart), so the sound must match closely: at least
        MIN_RUN_CLASSES consonant classes and the same number of syllables."""
        syllables = hangul_syllables(word)
        terms: list[str] = []
        for run in self.runs.get(hangul_skeleton(word), []):
            if latin_syllables(run) == syllables:
                terms += [t for t in analyze(run, "en") if t in self._vocabulary and t not in terms]
        return terms

    def korean_terms(self, names: Iterable[str]) -> list[str]:
        found: list[str] = []
        for name in names:
            sounds = sorted({t for sk in latin_skeletons(name) for t in self.korean.get(sk, []) if spelled_in_hangul(name, [t])})
            found += [t for t in self._close(name, sounds) if t not in found]
        return found
