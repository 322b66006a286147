"""The server gives freed memory back: the answering gate's idle hook, and glibc's trim (ui.memory)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui.limits import AnswerGate


def in_own_loop(scenario):
    # A thread of its own: the browser tests leave an event loop running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def test_the_idle_hook_runs_when_the_last_answer_ends_and_nobody_waits():
    calls = []

    async def scenario():
        gate = AnswerGate(2, 4, 5.0, on_idle=lambda: calls.append(gate.in_flight))
        first, second = await gate.acquire(), await gate.acquire()
        first.release()
        assert calls == []  # one answer still running
        second.release()
        second.release()  # a stream that ends two ways releases twice: counted once
        assert calls == [0]
        third = await gate.acquire()
        third.release()
        assert calls == [0, 0]

    in_own_loop(scenario)


def test_no_idle_hook_while_a_question_waits_for_a_slot():
    calls = []

    async def scenario():
        gate = AnswerGate(1, 4, 5.0, on_idle=lambda: calls.append(1))
        held = await gate.acquire()
        waiter = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0.01)
        held.release()  # the waiter takes the slot: the server is not idle
        (await waiter).release()
        return calls

    assert in_own_loop(scenario) == [1]


TRIM = r"""
import sys
from ui.memory import return_free_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

blocks = [bytearray(64 * 1024) for _ in range(6000)]  # ~375 MiB in heap-sized blocks
keep = blocks[::50]  # a live block every 3 MiB pins the heap: freeing the rest cannot shrink its top
del blocks
before = rss_mb()
return_free_memory()
print(before, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_pages_go_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", TRIM], capture_output=True, text=True, check=True)
    before, after = map(float, out.stdout.split())
    assert before > 300  # the freed blocks were still resident: the case the trim is for
    assert after < before - 250
