"""Retrieval: SearchPlan -> passages. Dense (Chroma), BM25 (the lexical side index), fused.

Every part of a plan (the standalone question and each sub-question) is searched by each route;
a date range (a part's own, when it names one) adds date-restricted routes (a boost, never a hard
filter: a question that mentions "November 2023" may be about what happened before it). Each part's
best release comes early, then the whole question's order; "latest" questions put the newest
relevant releases first.
"""

from __future__ import annotations

import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ingest.analysis import analyze, has_hangul
from ingest.embeddings import USE_MULTILINGUAL, find_part
from ingest.index import ChunkIndex, IndexHit
from ingest.lexical import LEXICAL_DIR, LexicalIndex, Matches
from ingest.term_vectors import load_term_vectors
from qa.exact import VectorTable, build_table, top_rows
from qa.bridge import LexicalBridge, NameBridge, english_names, korean_words
from qa.fusion import rrf, round_robin, score_fusion
from qa.fusion import ranked as by_score
from qa.models import Query, ScoredPassage, SearchPlan

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "bm25"]
MODES = ("hybrid", "dense", "bm25")
MULTILINGUAL_MODELS = frozenset({USE_MULTILINGUAL})


def passage_from_chunk(c, score: float, routes: dict[str, int] | None = None) -> ScoredPassage:
    return ScoredPassage(
        chunk_id=c.chunk_id,
        source=c.source,
        release_id=c.release_id,
        title=c.title,
        date=c.date_iso,
        paragraph=c.paragraph,
        language=c.language,
        text=c.body,
        score=score,
        routes=routes or {},
    )


def passage_from_hit(hit: IndexHit) -> ScoredPassage:
    return passage_from_chunk(hit.chunk, hit.score)


class DenseRetriever:
    """Top-k passages by cosine similarity, at most `per_release` from any one release.

    The cap keeps one long release from filling the list, so that questions spanning two
    releases still see both.
    """

    def __init__(self, index: ChunkIndex, embeddings, *, k: int = 10, per_release: int = 3) -> None:
        self.index = index
        self.embeddings = embeddings
        self.k = k
        self.per_release = per_release

    def __call__(self, query: Query | SearchPlan, k: int | None = None, where: dict | None = None) -> list[ScoredPassage]:
        """`where` is a Chroma metadata filter (e.g. on `date_int`)."""
        k = k or self.k
        vector = self.embeddings.embed_query(query.text)
        hits = self.index.query(vector, k * 3, where=where)
        kept: list[ScoredPassage] = []
        per_source: dict[str, int] = {}
        for hit in hits:
            count = per_source.get(hit.chunk.source, 0)
            if count >= self.per_release:
                continue
            per_source[hit.chunk.source] = count + 1
            kept.append(passage_from_hit(hit))
            if len(kept) == k:
                break
        return kept


