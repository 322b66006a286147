"""Hybrid retrieval over the real corpus index and the real packaged models: routes, dates, parts,
follow-ups, recency, and the same top release for a question asked in English or Korean."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from qa.models import Query, SearchPlan
from qa.retrieval import HybridRetriever, RetrievalConfig, load_lexical, make_retriever
from qa.understand import Understanding

PAIRS = Path(__file__).with_name("paired_en_ko.jsonl")
SAMPLE = "000_3a0123e4a4b49311.txt"


@pytest.fixture(scope="module")
def lexical(corpus_index):
    return load_lexical(corpus_index)


@pytest.fixture(scope="module")
def hybrid(corpus_index, embeddings, lexical):
    return HybridRetriever(corpus_index, embeddings, lexical, k=10)


@pytest.fixture(scope="module")
def understand(lexical):
    return Understanding(newest=lexical.newest_date())


def releases(passages) -> list[str]:
    return list(dict.fromkeys(p.source for p in passages))


def plan(text: str, **kw) -> SearchPlan:
    return SearchPlan(query=Query(text), text=text, **kw)


def test_every_passage_says_which_routes_found_it(hybrid):
    passages = hybrid(plan("Park Jin and ASEAN Secretary-General Kao Kim Hourn on the 35th anniversary"))
    assert len(passages) == 10
    assert passages[0].source == SAMPLE
    assert max(Counter(p.source for p in passages).values()) <= 3
    for p in passages:
        assert p.routes and set(p.routes) <= {"dense", "bm25"}
        assert all(isinstance(rank, int) and rank >= 1 for rank in p.routes.values())
        assert -1.0 <= p.score <= 1.0  # a cosine, the scale the answerer reads
    assert {"dense", "bm25"} <= set(passages[0].routes)


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_a_single_route_mode_uses_only_that_route(corpus_index, embeddings, mode):
    retriever = make_retriever(corpus_index, embeddings, retrieval=mode)
    passages = retriever(plan("How many votes did Korea receive in the UN Security Council election?"))
    assert passages[0].source == "024_unsc-election.txt"
    assert all(set(p.routes) == {mode} for p in passages)


def test_an_unknown_mode_is_refused_with_the_choices(corpus_index, embeddings):
    with pytest.raises(ValueError, match="hybrid, hybrid-rrf, hybrid-joint, dense, bm25"):
        make_retriever(corpus_index, embeddings, retrieval="sparse")


def test_bm25_matches_a_rare_name_the_embeddings_blur(hybrid):
    passages = hybrid(plan("Jong Kyong-thaek"))
    assert passages[0].source == "025_dprk-sanctions-jul2023.txt"
    assert passages[0].routes.get("bm25") == 1


def test_dates_in_the_question_boost_releases_in_range_without_filtering(hybrid, understand):
    question = "Who did Park Jin meet in Seoul in March 2023?"
    p = understand(Query(question))
    assert (p.date_from, p.date_to) == (date(2023, 3, 1), date(2023, 3, 31))
    passages = hybrid(p)
    assert passages[0].source == "021_park-rau-poland.txt"
    in_range = [x for x in passages if "2023-03-01" <= x.date <= "2023-03-31"]
    assert in_range and all("date" in x.routes for x in in_range)
    assert any(not ("2023-03-01" <= x.date <= "2023-03-31") for x in passages)  # a boost, not a filter


def test_dates_the_user_chose_filter_every_route(hybrid):
    query = Query("sanctions on North Korea", date_from=date(2022, 12, 1), date_to=date(2022, 12, 31))
    passages = hybrid(SearchPlan(query=query, text=query.text, date_from=query.date_from, date_to=query.date_to))
    assert passages and passages[0].source == "011_dprk-sanctions-dec2022.txt"
    assert all("2022-12-01" <= p.date <= "2022-12-31" for p in passages)
    empty = Query("sanctions", date_from=date(2001, 1, 1), date_to=date(2001, 12, 31))
    assert hybrid(SearchPlan(query=empty, text=empty.text, date_from=empty.date_from, date_to=empty.date_to)) == []


def test_each_part_of_a_multi_part_question_has_its_release_in_the_top_five(hybrid, understand):
    cases = {
        "Where were the 7th and 8th ROK-U.S. Senior Economic Dialogues held?": {"013_7th-sed-washington.txt", "039_8th-sed-seoul.txt"},
        "How much humanitarian assistance in total did Korea decide to give for the February 2023 Türkiye earthquake "
        "and Chile wildfires?": {"015_turkiye-kdrt-ko.txt", "018_chile-wildfire-aid-2023.txt"},
        "How many North Korean institutions did Korea designate in its October 2022, December 2022 and July 2023 "
        "sanctions rounds combined?": {"009_dprk-sanctions-oct2022.txt", "011_dprk-sanctions-dec2022.txt", "025_dprk-sanctions-jul2023.txt"},
    }
    for question, gold in cases.items():
        p = understand(Query(question))
        assert len(p.subqueries) >= 2
        passages = hybrid(p)
        assert gold <= set(releases(passages)[:5]), question
        assert any(key.startswith("subquery:") for x in passages for key in x.routes)


def test_each_part_s_best_release_comes_before_the_rest_of_any_part_s_list(hybrid, understand):
    # A part with one release in its dates (July 8: the Korean Bali release) used to take turns with its
    # further rows, noise that pushed a part's answer below the top five; now only each list's best
    # release takes turns, then the whole question's order.
    cases = {
        "Where was Park Jin, and whom did he meet, on July 4, July 8 and July 18, 2022, respectively?":
            {"004_korea-mexico-fm-ebrard.txt", "005_rok-us-japan-fm-bali-ko.txt", "006_park-hayashi-tokyo.txt"},
        "Which foreign ministers came to Korea for talks with Park Jin in November and December 2023?":
            {"031_park-blinken-seoul.txt", "033_trilateral-fmm-busan.txt", "037_park-barcena-seoul.txt"},
    }
    for question, gold in cases.items():
        p = understand(Query(question))
        assert len(p.subqueries) >= 2 and len(p.part_dates) == len(p.subqueries)
        assert gold <= set(releases(hybrid(p))[:5]), question


def test_a_part_searches_its_own_dates(hybrid, understand):
    p = understand(Query("Where was Park Jin, and whom did he meet, on July 4, July 8 and July 18, 2022, respectively?"))
    # The July 8 part alone: the Bali release is the one release in its dates, so its date route finds it first.
    fused, routes, _ = hybrid._search_part(p.subqueries[1], p, dates=p.part_dates[1])
    dated = [hybrid.lexical.sources[row] for name, pairs in routes.items() if name.startswith("date:") for row, _ in pairs]
    assert set(dated) == {"005_rok-us-japan-fm-bali-ko.txt"}


class CountingEmbeddings:
    """The real embeddings, counting how they are called."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, []
        self.model_id, self.parts = inner.model_id, getattr(inner, "parts", [])

    def embed_query(self, text):
        self.calls.append(("query", 1))
        return self.inner.embed_query(text)

    def embed_documents(self, texts):
        self.calls.append(("documents", len(texts)))
        return self.inner.embed_documents(texts)


