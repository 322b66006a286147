"""Incremental ingest bookkeeping, over a few corpus files copied to tmp_path and a fake model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.chunking import CHUNKING_VERSION, chunk_release
from ingest.index import IndexMismatchError, IndexMissingError, IndexProblem, open_index
from ingest.parse import load_release
from ingest.pipeline import find_release_files, ingest_paths

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
FILES = [
    "000_3a0123e4a4b49311.txt",
    "009_dprk-sanctions-oct2022.txt",
    "015_turkiye-kdrt-ko.txt",
    "024_unsc-election.txt",
    "029_israel-evacuation.txt",
]
SAMPLE = FILES[0]
OLD_SENTENCE = "Foreign Minister Park noted that Korea and ASEAN have developed into indispensable partners"
NEW_SENTENCE = "Foreign Minister Park recalled that Korea and ASEAN have grown into indispensable partners"


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "releases"
    folder.mkdir()
    for name in FILES:
        shutil.copy(RELEASES / name, folder / name)
    return folder


@pytest.fixture
def open_fake_index(tmp_path, fake_embeddings):
    def _open(**kwargs):
        kwargs.setdefault("embedding_model", fake_embeddings.model_id)
        kwargs.setdefault("chunking_version", CHUNKING_VERSION)
        kwargs.setdefault("create", True)
        return open_index(tmp_path / "index", **kwargs)

    return _open


def _expected_chunks(folder: Path, names=FILES) -> dict[str, set[str]]:
    return {name: {c.chunk_id for c in chunk_release(load_release(folder / name))} for name in names}


def _bodies(index) -> str:
    return "\n".join(c.body for c in index.all_chunks())


def test_first_ingest_adds_every_file(corpus, open_fake_index, fake_embeddings):
    index = open_fake_index()
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    expected = _expected_chunks(corpus)
    n_chunks = sum(len(ids) for ids in expected.values())
    assert sorted(report.added) == FILES
    assert report.updated == report.unchanged == report.removed == report.failed == []
    assert report.chunks_embedded == n_chunks == index.count()
    assert len(fake_embeddings.embedded_texts) == n_chunks
    for name, ids in expected.items():
        assert index.chunk_ids_for(name) == ids
    assert index.sources() == set(FILES)
    assert set(index.files) == set(FILES)
    assert "added 5" in report.summary() and f"{n_chunks} chunks embedded" in report.summary()
    # The manifest is on disk, so a new process can skip unchanged files too.
    manifest = json.loads((index.path / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(FILES)
    assert all(len(rec["sha256"]) == 64 for rec in manifest["files"].values())
    # What the index stores comes back as chunks with their metadata.
    stored = {c.chunk_id: c for c in index.all_chunks()}
    sample_chunk = stored[min(expected[SAMPLE])]
    assert sample_chunk.source == SAMPLE and sample_chunk.date_iso == "2023-06-20"
    assert sample_chunk.language == "en" and sample_chunk.date_int == 20230620
    korean = [c for c in stored.values() if c.source == "015_turkiye-kdrt-ko.txt"]
    assert korean and all(c.language == "ko" for c in korean)


def test_second_ingest_embeds_nothing(corpus, open_fake_index, fake_embeddings, make_fake_embeddings):
    index = open_fake_index()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    count = index.count()

    # Reopened, as a new run would: the manifest says nothing changed.
    again = make_fake_embeddings(fake_embeddings.model_id)
    report = ingest_paths([corpus], open_fake_index(create=False), again, progress=False)
    assert sorted(report.unchanged) == FILES
    assert report.added == report.updated == report.removed == report.failed == []
    assert report.chunks_embedded == 0
    assert again.embedded_texts == []
    assert open_fake_index(create=False).count() == count


def test_touching_a_file_without_changing_its_chunks_embeds_nothing(corpus, open_fake_index, fake_embeddings):
    index = open_fake_index()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    path = corpus / SAMPLE
    path.write_bytes(path.read_bytes() + b"\n\n\n")  # new bytes, same paragraphs
    fake_embeddings.calls.clear()
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert report.chunks_embedded == 0 and fake_embeddings.embedded_texts == []
    assert sorted(report.unchanged) == FILES and report.updated == []


def test_editing_a_file_replaces_only_its_changed_chunks(corpus, open_fake_index, fake_embeddings):
    index = open_fake_index()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    before = index.chunk_ids_for(SAMPLE)
    total = index.count()

    path = corpus / SAMPLE
    text = path.read_text(encoding="utf-8")
    assert OLD_SENTENCE in text
    path.write_text(text.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    fake_embeddings.calls.clear()
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)

    assert report.updated == [SAMPLE]
    assert sorted(report.unchanged) == sorted(set(FILES) - {SAMPLE})
    assert report.added == report.failed == []
    assert report.chunks_embedded == 1
    (embedded,) = fake_embeddings.embedded_texts
    assert NEW_SENTENCE in embedded
    after = index.chunk_ids_for(SAMPLE)
    assert after == _expected_chunks(corpus, [SAMPLE])[SAMPLE]
    assert len(before - after) == 1 and len(after - before) == 1
    assert ":p3." in next(iter(after - before))
    assert index.count() == total
    bodies = _bodies(index)
    assert OLD_SENTENCE not in bodies
    assert NEW_SENTENCE in bodies
    assert index.files[SAMPLE].sha256 != ""


def test_deleting_a_file_then_prune_removes_its_chunks(corpus, open_fake_index, fake_embeddings):
    index = open_fake_index()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    gone = "029_israel-evacuation.txt"
    gone_ids = index.chunk_ids_for(gone)
    assert gone_ids
    (corpus / gone).unlink()

    kept = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert kept.removed == []
    assert index.chunk_ids_for(gone) == gone_ids, "without --prune a vanished file's chunks stay"
    assert gone in index.sources()

    pruned = ingest_paths([corpus], index, fake_embeddings, progress=False, prune=True)
    assert pruned.removed == [gone]
    assert index.chunk_ids_for(gone) == set()
    assert gone not in index.sources() and gone not in index.files
    assert index.count() == sum(len(ids) for ids in _expected_chunks(corpus, FILES[:-1]).values())
    assert "Israel" not in " ".join(c.title for c in index.all_chunks())
    assert gone not in json.loads((index.path / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_a_broken_file_is_reported_and_the_rest_go_in(corpus, open_fake_index, fake_embeddings):
    (corpus / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    index = open_fake_index()
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert sorted(report.added) == FILES
    assert len(report.failed) == 1
    where, why = report.failed[0]
    assert Path(where).name == "scan.txt"
    assert "binary" in why
    assert "scan.txt" not in index.sources() and "scan.txt" not in index.files


def test_a_corrupted_file_keeps_its_old_chunks(corpus, open_fake_index, fake_embeddings):
    index = open_fake_index()
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    before = index.chunk_ids_for(SAMPLE)
    record = index.files[SAMPLE]

    (corpus / SAMPLE).write_bytes(b"\x00\x01\x02 not a release any more")
    report = ingest_paths([corpus], index, fake_embeddings, progress=False, prune=True)
    assert [Path(where).name for where, _ in report.failed] == [SAMPLE]
    assert report.removed == [] and SAMPLE not in report.updated
    assert index.chunk_ids_for(SAMPLE) == before
    assert index.files[SAMPLE] == record, "the manifest keeps the good version, so the next run retries"
    assert OLD_SENTENCE in _bodies(index)


def test_an_empty_file_among_good_ones(corpus, open_fake_index, fake_embeddings):
    (corpus / "draft.md").write_bytes(b"")
    report = ingest_paths([corpus], open_fake_index(), fake_embeddings, progress=False)
    assert [(Path(w).name, "empty" in why) for w, why in report.failed] == [("draft.md", True)]
    assert sorted(report.added) == FILES


def test_readme_and_hidden_and_other_types_are_skipped(corpus, open_fake_index, fake_embeddings):
    release_like = (corpus / SAMPLE).read_text(encoding="utf-8")
    (corpus / "README.md").write_text(release_like, encoding="utf-8")
    (corpus / "readme.txt").write_text(release_like, encoding="utf-8")
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    hidden = corpus / ".drafts"
    hidden.mkdir()
    (hidden / "draft.txt").write_text(release_like, encoding="utf-8")
    files, problems = find_release_files([corpus])
    assert sorted(p.name for p in files) == FILES
    assert problems == []
    report = ingest_paths([corpus], open_fake_index(), fake_embeddings, progress=False)
    assert sorted(report.added) == FILES and report.failed == []


def test_unsupported_files_are_reported_and_the_rest_go_in(corpus, open_fake_index, fake_embeddings, tmp_path):
    pdf = tmp_path / "release.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    report = ingest_paths([corpus / SAMPLE, pdf], open_fake_index(), fake_embeddings, progress=False)
    assert report.added == [SAMPLE]
    reasons = {Path(where).name: why for where, why in report.failed}
    assert set(reasons) == {"release.pdf"}
    assert ".pdf" in reasons["release.pdf"]


def test_two_files_with_one_name_are_refused(corpus, open_fake_index, fake_embeddings, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(corpus / SAMPLE, other / SAMPLE)
    report = ingest_paths([corpus, other], open_fake_index(), fake_embeddings, progress=False)
    assert sorted(report.added) == FILES
    assert [Path(where) for where, _ in report.failed] == [other / SAMPLE]
    assert "rename" in report.failed[0][1]


# -- opening the index ---------------------------------------------------------------------------


def test_missing_index_is_refused(tmp_path, fake_embeddings):
    with pytest.raises(IndexMissingError) as err:
        open_index(tmp_path / "nothing-here", embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION)
    assert "pressroom ingest" in str(err.value)
    assert isinstance(err.value, IndexProblem)
    assert not (tmp_path / "nothing-here").exists()


@pytest.mark.parametrize(
    "other",
    [{"embedding_model": "all-mpnet-base-v2"}, {"chunking_version": "paragraph-v0"}],
    ids=["embedding-model", "chunking-version"],
)
def test_index_built_with_other_settings_is_refused(corpus, open_fake_index, fake_embeddings, other):
    ingest_paths([corpus], open_fake_index(), fake_embeddings, progress=False)
    for create in (False, True):
        with pytest.raises(IndexMismatchError) as err:
            open_fake_index(create=create, **other)
        message = str(err.value)
        assert "pressroom ingest --rebuild" in message
        assert next(iter(other.values())) in message
    # Refusing did not alter the index: it still opens with its own settings and holds everything.
    index = open_fake_index(create=False)
    settings = {key: index.info.get(key) for key in ("embedding_model", "chunking_version")}
    assert settings == {"embedding_model": fake_embeddings.model_id, "chunking_version": CHUNKING_VERSION}
    assert index.sources() == set(FILES)


_BUILD_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    import numpy as np
    from ingest.index import open_index
    from ingest.pipeline import ingest_paths

    class Fake:
        model_id = sys.argv[3]
        def encode(self, texts):
            rows = []
            for t in texts:
                seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
                v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
                rows.append(v / np.linalg.norm(v))
            return np.stack(rows)

    index = open_index(Path(sys.argv[2]), embedding_model=sys.argv[3], chunking_version=sys.argv[4], create=True)
    report = ingest_paths([Path(sys.argv[1])], index, Fake(), progress=False)
    assert len(report.added) == 5, report.summary()
    """
)


