"""The manifest and the Chroma collection must agree; when they drift apart, the manifest wins.

The manifest records, per release file, the chunk ids it put in the collection. A database that was
lost, truncated or restored from an older backup, or an ingest killed between its writes, leaves the two
disagreeing. `find_drift` compares them release by release (one scan of the collection) and
`repair_plan` turns the difference into work for the ingest: chunks to drop now, files to read again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.index import ChunkIndex


@dataclass
class Drift:
    missing: dict[str, int] = field(default_factory=dict)  # release -> recorded chunks not stored (-1: all, count unknown)
    extra: dict[str, set[str]] = field(default_factory=dict)  # release in the manifest -> stored ids it did not record
    orphans: dict[str, set[str]] = field(default_factory=dict)  # release not in the manifest -> its stored ids

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.orphans)


def find_drift(index: ChunkIndex) -> Drift:
    """Compare the manifest with the collection. Records written before chunk ids were kept are filled
    in from the collection when it holds chunks for them (and count as missing when it holds none)."""
    stored = index.ids_by_source()
    drift = Drift()
    for source, record in list(index.files.items()):
        have = stored.get(source, set())
        if record.chunks is None:
            if have:
                index.files[source] = replace(record, chunks=tuple(sorted(have)))
            else:
                drift.missing[source] = -1
            continue
        want = set(record.chunks)
        if want - have:
            drift.missing[source] = len(want - have)
        if have - want:
            drift.extra[source] = have - want
    for source, ids in stored.items():
        if source not in index.files:
            drift.orphans[source] = ids
    return drift


@dataclass
class Repair:
    drop: set[str] = field(default_factory=set)  # chunk ids to delete before the run
    reread: dict[str, Path] = field(default_factory=dict)  # release -> its file, to read and embed again
    notes: list[str] = field(default_factory=list)  # what was found and what is done about it
    unrepairable: list[tuple[str, str]] = field(default_factory=list)  # (release, why)


def repair_plan(drift: Drift, index: ChunkIndex, this_run: set[str]) -> Repair:
    """What to do about `drift` in a run that reads the releases `this_run`.

    Orphans of a release read in this run are kept: they are the work of an interrupted ingest that
    this run reuses instead of embedding again. Every other orphan, and every stored chunk a release
    did not record, is dropped. A release with missing chunks is read again: from this run's file, or
    from the path the manifest recorded; if that file is gone its chunks cannot be rebuilt and it is named.
    """
    repair = Repair()
    for source, ids in sorted(drift.orphans.items()):
        if source in this_run:
            continue
        repair.drop |= ids
        repair.notes.append(f"{source}: dropped {len(ids)} chunks the manifest does not list (orphaned)")
    for source, ids in sorted(drift.extra.items()):
        repair.drop |= ids
        repair.notes.append(f"{source}: dropped {len(ids)} stored chunks its manifest record does not list")
    for source, count in sorted(drift.missing.items()):
        what = "all its chunks are" if count < 0 else f"{count} of its chunks are"
        path = Path(index.files[source].path)
        if source in this_run:
            repair.reread[source] = path
        elif path.is_file():
            repair.reread[source] = path
        else:
            repair.unrepairable.append(
                (source, f"{what} missing from the database and its file {path} is gone; ingest the file again, "
                         "or prune it (--prune on its folder)")
            )
            continue
        repair.notes.append(f"{source}: {what} missing from the database; reading and embedding it again")
    return repair