def test_the_parts_of_a_question_are_encoded_in_one_call(corpus_index, embeddings, lexical, understand):
    counting = CountingEmbeddings(embeddings)
    retriever = HybridRetriever(corpus_index, counting, lexical, k=10)
    plan = understand(Query("Where were the 7th and 8th ROK-U.S. Senior Economic Dialogues held?"))
    passages = retriever(plan)
    assert counting.calls == [("documents", 1 + len(plan.subqueries))]
    # The same passages as encoding each part on its own.
    one_by_one = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    search = one_by_one._search_part

    def each_on_its_own(text, p, vector=None, scores=None, dates=None):
        return search(text, p, dates=dates)  # encodes the part itself, and finds its own scores

    one_by_one._search_part = each_on_its_own
    assert [x.chunk_id for x in passages] == [x.chunk_id for x in one_by_one(plan)]


def test_parts_searched_side_by_side_give_what_one_after_another_gives(corpus_index, embeddings, lexical, understand):
    plan = understand(Query("How many North Korean institutions did Korea designate in its October 2022, December 2022 "
                            "and July 2023 sanctions rounds combined?"))
    assert len(plan.subqueries) >= 2
    serial = HybridRetriever(corpus_index, embeddings, lexical, k=10, config=replace(RetrievalConfig(), part_threads=1))
    side_by_side = HybridRetriever(corpus_index, embeddings, lexical, k=10)
    assert side_by_side.config.part_threads > 1
    threads: set[str] = set()
    search = side_by_side._search_part

    def noting_the_thread(*args):
        threads.add(threading.current_thread().name)
        return search(*args)

    side_by_side._search_part = noting_the_thread
    expected = [(x.chunk_id, x.routes) for x in serial(plan)]
    assert [(x.chunk_id, x.routes) for x in side_by_side(plan)] == expected
    assert threads and all(name.startswith("pressroom-part") for name in threads)