def _build_elsewhere(corpus: Path, index_dir: Path, model_id: str) -> None:
    """Build the index in another process, as an earlier `pressroom ingest` run would have."""
    subprocess.run(
        [sys.executable, "-c", _BUILD_IN_ANOTHER_PROCESS, str(corpus), str(index_dir), model_id, CHUNKING_VERSION],
        check=True,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def index_built_elsewhere(corpus, tmp_path) -> Path:
    index_dir = tmp_path / "index"
    _build_elsewhere(corpus, index_dir, "old-model")
    return index_dir


def test_rebuild_starts_from_an_empty_index(corpus, index_built_elsewhere, fake_embeddings):
    # `pressroom ingest --rebuild` with another model: a fresh process, an index made by an earlier one.
    index = open_index(
        index_built_elsewhere,
        embedding_model=fake_embeddings.model_id,
        chunking_version=CHUNKING_VERSION,
        create=True,
        rebuild=True,
    )
    assert index.count() == 0 and index.files == {}
    assert index.info["embedding_model"] == fake_embeddings.model_id
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert sorted(report.added) == FILES
    assert report.chunks_embedded == index.count() > 0
    reopened = open_index(index_built_elsewhere, embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION)
    assert reopened.count() == index.count() and set(reopened.files) == set(FILES)


def test_rebuild_after_a_refused_open_in_the_same_process(corpus, index_built_elsewhere, fake_embeddings):
    with pytest.raises(IndexMismatchError):
        open_index(index_built_elsewhere, embedding_model=fake_embeddings.model_id,
                   chunking_version=CHUNKING_VERSION, create=True)
    index = open_index(
        index_built_elsewhere,
        embedding_model=fake_embeddings.model_id,
        chunking_version=CHUNKING_VERSION,
        create=True,
        rebuild=True,
    )
    assert index.count() == 0
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert sorted(report.added) == FILES


def test_rebuild_of_an_index_opened_in_this_process(corpus, open_fake_index, fake_embeddings):
    ingest_paths([corpus], open_fake_index(), fake_embeddings, progress=False)
    index = open_fake_index(rebuild=True)
    assert index.count() == 0 and index.files == {}
    report = ingest_paths([corpus], index, fake_embeddings, progress=False)
    assert sorted(report.added) == FILES
    assert index.count() == report.chunks_embedded
