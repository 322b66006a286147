"""The analyser and the BM25 side index kept beside Chroma by the same ingest (fake embeddings: fast)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ingest.analysis import analyze, english_terms, has_hangul, korean_terms
from ingest.chunking import CHUNKING_VERSION
from ingest.index import open_index
from ingest.lexical import LEXICAL_DIR, LexicalIndex, chunk_names, chunk_terms
from ingest.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
FILES = ["000_3a0123e4a4b49311.txt", "015_turkiye-kdrt-ko.txt", "024_unsc-election.txt", "029_israel-evacuation.txt"]


# -- the analyser -------------------------------------------------------------------------------


def test_english_terms_are_snowball_stems_without_stopwords():
    assert english_terms("The meetings were held") == ["meet", "held"]
    assert analyze("designated designates designating") == ["design"] * 3
    assert analyze("Korea's sanctions") == ["korea", "sanction"]


def test_numbers_are_normalised():
    assert analyze("1,513 people on the eighth, the 8th and 2.5 percent") == ["1513", "peopl", "8", "8", "2.5", "percent"]


def test_korean_keeps_content_morphemes_and_its_latin_words():
    terms = korean_terms("튀르키예에 파견된 긴급구호대는 118명 규모였고 KDRT meetings로 구성됐다")
    assert {"튀르키예", "파견", "긴급", "구호", "118", "규모", "kdrt", "meet", "구성"} <= set(terms)
    assert "에" not in terms and "는" not in terms  # particles go
    assert analyze("튀르키예 지진") == korean_terms("튀르키예 지진")  # Hangul picks the Korean path


def test_a_korean_name_is_searchable_by_each_of_its_parts():
    # Kiwi's multi-word dictionary made "토니 블링컨" one term, so a question naming "블링컨" matched nothing.
    terms = korean_terms("토니 블링컨 국무장관과 하야시 요시마사 외무대신을 만났다")
    assert {"토니", "블링컨", "하야시", "요시마사"} <= set(terms)
    assert set(korean_terms("블링컨 장관")) & set(terms)


@pytest.mark.parametrize("text", ["", "   ", "?!", "\ud7a3" * 3, "x" * 100_000, "가" * 20_000])
def test_any_text_is_analysed_without_error(text):
    terms = analyze(text)
    assert all(isinstance(t, str) and 0 < len(t) <= 40 for t in terms)


# -- the side index, through ingest -------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "releases"
    folder.mkdir()
    for name in FILES:
        shutil.copy(RELEASES / name, folder / name)
    return folder


@pytest.fixture
def index(tmp_path, fake_embeddings):
    return open_index(tmp_path / "index", embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True)


def _lexical(index) -> LexicalIndex:
    loaded = LexicalIndex.load(index.path / LEXICAL_DIR)
    assert loaded is not None
    return loaded


def _collection_ids(index) -> set[str]:
    return {c.chunk_id for c in index.all_chunks()}


def test_ingest_writes_bm25_rows_for_exactly_the_stored_chunks(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    lexical = _lexical(index)
    assert set(lexical.ids) == _collection_ids(index)
    assert len(lexical) == index.count() > 0
    assert set(lexical.sources) == set(FILES)
    assert set(lexical.languages) == {"en", "ko"}
    # Row tables line up: each row's release and date are its chunk's.
    chunks = {c.chunk_id: c for c in index.all_chunks()}
    for row, chunk_id in enumerate(lexical.ids):
        assert lexical.sources[row] == chunks[chunk_id].source
        assert lexical.dates[row] == chunks[chunk_id].date_int


def test_bm25_finds_names_and_korean_terms(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    lexical = _lexical(index)
    (row, score), *_ = lexical.top(analyze("Kao Kim Hourn"), 5)
    assert lexical.sources[row] == "000_3a0123e4a4b49311.txt" and score > 0
    (row, _), *_ = lexical.top(analyze("긴급구호대 파견"), 5)
    assert lexical.sources[row] == "015_turkiye-kdrt-ko.txt"
    assert lexical.top(analyze("zzzunknownword"), 5) == []


def test_the_side_index_keeps_the_english_releases_names_of_several_words(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    names = set(_lexical(index).names)
    assert {"Kao Kim Hourn", "Park Jin"} <= names  # from 000, an English release
    assert not any(has_hangul(name) for name in names)  # a Korean release's names are single words already

    (corpus / "000_3a0123e4a4b49311.txt").unlink()
    ingest_paths([corpus], index, fake_embeddings, prune=True, progress=False)
    assert "Kao Kim Hourn" not in set(_lexical(index).names)  # gone with the only release that had it


def test_date_mask_selects_rows_by_release_date(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    lexical = _lexical(index)
    mask = lexical.date_mask(20230601, 20230630)
    assert set(lexical.sources[mask]) == {"000_3a0123e4a4b49311.txt", "024_unsc-election.txt"}
    hits = lexical.top(analyze("Security Council votes"), 10, mask)
    assert hits and all(mask[row] for row, _ in hits)
    assert str(lexical.newest_date()) == "2023-10-14"


def test_unchanged_reingest_indexes_nothing(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    rows = index.path / LEXICAL_DIR / "rows.json"
    before = rows.stat().st_mtime_ns
    fake_embeddings.calls.clear()
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert report.chunks_embedded == 0 and fake_embeddings.embedded_texts == []
    assert rows.stat().st_mtime_ns == before  # the BM25 matrix was not rebuilt


def test_changed_and_pruned_releases_update_the_side_index(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    path = corpus / "024_unsc-election.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Slovenia", "Zanzibarland"), encoding="utf-8")
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    lexical = _lexical(index)
    assert set(lexical.ids) == _collection_ids(index)
    assert [lexical.sources[r] for r, _ in lexical.top(analyze("Zanzibarland"), 3)][0] == "024_unsc-election.txt"
    assert lexical.top(analyze("Slovenia"), 3) == []

    (corpus / "029_israel-evacuation.txt").unlink()
    ingest_paths([corpus], index, fake_embeddings, prune=True, progress=False)
    lexical = _lexical(index)
    assert "029_israel-evacuation.txt" not in set(lexical.sources)
    assert set(lexical.ids) == _collection_ids(index)


def test_a_lost_side_index_is_rebuilt_from_the_collection(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    expected = _lexical(index)
    shutil.rmtree(index.path / LEXICAL_DIR)
    fake_embeddings.calls.clear()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert fake_embeddings.embedded_texts == []  # repaired from stored text, nothing re-embedded
    rebuilt = _lexical(index)
    assert rebuilt.ids == expected.ids
    chunk = index.all_chunks()[0]
    assert chunk_terms(chunk)  # the stored body and title analyse to terms again


def test_chunks_written_to_chroma_by_a_killed_ingest_are_picked_up(corpus, index, fake_embeddings, tmp_path):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    # A run killed after the Chroma write and before the side index was saved: simulate by writing
    # chunks through a second handle whose side index is never saved.
    from ingest.chunking import chunk_release
    from ingest.parse import load_release

    extra = chunk_release(load_release(RELEASES / "009_dprk-sanctions-oct2022.txt"))
    other = open_index(index.path, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION)
    other._collection.upsert(
        ids=[c.chunk_id for c in extra],
        embeddings=fake_embeddings.encode([c.text for c in extra]),
        documents=[c.body for c in extra],
        metadatas=[{"source": c.source, "release_id": c.release_id, "title": c.title, "date": c.date_iso,
                    "date_int": c.date_int, "paragraph": c.paragraph, "language": c.language,
                    "chunk_index": c.chunk_index} for c in extra],
    )
    index.save_lexical()
    assert {c.chunk_id for c in extra} <= set(_lexical(index).ids)


def test_rebuild_drops_the_side_index(corpus, index, fake_embeddings, tmp_path):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    rebuilt = open_index(
        index.path, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=True
    )
    assert not (rebuilt.path / LEXICAL_DIR).exists()


def test_bm25_built_from_stored_term_ids_scores_as_bm25s_from_the_terms(corpus, index, fake_embeddings):
    import bm25s

    ingest_paths([corpus], index, fake_embeddings, progress=False)
    lexical = _lexical(index)
    chunks = {c.chunk_id: c for c in index.all_chunks()}
    reference = bm25s.BM25()
    reference.index([chunk_terms(chunks[i]) for i in lexical.ids], show_progress=False)
    for question in ("Kao Kim Hourn ASEAN luncheon", "튀르키예 긴급구호대", "UN Security Council election 2023"):
        terms = [t for t in analyze(question) if t in lexical.vocabulary]
        assert terms
        assert np.allclose(lexical.matches(terms).scores, reference.get_scores(terms), atol=1e-6)


def test_a_store_of_json_lines_is_read_and_written_again_as_ids(corpus, index, fake_embeddings):
    import json

    from ingest.lexical import STORE_FORMAT, LexicalStore

    ingest_paths([corpus], index, fake_embeddings, progress=False)
    folder = index.path / LEXICAL_DIR
    before = _lexical(index)
    chunks = {c.chunk_id: c for c in index.all_chunks()}
    # The format before STORE_FORMAT 2: a JSON line of terms per chunk, rows.json without "store".
    meta = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
    del meta["store"]
    with open(folder / "terms.jsonl", "w", encoding="utf-8") as handle:
        for row, chunk_id in enumerate(meta["ids"]):
            c = chunks[chunk_id]
            handle.write(json.dumps({"id": chunk_id, "source": c.source, "language": c.language, "date": c.date_int,
                                     "terms": chunk_terms(c), "names": chunk_names(c)}, ensure_ascii=False) + "\n")
    for stale in folder.glob("*.npy"):
        stale.unlink()
    (folder / "rows.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    store = LexicalStore(folder)
    assert store.stored_ids() == set(before.ids)  # still usable as it is
    first = sorted(before.ids)[0]
    store.remove({first})
    assert store.save()
    after = LexicalIndex.load(folder)
    assert json.loads((folder / "rows.json").read_text(encoding="utf-8"))["store"] == STORE_FORMAT
    assert not (folder / "terms.jsonl").exists()
    assert after.ids == [i for i in before.ids if i != first]
    assert after.vocabulary <= before.vocabulary and set(after.names) <= set(before.names)


def test_a_side_index_missing_its_term_arrays_is_rebuilt_from_the_collection(corpus, index, fake_embeddings):
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    expected = _lexical(index)
    (index.path / LEXICAL_DIR / "terms.ids.npy").unlink()
    fake_embeddings.calls.clear()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert fake_embeddings.embedded_texts == []
    rebuilt = _lexical(index)
    assert rebuilt.ids == expected.ids and rebuilt.vocabulary == expected.vocabulary
    assert (index.path / LEXICAL_DIR / "terms.ids.npy").exists()


def test_term_id_rows_keep_their_strings_through_take_join_and_compact():
    from ingest.lexical import _Ragged

    base = _Ragged.of([("b", "a"), (), ("c", "a", "a")])
    more = _Ragged.of([("d",), ("a", "e")], base.vocab)
    joined = base.joined(more)
    picked = joined.take(np.array([4, 0, 2]))
    compact = picked.compact()
    assert [[compact.vocab[i] for i in row] for row in compact.rows()] == [["a", "e"], ["b", "a"], ["c", "a", "a"]]
    assert compact.vocab == ("a", "b", "c", "e")  # only strings a row uses, sorted ("d" went with its row)
    assert len(_Ragged.of([]).compact()) == 0


def test_korean_proper_nouns_are_kiwis_nnp_words():
    from ingest.analysis import korean_proper_nouns

    found = korean_proper_nouns("2022년 7월 박진 장관과 에브라르드 멕시코 외교장관은 무엇을 합의했나요?")
    assert {"에브라르드", "멕시코"} <= set(found)
    assert not {"장관", "외교장관", "합의"} & set(found)  # common nouns and verbs are not names


@pytest.mark.parametrize("scoring", [0.5, 0.02])  # rows that score at all: more than the pool, fewer
@pytest.mark.parametrize("share", [1.0, 0.3, 0.01, 0.0005])
def test_matches_select_from_their_pool_as_from_every_row(share, scoring):
    from ingest.lexical import Matches
    from ingest.selection import best_rows

    rng = np.random.default_rng(4)
    scores = np.where(rng.random(60_000) < scoring, rng.random(60_000), 0.0).astype(np.float32)
    mask = rng.random(60_000) < share
    matches = Matches(scores)
    for k in (1, 50, 300):
        got = [row for row, _ in matches.top(k, mask)]
        positive = np.flatnonzero((scores > 0) & mask)
        assert got == best_rows(scores, k, positive).tolist()
    assert [row for row, _ in matches.top(50)] == best_rows(scores, 50, np.flatnonzero(scores > 0)).tolist()