@dataclass(frozen=True)
class RetrievalConfig:
    """Defaults chosen on evals/questions/dev.jsonl (release recall@5; see the README's retrieval notes)."""

    mode: Mode = "hybrid"
    # "score": each route's scores min-max normalised over its own list and summed (dev recall@5
    # 0.978); "rrf": reciprocal-rank fusion (0.936 with the same routes), kept as "hybrid-rrf".
    fusion: Literal["rrf", "score"] = "score"
    # "separate": dense candidates ranked within each release language and fused as separate
    # lists, so a Korean question's Korean neighbours cannot crowd out the English release that
    # answers it (the multilingual space groups by language before topic).
    languages: Literal["joint", "separate"] = "separate"
    bm25_languages: Literal["joint", "separate"] = "separate"  # the same for BM25
    # With a multilingual model among several concatenated ones, one more dense list scored by that
    # model alone ("dense-xl"), comparable across languages; `language_gate` > 0 also discounts a
    # language's lists by how far its best falls behind by that model. Both off: on dev they cost
    # recall@5 (0.978 -> 0.971 with dense-xl, 0.952 with the gate at 8) and moved the paired EN/KO
    # top-1 agreement by at most one pair.
    crosslingual: bool = False
    language_gate: float = 0.0
    # Each release language's lists weighted by how far that language's best dense match stands
    # above the language's own background (its rows' mean score for the question, in standard
    # deviations), against the best language, raised to this power. A Korean question scores every
    # Korean release higher than any English one, so the best Korean match of another topic stands
    # out less from its background than the English release that answers it. Chosen on dev: at
    # 0.5 the paired EN/KO top-1 agreement 20 -> 22 of 24, recall@1 0.787 -> 0.811, MRR 0.929 -> 0.944,
    # recall@5 and all-gold multi unchanged, answers +2 (no loss); 1.0 and above cost multi-release
    # questions a gold release (all-gold 0.912 -> 0.882 and lower). Needs the exact-search table.
    background_gate: float = 0.5
    depth: int = 50  # candidates per route
    per_release: int = 3
    rrf_k: int = 60
    # The date route (the same search restricted to the question's dates) weighs half: on dev it
    # neither helped nor hurt at 0.5 (at 1.0 it cost a little); it matters where many releases
    # share a topic across years.
    weights: dict[str, float] = field(default_factory=lambda: {"dense": 1.0, "bm25": 1.0, "date": 0.5, "bridge": 1.0})
    # A Korean question's words bring in the English index terms the multilingual model puts this
    # close ("선거" -> "elect"), searched by BM25 in the English releases (qa.bridge; chosen on dev).
    bridge: bool = True
    bridge_min: float = 0.7
    bridge_terms: int = 2
    # Names by sound across the scripts, both ways (qa.loanwords): "Türkiye" finds 튀르키예, 폴란드 "poland";
    # a pair must also be this close in the multilingual model.
    name_bridge: bool = True
    name_min: float = 0.4
    # "Latest …": the releases the question's own search ranks this high are sorted newest first. (A
    # share of the best row's reciprocal rank, used before, let only the top three rows in: three
    # paragraphs of one older release shut out the newer release of the same series.) Chosen on dev:
    # date questions right with 2, 3, 5, 8 releases: 19, 22, 20, 18 of 38 (5 and 8 gain one Korean).
    recent_releases: int = 3
    # A multi-part question: each list's first `part_head` releases take turns, then the whole question's
    # order (`_merge_parts`; 0: every part's whole list takes turns, as before). Chosen on dev: 0 / 1 / 2 / 3:
    # every gold release in the top 5 for 30 / 32 / 31 / 30 of 34 multi-release questions, recall@5 0.986 /
    # 0.989 / 0.988 / 0.986; answers unchanged.
    part_head: int = 1
    # Each part searches its own dates ("on July 8, 2022" of "on July 4, July 8 and July 18"), not the span
    # of all of them (SearchPlan.part_dates). On dev it moves nothing with part_head 1 (with 0 it cost
    # one question: a part whose dates hold one release fills its turns with noise).
    part_dates: bool = True
    # Date-restricted dense search: exact numpy search when this few chunks are in range, else an
    # over-fetch from Chroma's HNSW index filtered by the in-memory date table.
    exact_max: int = 4000
    overfetch_max: int = 2000
    # Up to this many chunks every dense search is exact: one matrix product over a copy of the vectors
    # kept in memory (100k chunks: 358 MB, ~11 ms a question here, the cost of one HNSW query at the
    # ef_search recall needs), so recall is that of exact search, a date range is a mask on the same
    # scores, and a question's parts share one product (qa.exact.FullTable).
    exact_rows: int = 200_000
    # Up to this many, the copy is float16 beside a projection on `project_dims` principal directions,
    # and the projection's best `rescore` rows are scored exactly (qa.exact.ProjectedTable; 1M chunks:
    # 2.2 GiB). Larger indexes use Chroma's HNSW index.
    projected_rows: int = 2_000_000
    project_dims: int = 128
    rescore: int = 3000
    # A multi-part question's parts are searched in this many threads at once (1: one after another).
    part_threads: int = 2


# Named configurations for settings, the CLI and the evals.
PRESETS: dict[str, RetrievalConfig] = {
    "hybrid": RetrievalConfig(),
    "hybrid-rrf": RetrievalConfig(fusion="rrf"),
    "hybrid-joint": RetrievalConfig(languages="joint", bm25_languages="joint"),
    "dense": RetrievalConfig(mode="dense"),
    "bm25": RetrievalConfig(mode="bm25", bm25_languages="joint"),
}


def _route(name: str) -> str:
    return name.split(":")[0]


