"""The HTTP API and the mounted chat pages, over a fake service (retrieval is tested in tests/qa)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.models import Answer, Citation
from tests.ui.fakes import PASSAGE
from ui.app import create_app
from ui.config import WebConfig
from ui.feedback import FeedbackStore
from ui.limits import Limits

NO_RATE = Limits(rate_per_minute=0)  # these tests send many questions; the rate limit has its own tests
REASON = "no index at .pressroom/index; build it with `pressroom ingest corpus/releases`"
NEIGHBOUR = PASSAGE.__class__(**{**PASSAGE.__dict__, "chunk_id": "kr-asean:p3.0:cd34", "paragraph": 3,
                                 "text": "The two sides held their first summit in 1997.", "routes": {}})


def cited_answer(question: str) -> Answer:
    citation = Citation(
        n=1,
        source=PASSAGE.source,
        title=PASSAGE.title,
        date=PASSAGE.date,
        paragraph=PASSAGE.paragraph,
        quote=PASSAGE.text,
        chunk_id=PASSAGE.chunk_id,
        span=(0, 20),
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
    """Records each call; refuses a blank question as the real service does; streams two tokens."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...], dict]] = []

    def ask(self, question: str, history: tuple[str, ...] = (), **options) -> Answer:
        question = question.strip()
        if not question:
            raise ValueError("the question is empty; type a question about the press releases")
        if "refuse" in question:
            raise ValueError("the date range ends before it starts; swap the two dates")
        self.calls.append((question, tuple(history), options))
        return cited_answer(question)

    def stream(self, question: str, history: tuple[str, ...] = (), **options):
        answer = self.ask(question, history, **options)
        for piece in ("Korea and ASEAN ", "established dialogue relations in 1989. [1]"):
            yield {"type": "token", "text": piece}
        if "explode" in question:
            raise RuntimeError("the model server went away")
        yield {"type": "answer", "answer": answer.to_dict()}

    def release_of(self, chunk_id: str):
        return [PASSAGE, NEIGHBOUR] if chunk_id in (PASSAGE.chunk_id, NEIGHBOUR.chunk_id) else []


class AskOnly:
    """A service without `stream` (the extractive one before streaming landed)."""

    def __init__(self) -> None:
        self.fake = FakePressroom()

    def ask(self, question, history=(), **options):
        return self.fake.ask(question, history, **options)


@pytest.fixture(scope="module")
def fake() -> FakePressroom:
    return FakePressroom()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> FeedbackStore:
    return FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.db")


@pytest.fixture(scope="module")
def client(fake: FakePressroom, store: FeedbackStore, tmp_path_factory):
    tsv = tmp_path_factory.mktemp("corpus") / "sources.tsv"
    tsv.write_text(f"file\tdate\ttitle\tsource_urls\n{PASSAGE.source.rsplit('/', 1)[-1]}\t2022-08-04\tt\thttps://example.org/a | https://example.org/b\n"
                   f"{PASSAGE.source}\t2022-08-04\tt\thttps://example.org/a | https://example.org/b\n", encoding="utf-8")
    with TestClient(create_app(fake, feedback=store, config=WebConfig(sources_tsv=tsv, limits=NO_RATE))) as c:  # `with` runs the lifespan
        yield c


@pytest.fixture(scope="module")
def down_client():
    with TestClient(create_app(None, unavailable_reason=REASON)) as c:
        yield c


def as_json(answer: Answer) -> dict:
    return json.loads(json.dumps(answer.to_dict()))


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# -- health and readiness


def test_healthz_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "ready": True}
    assert client.get("/readyz").json()["ready"] is True


def test_healthz_unavailable(down_client: TestClient) -> None:
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "ready": False, "reason": REASON}
    assert down_client.get("/readyz").status_code == 503


