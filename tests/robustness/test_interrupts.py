"""An ingest killed (`kill -9`, 20 times at random points) or stopped with Ctrl-C loses nothing: the next
run ends with exactly the index a clean ingest builds (same chunk ids, same vectors, same manifest)."""

from __future__ import annotations

import random
import signal
import time

from tests.robustness.conftest import copy_releases, fake_cli, manifest, snapshot, start_fake_cli

SLOW = {"FAKE_CLI_BATCH": "3", "FAKE_CLI_DELAY": "0.05"}


def _clean(folder, index):
    result = fake_cli("ingest", str(folder), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return snapshot(index), manifest(index)


def _without_paths(files: dict) -> dict:
    return {name: {k: v for k, v in record.items() if k != "path"} for name, record in files.items()}


def _release(n: int, revision: int) -> str:
    paragraphs = "\n\n".join(f"Paragraph {i} of release {n}: the ministers discussed topic {i * n}." for i in range(1, 9))
    return f"Release {n}, revision {revision}\n\n2023-03-{n + 1:02d}\n\n{paragraphs}\n"


def test_twenty_kills_then_a_rerun_equal_a_clean_ingest(tmp_path):
    """Each round revises three releases (new titles: every chunk of them is new work), starts an ingest
    and kills it at a random point: before embedding, between or inside batches, or while saving."""
    rng = random.Random(7)
    folder = tmp_path / "releases"
    folder.mkdir()
    revision = {n: 0 for n in range(10)}
    for n in revision:
        (folder / f"r{n}.txt").write_text(_release(n, 0), encoding="utf-8")
    index = tmp_path / "index"
    kills = []
    for round_ in range(20):
        for n in rng.sample(sorted(revision), 3):
            revision[n] += 1
            (folder / f"r{n}.txt").write_text(_release(n, revision[n]), encoding="utf-8")
        proc = start_fake_cli("ingest", str(folder), "--index", str(index), env=SLOW)
        target = rng.randint(0, 9)
        seen = 0
        deadline = time.monotonic() + 60
        while seen < target and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line.startswith("embedding:")
        time.sleep(rng.uniform(0, 0.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills.append((target, seen, proc.returncode))
    assert sum(1 for _, _, code in kills if code == -signal.SIGKILL) >= 15, kills

    final = fake_cli("ingest", str(folder), "--index", str(index))
    assert final.returncode == 0, final.stderr
    clean_vectors, clean_manifest = _clean(folder, tmp_path / "clean")
    assert snapshot(index) == clean_vectors
    assert _without_paths(manifest(index)) == _without_paths(clean_manifest)
    again = fake_cli("ingest", str(folder), "--index", str(index))
    assert "(0 chunks embedded)" in again.stdout and "repair:" not in again.stderr


def test_ctrl_c_stops_after_the_batch_with_the_index_consistent(tmp_path):
    folder = copy_releases(tmp_path / "releases", sorted(p.name for p in copy_releases(tmp_path / "all").iterdir())[:8])
    index = tmp_path / "index"
    proc = start_fake_cli("ingest", str(folder), "--index", str(index), env={"FAKE_CLI_BATCH": "3", "FAKE_CLI_DELAY": "0.2"})
    seen = []
    while True:
        line = proc.stderr.readline()
        assert line, "the ingest ended before it embedded anything"
        seen.append(line)
        if sum(x.startswith("embedding:") for x in seen) == 10:  # 30 chunks: a few releases are complete
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "finishing the current batch" in err
    assert "interrupted:" in out and "the index is consistent" in out and "Traceback" not in err

    # Consistent: what the manifest lists is exactly what is stored, and nothing else.
    stored = snapshot(index)
    recorded = {chunk for record in manifest(index).values() for chunk in record["chunks"]}
    assert recorded == set(stored) and 0 < len(recorded)
    rest = fake_cli("ingest", str(folder), "--index", str(index))
    assert rest.returncode == 0, rest.stderr
    assert "repair:" not in rest.stderr
    clean_vectors, _ = _clean(folder, tmp_path / "clean")
    assert snapshot(index) == clean_vectors
