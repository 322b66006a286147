"""Incremental ingest: parse what changed, embed only chunks the index lacks, drop what is stale."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from ingest.chunking import DEFAULT_MAX_CHARS, chunk_release
from ingest.consistency import find_drift, repair_plan
from ingest.decode import UnreadableFileError
from ingest.embeddings import USE_MULTILINGUAL, find_part
from ingest.index import ChunkIndex, FileRecord
from ingest.lock import ingest_lock
from ingest.models import Chunk
from ingest.parse import SUPPORTED_SUFFIXES, parse_release
from ingest.term_vectors import update_term_vectors

EMBED_BATCH = 256
DEFAULT_MAX_FILE_MB = 5.0  # a release is a few KB; a 50 MB "release" would take hours to embed
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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is not read): not failures
    repairs: list[str] = field(default_factory=list)  # drift between manifest and database, and what was done
    not_done: list[str] = field(default_factory=list)  # releases left for the next run by an interruption
    interrupted: bool = False
    chunks_embedded: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"dry run, nothing changed: would add {len(self.added)}, update {len(self.updated)}, "
                f"remove {len(self.removed)}; unchanged {len(self.unchanged)}, failed {len(self.failed)} "
                f"({self.chunks_embedded} chunks to embed)"
            )
        text = (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}, skipped {len(self.skipped)} "
            f"({self.chunks_embedded} chunks embedded)"
        )
        if self.interrupted:
            text += (
                f"; interrupted: {len(self.not_done)} releases not done, the index is consistent "
                "(run the same command again to finish)"
            )
        return text


@dataclass
class _FilePlan:
    source: str
    record: FileRecord
    new_chunks: list[Chunk]
    stale_ids: set[str]
    is_new: bool


@dataclass
class FileScan:
    files: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # asked-for files that cannot be read
    skipped: list[tuple[str, str]] = field(default_factory=list)  # deliberately not read, named for the user


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _classify(path: Path, scan: FileScan) -> None:
    """Put one supported-looking file in `files`, `problems` or `skipped`, following a symlink."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            scan.problems.append((str(path), "a symbolic link loop; point the link at a real file or remove it"))
        elif path.is_symlink():
            scan.problems.append((str(path), f"a broken symbolic link (to {os.readlink(path)}); fix or remove it"))
        else:
            scan.problems.append((str(path), f"cannot read: {exc.strerror or exc}"))
        return
    if stat.S_ISREG(mode):
        scan.files.append(path)
        return
    kind = next((label for test, label in _SPECIAL if test(mode)), "not a regular file")
    scan.skipped.append((str(path), f"{kind}, not a file; not read"))


def _scan_folder(root: Path, scan: FileScan) -> None:
    found: list[Path] = []
    sub = FileScan(found, scan.problems, scan.skipped)

    def unlistable(exc: OSError) -> None:
        scan.problems.append((str(exc.filename), f"cannot list the folder: {exc.strerror or exc}"))

    # os.walk, not rglob: it does not follow folder symlinks (no loops), and lets us name what we skip.
    for folder, dirs, names in os.walk(root, onerror=unlistable):
        here = Path(folder)
        if not dirs and not names:
            scan.skipped.append((str(here), "an empty folder"))
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                scan.skipped.append((str(here / name), "a hidden folder; not read"))
            elif (here / name).is_symlink():
                scan.skipped.append((str(here / name), "a symbolic link to a folder; not followed"))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            path = here / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue  # images, sources.tsv and the like sit beside releases; not worth a line each
            if name.startswith("."):
                scan.skipped.append((str(path), "a hidden file; not read"))
            elif name.lower().startswith(_SKIPPED_NAMES):
                scan.skipped.append((str(path), "a README/LICENSE/CHANGELOG file, not a release"))
            else:
                _classify(path, sub)
    if not found and not any(where == str(root) for where, _ in scan.skipped):
        scan.skipped.append((str(root), "no .txt, .md or .html release files in this folder"))
    scan.files.extend(sorted(found))


