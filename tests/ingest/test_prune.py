"""Prune that cannot surprise: only files that vanished from the folders given, never on a typo, a file
argument or a mass removal without consent; a dry run changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.chunking import CHUNKING_VERSION
from ingest.index import open_index
from ingest.pipeline import IngestRefused, ingest_paths

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
FILES = sorted(p.name for p in RELEASES.glob("0[0-2]*.txt"))[:6]


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "releases"
    folder.mkdir()
    for name in FILES:
        shutil.copy(RELEASES / name, folder / name)
    return folder


@pytest.fixture
def index(tmp_path, fake_embeddings, corpus):
    index = open_index(
        tmp_path / "index", embedding_model=fake_embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True
    )
    ingest_paths([corpus], index, fake_embeddings, progress=False)
    return index


def _state(index) -> tuple[int, set[str], set[str]]:
    return index.count(), index.sources(), set(index.files)


def test_a_missing_path_is_refused_before_anything_changes(index, fake_embeddings, corpus, tmp_path):
    before = _state(index)
    with pytest.raises(IngestRefused, match="no such file or folder.*releasess"):
        ingest_paths([tmp_path / "releasess"], index, fake_embeddings, prune=True, progress=False)
    with pytest.raises(IngestRefused, match="nothing was changed"):
        ingest_paths([corpus, corpus / "nope.txt"], index, fake_embeddings, prune=True, progress=False)
    assert _state(index) == before


def test_a_file_argument_prunes_nothing(index, fake_embeddings, corpus):
    before = _state(index)
    report = ingest_paths([corpus / FILES[0]], index, fake_embeddings, prune=True, progress=False)
    assert report.removed == [] and report.unchanged == [FILES[0]]
    assert _state(index) == before


def test_prune_removes_only_what_vanished_under_the_folders_given(index, fake_embeddings, corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    extra = other / "900_extra-release.txt"
    shutil.copy(RELEASES / FILES[0], extra)
    extra.write_text(extra.read_text(encoding="utf-8").replace("2023-06-20", "2023-06-21"), encoding="utf-8")
    ingest_paths([extra], index, fake_embeddings, progress=False)
    (corpus / FILES[1]).unlink()
    extra.unlink()  # gone too, but it lived under a folder this run does not name

    report = ingest_paths([corpus], index, fake_embeddings, prune=True, progress=False)
    assert report.removed == [FILES[1]]
    assert FILES[1] not in index.sources()
    assert extra.name in index.sources(), "a release from another folder is not this run's to remove"


def test_a_moved_file_is_not_pruned_from_its_new_folder(index, fake_embeddings, corpus, tmp_path):
    moved_to = tmp_path / "archive"
    moved_to.mkdir()
    shutil.move(corpus / FILES[2], moved_to / FILES[2])
    ingest_paths([moved_to], index, fake_embeddings, progress=False)
    report = ingest_paths([corpus], index, fake_embeddings, prune=True, progress=False)
    assert report.removed == []
    assert FILES[2] in index.sources()


def test_removing_more_than_half_needs_consent(index, fake_embeddings, corpus):
    for name in FILES[:4]:
        (corpus / name).unlink()
    before = _state(index)
    with pytest.raises(IngestRefused, match=r"would remove 4 of the 6 releases.*--yes"):
        ingest_paths([corpus], index, fake_embeddings, prune=True, progress=False)
    asked: list[tuple[int, int]] = []

    def refuse(candidates, total):
        asked.append((len(candidates), total))
        return False

    with pytest.raises(IngestRefused):
        ingest_paths([corpus], index, fake_embeddings, prune=True, confirm_prune=refuse, progress=False)
    assert asked == [(4, 6)]
    assert _state(index) == before

    report = ingest_paths([corpus], index, fake_embeddings, prune=True, confirm_prune=lambda c, t: True, progress=False)
    assert sorted(report.removed) == FILES[:4]
    assert index.sources() == set(FILES[4:])


def test_dry_run_reports_and_changes_nothing(index, fake_embeddings, corpus):
    (corpus / FILES[0]).unlink()
    edited = corpus / FILES[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n9. A paragraph added later.\n", encoding="utf-8")
    shutil.copy(RELEASES / "024_unsc-election.txt", corpus / "024_unsc-election.txt")
    before = _state(index)
    embedded = len(fake_embeddings.embedded_texts)
    manifest = (index.path / "manifest.json").read_text(encoding="utf-8")

    report = ingest_paths([corpus], index, fake_embeddings, prune=True, dry_run=True, progress=False)
    assert report.added == ["024_unsc-election.txt"]
    assert report.updated == [FILES[1]]
    assert report.removed == [FILES[0]]
    assert report.chunks_embedded > 0 and "dry run, nothing changed" in report.summary()
    assert _state(index) == before
    assert len(fake_embeddings.embedded_texts) == embedded
    assert (index.path / "manifest.json").read_text(encoding="utf-8") == manifest
