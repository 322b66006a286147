"""The bad-file set through the real `pressroom ingest`: every kind is named with what to do, none crashes
the run, the good files go in (each encoding read as the text it is), and the exit code says something failed."""

from __future__ import annotations

import codecs
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.robustness.conftest import BASE_ENV, RELEASES, fake_cli

PLAIN = "Minister Meets {who}\n\n2023-03-14\n\nThe minister met representatives of {who} in Geneva on Tuesday.\n\nBoth sides agreed to cooperate on humanitarian aid.\n"
KOREAN = RELEASES / "017_ireland-working-holiday-ko.txt"
LONG_WORD = "y" * 1103 + "s"

# name -> (kind of outcome, what its line must say)
EXPECTED = {
    "binary.txt": ("failed", "binary"),
    "empty.txt": ("failed", "empty"),
    "blank.md": ("failed", "empty"),
    "header-only.txt": ("failed", "no paragraphs"),
    "huge.txt": ("failed", "MB limit"),
    "shift-jis.txt": ("failed", "cannot tell its text encoding"),
    "loop.txt": ("failed", "symbolic link loop"),
    "dangling.txt": ("failed", "broken symbolic link"),
    "no-body.html": ("failed", "no paragraphs"),
    "locked.txt": ("failed", "Permission denied"),
    "pipe.txt": ("skipped", "named pipe"),
    "socket.txt": ("skipped", "socket"),
    ".hidden": ("skipped", "hidden folder"),
    "empty-folder": ("skipped", "empty folder"),
    "loop-folder": ("skipped", "not followed"),
    "cp1252.txt": ("added", "Ärzte ohne Grenzen"),
    "latin-1.txt": ("added", "Médecins Sans Frontières"),
    "utf-16-le.txt": ("added", "Ärzte ohne Grenzen"),
    "utf-16-be.txt": ("added", "Médecins Sans Frontières"),
    "cp949.txt": ("added", "워킹홀리데이"),
    "euc-kr.txt": ("added", "워킹홀리데이"),
    "long-word.txt": ("added", LONG_WORD),
}


def _bad_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_bytes(b"  \n\n\t \n")
    (folder / "header-only.txt").write_text("Press Releases\n\nA Release Whose Body Was Lost\n\nDate\n2023-06-20\nhit\n12\n", encoding="utf-8")
    (folder / "huge.txt").write_text(PLAIN.format(who="A") + "word " * 130_000, encoding="utf-8")  # 0.65 MB
    (folder / "shift-jis.txt").write_bytes("外務省は本日、日韓外相会談を開催したと発表しました。\n".encode("shift_jis") * 5)
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink("nowhere.txt", folder / "dangling.txt")
    (folder / "no-body.html").write_text("<html><head><title>Only a title</title></head></html>", encoding="utf-8")
    (folder / "locked.txt").write_text(PLAIN.format(who="the Locked Room"), encoding="utf-8")
    os.chmod(folder / "locked.txt", 0)
    os.mkfifo(folder / "pipe.txt")
    (folder / ".hidden" / "deeper").mkdir(parents=True)
    (folder / ".hidden" / "deeper" / "draft.txt").write_text(PLAIN.format(who="Drafts"), encoding="utf-8")
    (folder / "empty-folder").mkdir()
    os.symlink(".", folder / "loop-folder")
    (folder / "cp1252.txt").write_bytes(PLAIN.format(who="Ärzte ohne Grenzen – “MSF”").encode("cp1252"))
    (folder / "latin-1.txt").write_bytes(PLAIN.format(who="Médecins Sans Frontières").encode("latin-1"))
    (folder / "utf-16-le.txt").write_bytes(codecs.BOM_UTF16_LE + PLAIN.format(who="Ärzte ohne Grenzen").encode("utf-16-le"))
    (folder / "utf-16-be.txt").write_bytes(codecs.BOM_UTF16_BE + PLAIN.format(who="Médecins Sans Frontières").encode("utf-16-be"))
    korean = KOREAN.read_text(encoding="utf-8")
    (folder / "cp949.txt").write_bytes(korean.encode("cp949"))
    (folder / "euc-kr.txt").write_bytes(korean.replace("Ireland", "Eire").encode("euc-kr"))
    (folder / "long-word.txt").write_text(PLAIN.format(who=f"the {LONG_WORD} delegation"), encoding="utf-8")
    return folder


def _documents(index: Path) -> dict[str, str]:
    code = (
        "import chromadb, json, sys, collections\n"
        "got = chromadb.PersistentClient(sys.argv[1]).get_collection('pressroom').get(include=['documents', 'metadatas'])\n"
        "out = collections.defaultdict(str)\n"
        "for d, m in zip(got['documents'], got['metadatas']): out[m['source']] += d + '\\n'\n"
        "print(json.dumps(out))"
    )
    return json.loads(subprocess.run([sys.executable, "-c", code, str(index)], capture_output=True, text=True,
                                     env=BASE_ENV, check=True).stdout)


def _reachable_by_nobody(path: Path) -> None:
    for part in [path, *path.parents]:
        if part == Path("/"):
            break
        os.chmod(part, os.stat(part, follow_symlinks=False).st_mode | 0o005)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-files")
    folder = _bad_folder(base / "releases")
    index = base / "index"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "socket.txt"))
        env = {"PRESSROOM_MAX_FILE_MB": "0.5", "HOME": str(base)}
        if os.geteuid() == 0:  # root reads anything: run as nobody so that locked.txt is really unreadable
            env["FAKE_CLI_AS_NOBODY"] = "1"
            _reachable_by_nobody(folder)
            index.mkdir()
            os.chown(index, 65534, 65534)
        result = fake_cli("ingest", str(folder), "--index", str(index), env=env)
    return folder, index, result


def test_the_run_finishes_with_a_non_zero_exit_and_a_summary(outcome):
    _, _, result = outcome
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    failed = sum(1 for kind, _ in EXPECTED.values() if kind == "failed")
    added = sum(1 for kind, _ in EXPECTED.values() if kind == "added")
    assert f"added {added}," in result.stdout and f"failed {failed}," in result.stdout
    assert f"{failed} file(s) failed" in result.stderr


@pytest.mark.parametrize("name", [n for n, (kind, _) in EXPECTED.items() if kind != "added"])
def test_each_bad_file_is_named_with_the_reason(outcome, name):
    folder, _, result = outcome
    kind, says = EXPECTED[name]
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{kind}: {folder / name}")]
    assert lines, f"no '{kind}: {name}' line in:\n{result.stderr}"
    assert says in lines[0]


def test_every_good_file_is_read_as_the_text_it_is(outcome):
    _, index, _ = outcome
    documents = _documents(index)
    for name, (kind, text) in EXPECTED.items():
        if kind == "added":
            assert text in documents.get(name, ""), name
    assert set(documents) == {name for name, (kind, _) in EXPECTED.items() if kind == "added"}
    assert "Drafts" not in "".join(documents.values())


def test_progress_goes_to_the_log_as_lines_when_not_on_a_terminal(outcome):
    _, _, result = outcome
    assert any(line.startswith("embedding: ") and line.endswith(" chunks") for line in result.stderr.splitlines())
    assert "\r" not in result.stderr  # no progress bar redrawing itself in a log file


def test_a_question_about_the_long_word_release_answers(outcome):
    _, index, _ = outcome
    result = fake_cli("ask", f"What did the {LONG_WORD} delegation agree?", "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # The release with the word is among the passages the answerer and verifier worked through.
    assert "long-word.txt" in {p["source"] for p in json.loads(result.stdout)["retrieved"]}
