"""A damaged database, a bad manifest or a folder this user cannot write: an error that names the file and
the fix (never a traceback), nothing stored is lost, and `serve` stays up answering 503 with the reason."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.robustness.conftest import RELEASES, copy_releases, fake_cli, snapshot, start_fake_cli


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("built")
    folder = copy_releases(base / "releases", sorted(p.name for p in RELEASES.glob("*.txt"))[:6])
    index = base / "index"
    result = fake_cli("ingest", str(folder), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return folder, index


@pytest.fixture
def releases(built_once) -> Path:
    return built_once[0]


@pytest.fixture
def built(built_once, tmp_path) -> Path:
    """A copy of one index built by the CLI (the manifest's paths still point at the shared releases)."""
    shutil.copytree(built_once[1], tmp_path / "index")
    return tmp_path / "index"


def _damage(database: Path, how: str) -> None:
    data = database.read_bytes()
    if how == "garbage":
        database.write_bytes(os.urandom(len(data)))
    else:  # cut in half: the header is fine, the pages it points to are gone
        database.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_a_damaged_database_names_the_file_and_the_fix(built, releases, how):
    _damage(built / "chroma.sqlite3", how)
    for args in (["ask", "What was agreed?"], ["ingest", str(releases)]):
        result = fake_cli(*args, "--index", str(built))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "chroma.sqlite3" in result.stderr and "damaged" in result.stderr
        assert "--rebuild" in result.stderr


def test_rebuild_recovers_a_damaged_database(built, releases):
    clean = snapshot(built)
    _damage(built / "chroma.sqlite3", "garbage")
    result = fake_cli("ingest", "--rebuild", str(releases), "--index", str(built))
    assert result.returncode == 0, result.stderr
    assert snapshot(built) == clean
    assert fake_cli("ask", "What was agreed?", "--index", str(built)).returncode == 0


@pytest.mark.parametrize("content", ["{not json", '{"files": {"a.txt": {"sha": 1}}}'])
def test_a_bad_manifest_names_the_file_and_the_fix(built, releases, content):
    before = snapshot(built)
    (built / "manifest.json").write_text(content, encoding="utf-8")
    for args in (["ask", "What was agreed?"], ["ingest", str(releases)]):
        result = fake_cli(*args, "--index", str(built))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert str(built / "manifest.json") in result.stderr and "move it aside" in result.stderr
    assert snapshot(built) == before


def test_moving_a_bad_manifest_aside_recovers_without_embedding_again(built, releases):
    before = snapshot(built)
    (built / "manifest.json").write_text("{broken", encoding="utf-8")
    (built / "manifest.json").rename(built / "manifest.json.bad")
    result = fake_cli("ingest", str(releases), "--index", str(built))
    assert result.returncode == 0, result.stderr
    assert "(0 chunks embedded)" in result.stdout
    assert snapshot(built) == before


def _nobody_can_reach(path: Path) -> None:
    for part in [path, *path.parents]:
        if part == Path("/"):
            break
        os.chmod(part, os.stat(part).st_mode | 0o005)


@pytest.mark.parametrize("what", ["folder", "parent"])
def test_an_unwritable_index_folder_says_so_without_a_traceback(releases, tmp_path, what):
    """Run as an unprivileged user (root ignores permissions); the folder is not writable by it."""
    if os.geteuid() == 0:
        env = {"FAKE_CLI_AS_NOBODY": "1", "HOME": str(tmp_path)}
    else:
        env = {}
    _nobody_can_reach(releases)
    for release in releases.iterdir():
        os.chmod(release, 0o644)
    locked = tmp_path / "locked"
    locked.mkdir()
    index = locked if what == "folder" else locked / "index"
    os.chmod(locked, 0o555)
    try:
        result = fake_cli("ingest", str(releases), "--index", str(index), env=env)
    finally:
        os.chmod(locked, 0o755)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "PermissionError" not in result.stderr
    assert "cannot write to the index folder" in result.stderr and "--index" in result.stderr


def _free_port() -> int:
    for port in range(7891, 7900):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 7891-7899")


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_serve_on_a_damaged_database_stays_up_with_503_and_the_reason(built):
    _damage(built / "chroma.sqlite3", "garbage")
    port = _free_port()
    proc = start_fake_cli("serve", "--index", str(built), "--port", str(port))
    try:
        deadline = time.monotonic() + 120
        status, body = None, {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
            except OSError:
                time.sleep(0.5)
                continue
            if status == 503 and body.get("status") == "unavailable":
                break
            time.sleep(0.5)
        assert status == 503, body
        assert "damaged" in json.dumps(body) and "chroma.sqlite3" in json.dumps(body)
        time.sleep(1)
        assert proc.poll() is None, "serve must stay up"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
