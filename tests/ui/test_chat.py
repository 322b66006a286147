"""The chat's replies (Markdown with [n] links), a turn's logic (history, options, streaming) and the page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import unquote

import gradio as gr

from qa.models import Answer, Citation, Query, ScoredPassage, SearchPlan
from tests.ui.fakes import PASSAGE
from ui.chat import EXAMPLES, parse_day, run_turn, ui_language, user_turns
from ui.page import build_page
from ui.reply import format_reply, source_href

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


def cite(n: int, passage: ScoredPassage, quote: str | None = None, span: tuple[int, int] | None = None) -> Citation:
    return Citation(
        n=n, source=passage.source, title=passage.title, date=passage.date, paragraph=passage.paragraph,
        quote=passage.text if quote is None else quote, chunk_id=passage.chunk_id, span=span,
    )


def answered(text: str, citations: list[Citation], retrieved: list[ScoredPassage] | None = None) -> Answer:
    return Answer(question="q?", answer=text, abstained=False, citations=citations, retrieved=retrieved or [ASEAN, TOKYO])


def abstained(retrieved: list[ScoredPassage], searched: str = "q?", **plan) -> Answer:
    answer = Answer(question="q?", answer=ABSTENTION, abstained=True, citations=[], retrieved=retrieved)
    answer.plan = SearchPlan(query=Query("q?"), text=searched, **plan)
    return answer


class FakePressroom:
    """Records what the chat asks; streams `tokens` first when given (a language model writing)."""

    def __init__(self, answer: Answer, tokens: tuple[str, ...] = ()) -> None:
        self.answer = answer
        self.tokens = tokens
        self.calls: list[tuple[str, tuple[str, ...], dict]] = []

    def stream(self, question: str, history: tuple[str, ...] = (), **options):
        self.calls.append((question, history, options))
        for token in self.tokens:
            yield {"type": "token", "text": token}
        yield {"type": "answer", "answer": self.answer.to_dict()}


def test_markers_link_to_their_passage_and_span() -> None:
    answer = answered(f"{ASEAN.text} [1] {TOKYO.text} [2]", [cite(1, ASEAN, span=(0, 20)), cite(2, TOKYO)])
    reply = format_reply(answer)
    body, sources = reply.split("**Sources**")
    assert "1989. [\\[1\\]](#pr-src=kr-asean%3Ap2.0%3Aab12&span=0-20)" in body
    assert "issues. [\\[2\\]](#pr-src=jp%3Ap4.0%3Acd34)" in body
    assert "- [\\[1\\]](#pr-src=kr-asean%3Ap2.0%3Aab12&span=0-20) Korea-ASEAN Foreign Ministers' Meeting — 2022-08-04, paragraph 2" in sources
    assert "- [\\[2\\]](#pr-src=jp%3Ap4.0%3Acd34) Park Jin meets Hayashi in Tokyo — 2022-07-19, paragraph 4" in sources
    # The quote is not repeated under the answer: the source panel shows it in context.
    assert sources.count("established dialogue relations") == 0


def test_a_chunk_id_cannot_break_out_of_its_link() -> None:
    href = source_href('x) [evil](javascript:alert(1) "', (1, 2))
    assert href.startswith("#pr-src=") and all(ch not in href for ch in ' ()[]"<>')
    assert unquote(href[len("#pr-src="):].split("&")[0]) == 'x) [evil](javascript:alert(1) "'
    assert source_href("a", ("1", 2)) == "#pr-src=a"  # a span that isn't two ints is left out


def test_an_undated_release_shows_only_its_paragraph() -> None:
    reply = format_reply(answered("Some were sanctioned. [1]", [cite(1, SANCTIONS)]))
    assert "Sanctions on North Korea — paragraph 2" in reply


def test_abstention_is_its_own_state_with_what_was_searched_and_the_closest_releases() -> None:
    answer = abstained([ASEAN, TOKYO, ASEAN, SANCTIONS, replace(TOKYO, title="Fourth")], searched="moon colony population",
                       date_from=date(2023, 1, 1), subqueries=("moon", "colony"))
    reply = format_reply(answer)
    lines = reply.splitlines()
    assert lines[0] == "#### ⓘ Not in the releases"
    assert "Sources" not in reply
    assert "- Searched for: “moon colony population”" in lines
    assert "- In parts: “moon”; “colony”" in lines
    assert "- Release dates: 2023-01-01 – …" in lines
    closest = reply.split("Closest releases:\n")[1].splitlines()
    assert closest == [
        "- [Korea-ASEAN Foreign Ministers' Meeting](#pr-src=kr-asean%3Ap2.0%3Aab12) — 2022-08-04",
        "- [Park Jin meets Hayashi in Tokyo](#pr-src=jp%3Ap4.0%3Acd34) — 2022-07-19",
        "- [Sanctions on North Korea](#pr-src=dprk%3Ap1.0%3Aef56)",
    ]


def test_labels_follow_the_page_language() -> None:
    assert "**출처**" in format_reply(answered("A. [1]", [cite(1, ASEAN)]), "ko")
    assert "보도자료에 없는 내용입니다" in format_reply(abstained([]), "ko")


def test_html_in_an_answer_or_title_is_escaped() -> None:
    hostile = 'Talks resumed. <script>alert("x")</script> <img src=x onerror=alert(1)>'
    reply = format_reply(answered(f"{hostile} [1]", [cite(1, replace(ASEAN, title=hostile))]))
    assert "<script" not in reply and "<img" not in reply and "</script>" not in reply
    assert "&lt;script&gt;" in reply and "&lt;img src=x" in reply


def test_markdown_in_a_title_cannot_add_structure() -> None:
    hostile = replace(ASEAN, title="# Breaking\n\n[click](javascript:alert(1))")
    reply = format_reply(answered("Fine. [1]", [cite(1, hostile)]))
    assert not any(line.lstrip().startswith("#") for line in reply.splitlines())
    assert "\\# Breaking \\[click\\]\\(javascript:alert\\(1\\)\\)" in reply
    closest = format_reply(abstained([hostile]))
    assert "[\\# Breaking \\[click\\]\\(javascript:alert\\(1\\)\\)](#pr-src=" in closest


def test_only_cited_markers_become_links() -> None:
    reply = format_reply(answered("See [2](javascript:x) and this. [1]", [cite(1, ASEAN)]))
    assert "\\[2\\]\\(javascript:x\\)" in reply and "this. [\\[1\\]](#pr-src=" in reply


def test_user_turns_from_messages_history() -> None:
    history = [
        {"role": "user", "content": "When did Korea and ASEAN establish dialogue relations?"},
        {"role": "assistant", "content": "In 1989. [1]"},
        {"role": "user", "content": [{"type": "text", "text": "What did Park Jin"}, {"type": "text", "text": "agree?"}]},
        {"role": "user", "content": [{"type": "file", "file": {"path": "/tmp/x.png"}}]},  # nothing to ask
        {"role": "user", "content": "   "},
        gr.ChatMessage(role="user", content="from a ChatMessage"),
    ]
    assert user_turns(history) == (
        "When did Korea and ASEAN establish dialogue relations?",
        "What did Park Jin agree?",
        "from a ChatMessage",
    )
    assert user_turns([]) == () and user_turns(None) == ()


def test_a_turn_passes_history_language_and_dates_and_ends_with_the_reply() -> None:
    answer = answered(f"{ASEAN.text} [1]", [cite(1, ASEAN)])
    fake = FakePressroom(answer)
    history = [{"role": "user", "content": "Tell me about ASEAN."}, {"role": "assistant", "content": "…"}]
    steps = list(run_turn(fake, " When did  dialogue start? ", history, answer_language="ko",
                          date_from="2022-01-01", date_to="2022-12-31T00:00:00"))
    assert steps[0] == ("Searching the releases…", None)
    assert steps[-1] == (format_reply(answer), answer.to_dict())
    assert fake.calls == [("When did dialogue start?", ("Tell me about ASEAN.",),
                           {"answer_language": "ko", "date_from": date(2022, 1, 1), "date_to": date(2022, 12, 31)})]


def test_auto_language_and_empty_dates_send_no_options() -> None:
    fake = FakePressroom(abstained([]))
    list(run_turn(fake, "q?", [], answer_language="auto", date_from="", date_to=None))
    assert fake.calls[0][2] == {}


def test_tokens_show_as_they_come_then_the_final_reply_replaces_them() -> None:
    answer = answered("In 1989. [1]", [cite(1, ASEAN)])
    steps = list(run_turn(FakePressroom(answer, tokens=("In ", "1989", ". [1]")), "q?", []))
    texts = [text for text, _ in steps]
    assert texts[1:4] == ["In ▍", "In 1989 ▍", "In 1989. \\[1\\] ▍"]
    assert texts[-1] == format_reply(answer) and steps[-1][1]["citations"][0]["n"] == 1


def test_a_bad_date_says_how_to_write_one_and_asks_nothing() -> None:
    fake = FakePressroom(abstained([]))
    steps = list(run_turn(fake, "q?", [], date_from="last spring"))
    assert len(steps) == 1 and "YYYY-MM-DD" in steps[0][0] and "last spring" in steps[0][0]
    assert fake.calls == []


def test_the_services_refusal_is_shown_not_raised() -> None:
    class Refusing(FakePressroom):
        def stream(self, question, history=(), **options):
            raise ValueError("the date range ends before it starts; swap the two dates")
            yield  # pragma: no cover

    steps = list(run_turn(Refusing(abstained([])), "q?", []))
    assert steps[-1] == ("the date range ends before it starts; swap the two dates", None)


def test_without_a_service_the_chat_gives_the_reason_and_a_blank_question_asks_nothing() -> None:
    reason = "no index at .pressroom/index; build it with `pressroom ingest corpus/releases`"
    assert next(run_turn(None, "Hi?", [], unavailable_reason=reason))[0].startswith("**Unavailable.** no index at")
    fake = FakePressroom(abstained([]))
    assert list(run_turn(fake, "   ", [], lang="ko")) == [("보도자료에 관한 질문을 입력해 주세요.", None)]
    assert fake.calls == []


def test_dates_and_languages_from_the_browser() -> None:
    assert parse_day(None, "from") is None and parse_day(" ", "from") is None
    assert parse_day("2023-06-20", "from") == date(2023, 6, 20)
    assert ui_language("ko-KR,ko;q=0.9,en-US;q=0.8") == "ko"
    assert ui_language("en-GB,en;q=0.9,ko;q=0.5") == "en"
    assert ui_language(None) == "en" and ui_language("fr-FR") == "en"


def test_the_page_renders_safely_and_offers_examples() -> None:
    page = build_page(FakePressroom(abstained([])), title="Pressroom test")
    assert isinstance(page, gr.Blocks)
    chatbots = [b for b in page.blocks.values() if isinstance(b, gr.Chatbot)]
    assert len(chatbots) == 1
    chat = chatbots[0]
    assert chat.sanitize_html is True and chat.allow_tags is False and chat.latex_delimiters == []
    assert chat.show_label is False
    examples = [b for b in page.blocks.values() if isinstance(b, gr.Dataset)]
    shown = [row[0] for row in examples[0].samples]
    assert shown == EXAMPLES["en"] + EXAMPLES["ko"]


def test_without_a_service_the_page_says_why() -> None:
    page = build_page(None, unavailable_reason="no index at .pressroom/index; run <b>`pressroom ingest`</b>")
    notes = [b.value for b in page.blocks.values() if isinstance(b, gr.Markdown) and b.elem_id == "pr-unavailable"]
    assert notes == ["**no index at .pressroom/index; run &lt;b&gt;`pressroom ingest`&lt;/b&gt;**"]