def test_ready_only_after_loading_and_the_warm_up_questions() -> None:
    release = threading.Event()
    fake = FakePressroom()

    def loader():
        release.wait(10)
        return fake

    app = create_app(loader=loader, config=WebConfig(warm_up=("warm-up one", "warm-up two")))
    with TestClient(app) as c:
        starting = c.get("/healthz")
        assert starting.status_code == 503 and starting.json()["status"] == "starting" and starting.json()["ready"] is False
        not_yet = c.get("/readyz")
        assert not_yet.status_code == 503 and not_yet.headers["Retry-After"]
        early = c.post("/api/ask", json={"question": "When?"})
        assert early.status_code == 503 and early.json()["error"]["code"] == "starting"
        release.set()
        assert app.state.readiness.wait(10)
        assert c.get("/readyz").status_code == 200
        assert c.get("/healthz").json() == {"status": "ok", "ready": True}
        assert [call[0] for call in fake.calls] == ["warm-up one", "warm-up two"]  # warmed before "ready"
        assert c.post("/api/ask", json={"question": "When?"}).status_code == 200


def test_a_service_that_cannot_start_leaves_the_app_up_with_the_reason() -> None:
    def loader():
        raise RuntimeError("the index at /srv/index is corrupt; run `pressroom ingest --rebuild`")

    app = create_app(loader=loader)
    with TestClient(app) as c:
        assert app.state.readiness.wait(10)
        health = c.get("/healthz")
        assert health.status_code == 503 and "corrupt" in health.json()["reason"]
        ask = c.post("/api/ask", json={"question": "When?"})
        assert ask.status_code == 503 and "corrupt" in ask.json()["error"]["message"]
        assert c.get("/").status_code == 200  # the page still loads and can say why


# -- POST /api/ask


def test_ask_returns_the_answer_json(client: TestClient, fake: FakePressroom) -> None:
    question = "When did Korea and ASEAN establish dialogue relations?"
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200
    body = response.json()
    answer_id = body.pop("answer_id")
    assert len(answer_id) == 32
    assert body == as_json(cited_answer(question))
    (citation,) = body["citations"]
    assert citation["n"] == 1 and citation["span"] == [0, 20] and citation["chunk_id"] == PASSAGE.chunk_id
    assert fake.calls[-1] == (question, (), {})


def test_ask_passes_history_language_and_dates_through(client: TestClient, fake: FakePressroom) -> None:
    history = ["What did Park Jin and Hayashi agree in Tokyo?", "  And   in Seoul? ", " "]
    payload = {"question": "  When was that?  ", "history": history, "answer_language": "ko",
               "date_from": "2022-01-01", "date_to": "2022-12-31"}
    assert client.post("/api/ask", json=payload).status_code == 200
    assert fake.calls[-1] == (
        "When was that?",
        ("What did Park Jin and Hayashi agree in Tokyo?", "And in Seoul?"),
        {"answer_language": "ko", "date_from": date(2022, 1, 1), "date_to": date(2022, 12, 31)},
    )


@pytest.mark.parametrize("payload", [{"question": ""}, {"question": "   \n\t"}, {}, {"history": ["hi"]}])
def test_ask_rejects_a_blank_or_missing_question(client: TestClient, fake: FakePressroom, payload: dict) -> None:
    calls = len(fake.calls)
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith("question:")
    assert len(fake.calls) == calls


