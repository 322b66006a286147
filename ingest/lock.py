"""One writer per index: an OS file lock in the index folder, held for the whole ingest.

The lock is `filelock` on `ingest.lock` (released by the OS when the holder dies, so a `kill -9`
leaves no stale lock behind). Who holds it is written beside it, so the refused run can name the holder.
Readers (ask, serve) never take it: they keep answering from what is stored while an ingest runs.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.index import IndexProblem, unwritable_error

LOCK = "ingest.lock"
HOLDER = "ingest.lock.holder"


class IndexBusyError(IndexProblem):
    """Another ingest holds the index; the message names it when it can."""


def _holder(folder: Path) -> str:
    try:
        info = json.loads((folder / HOLDER).read_text(encoding="utf-8"))
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["started"]))
        return f"process {info['pid']} on {info['host']} ({info['command']}), started {started}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def ingest_lock(folder: Path, *, wait: float = 0) -> Iterator[None]:
    """Hold the index's write lock, or raise IndexBusyError after `wait` seconds."""
    folder = Path(folder)
    # A singleton per path, so that a holder may re-enter (the CLI holds it across open and ingest).
    lock = FileLock(folder / LOCK, timeout=wait, is_singleton=True)
    if lock.is_locked:
        with lock:
            yield
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
        raise IndexBusyError(
            f"the index at {folder} is being updated by {_holder(folder)}; wait for it to finish "
            "and run again (two ingests on one index cannot run at once)"
        ) from None
    except OSError as exc:
        raise unwritable_error(folder, exc.strerror or str(exc)) from None
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv[:3]) or "python", "started": time.time()}
        _best_effort(lambda: (folder / HOLDER).write_text(json.dumps(holder), encoding="utf-8"))
        yield
    finally:
        _best_effort(lambda: (folder / HOLDER).unlink(missing_ok=True))
        lock.release()


def ingest_holder(folder: Path) -> str | None:
    """Who holds the ingest lock on `folder` from another process right now, or None when nobody does.

    Tried without waiting and released at once; a reader uses it only to explain what it sees."""
    lock = FileLock(Path(folder) / LOCK, timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        return _holder(Path(folder))
    except OSError:
        return None
    lock.release()
    return None


def _best_effort(write) -> None:
    # The holder note only names who holds the lock; the lock itself is what keeps ingests apart, so a
    # note that cannot be written (a file left by another user, a read-only corner) must not stop one.
    try:
        write()
    except OSError:
        pass