def scan_paths(paths: Iterable[Path]) -> FileScan:
    """The release files under `paths`, what cannot be read, and what is deliberately skipped."""
    scan = FileScan()
    for path in map(Path, paths):
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            scan.problems.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        if is_dir:
            _scan_folder(path, scan)
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            scan.problems.append((str(path), f"unsupported file type {path.suffix!r}; use .txt, .md or .html"))
        elif path.exists() or path.is_symlink():
            before = len(scan.skipped)
            _classify(path, scan)
            scan.problems.extend(scan.skipped[before:])  # a special file asked for by name is a failure
            del scan.skipped[before:]
        else:
            scan.problems.append((str(path), "no such file or folder"))
    return scan


def find_release_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest under `paths`, and paths that are not usable with the reason."""
    scan = scan_paths(paths)
    return scan.files, scan.problems


def _exists(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return True  # there, but this user may not look: scan_paths names it as failed


def check_paths_exist(paths: Iterable[Path]) -> None:
    """Refuse the whole run when a path is missing: a typo must not read as "every release is gone"."""
    missing = [str(p) for p in map(Path, paths) if not _exists(p)]
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
    max_file_mb: float | None = DEFAULT_MAX_FILE_MB,
    log: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> IngestReport:
    """Bring the index up to date with the release files under `paths`.

    With `prune`, releases whose files vanished from the folders given are removed; removing more than
    half of the index needs `confirm_prune(candidates, total)` to say yes, else the run is refused
    before anything changes. `dry_run` reads and plans everything and changes nothing.

    Every run first checks the manifest against the database and repairs the difference (see
    ingest.consistency). Files over `max_file_mb` are refused. `log` gets progress lines (for logs,
    where a progress bar is noise). `should_stop` is asked between batches: when it says yes the run
    finishes the batch, keeps what is complete, takes back what is not, and returns with
    `interrupted` set, leaving the index consistent. A run holds the index's lock (ingest.lock).
    """
    paths = [Path(p) for p in paths]
    check_paths_exist(paths)
    with nullcontext() if dry_run else ingest_lock(index.path):
        return _ingest(
            paths, index, embeddings, prune=prune, confirm_prune=confirm_prune, dry_run=dry_run,
            max_chars=max_chars, progress=progress, max_bytes=None if max_file_mb is None else int(max_file_mb * 1e6),
            log=log or (lambda _: None), should_stop=should_stop or (lambda: False),
        )


def _ingest(paths, index, embeddings, *, prune, confirm_prune, dry_run, max_chars, progress, max_bytes, log, should_stop):
    report = IngestReport(dry_run=dry_run)
    scan = scan_paths(paths)
    report.failed.extend(scan.problems)
    report.skipped.extend(scan.skipped)
    files = scan.files

    # One source of truth: the manifest. Repair the database where it drifted before anything else.
    repair = repair_plan(find_drift(index), index, {path.name for path in files})
    report.repairs.extend(repair.notes)
    report.failed.extend(repair.unrepairable)
    files = files + [path for source, path in sorted(repair.reread.items()) if source not in {f.name for f in files}]
    if not dry_run:
        index.delete(repair.drop)

    plans: list[_FilePlan] = []
    seen: dict[str, Path] = {}
    unread: list[str] = []
    for n, path in enumerate(tqdm(files, desc="reading", unit="file", disable=True if not progress or len(files) < 200 else None), 1):
        if should_stop():
            unread = [p.name for p in files[n - 1 :]]
            break
        if n % 500 == 0:
            log(f"reading: {n}/{len(files)} files")
        source = path.name
        if source in seen:
            report.failed.append((str(path), f"another file named {source} was already read from {seen[source]}; rename one"))
            continue
        seen[source] = path
        try:
            size = path.stat().st_size
            if max_bytes is not None and size > max_bytes:
                report.failed.append(
                    (str(path), f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit per release file; "
                                "split it, or raise the limit (PRESSROOM_MAX_FILE_MB)")
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            report.failed.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        record = FileRecord(sha256=hashlib.sha256(data).hexdigest(), path=str(path.resolve()))
        known = index.files.get(source)
        if known and known.sha256 == record.sha256 and source not in repair.reread:
            if known.path != record.path and not dry_run:
                index.files[source] = replace(known, path=record.path)  # moved: prune judges it by where it is now
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
                record=replace(record, chunks=tuple(sorted(new_ids))),
                new_chunks=[c for c in chunks if c.chunk_id not in old_ids],
                stale_ids=old_ids - new_ids,
                is_new=known is None,
            )
        )

    to_prune = prune_candidates(paths, index, set(seen)) if prune and not unread else []
    total = len(index.files)
    if to_prune and len(to_prune) * 2 > total and not (confirm_prune and confirm_prune(to_prune, total)):
        raise IngestRefused(
            f"--prune would remove {len(to_prune)} of the {total} releases in the index "
            f"({', '.join(to_prune[:5])}{', …' if len(to_prune) > 5 else ''}); nothing was changed. "
            "If that is what you mean, run again with --yes; --dry-run lists what would change."
        )

    pending = [chunk for plan in plans for chunk in plan.new_chunks] if not unread else []
    if dry_run:
        for plan in plans:
            _outcome(report, plan).append(plan.source)
        report.removed.extend(to_prune)
        report.chunks_embedded = len(pending)
        return report
    written: set[str] = set()
    with tqdm(total=len(pending), desc="embedding", unit="chunk", disable=True if not progress or not pending else None) as bar:
        for batch in _batches(pending, EMBED_BATCH):
            if should_stop():
                break
            index.upsert(batch, embeddings.encode([c.text for c in batch]))
            written.update(c.chunk_id for c in batch)
            report.chunks_embedded += len(batch)
            bar.update(len(batch))
            log(f"embedding: {report.chunks_embedded}/{len(pending)} chunks")

    stopped = bool(unread) or len(written) < len(pending)
    stale: set[str] = set()
    for plan in plans:
        if not all(c.chunk_id in written for c in plan.new_chunks):
            # Interrupted inside this release: take back its half, so the index matches the manifest.
            index.delete({c.chunk_id for c in plan.new_chunks if c.chunk_id in written})
            report.not_done.append(plan.source)
            continue
        stale |= plan.stale_ids
        index.files[plan.source] = plan.record
        _outcome(report, plan).append(plan.source)

    if stopped:
        report.interrupted = True
        report.not_done.extend(unread)
        to_prune = []  # an interrupted run has not seen every file: it prunes nothing
    for source in to_prune:
        stale |= index.chunk_ids_for(source)
        index.files.pop(source, None)
        report.removed.append(source)
    # Commit, then clean up: the manifest (and the BM25 rows) switch to the new chunk ids in one atomic
    # replace before any old chunk is deleted, so a reader in another process (serve --workers, which
    # searches only the committed ids) sees each release either as it was or as it is, never half.
    if index.save_manifest(exclude=stale):
        _update_term_vectors(index, embeddings, log)
    if stale:
        index.delete(stale)
        index.save_manifest()
    return report


def _update_term_vectors(index, embeddings, log) -> None:
    """The bridge's English term vectors (ingest.term_vectors), for the terms this ingest added."""
    if USE_MULTILINGUAL not in str(getattr(embeddings, "model_id", "")):
        return  # no multilingual model: the retriever has no bridge either
    encoded = update_term_vectors(index.path, index.lexical.vocabulary(), _MultilingualPart(embeddings))
    if encoded:
        log(f"bridge: {encoded} new English terms encoded")


class _MultilingualPart:
    """The multilingual model inside `embeddings`, found when something is to be encoded: a lazily
    loaded pair (the CLI's) is not loaded for an ingest that only removed releases."""

    def __init__(self, embeddings) -> None:
        self.embeddings = embeddings

    def encode(self, texts):
        return find_part(getattr(self.embeddings, "loaded", self.embeddings), USE_MULTILINGUAL).encode(texts)
