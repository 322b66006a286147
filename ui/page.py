"""The chat people use: a Gradio Blocks page at `/` and its compact twin at `/embed`, plus `/widget.js`.

Layout and wiring only; a turn's logic is ui.chat, the reply's Markdown ui.reply, the source panel's
data ui.sources (served by GET api/sources/{chunk_id}), and the browser side ui/static.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse

from ui.chat import EXAMPLES, run_turn, ui_language, user_turns
from ui.auth import user_of
from ui.feedback import Feedback

if TYPE_CHECKING:
    from qa.service import Pressroom

STATIC = Path(__file__).parent / "static"
# Declared, not downloaded: the viewer's own Korean font (Windows: Malgun Gothic, macOS: Apple SD Gothic
# Neo, Linux: Noto Sans CJK), after the Latin UI font. No web-font request leaves an intranet.
FONTS = (
    "Noto Sans", "Noto Sans KR", "Noto Sans CJK KR", "Malgun Gothic", "Apple SD Gothic Neo",
    "NanumGothic", "ui-sans-serif", "system-ui", "sans-serif",
)

I18N = gr.I18n(
    en={
        "intro": "Ask about the ministry's press releases. Every answer cites the paragraphs it comes from; "
        "click a [1] to read the paragraph in its release.",
        "placeholder": "Ask about the press releases…",
        "chat_placeholder": "Ask a question in English or Korean, or pick an example below.",
        "examples": "Examples",
        "options": "Answer language and dates",
        "answer_language": "Answer in",
        "date_from": "Releases from (YYYY-MM-DD)",
        "date_to": "Releases until (YYYY-MM-DD)",
        "comment": "Tell us more (optional)",
        "comment_placeholder": "What was wrong or missing?",
        "send_comment": "Send comment",
        "unavailable": "Unavailable",
    },
    ko={
        "intro": "외교부 보도자료에 대해 질문하세요. 모든 답변은 근거 문단을 인용합니다. [1]을 누르면 해당 보도자료의 문단을 볼 수 있습니다.",
        "placeholder": "보도자료에 대해 질문하세요…",
        "chat_placeholder": "영어나 한국어로 질문하거나 아래 예시를 고르세요.",
        "examples": "예시 질문",
        "options": "답변 언어와 날짜",
        "answer_language": "답변 언어",
        "date_from": "보도 시작일 (YYYY-MM-DD)",
        "date_to": "보도 종료일 (YYYY-MM-DD)",
        "comment": "의견 (선택)",
        "comment_placeholder": "무엇이 틀렸거나 빠졌나요?",
        "send_comment": "의견 보내기",
        "unavailable": "사용할 수 없음",
    },
)
LANGUAGES = [("Question's language / 질문 언어", "auto"), ("English", "en"), ("한국어", "ko")]
THANKS = {"en": "Thank you — your rating was saved. Add a comment if you like.", "ko": "감사합니다. 평가가 저장되었습니다. 의견을 덧붙일 수 있습니다."}
COMMENTED = {"en": "Thank you — your comment was saved.", "ko": "감사합니다. 의견이 저장되었습니다."}
NO_STORE = {"en": "Feedback is not stored on this server.", "ko": "이 서버는 의견을 저장하지 않습니다."}

SOURCE_PANEL = """
<aside id="pr-source" class="pr-source" aria-live="polite" aria-label="Source">
  <div class="pr-source-head">
    <strong class="pr-source-label">Source</strong>
    <button type="button" class="pr-source-close" aria-label="Close">×</button>
  </div>
  <div class="pr-source-body"></div>