def test_blank_question_message_says_why(client: TestClient) -> None:
    assert "question is empty" in client.post("/api/ask", json={"question": " "}).json()["error"]["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"question": "Why?", "history": "not a list"}, "history"),
        ({"question": "Why?", "answer_language": "fr"}, "answer_language"),
        ({"question": "Why?", "date_from": "last year"}, "date_from"),
        ({"question": ["Why?"]}, "question"),
    ],
)
def test_ask_names_the_wrong_field(client: TestClient, payload: dict, field: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(f"{field}")


def test_errors_never_echo_the_input(client: TestClient) -> None:
    marker = "ECHO-" + "x" * 100_000
    for payload in ({"question": marker}, {"question": 5, "history": [marker, 3]}, {"question": "Why?", "answer_language": marker}):
        response = client.post("/api/ask", json=payload)
        assert response.status_code in (413, 422)
        assert "ECHO-" not in response.text and len(response.content) < 1000


def test_ask_refuses_too_long_a_question_or_history(client: TestClient, fake: FakePressroom) -> None:
    calls = len(fake.calls)
    long = client.post("/api/ask", json={"question": "x" * 2001})
    assert long.status_code == 413 and "limit is 2,000" in long.json()["error"]["message"]
    many = client.post("/api/ask", json={"question": "And then?", "history": ["earlier?"] * 51})
    assert many.status_code == 413 and "new conversation" in many.json()["error"]["message"]
    assert client.post("/api/ask", json={"question": "x" * 2000}).status_code == 200
    assert len(fake.calls) == calls + 1


def test_ask_refuses_a_backwards_date_range_and_passes_the_service_refusal(client: TestClient) -> None:
    backwards = client.post("/api/ask", json={"question": "Why?", "date_from": "2023-01-01", "date_to": "2022-01-01"})
    assert backwards.status_code == 422 and "swap" in backwards.json()["error"]["message"]
    refused = client.post("/api/ask", json={"question": "please refuse"})
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("the date range")


def test_ask_without_an_index_is_503_with_the_reason(down_client: TestClient) -> None:
    response = down_client.post("/api/ask", json={"question": "When did Korea and ASEAN establish dialogue relations?"})
    assert response.status_code == 503
    assert response.json() == {"error": {"code": "unavailable", "message": REASON}}


# -- POST /api/ask/stream


def test_stream_sends_tokens_then_the_answer(client: TestClient, fake: FakePressroom) -> None:
    question = "When did Korea and ASEAN establish dialogue relations?"
    with client.stream("POST", "/api/ask/stream", json={"question": question, "answer_language": "en"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        text = "".join(response.iter_text())
    events = sse_events(text)
    assert [name for name, _ in events] == ["token", "token", "answer"]
    assert "".join(data["text"] for name, data in events if name == "token") == cited_answer(question).answer
    answer = events[-1][1]
    assert answer.pop("answer_id") and answer == as_json(cited_answer(question))
    assert fake.calls[-1] == (question, (), {"answer_language": "en"})


def test_stream_without_a_streaming_service_sends_just_the_answer() -> None:
    with TestClient(create_app(AskOnly())) as c:
        response = c.post("/api/ask/stream", json={"question": "When?"})
    events = sse_events(response.text)
    assert [name for name, _ in events] == ["answer"] and events[0][1]["answer"] == cited_answer("When?").answer


def test_a_failure_mid_stream_ends_with_an_error_event(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": "please explode"})
    events = sse_events(response.text)
    assert [name for name, _ in events] == ["token", "token", "error"]
    assert events[-1][1] == {"error": {"code": "internal", "message": "something went wrong on the server; the error is in its log"}}
    # The slot was given back: the next question is answered.
    assert client.post("/api/ask", json={"question": "When?"}).status_code == 200


def test_stream_refusals_are_plain_json_errors(client: TestClient, down_client: TestClient) -> None:
    too_long = client.post("/api/ask/stream", json={"question": "x" * 5000})
    assert too_long.status_code == 413 and too_long.json()["error"]["code"] == "too_large"
    down = down_client.post("/api/ask/stream", json={"question": "When?"})
    assert down.status_code == 503 and down.json()["error"]["message"] == REASON


# -- GET /api/sources/{chunk_id}


def test_source_shows_the_release_with_the_cited_paragraph_marked(client: TestClient) -> None:
    response = client.get(f"/api/sources/{PASSAGE.chunk_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == PASSAGE.title and body["date"] == "2022-08-04" and body["source"] == PASSAGE.source
    assert body["links"] == ["https://example.org/a", "https://example.org/b"]
    assert [(p["paragraph"], p["cited"]) for p in body["paragraphs"]] == [(2, True), (3, False)]
    assert body["paragraphs"][0]["text"] == PASSAGE.text


def test_source_of_an_unknown_passage_is_404(client: TestClient, down_client: TestClient) -> None:
    response = client.get("/api/sources/nope:p1.0:0000")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert down_client.get(f"/api/sources/{PASSAGE.chunk_id}").status_code == 503


# -- POST /api/feedback


def test_feedback_is_stored(client: TestClient, store: FeedbackStore) -> None:
    answer = client.post("/api/ask", json={"question": "When did Korea and ASEAN establish dialogue relations?"}).json()
    response = client.post("/api/feedback", json={
        "question": answer["question"], "answer": answer, "rating": "up", "comment": " right on ", "history": ["Hi?"],
    })
    assert response.status_code == 201
    saved = {item.id: item for item in store.all()}[response.json()["id"]]
    assert saved.rating == "up" and saved.comment == "right on" and saved.history == ("Hi?",)
    assert saved.answer == answer["answer"] and saved.answer_json["citations"][0]["chunk_id"] == PASSAGE.chunk_id
    assert saved.answer_id == answer["answer_id"] and saved.user is None
    text_only = client.post("/api/feedback", json={"question": "Why?", "answer": "Because.", "rating": "down"})
    assert text_only.status_code == 201
    assert store.all()[-1].answer == "Because." and store.all()[-1].rating == "down"


@pytest.mark.parametrize("payload", [
    {"question": "Why?", "answer": "Because.", "rating": "meh"},
    {"question": "Why?", "rating": "up"},
    {"question": "", "answer": "Because.", "rating": "up"},
    {"question": "Why?", "answer": "Because.", "rating": "up", "comment": "x" * 2001},
])
def test_feedback_refuses_bad_input(client: TestClient, payload: dict) -> None:
    response = client.post("/api/feedback", json=payload)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_feedback_without_a_store_says_so(down_client: TestClient) -> None:
    response = down_client.post("/api/feedback", json={"question": "Why?", "answer": "Because.", "rating": "up"})
    assert response.status_code == 503 and "PRESSROOM_FEEDBACK_DB" in response.json()["error"]["message"]


# -- the pages and the docs


@pytest.mark.parametrize("name", ["client", "down_client"])
@pytest.mark.parametrize("path", ["/", "/embed/"])
def test_the_chat_pages_are_served(name: str, path: str, request: pytest.FixtureRequest) -> None:
    response = request.getfixturevalue(name).get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower() and "gradio" in response.text.lower()


def test_the_pages_are_mounted_after_the_api(client: TestClient) -> None:
    # A mount at "/" matches every path, so anything registered after it would be unreachable.
    routes = client.app.routes
    assert type(routes[-1]).__name__ == "Mount" and routes[-1].path == ""
    mounts = [i for i, route in enumerate(routes) if type(route).__name__ == "Mount"]
    api = [i for i, route in enumerate(routes) if type(route).__name__ != "Mount" and not hasattr(route, "path")]
    assert api and max(api) < min(mounts)  # the included API router comes before /embed and /
    for path in ("/healthz", "/readyz", "/api/sources/x:p1.0:ab"):  # answered by the API, not Gradio's catch-all
        assert client.get(path).headers["content-type"] == "application/json"


def test_openapi_documents_the_project_api(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/feedback", "/api/sources/{chunk_id}", "/healthz", "/readyz"} <= set(spec["paths"])
    ask = spec["paths"]["/api/ask"]["post"]
    assert {"200", "413", "422", "429", "503"} <= set(ask["responses"])
    assert ask["responses"]["429"]["content"]["application/json"]["example"]["error"]["code"] == "rate_limited"
    assert "text/event-stream" in spec["paths"]["/api/ask/stream"]["post"]["responses"]["200"]["content"]


def test_importing_the_ui_app_pulls_in_neither_ingest_nor_chromadb() -> None:
    # ui may import qa only; a fresh interpreter shows what the imports drag in.
    code = "import sys, ui.app, ui.api, ui.limits, ui.auth, ui.feedback; print(sorted(m for m in ('ingest', 'chromadb', 'torch', 'gradio') if m in sys.modules))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class Broken(FakePressroom):
    def ask(self, question, history=(), **options):
        raise RuntimeError("chroma said: /srv/secret/index/chroma.sqlite3 is locked")


def test_a_crash_is_a_500_in_the_error_shape_without_the_details() -> None:
    with TestClient(create_app(Broken()), raise_server_exceptions=False) as c:
        response = c.post("/api/ask", json={"question": "When?"})
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal", "message": "something went wrong on the server; the error is in its log"}}
    assert "secret" not in response.text
