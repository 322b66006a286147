"""The `pressroom` commands end to end on the real corpus and the real packaged model."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pressroom.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    result = runner.invoke(app, ["ingest", str(ROOT / "corpus" / "releases"), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "added 42, updated 0, unchanged 0, removed 0, failed 0" in result.output
    return index


def test_ingest_again_embeds_nothing(cli_index: Path):
    result = runner.invoke(app, ["ingest", str(ROOT / "corpus" / "releases"), "--index", str(cli_index)])
    assert result.exit_code == 0
    assert "unchanged 42" in result.output and "(0 chunks embedded)" in result.output


def test_ask_json_answers_and_cites_the_sample(cli_index: Path):
    result = runner.invoke(
        app, ["ask", "--json", "--index", str(cli_index), "When did Korea and ASEAN establish dialogue relations?"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "answer", "abstained", "citations", "retrieved"}
    assert "1989" in answer["answer"] and not answer["abstained"]
    assert answer["citations"][0]["source"] == "000_3a0123e4a4b49311.txt"
    # Fused rank order, not raw cosine order: every passage says which routes found it and where.
    assert answer["retrieved"] and all(r["routes"] for r in answer["retrieved"])
    assert answer["citations"][0]["chunk_id"] in {r["chunk_id"] for r in answer["retrieved"]}


def test_ask_without_index_says_how_to_build_it(tmp_path: Path):
    result = runner.invoke(app, ["ask", "--index", str(tmp_path / "none"), "anything"])
    assert result.exit_code == 2
    assert "pressroom ingest" in result.output


def test_bad_file_is_reported_and_the_rest_goes_in(tmp_path: Path):
    folder = tmp_path / "releases"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / "releases" / "000_3a0123e4a4b49311.txt", folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(app, ["ingest", str(folder), "--index", str(tmp_path / "index")])
    assert result.exit_code == 1  # any failed file makes the exit code non-zero, after the rest went in
    assert "broken.txt" in result.output and "binary" in result.output
    assert "added 1" in result.output and "failed 1" in result.output


def test_eval_writes_report_with_baseline_and_checks(cli_index: Path, tmp_path: Path):
    questions = tmp_path / "q.jsonl"
    lines = (ROOT / "evals" / "questions" / "dev-given.jsonl").read_text(encoding="utf-8").splitlines()
    questions.write_text("\n".join(lines[:6] + lines[-2:]) + "\n", encoding="utf-8")
    expected = tmp_path / "expected.toml"
    expected.write_text('[q.pressroom]\ntolerance = 0.0\n"retrieval.recall@5" = 1.01\n')
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["eval", str(questions), "--index", str(cli_index), "--out", str(out), "--corpus",
         str(ROOT / "corpus" / "releases"), "--check", "--expected", str(expected)],
    )
    assert result.exit_code == 1, result.output  # recall cannot reach 1.01: the check must fail
    assert "recall@5 fell" in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["configs"]) == {"pressroom", "langchain-tutorial", "bm25-only", "naive-overlap"}
    assert set(metrics["comparisons"]) == {f"pressroom vs {b}" for b in ("langchain-tutorial", "bm25-only", "naive-overlap")}
    assert {"low", "high", "value"} <= set(metrics["configs"]["pressroom"]["intervals"]["answer_correctness"])
    assert len((out / "answers.jsonl").read_text().splitlines()) == 8
    for name in ("report.md", "recall_at_k.png", "correctness_by_type.png", "latency.png", "qrels.trec", "run-pressroom.trec"):
        assert (out / name).stat().st_size > 0
    report = (out / "report.md").read_text()
    assert "langchain-tutorial" in report and "naive-overlap" in report and "bootstrap 95% intervals" in report
    assert "pressroom vs naive-overlap: answer_correctness" in result.output


def test_eval_may_leave_out_a_baseline_and_the_report_says_so(cli_index: Path, tmp_path: Path):
    questions = tmp_path / "q.jsonl"
    lines = (ROOT / "evals" / "questions" / "dev-given.jsonl").read_text(encoding="utf-8").splitlines()
    questions.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["eval", str(questions), "--index", str(cli_index), "--out", str(out), "--corpus",
         str(ROOT / "corpus" / "releases"), "--baselines", "naive-overlap"],
    )
    assert result.exit_code == 0, result.output
    assert set(json.loads((out / "metrics.json").read_text())["configs"]) == {"pressroom", "naive-overlap"}
    assert "langchain-tutorial did not run: left out of this run (--baselines)" in (out / "report.md").read_text()
    result = runner.invoke(app, ["eval", str(questions), "--index", str(cli_index), "--out", str(tmp_path / "o"), "--baselines", "bm25"])
    assert result.exit_code != 0 and "baselines must be one or more of" in result.output


def test_eval_without_a_corpus_or_question_file_fails_with_a_message(cli_index: Path, tmp_path: Path):
    questions = ROOT / "evals" / "questions" / "dev-given.jsonl"
    result = runner.invoke(
        app, ["eval", str(questions), "--index", str(cli_index), "--out", str(tmp_path / "o"), "--corpus", str(tmp_path / "none")]
    )
    assert result.exit_code == 2 and "corpus folder" in result.output and "does not exist" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        app, ["eval", str(questions), "--index", str(cli_index), "--out", str(tmp_path / "o"), "--corpus", str(tmp_path / "empty")]
    )
    assert result.exit_code == 2 and "holds no release files" in result.output
    # --corpus repeats (the held-out releases beside the corpus): every folder is checked.
    result = runner.invoke(
        app, ["eval", str(questions), "--index", str(cli_index), "--out", str(tmp_path / "o"),
              "--corpus", str(ROOT / "corpus" / "releases"), "--corpus", str(tmp_path / "empty")]
    )
    assert result.exit_code == 2 and "holds no release files" in result.output and "empty" in result.output
    result = runner.invoke(app, ["eval", str(tmp_path / "nope.jsonl"), "--index", str(cli_index), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "o").exists()