class HybridRetriever:
    """SearchPlan -> passages through dense and BM25 routes; `mode` keeps one route alone."""

    def __init__(
        self,
        index: ChunkIndex,
        embeddings,
        lexical: LexicalIndex,
        *,
        k: int = 10,
        config: RetrievalConfig | None = None,
    ) -> None:
        self.index = index
        self.embeddings = embeddings
        self.lexical = lexical
        self.k = k
        self.config = config or RetrievalConfig()
        self._xl_mask = None  # which query dimensions belong to a multilingual model (found on first use)
        self._bridge: tuple[LexicalIndex, tuple[LexicalBridge, NameBridge] | None] | None = None  # per lexical index
        self._bridge_vectors: dict[str, np.ndarray] = {}  # its term vectors, kept across index versions
        self._exact: tuple[LexicalIndex, VectorTable] | None = None  # the vectors in lexical row order
        self._exact_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None  # for the parts of multi-part questions
        self._masks: tuple[LexicalIndex | None, dict] = (None, {})  # date masks of the current lexical index
        if self.config.mode not in MODES:
            raise ValueError(f"unknown retrieval mode {self.config.mode!r}; choose from {', '.join(MODES)}")

    @property
    def per_release(self) -> int:
        return self.config.per_release

    # -- routes: each returns [(row, score)], best first; rows index the lexical row table
    def _table(self) -> VectorTable | None:
        """The index's vectors in the lexical index's row order, for exact search (qa.exact); None
        above `projected_rows` chunks. Fetched from the collection once; after an ingest only new
        chunks are."""
        cfg, lex = self.config, self.lexical
        if not len(lex) or len(lex) > cfg.projected_rows:
            return None
        with self._exact_lock:
            if self._exact is not None and self._exact[0] is lex:
                return self._exact[1]
            old = (self._exact[0].ids, self._exact[1]) if self._exact is not None else None
            try:
                table = build_table(lex.ids, self.index.vectors, full_rows=cfg.exact_rows, dims=cfg.project_dims, old=old)
            except (KeyError, ValueError) as exc:  # a row whose chunk the collection lacks (an ingest in flight)
                log.warning("exact search unavailable for now (%s); using the HNSW index", exc)
                return None
            self._exact = (lex, table)
            return table

    def _dense(
        self, vector: np.ndarray, depth: int, mask: np.ndarray | None = None, scores: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """`scores`: every row's score from the vector table (`_table`), when it computed them."""
        lex = self.lexical
        if scores is not None:
            return top_rows(self._table(), vector, scores, depth, mask, rescore=self.config.rescore)
        if mask is None:
            pairs = self.index.nearest_ids(vector, depth)
            return [(lex.row_of[i], s) for i, s in pairs if i in lex.row_of]
        in_range = int(mask.sum())
        if in_range == 0:
            return []
        if in_range <= self.config.exact_max:
            rows = np.flatnonzero(mask)
            scores = self.index.vectors([lex.ids[r] for r in rows]) @ vector
            order = np.argsort(-scores, kind="stable")[:depth]
            return [(int(rows[o]), float(scores[o])) for o in order]
        # Enough chunks in range that an over-fetch of the nearest finds `depth` of them.
        share = in_range / len(lex)
        n = min(self.config.overfetch_max, math.ceil(depth / share * 2))
        pairs = self.index.nearest_ids(vector, n)
        rows = [(lex.row_of[i], s) for i, s in pairs if i in lex.row_of]
        return [(r, s) for r, s in rows if mask[r]][:depth]

    def _split_by_language(self, name: str, pairs: list[tuple[int, float]]) -> dict[str, list[tuple[int, float]]]:
        if self.config.languages != "separate":
            return {name: pairs}
        out: dict[str, list[tuple[int, float]]] = {}
        for row, score in pairs:
            out.setdefault(f"{name}:{self.lexical.languages[row]}", []).append((row, score))
        return out

    def _routes(
        self,
        vector,
        terms: Matches | None,
        bridged: tuple[str, Matches | None],
        mask: np.ndarray | None,
        prefix: str = "",
        scores: np.ndarray | None = None,
    ) -> dict[str, list[tuple[int, float]]]:
        """Each route's list for one part; `terms` its BM25 terms' scores, `bridged` the scores of
        the other language's terms its words bring in, with that language, `scores` the exact dense
        scores (all found once per part, by `_search_part`)."""
        cfg = self.config
        routes: dict[str, list[tuple[int, float]]] = {}
        if cfg.mode in ("hybrid", "dense"):
            depth = cfg.depth * (3 if cfg.languages == "separate" else 1)
            routes.update(self._split_by_language(prefix + "dense", self._dense(vector, depth, mask, scores)))
            xl = self._multilingual_part(vector)
            if xl is not None:
                table = self._table() if scores is not None else None
                routes[prefix + "dense-xl"] = self._dense(xl, cfg.depth, mask, table.scores(xl) if table is not None else None)
        if cfg.mode in ("hybrid", "bm25") and terms is not None:
            if cfg.bm25_languages == "separate":
                for language, in_language in self.lexical.language_masks.items():
                    both = in_language if mask is None else (in_language & mask)
                    routes[f"{prefix}bm25:{language}"] = terms.top(cfg.depth, both)
            else:
                routes[prefix + "bm25"] = terms.top(cfg.depth, mask)
        language, other = bridged
        if other is not None:
            in_language = self.lexical.language_masks[language]
            routes[prefix + "bridge"] = other.top(cfg.depth, in_language if mask is None else in_language & mask)
        return routes

    def _bridged_terms(self, text: str, terms: list[str]) -> tuple[str, list[str]]:
        """The other language's index terms a question's words bring in, and that language: a Korean
        question's words by meaning and its names by sound ("en"); an English question's names by
        sound ("ko")."""
        cfg = self.config
        if not (cfg.mode == "hybrid" and cfg.bridge):
            return "", []
        bridge = self._lexical_bridge()
        if bridge is None:
            return "", []
        words, names = bridge
        other = "en" if has_hangul(text) else "ko"
        if other not in self.lexical.language_masks:
            return "", []
        if other == "en":
            korean = korean_words(terms)
            found = words.english_terms(korean)
            if cfg.name_bridge:
                found += [t for t in names.english_terms(korean) if t not in found]
            return other, found
        return other, names.korean_terms(english_names(text)) if cfg.name_bridge else []

    def _lexical_bridge(self) -> tuple[LexicalBridge, NameBridge] | None:
        """The bridges over the current lexical index's terms (None without a multilingual model)."""
        if self._bridge is None or self._bridge[0] is not self.lexical:
            model = find_part(self.embeddings, USE_MULTILINGUAL)
            bridges = None
            if model is not None:
                vocabulary = self.lexical.vocabulary
                # The term vectors ingest stored; what they lack the bridge encodes itself.
                stored = load_term_vectors(self.index.path)
                self._bridge_vectors.update({t: v for t, v in stored.items() if t not in self._bridge_vectors})
                bridges = (
                    LexicalBridge(
                        model, vocabulary, min_similarity=self.config.bridge_min,
                        per_word=self.config.bridge_terms, known=self._bridge_vectors,
                    ),
                    NameBridge(model, vocabulary, min_similarity=self.config.name_min, runs=self.lexical.names),
                )
            self._bridge = (self.lexical, bridges)
        return self._bridge[1]

    def _multilingual_part(self, vector):
        """The query vector with only its multilingual model's dimensions (USE's): one list whose
        scores compare across languages, where the English-only model's part would favour the
        question's own language."""
        if vector is None or not self.config.crosslingual:
            return None
        if self._xl_mask is None:
            parts = getattr(self.embeddings, "parts", None)
            if not parts or not any(m.model_id in MULTILINGUAL_MODELS for m, _ in parts):
                self._xl_mask = False
            else:
                dims = [len(m.embed_query("dimension probe")) for m, _ in parts]
                keep = [m.model_id in MULTILINGUAL_MODELS for m, _ in parts]
                self._xl_mask = np.repeat(keep, dims)
        if self._xl_mask is False or len(self._xl_mask) != len(vector):
            return None
        return np.where(self._xl_mask, vector, 0.0).astype(np.float32)

    def _language_gates(self, routes: dict[str, list[tuple[int, float]]]) -> dict[str, float]:
        """Per release language, how close its best match comes to the best overall by the
        multilingual model alone, raised to `language_gate`: the lists of a language whose best is
        clearly worse count for less (each language's own lists always put its best at the top)."""
        xl = next((pairs for name, pairs in routes.items() if name.endswith("dense-xl")), None)
        if not self.config.language_gate or not xl:
            return {}
        best: dict[str, float] = {}
        for row, score in xl:
            language = self.lexical.languages[row]
            best[language] = max(best.get(language, -1.0), score)
        top = max(best.values())
        if top <= 0:
            return {}
        return {lang: max(0.0, b / top) ** self.config.language_gate for lang, b in best.items()}

    def _background_gates(self, scores: np.ndarray | None) -> dict[str, float]:
        """Per release language: (its best row's height above its rows' mean, in their standard
        deviations) / the highest such, raised to `background_gate` (see RetrievalConfig)."""
        cfg = self.config
        if scores is None or not cfg.background_gate or cfg.languages != "separate":
            return {}
        heights: dict[str, float] = {}
        step = max(1, len(scores) // 65_536)  # a mean and a spread need no million rows
        for language, rows in self.lexical.language_masks.items():
            sample = scores[::step][rows[::step]]
            if len(sample) < 2:  # a language too rare for the stride: all its rows
                sample = scores[rows]
            if not len(sample):
                continue
            best = float(np.take(scores, self.lexical.language_rows[language]).max())
            heights[language] = (best - float(sample.mean())) / (float(sample.std()) or 1.0)
        top = max(heights.values(), default=0.0)
        if len(heights) < 2 or top <= 0:
            return {}
        return {language: max(0.0, h / top) ** cfg.background_gate for language, h in heights.items()}

    def _fuse(self, routes: dict[str, list[tuple[int, float]]], gates: dict[str, float] | None = None) -> dict[int, float]:
        weights = {name: self.config.weights.get(_route(name), 1.0) for name in routes}
        gates = gates or self._language_gates(routes)
        for name in weights:
            language = name.rsplit(":", 1)[-1]
            if ":" in name and language in gates:
                weights[name] *= gates[language]
            elif ":" in name and gates and language in self.lexical.language_masks:
                weights[name] = 0.0  # the multilingual model found nothing in this language
        if self.config.fusion == "score":
            return score_fusion(routes, weights)
        return rrf(routes, weights, self.config.rrf_k)

    def _date_mask(self, date_from, date_to) -> np.ndarray | None:
        if not (date_from or date_to):
            return None
        # Every part of a question asks for the same range: made once (two passes over every row).
        lexical, key = self.lexical, (date_from, date_to)
        masks = self._masks if self._masks[0] is lexical else (lexical, {})
        if key not in masks[1]:
            if len(masks[1]) >= 8:
                masks[1].clear()
            masks[1][key] = lexical.date_mask(
                int(date_from.strftime("%Y%m%d")) if date_from else None,
                int(date_to.strftime("%Y%m%d")) if date_to else None,
            )
        self._masks = masks
        return masks[1][key]

    def _search_part(
        self, text: str, plan: SearchPlan | Query, vector: np.ndarray | None = None, scores: np.ndarray | None = None,
        dates: tuple | None = None,
    ) -> tuple[list[int], dict[str, list], np.ndarray | None]:
        """`dates`: the part's own (from, to) when it names some; else the plan's."""
        if vector is None and self.config.mode != "bm25":
            vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        if scores is None and vector is not None and (table := self._table()) is not None:
            scores = table.scores(vector)
        query = getattr(plan, "query", plan)
        # Dates the user chose (the chat's filter) are a hard filter on every route ...
        hard = self._date_mask(getattr(query, "date_from", None), getattr(query, "date_to", None))
        if hard is not None and not hard.any():
            return [], {}, vector
        terms = analyze(text) if self.config.mode != "dense" else []
        language, other_terms = self._bridged_terms(text, terms)
        # Each term list is scored once; every route and date range selects from those scores.
        own = self.lexical.matches(terms) if self.config.mode != "dense" else None
        bridged = (language, self.lexical.matches(other_terms) if other_terms else None)
        routes = self._routes(vector, own, bridged, hard, scores=scores)
        # ... dates read from the question only add date-restricted routes: a boost, not a filter.
        soft_from, soft_to = dates if dates and any(dates) else (getattr(plan, "date_from", None), getattr(plan, "date_to", None))
        soft = self._date_mask(soft_from, soft_to)
        if hard is None and soft is not None and soft.any():
            routes.update(self._routes(vector, own, bridged, soft, prefix="date:", scores=scores))
        return by_score(self._fuse(routes, self._background_gates(scores))), routes, vector

    # -- the plan
    def _reload_if_changed(self) -> None:
        # An ingest in another process rewrote the side index: search what it committed.
        if self.lexical.changed_on_disk():
            fresh = LexicalIndex.load(self.lexical.folder)
            if fresh is not None:
                self.lexical = fresh

    def __call__(self, plan: SearchPlan | Query, k: int | None = None) -> list[ScoredPassage]:
        k = k or self.k
        self._reload_if_changed()
        if self.index.refresh():  # another process (an ingest) committed: search its rows from now on
            self.lexical = LexicalIndex.load(self.index.path / LEXICAL_DIR) or self.lexical
        if not len(self.lexical):
            return []
        question = getattr(plan, "question", plan.text)
        parts = [plan.text, *getattr(plan, "subqueries", ())]
        fused_parts: list[list[int]] = []
        ranks: dict[int, dict[str, int]] = {}
        vector, lexical_scores = None, {}
        # A multi-part question's parts are encoded in one call: the encoder runs them side by side.
        part_vectors: list = [None] * len(parts)
        part_scores: list = [None] * len(parts)
        if len(parts) > 1 and self.config.mode != "bm25":
            part_vectors = list(np.asarray(self.embeddings.embed_documents(parts), dtype=np.float32))
            if (table := self._table()) is not None:
                part_scores = list(table.scores(np.stack(part_vectors)))  # one pass over the table for all parts
        searched = self._search_parts(parts, plan, part_vectors, part_scores)
        for n, (fused, routes, part_vector) in enumerate(searched):
            fused_parts.append(fused)
            if n == 0:
                vector = part_vector
                lexical_scores = dict(routes.get("bm25", []))
                for name, pairs in routes.items():
                    if name.startswith("date:"):
                        continue
                    for rank, (row, _) in enumerate(pairs, start=1):
                        ranks.setdefault(row, {}).setdefault(_route(name), rank)
                dated = {name: pairs for name, pairs in routes.items() if name.startswith("date:")}
                if dated:
                    for rank, row in enumerate(by_score(self._fuse(dated)), start=1):
                        ranks.setdefault(row, {})["date"] = rank
                if plan.text != question:
                    for rank, row in enumerate(fused, start=1):
                        ranks.setdefault(row, {})["followup"] = rank
            else:
                for rank, row in enumerate(fused, start=1):
                    ranks.setdefault(row, {})[f"subquery:{n}"] = rank
        order = fused_parts[0] if len(fused_parts) == 1 else self._merge_parts(fused_parts)
        if getattr(plan, "prefer_recent", False):
            order = self._newest_first(order, fused_parts[0], ranks)
        rows = self._cap(order, k)
        return self._passages(rows, ranks, vector, lexical_scores)

    def _merge_parts(self, fused_parts: list[list[int]]) -> list[int]:
        """The whole question's list and each part's, merged so each part's best releases come early.

        With `part_head` > 0 only each list's first `part_head` releases take turns; after them the
        whole question's own order decides (a part searched in a narrow date range has one good
        release, and its next ones are noise that taking turns would put ahead of better rows)."""
        head = self.config.part_head
        if head <= 0:
            return round_robin(fused_parts)
        sources = self.lexical.sources
        heads = []
        for rows in fused_parts:
            seen: set[str] = set()
            cut = len(rows)
            for i, row in enumerate(rows):
                seen.add(sources[row])
                if len(seen) > head:
                    cut = i
                    break
            heads.append(rows[:cut])
        return list(dict.fromkeys([*round_robin(heads), *fused_parts[0], *round_robin(fused_parts[1:])]))

    def _search_parts(self, parts: list[str], plan, vectors: list, scores: list) -> list[tuple[list[int], dict[str, list], np.ndarray | None]]:
        """`_search_part` for each part; a multi-part question's parts side by side in `part_threads`
        threads (their work is numpy's, which lets go of the interpreter lock)."""
        threads = min(self.config.part_threads, len(parts))
        # The whole question searches its own dates; each part its own, when it names some.
        dates = [None, *(getattr(plan, "part_dates", ()) if self.config.part_dates else ())]
        dates += [None] * (len(parts) - len(dates))
        if threads <= 1:
            return [self._search_part(t, plan, v, s, d) for t, v, s, d in zip(parts, vectors, scores, dates)]
        # What the parts build on first use is built here, once, before they run.
        if vectors[0] is not None:
            self._table()
            self._multilingual_part(vectors[0])
        if self.config.mode == "hybrid" and self.config.bridge:
            self._lexical_bridge()
        with self._exact_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.config.part_threads, thread_name_prefix="pressroom-part")
        futures = [self._pool.submit(self._search_part, t, plan, v, s, d) for t, v, s, d in zip(parts, vectors, scores, dates)]
        return [f.result() for f in futures]

    def _newest_first(self, order: list[int], main: list[int], ranks: dict[int, dict[str, int]]) -> list[int]:
        """The releases the question's own search ranks highest, newest first; the rest keep their order."""
        lex = self.lexical
        first_row: dict[str, int] = {}
        for row in main[: self.config.depth]:
            first_row.setdefault(lex.sources[row], row)
            if len(first_row) == self.config.recent_releases:
                break
        newest = sorted(first_row, key=lambda s: -int(lex.dates[first_row[s]]))
        position = {s: i for i, s in enumerate(newest)}
        for i, s in enumerate(newest, start=1):
            ranks.setdefault(first_row[s], {})["date"] = i
        front = sorted((r for r in order if lex.sources[r] in position), key=lambda r: position[lex.sources[r]])
        return front + [r for r in order if lex.sources[r] not in position]

    def _cap(self, order: list[int], k: int) -> list[int]:
        kept: list[int] = []
        per_source: dict[str, int] = {}
        for row in order:
            source = self.lexical.sources[row]
            if per_source.get(source, 0) >= self.config.per_release:
                continue
            per_source[source] = per_source.get(source, 0) + 1
            kept.append(row)
            if len(kept) == k:
                break
        return kept

    def _passages(
        self, rows: list[int], ranks: dict[int, dict[str, int]], vector, lexical_scores: dict[int, float]
    ) -> list[ScoredPassage]:
        ids = [self.lexical.ids[r] for r in rows]
        chunks = {c.chunk_id: c for c in self.index.get_chunks(ids)}
        ids = [i for i in ids if i in chunks]
        rows = [self.lexical.row_of[i] for i in ids]
        if vector is not None and ids:
            # The passage score stays a cosine, the scale the answerer's confidence is tuned on.
            table = self._exact[1] if self._exact is not None and self._exact[0] is self.lexical else None
            vectors = table.take(rows) if table is not None else self.index.vectors(ids)
            scores = (vectors @ vector).tolist()
        else:  # BM25 alone: its score as a share of the best, so it reads on a 0..1 scale too
            top = max(lexical_scores.values(), default=0.0) or 1.0
            scores = [lexical_scores.get(row, 0.0) / top for row in rows]
        out = []
        for chunk_id, row, score in zip(ids, rows, scores):
            out.append(passage_from_chunk(chunks[chunk_id], float(score), dict(ranks.get(row, {}))))
        return out


def load_lexical(index: ChunkIndex) -> LexicalIndex:
    """The index's BM25 side index; built from the collection when it is missing (an index made
    before the side index existed, or one whose side index was lost)."""
    lexical = LexicalIndex.load(index.path / LEXICAL_DIR)
    if lexical is None:
        log.warning("no BM25 index beside %s; building it from the collection", index.path)
        index.save_lexical()
        lexical = LexicalIndex.load(index.path / LEXICAL_DIR)
    return lexical


def make_retriever(index: ChunkIndex, embeddings, *, k: int = 10, retrieval: str | RetrievalConfig = "hybrid"):
    """The retrieve stage by preset name (see PRESETS) or a full RetrievalConfig."""
    if isinstance(retrieval, RetrievalConfig):
        config = retrieval
    elif retrieval in PRESETS:
        config = PRESETS[retrieval]
    else:
        raise ValueError(f"unknown retrieval {retrieval!r}; choose from {', '.join(PRESETS)}")
    return HybridRetriever(index, embeddings, load_lexical(index), k=k, config=config)
