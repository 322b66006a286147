"""The floor: a word-overlap sentence picker with no index and no model.

Every sentence of every release is scored by the number of distinct words (three letters or more;
Hangul runs as whole words) it shares with the question; the best sentence is the answer.
Any figure Pressroom reports must clear this one.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.parse import load_release
from ingest.pipeline import find_release_files
from qa.citations import cite
from qa.models import Answer, ScoredPassage, SearchPlan
from qa.service import Pressroom


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 3 or re.match(r"[\uac00-\ud7a3]", w)}


class SentenceOverlap:
    """Retriever: the k sentences sharing the most words with the question, as passages."""

    def __init__(self, corpus: list[Path], k: int = 10) -> None:
        self.k = k
        self.sentences: list[tuple[set[str], ScoredPassage]] = []
        files, _ = find_release_files(corpus)
        for path in files:
            release = load_release(path)
            for paragraph in release.paragraphs:
                for i, sentence in enumerate(re.split(r"(?<=[.!?])\s+|\n+", paragraph.body)):
                    sentence = sentence.strip()
                    if len(sentence) < 20:
                        continue
                    passage = ScoredPassage(
                        f"{release.release_id}:p{paragraph.number}:s{i}", release.source, release.release_id,
                        release.title, release.date_iso, paragraph.number, release.language, sentence, 0.0,
                    )
                    self.sentences.append((_words(sentence), passage))

    def __call__(self, plan: SearchPlan) -> list[ScoredPassage]:
        asked = _words(plan.question)
        scored = sorted(self.sentences, key=lambda item: len(item[0] & asked), reverse=True)[: self.k]
        return [
            ScoredPassage(**{**p.__dict__, "score": float(len(words & asked))}) for words, p in scored
        ]


def pick_top_sentence(plan: SearchPlan, passages: list[ScoredPassage]) -> Answer:
    if not passages or passages[0].score == 0:
        return Answer(plan.question, "The press releases I have don't say.", True, [], passages, answerer="naive-overlap")
    text, citations = cite([(passages[0].text, passages[0])])
    return Answer(plan.question, text, False, citations, passages, confidence=passages[0].score, answerer="naive-overlap")


def build_naive_baseline(corpus: list[Path], k: int = 10) -> Pressroom:
    return Pressroom(SentenceOverlap(corpus, k), pick_top_sentence, name="naive-overlap")