</aside>
"""
# After a turn: bring the question to the top of the view, so it and the start of its answer show
# together (a 390 px screen included), instead of scrolling to the end of a long reply.
SHOW_LAST_TURN = "() => { window.pressroomShowLastTurn && window.pressroomShowLastTurn(); }"


def _theme() -> gr.themes.Base:
    return gr.themes.Soft(font=list(FONTS), font_mono=["ui-monospace", "Consolas", "monospace"])


def _lang(request: gr.Request | None) -> str:
    return ui_language(request.headers.get("accept-language") if request is not None else None)


def _user_of(request: gr.Request | None) -> str | None:
    # The Starlette request underneath: gr.Request's own attribute access copies through JSON.
    return user_of(getattr(request, "request", None) or request) if request is not None else None


def build_page(
    pressroom: Pressroom | None,
    *,
    unavailable_reason: str | None = None,
    title: str = "Pressroom",
    feedback: Any = None,
    compact: bool = False,
) -> gr.Blocks:
    """The chat page; `compact` is the /embed variant (no header, the source panel as a drawer).

    `feedback`: the store thumbs go to (`add(...) -> id`, `set_comment(id, text)`; see ui.feedback).
    """
    with gr.Blocks(title=title, analytics_enabled=False, fill_width=True) as page:
        answers = gr.State({})  # chat message index -> the answer JSON shown there
        feedback_id = gr.State(None)
        with gr.Column(elem_id="pr-root", elem_classes=["pr-compact"] if compact else []):
            if not compact:
                gr.HTML(f'<header class="pr-header"><h1>{title}</h1></header>', elem_id="pr-title", js_on_load=None)
                gr.Markdown(I18N("intro"), elem_id="pr-intro")
            if pressroom is None:
                reason = html.escape(unavailable_reason or "The question-answering service is not available.", quote=False)
                gr.Markdown(f"**{reason}**", elem_id="pr-unavailable")
            with gr.Row(elem_id="pr-main", equal_height=False):
                with gr.Column(scale=3, elem_id="pr-chat-col", min_width=280):
                    chatbot = gr.Chatbot(
                        elem_id="pr-chat",
                        show_label=False,
                        height="auto",  # the page scrolls, not a fixed box that hides the answer
                        autoscroll=False,
                        sanitize_html=True,
                        allow_tags=False,  # custom tags would otherwise survive sanitising
                        latex_delimiters=[],  # a "$" in a release is money, not maths
                        buttons=["copy"],
                        feedback_options=("Like", "Dislike"),
                        placeholder=None if compact else "",
                        layout="panel",
                    )
                    textbox = gr.Textbox(
                        placeholder=I18N("placeholder"), show_label=False, max_lines=4, submit_btn=True,
                        elem_id="pr-question", max_length=2000, autofocus=not compact,
                    )
                    with gr.Row(visible=False, elem_id="pr-comment-row") as comment_row:
                        comment = gr.Textbox(label=I18N("comment"), placeholder=I18N("comment_placeholder"),
                                             elem_id="pr-comment", max_length=2000, scale=4)
                        send_comment = gr.Button(I18N("send_comment"), elem_id="pr-send-comment", scale=1)
                    note = gr.Markdown(elem_id="pr-feedback-note")
                    gr.Examples(
                        [[q] for q in EXAMPLES["en"] + EXAMPLES["ko"]][: 3 if compact else None],
                        inputs=[textbox], label=I18N("examples"), elem_id="pr-examples",
                    )
                    with gr.Accordion(I18N("options"), open=False, elem_id="pr-options"):
                        language = gr.Radio(LANGUAGES, value="auto", label=I18N("answer_language"), elem_id="pr-language")
                        with gr.Row():
                            date_from = gr.Textbox(label=I18N("date_from"), placeholder="2022-01-01", elem_id="pr-date-from", max_length=10)
                            date_to = gr.Textbox(label=I18N("date_to"), placeholder="2024-12-31", elem_id="pr-date-to", max_length=10)
                with gr.Column(scale=2, elem_id="pr-source-col", min_width=260):
                    gr.HTML(SOURCE_PANEL, js_on_load=None, elem_id="pr-source-html")

        def ask(message: str, history: list, shown: dict, answer_language: str, d_from: str, d_to: str,
                request: gr.Request):
            earlier = list(history or [])
            history = [*earlier, {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
            shown = dict(shown or {})
            shown.pop(len(history) - 1, None)  # an answer shown here before a Clear is not this one
            for text, answer in run_turn(
                pressroom, message or "", earlier, lang=_lang(request), answer_language=answer_language,
                date_from=d_from, date_to=d_to, unavailable_reason=unavailable_reason,
            ):
                history[-1] = {"role": "assistant", "content": text}
                if answer is not None:
                    shown[len(history) - 1] = answer
                yield history, shown, ""

        def rate(data: gr.LikeData, history: list, shown: dict, request: gr.Request):
            lang = _lang(request)
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            answer = (shown or {}).get(index)
            if answer is None or feedback is None:
                return gr.update(visible=False), None, NO_STORE[lang] if feedback is None else ""
            if data.liked not in (True, False, "Like", "Dislike"):  # a thumb taken back, or another option
                return gr.update(visible=False), None, ""
            liked = data.liked in (True, "Like")
            earlier = user_turns((history or [])[:index])
            row_id = feedback.add(Feedback(
                question=earlier[-1] if earlier else answer.get("question", ""),
                answer=answer.get("answer", ""),
                rating="up" if liked else "down",
                user=_user_of(request),
                history=earlier[:-1],
                answer_json=answer,
            ))
            return gr.update(visible=True), row_id, THANKS[lang]

        def add_comment(text: str, row_id: Any, request: gr.Request):
            lang = _lang(request)
            if feedback is not None and row_id is not None and (text or "").strip():
                feedback.set_comment(row_id, text.strip())
                return gr.update(visible=False), "", None, COMMENTED[lang]
            return gr.update(visible=False), "", None, ""

        inputs = [textbox, chatbot, answers, language, date_from, date_to]
        textbox.submit(ask, inputs, [chatbot, answers, textbox], api_visibility="private", concurrency_limit=4) \
            .then(None, None, None, js=SHOW_LAST_TURN)
        chatbot.clear(lambda: ({}, None, gr.update(visible=False), ""), None, [answers, feedback_id, comment_row, note],
                      api_visibility="private")
        chatbot.like(rate, [chatbot, answers], [comment_row, feedback_id, note], api_visibility="private")
        send_comment.click(add_comment, [comment, feedback_id], [comment_row, comment, feedback_id, note],
                           api_visibility="private")
        comment.submit(add_comment, [comment, feedback_id], [comment_row, comment, feedback_id, note],
                       api_visibility="private")
    return page


def _read(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def mount_pages(
    app: FastAPI,
    pressroom: Pressroom | None,
    *,
    unavailable_reason: str | None = None,
    title: str = "Pressroom",
    feedback: Any = None,
    root_path: str | None = None,
) -> FastAPI:
    """Mount /widget.js, the compact chat at /embed and the chat at / (last: a mount at "/" shadows
    every route added after it). Call it after the API routes."""

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    # In <head>, not Blocks css: Gradio rewrites that css under its own container, so rules keyed on
    # <body> (the open source panel) would never match.
    head = f"<style>{_read('page.css')}</style><script>{_read('page.js')}</script>"
    common: dict[str, Any] = dict(
        footer_links=[],  # no "Use via API · Built with Gradio · Settings": the API is /docs
        ssr_mode=False,
        mcp_server=False,
        theme=_theme(),
        head=head,
        i18n=I18N,
        root_path=root_path or None,
    )
    embed = build_page(pressroom, unavailable_reason=unavailable_reason, title=title, feedback=feedback, compact=True)
    gr.mount_gradio_app(app, embed, path="/embed", **{**common, "root_path": f"{root_path.rstrip('/')}/embed" if root_path else None})
    page = build_page(pressroom, unavailable_reason=unavailable_reason, title=title, feedback=feedback)
    gr.mount_gradio_app(app, page, path="/", **common)
    return app
