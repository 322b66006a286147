"""The chat's Markdown replies and how it reads Gradio's messages-style history."""

from __future__ import annotations

from dataclasses import replace

import gradio as gr

from qa.models import Answer, Citation, ScoredPassage
from tests.ui.fakes import PASSAGE
from ui.chat import build_chat, format_reply, make_respond, user_turns

ASEAN = replace(PASSAGE, score=0.81)
TOKYO = replace(
    ASEAN,
    chunk_id="jp:p4.0:cd34",
    release_id="jp",
    title="Park Jin meets Hayashi in Tokyo",
    date="2022-07-19",
    paragraph=4,
    text="The two ministers agreed to resolve pending issues.",
    score=0.62,
)
SANCTIONS = replace(ASEAN, chunk_id="dprk:p1.0:ef56", title="Sanctions on North Korea", date="", score=0.3)
ABSTENTION = "The press releases I have don't say. Nothing I found answers this closely enough."


def cite(n: int, passage: ScoredPassage, quote: str | None = None) -> Citation:
    return Citation(
        n=n,
        source=passage.source,
        title=passage.title,
        date=passage.date,
        paragraph=passage.paragraph,
        quote=passage.text if quote is None else quote,
        chunk_id=passage.chunk_id,
    )


def answered(text: str, citations: list[Citation], retrieved: list[ScoredPassage] | None = None) -> Answer:
    return Answer(
        question="q?", answer=text, abstained=False, citations=citations, retrieved=retrieved or [ASEAN, TOKYO]
    )


def abstained(retrieved: list[ScoredPassage]) -> Answer:
    return Answer(question="q?", answer=ABSTENTION, abstained=True, citations=[], retrieved=retrieved)


class FakePressroom:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def ask(self, question: str, history: tuple[str, ...] = ()) -> Answer:
        self.calls.append((question, history))
        return self.answer


def test_reply_shows_markers_titles_dates_paragraphs_and_quotes() -> None:
    answer = answered(f"{ASEAN.text} [1] {TOKYO.text} [2]", [cite(1, ASEAN), cite(2, TOKYO)])
    reply = format_reply(answer)
    body, sources = reply.split("**Sources**")
    assert "1989. [1]" in body and "issues. [2]" in body
    assert "- [1] **Korea-ASEAN Foreign Ministers' Meeting** — 2022-08-04, paragraph 2" in sources
    assert "- [2] **Park Jin meets Hayashi in Tokyo** — 2022-07-19, paragraph 4" in sources
    assert "  > Korea and ASEAN established dialogue relations in 1989." in sources
    assert "  > The two ministers agreed to resolve pending issues." in sources
    assert sources.index("[1]") < sources.index("[2]")


def test_an_undated_release_shows_only_its_paragraph() -> None:
    reply = format_reply(answered("Some were sanctioned. [1]", [cite(1, SANCTIONS)]))
    assert "**Sanctions on North Korea** — paragraph 2" in reply


def test_abstention_has_no_sources_but_names_the_closest_releases() -> None:
    reply = format_reply(abstained([ASEAN, TOKYO, ASEAN, SANCTIONS, replace(TOKYO, title="Fourth")]))
    assert reply.startswith("The press releases I have don't say.")
    assert "Sources" not in reply and "\n>" not in reply and "  >" not in reply
    closest = reply.split("Closest releases searched:*")[1]
    assert closest.split("; ") == [
        " Korea-ASEAN Foreign Ministers' Meeting",
        "Park Jin meets Hayashi in Tokyo",
        "Sanctions on North Korea",
    ]


def test_abstention_with_nothing_retrieved_is_just_the_message() -> None:
    assert format_reply(abstained([])) == ABSTENTION.replace("!", "\\!")


def test_html_in_a_quote_is_escaped() -> None:
    hostile = 'Talks resumed. <script>alert("x")</script> <img src=x onerror=alert(1)>'
    reply = format_reply(answered(f"{hostile} [1]", [cite(1, ASEAN, quote=hostile)]))
    assert "<script" not in reply and "<img" not in reply and "</script>" not in reply
    assert "&lt;script&gt;" in reply and "&lt;img src=x" in reply


def test_markdown_in_a_title_or_quote_cannot_add_structure() -> None:
    hostile = replace(ASEAN, title="# Breaking\n\n[click](javascript:alert(1))")
    quote = "Fine.\n\n# Heading\n1. list\n[1]: https://evil.example"
    reply = format_reply(answered("Fine. [1]", [cite(1, hostile, quote=quote)]))
    lines = reply.splitlines()
    assert not any(line.lstrip().startswith("#") for line in lines)
    assert "\\# Breaking \\[click\\]\\(javascript:alert\\(1\\)\\)" in reply
    assert "  > Fine. \\# Heading 1. list \\[1\\]: https://evil.example" in reply


def test_only_cited_markers_are_restored() -> None:
    reply = format_reply(answered("See [2](javascript:x) and this. [1]", [cite(1, ASEAN)]))
    assert "\\[2\\]\\(javascript:x\\)" in reply and "this. [1]" in reply


def test_user_turns_from_messages_history() -> None:
    history = [
        {"role": "user", "content": "When did Korea and ASEAN establish dialogue relations?"},
        {"role": "assistant", "content": "In 1989. [1]"},
        {"role": "user", "content": [
            {"type": "text", "text": "What did Park Jin"},
            {"type": "text", "text": "agree?"},
        ]},
        {"role": "assistant", "content": [{"type": "text", "text": "They agreed. [1]"}]},
        {"role": "user", "content": [{"type": "file", "file": {"path": "/tmp/x.png"}}]},  # nothing to ask
        {"role": "user", "content": {"text": "multimodal turn", "files": []}},
        {"role": "user", "content": "   "},
        gr.ChatMessage(role="user", content="from a ChatMessage"),
    ]
    assert user_turns(history) == (
        "When did Korea and ASEAN establish dialogue relations?",
        "What did Park Jin agree?",
        "multimodal turn",
        "from a ChatMessage",
    )
    assert user_turns([]) == () and user_turns(None) == ()


def test_respond_passes_earlier_questions_and_formats_the_answer() -> None:
    answer = answered(f"{ASEAN.text} [1]", [cite(1, ASEAN)])
    fake = FakePressroom(answer)
    respond = make_respond(fake)
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Tell me about ASEAN."}]},
        {"role": "assistant", "content": [{"type": "text", "text": "…"}]},
    ]
    assert respond("When did dialogue relations start?", history) == format_reply(answer)
    assert fake.calls == [("When did dialogue relations start?", ("Tell me about ASEAN.",))]


def test_respond_without_a_pressroom_gives_the_reason() -> None:
    respond = make_respond(None, "no index at .pressroom/index; build it with `pressroom ingest corpus/releases`")
    reply = respond("Hi?", [])
    assert reply.startswith("**Unavailable.**") and "no index at .pressroom/index" in reply


def test_respond_to_a_blank_message_does_not_ask() -> None:
    fake = FakePressroom(abstained([]))
    assert "type a question" in make_respond(fake)("   ", [])
    assert fake.calls == []


def test_chat_renders_safely_and_offers_examples() -> None:
    demo = build_chat(FakePressroom(abstained([])), title="Pressroom test")
    assert isinstance(demo, gr.ChatInterface)
    assert demo.chatbot.sanitize_html is True
    assert demo.examples == [
        "When did Korea and ASEAN establish dialogue relations?",
        "What did Park Jin and Hayashi agree in Tokyo?",
        "How many North Korean individuals were sanctioned on October 14, 2022?",
    ]
