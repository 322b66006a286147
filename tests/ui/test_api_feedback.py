"""The feedback store (SQLite) and `pressroom feedback export` (eval-question JSON lines for review)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from evals.questions import load_questions
from pressroom.cli import app as cli
from tests.ui.test_api import as_json, cited_answer
from ui.feedback import Feedback, FeedbackStore, as_eval_question, export_questions

QUESTION = "When did Korea and ASEAN establish dialogue relations?"


def test_the_store_keeps_every_field_and_the_comment_that_follows(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.db")  # the folder is made on first use
    answer = as_json(cited_answer(QUESTION))
    first = store.add(Feedback(question=QUESTION, answer=answer["answer"], rating="up", user="kim",
                               history=("Hi?",), answer_json=answer, answer_id="abc"))
    second = store.add(Feedback(question="오늘 날씨는?", answer="보도자료에 없습니다.", rating="down"))
    store.set_comment(second, "should have said so sooner")
    one, two = store.all()
    assert (one.id, two.id) == (first, second)
    assert one.user == "kim" and one.history == ("Hi?",) and one.answer_json == answer and one.answer_id == "abc"
    assert two.question == "오늘 날씨는?" and two.comment == "should have said so sooner" and two.user is None
    # The table the browser tests and operators read.
    with sqlite3.connect(store.path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(feedback)")]
    assert columns == ["id", "created_at", "user", "question", "history", "answer", "answer_json", "answer_id", "rating", "comment"]


def test_a_thumbs_up_becomes_a_question_with_its_cited_releases() -> None:
    answer = as_json(cited_answer(QUESTION))
    line = as_eval_question(Feedback(id=7, question=QUESTION, answer=answer["answer"], rating="up", answer_json=answer))
    assert line["id"] == "fb00007" and line["type"] == "fact"
    assert line["answer"] == "Korea and ASEAN established dialogue relations in 1989."  # markers dropped
    assert line["sources"] == ["corpus/releases/010_korea-asean.txt"]
    assert line["evidence"] == [{"source": "corpus/releases/010_korea-asean.txt", "paragraph": 2,
                                 "quote": "Korea and ASEAN established dialogue relations in 1989."}]
    assert line["review"]["system_answer"] == answer["answer"] and line["review"]["rating"] == "up"


def test_a_thumbs_down_or_an_agreed_abstention_carries_no_gold() -> None:
    down = as_eval_question(Feedback(id=1, question="Why?", answer="Because. [1]", rating="down", history=("Hi?",),
                                     answer_json=as_json(cited_answer("Why?"))))
    assert (down["answer"], down["sources"], down["type"], down["history"]) == ("", [], "followup", ["Hi?"])
    assert "needs-review" in down["tags"] and down["review"]["system_answer"] == "Because. [1]"
    abstained = {**as_json(cited_answer("Weather?")), "abstained": True, "citations": []}
    agreed = as_eval_question(Feedback(id=2, question="Weather?", answer="Not in the releases.", rating="up", answer_json=abstained))
    assert (agreed["type"], agreed["answer"], agreed["sources"]) == ("unanswerable", "", [])


def test_feedback_export_writes_a_question_file_the_evals_load(tmp_path: Path) -> None:
    db = tmp_path / "feedback.db"
    store = FeedbackStore(db)
    answer = as_json(cited_answer(QUESTION))
    store.add(Feedback(question=QUESTION, answer=answer["answer"], rating="up", answer_json=answer))
    store.add(Feedback(question="And in 2019?", answer="Not in the releases.", rating="down", history=(QUESTION,)))
    out = tmp_path / "out" / "feedback.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 question(s)" in result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["review"]["rating"] for line in lines] == ["up", "down"]
    loaded = load_questions(out)
    assert [q.id for q in loaded] == ["fb00001", "fb00002"] and loaded[0].sources == ("corpus/releases/010_korea-asean.txt",)
    assert loaded[1].history == (QUESTION,)
    assert export_questions(store, tmp_path / "up.jsonl", rating="up") == 1


def test_feedback_export_says_what_is_wrong(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["feedback", "export", "--out", str(tmp_path / "x.jsonl"), "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no feedback database" in missing.output
    bad = CliRunner().invoke(cli, ["feedback", "export", "--out", str(tmp_path / "x.jsonl"), "--rating", "meh",
                                   "--db", str(tmp_path / "none.db")])
    assert bad.exit_code == 2 and "'up' or 'down'" in bad.output
