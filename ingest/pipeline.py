"""Incremental ingest: parse what changed, embed only chunks the index lacks, drop what is stale."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ingest.chunking import DEFAULT_MAX_CHARS, chunk_release
from ingest.decode import UnreadableFileError
from ingest.index import ChunkIndex, FileRecord
from ingest.models import Chunk
from ingest.parse import SUPPORTED_SUFFIXES, parse_release

EMBED_BATCH = 256
_SKIPPED_NAMES = ("readme", "license", "changelog")


class IngestRefused(ValueError):
    """The run was refused before anything changed; the message says what to do."""


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    chunks_embedded: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"dry run, nothing changed: would add {len(self.added)}, update {len(self.updated)}, "
                f"remove {len(self.removed)}; unchanged {len(self.unchanged)}, failed {len(self.failed)} "
                f"({self.chunks_embedded} chunks to embed)"
            )
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)} "
            f"({self.chunks_embedded} chunks embedded)"
        )


@dataclass
class _FilePlan:
    source: str
    record: FileRecord
    new_chunks: list[Chunk]
    stale_ids: set[str]
    is_new: bool


def find_release_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest under `paths`, and paths that are not usable with the reason."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in candidate.relative_to(path).parts)
                if (
                    candidate.is_file()
                    and not hidden
                    and candidate.suffix.lower() in SUPPORTED_SUFFIXES
                    and not candidate.name.lower().startswith(_SKIPPED_NAMES)
                ):
                    files.append(candidate)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                problems.append((str(path), f"unsupported file type {path.suffix!r}; use .txt, .md or .html"))
        else:
            problems.append((str(path), "no such file or folder"))
    return files, problems


def check_paths_exist(paths: Iterable[Path]) -> None:
    """Refuse the whole run when a path is missing: a typo must not read as "every release is gone"."""
    missing = [str(p) for p in map(Path, paths) if not p.exists()]
    if missing:
        raise IngestRefused(
            f"no such file or folder: {', '.join(missing)}; nothing was changed. Check the path and run again."
        )


def _under(path: str, folders: list[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(folder) for folder in folders)


def prune_candidates(paths: Iterable[Path], index: ChunkIndex, seen: set[str]) -> list[str]:
    """Releases whose files were under a folder given in this run and are there no more.

    Only folders count: a file argument says nothing about the releases that are not named, and a
    release recorded under another folder (or only in another run) is not this run's to remove.
    """
    folders = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    if not folders:
        return []
    return sorted(
        source
        for source, record in index.files.items()
        if source not in seen and _under(record.path, folders) and not Path(record.path).exists()
    )


def _outcome(report: IngestReport, plan: _FilePlan) -> list[str]:
    if plan.is_new:
        return report.added
    return report.updated if plan.new_chunks or plan.stale_ids else report.unchanged


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest_paths(
    paths: Iterable[Path],
    index: ChunkIndex,
    embeddings,
    *,
    prune: bool = False,
    confirm_prune: Callable[[list[str], int], bool] | None = None,
    dry_run: bool = False,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: bool = True,
) -> IngestReport:
    """Bring the index up to date with the release files under `paths`.

    With `prune`, releases whose files vanished from the folders given are removed; removing more than
    half of the index needs `confirm_prune(candidates, total)` to say yes, else the run is refused
    before anything changes. `dry_run` reads and plans everything and changes nothing.
    """
    paths = [Path(p) for p in paths]
    check_paths_exist(paths)
    report = IngestReport(dry_run=dry_run)
    files, problems = find_release_files(paths)
    report.failed.extend(problems)
    plans: list[_FilePlan] = []
    seen: dict[str, Path] = {}
    for path in tqdm(files, desc="reading", unit="file", disable=True if not progress or len(files) < 200 else None):
        source = path.name
        if source in seen:
            report.failed.append((str(path), f"another file named {source} was already read from {seen[source]}; rename one"))
            continue
        seen[source] = path
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.failed.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        record = FileRecord(sha256=hashlib.sha256(data).hexdigest(), path=str(path.resolve()))
        known = index.files.get(source)
        if known and known.sha256 == record.sha256:
            if known.path != record.path and not dry_run:
                index.files[source] = record  # moved: prune must judge it by where it is now
            report.unchanged.append(source)
            continue
        try:
            chunks = chunk_release(parse_release(data, source), max_chars)
        except UnreadableFileError as exc:
            # The file's old chunks, if any, stay: a bad edit must not lose what was searchable.
            report.failed.append((str(path), str(exc).removeprefix(f"{source}: ")))
            continue
        old_ids = index.chunk_ids_for(source)
        new_ids = {c.chunk_id for c in chunks}
        plans.append(
            _FilePlan(
                source=source,
                record=record,
                new_chunks=[c for c in chunks if c.chunk_id not in old_ids],
                stale_ids=old_ids - new_ids,
                is_new=not old_ids and source not in index.files,
            )
        )

    to_prune = prune_candidates(paths, index, set(seen)) if prune else []
    total = len(index.files)
    if to_prune and len(to_prune) * 2 > total and not (confirm_prune and confirm_prune(to_prune, total)):
        raise IngestRefused(
            f"--prune would remove {len(to_prune)} of the {total} releases in the index "
            f"({', '.join(to_prune[:5])}{', …' if len(to_prune) > 5 else ''}); nothing was changed. "
            "If that is what you mean, run again with --yes; --dry-run lists what would change."
        )

    pending = [chunk for plan in plans for chunk in plan.new_chunks]
    if dry_run:
        for plan in plans:
            _outcome(report, plan).append(plan.source)
        report.removed.extend(to_prune)
        report.chunks_embedded = len(pending)
        return report
    with tqdm(total=len(pending), desc="embedding", unit="chunk", disable=True if not progress or not pending else None) as bar:
        for batch in _batches(pending, EMBED_BATCH):
            index.upsert(batch, embeddings.encode([c.text for c in batch]))
            report.chunks_embedded += len(batch)
            bar.update(len(batch))

    for plan in plans:
        index.delete(plan.stale_ids)
        index.files[plan.source] = plan.record
        _outcome(report, plan).append(plan.source)

    for source in to_prune:
        index.delete(index.chunk_ids_for(source))
        index.files.pop(source, None)
        report.removed.append(source)
    index.save_manifest()
    return report
