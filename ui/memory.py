"""Keeping a long-running server's resident size from ratcheting up (glibc malloc; elsewhere a no-op).

An answer allocates and frees large arrays (the encoders' batches). Answers run on whichever of the
server's pool threads is free, and glibc gives threads their own arenas (up to 8 per core), each keeping
the pages it once held. Under 50 concurrent users the resident size climbed by a third although nothing
was retained. So: two arenas, and the freed pages go back to the system whenever no answer is running.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import time

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # glibc's mallopt parameter number


@functools.cache
def _glibc():
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def cap_arenas(arenas: int = 2) -> None:
    """At most `arenas` malloc arenas for threads created from now on (call before serving)."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, arenas)


def return_free_memory() -> None:
    """Give freed heap pages back to the system (a few ms; called when the server goes idle)."""
    libc = _glibc()
    if libc is not None:
        start = time.perf_counter()
        libc.malloc_trim(0)
        log.debug("malloc_trim: %.1f ms", (time.perf_counter() - start) * 1000)
