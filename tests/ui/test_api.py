"""The HTTP API and the mounted chat page, over a fake pressroom (retrieval is tested in tests/qa)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.models import Answer, Citation
from tests.ui.fakes import PASSAGE
from ui.app import create_app

REASON = "no index at .pressroom/index; build it with `pressroom ingest corpus/releases`"


def cited_answer(question: str) -> Answer:
    citation = Citation(
        n=1,
        source=PASSAGE.source,
        title=PASSAGE.title,
        date=PASSAGE.date,
        paragraph=PASSAGE.paragraph,
        quote=PASSAGE.text,
        chunk_id=PASSAGE.chunk_id,
    )
    return Answer(
        question=question,
        answer="Korea and ASEAN established dialogue relations in 1989. [1]",
        abstained=False,
        citations=[citation],
        retrieved=[PASSAGE],
        confidence=0.9,
        timings_ms={"retrieve": 1.5, "answer": 2.25},
    )


class FakePressroom:
    """Records each call; refuses a blank question as the real service does."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def ask(self, question: str, history: tuple[str, ...] = ()) -> Answer:
        question = question.strip()
        if not question:
            raise ValueError("the question is empty; type a question about the press releases")
        self.calls.append((question, tuple(history)))
        return cited_answer(question)


@pytest.fixture(scope="module")
def fake() -> FakePressroom:
    return FakePressroom()


@pytest.fixture(scope="module")
def client(fake: FakePressroom):
    with TestClient(create_app(fake)) as c:  # `with` runs the lifespan, which starts gradio's queue
        yield c


@pytest.fixture(scope="module")
def down_client():
    with TestClient(create_app(None, unavailable_reason=REASON)) as c:
        yield c


def test_healthz_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "ready": True}


def test_healthz_unavailable(down_client: TestClient) -> None:
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "ready": False, "reason": REASON}


def test_ask_returns_the_answer_json(client: TestClient, fake: FakePressroom) -> None:
    question = "When did Korea and ASEAN establish dialogue relations?"
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200
    body = response.json()
    assert body == cited_answer(question).to_dict()
    assert {"question", "answer", "abstained", "citations", "retrieved"} <= body.keys()
    assert body["question"] == question
    assert body["abstained"] is False
    assert "[1]" in body["answer"]
    (citation,) = body["citations"]
    assert set(citation) == {"n", "source", "title", "date", "paragraph", "quote", "chunk_id"}
    assert citation["n"] == 1 and citation["paragraph"] == 2 and citation["date"] == "2022-08-04"
    (retrieved,) = body["retrieved"]
    assert {"source", "chunk_id", "score"} <= set(retrieved)
    assert retrieved["chunk_id"] == PASSAGE.chunk_id and retrieved["score"] == 0.8123
    assert fake.calls[-1] == (question, ())


def test_ask_passes_history_through(client: TestClient, fake: FakePressroom) -> None:
    history = ["What did Park Jin and Hayashi agree in Tokyo?", "And in Seoul?"]
    response = client.post("/api/ask", json={"question": "  When was that?  ", "history": history})
    assert response.status_code == 200
    assert fake.calls[-1] == ("When was that?", tuple(history))


@pytest.mark.parametrize("payload", [{"question": ""}, {"question": "   \n\t"}, {}, {"history": ["hi"]}])
def test_ask_rejects_a_blank_or_missing_question(client: TestClient, fake: FakePressroom, payload: dict) -> None:
    calls = len(fake.calls)
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "question"]
    assert len(fake.calls) == calls


def test_blank_question_detail_says_why(client: TestClient) -> None:
    (error,) = client.post("/api/ask", json={"question": " "}).json()["detail"]
    assert "question is empty" in error["msg"]


def test_ask_rejects_a_wrongly_typed_history(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "Why?", "history": "not a list"})
    assert response.status_code == 422


def test_ask_without_an_index_is_503_with_the_reason(down_client: TestClient) -> None:
    response = down_client.post("/api/ask", json={"question": "When did Korea and ASEAN establish dialogue relations?"})
    assert response.status_code == 503
    assert response.json() == {"detail": REASON}


@pytest.mark.parametrize("name", ["client", "down_client"])
def test_root_serves_the_chat_page(name: str, request: pytest.FixtureRequest) -> None:
    response = request.getfixturevalue(name).get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower() and "gradio" in response.text.lower()


def test_chat_config_carries_title_examples_and_reason(down_client: TestClient) -> None:
    config = down_client.get("/config").json()
    text = str(config)
    assert "Pressroom" in text
    assert "When did Korea and ASEAN establish dialogue relations?" in text
    assert "no index at .pressroom/index" in text


def test_the_chat_is_mounted_after_the_api(client: TestClient) -> None:
    # A mount at "/" matches every path, so anything registered after it would be unreachable.
    routes = client.app.routes
    assert type(routes[-1]).__name__ == "Mount" and routes[-1].path == ""
    assert {"/healthz", "/api/ask"} <= {getattr(route, "path", None) for route in routes[:-1]}
    assert client.get("/docs").status_code == 200  # FastAPI's own pages still answer too


def test_importing_the_ui_pulls_in_neither_ingest_nor_chromadb() -> None:
    # ui may import qa only; a fresh interpreter shows what the imports drag in.
    code = "import sys, ui.app, ui.chat; print(sorted(m for m in ('ingest', 'chromadb', 'torch') if m in sys.modules))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