def test_a_follow_up_finds_the_release_of_the_conversation(hybrid, understand):
    history = ("When did Park Jin host ASEAN Secretary-General Kao Kim Hourn for lunch?",)
    p = understand(Query("What did they agree on?", history))
    passages = hybrid(p)
    assert passages[0].source == SAMPLE
    assert "followup" in passages[0].routes
    # Without the history the same words find nothing in particular.
    assert "followup" not in hybrid(understand(Query("What did they agree on?")))[0].routes


def test_latest_puts_the_newest_relevant_release_first(hybrid, understand):
    p = understand(Query("What were the latest unilateral sanctions on North Korea?"))
    assert p.prefer_recent
    passages = hybrid(p)
    assert passages[0].source == "025_dprk-sanctions-jul2023.txt"
    assert passages[0].routes.get("date") == 1
    top = [x for x in releases(passages)[:3]]
    assert {"009_dprk-sanctions-oct2022.txt", "011_dprk-sanctions-dec2022.txt"} & set(top)


def test_latest_finds_the_newest_of_a_series_below_older_rounds(hybrid, understand):
    # Three paragraphs each of the older rounds outrank the newest round's best one; recency
    # reorders releases, not rows, so the newest round still comes first.
    p = understand(Query("When did Korea most recently impose unilateral sanctions on North Korea, and how many were designated?"))
    passages = hybrid(p)
    assert passages[0].source == "025_dprk-sanctions-jul2023.txt"
    assert passages[0].routes["date"] == 1


def _pair_rankings(hybrid, understand) -> list[tuple[dict, list[str], list[str]]]:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(pairs) >= 20
    return [
        (pair, releases(hybrid(understand(Query(pair["en"])))), releases(hybrid(understand(Query(pair["ko"])))))
        for pair in pairs
    ]


@pytest.fixture(scope="module")
def pair_rankings(hybrid, understand):
    return _pair_rankings(hybrid, understand)


def test_the_background_gate_discounts_the_language_whose_best_match_stands_out_less(hybrid):
    def gates(question: str) -> dict[str, float]:
        vector = np.asarray(hybrid.embeddings.embed_query(question), dtype=np.float32)
        return hybrid._background_gates(hybrid._table().scores(vector))

    # About an English release, asked in Korean: every Korean release scores higher, none stands out.
    korean = gates("조태열 장관은 왕이 외교부장과의 통화에서 탈북민 문제와 관련해 무엇을 요청했나요?")
    assert korean["en"] == 1.0 and 0.0 <= korean["ko"] < 1.0
    # About the Korean-only release (the Bali meeting), asked in English.
    english = gates("On what date did Park Jin, Blinken and Hayashi hold their trilateral meeting in Bali?")
    assert english["ko"] == 1.0 and english["en"] < 1.0
    assert hybrid._background_gates(None) == {}


# The target. Measured 11-12 of 24 with every fusion and language setting tried and with USE
# alone; 16 with the lexical bridge, 18 with names matched by sound (qa.bridge), 20 with Korean names
# matched to the English releases' names of several words (ingest.names), 22 with the background gate
# (RetrievalConfig.background_gate).
def test_same_top_release_in_english_and_korean(pair_rankings):
    same = sum(en[0] == ko[0] for _, en, ko in pair_rankings)
    assert same / len(pair_rankings) >= 0.9, f"{same}/{len(pair_rankings)} pairs share their top release"


def test_the_release_is_in_the_top_five_in_both_languages(pair_rankings):
    found = sum(pair["source"] in en[:5] and pair["source"] in ko[:5] for pair, en, ko in pair_rankings)
    assert found / len(pair_rankings) >= 0.9, f"{found}/{len(pair_rankings)}"


def test_configuration_can_choose_fusion_and_language_handling(corpus_index, embeddings, lexical):
    question = plan("How many votes did Korea receive in the UN Security Council election?")
    for fusion in ("rrf", "score"):
        for languages in ("joint", "separate"):
            config = RetrievalConfig(fusion=fusion, languages=languages)
            passages = HybridRetriever(corpus_index, embeddings, lexical, config=config)(question)
            assert passages[0].source == "024_unsc-election.txt", (fusion, languages)
