"""The API over the real service (the session's index of corpus/releases, the real models): a streamed
answer whose citation opens its release in the source panel, a Korean question, an off-topic one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.ui.test_api import sse_events
from ui.app import create_app
from ui.config import WebConfig
from ui.limits import Limits
from ui.release_links import load_release_links

SOURCES_TSV = Path(__file__).resolve().parents[2] / "corpus" / "sources.tsv"


@pytest.fixture(scope="module")
def client(pressroom):
    config = WebConfig(limits=Limits(rate_per_minute=0), sources_tsv=SOURCES_TSV)
    with TestClient(create_app(pressroom, config=config)) as c:
        yield c


def test_streamed_answer_cites_a_passage_that_the_source_route_opens(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": "When did Korea and ASEAN establish dialogue relations?"})
    assert response.status_code == 200
    events = sse_events(response.text)
    assert events[-1][0] == "answer" and all(name == "token" for name, _ in events[:-1])
    answer = events[-1][1]
    assert not answer["abstained"] and "1989" in answer["answer"] and answer["citations"]
    citation = answer["citations"][0]
    source = client.get(f"/api/sources/{citation['chunk_id']}")
    assert source.status_code == 200
    body = source.json()
    assert body["source"] == citation["source"] and body["title"] == citation["title"]
    (cited,) = [p for p in body["paragraphs"] if p["cited"]]
    assert cited["paragraph"] == citation["paragraph"]
    if citation.get("span"):
        start, end = citation["span"]
        assert cited["text"][start:end] and cited["text"][start:end] in cited["text"]
    expected = load_release_links(SOURCES_TSV).get(citation["source"], [])
    assert body["links"] == list(expected)  # the release's row of sources.tsv ([] for the sample, which has none)


def test_a_korean_and_an_off_topic_question_through_the_api(client: TestClient) -> None:
    korean = client.post("/api/ask", json={"question": "한국과 아세안은 언제 대화 관계를 수립했나요?"})
    assert korean.status_code == 200 and korean.json()["citations"]
    off_topic = client.post("/api/ask", json={"question": "What is the recipe for kimchi fried rice?"})
    assert off_topic.status_code == 200
    body = off_topic.json()
    # Whether the service abstains here is a question for tests/qa; the API's part is a consistent answer.
    assert isinstance(body["abstained"], bool) and (body["citations"] == [] or not body["abstained"])
    assert json.dumps(body, ensure_ascii=False)  # the whole answer is valid JSON, Korean and all
