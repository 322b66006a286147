"""The chat page in a real browser (Debian's chromium via Playwright) against the real app and models."""

from __future__ import annotations

import sqlite3
import time

from tests.ui.browser.conftest import CANARY, SCREENSHOTS

ANSWERED = "When did the Ministry open the Center for Economic Security and Foreign Affairs?"
UNANSWERABLE = "What is the population of the Moon colony founded by the ministry?"
KOREAN = "아일랜드 워킹홀리데이 참가 인원은 몇 명인가요?"
CITE_LINK = "#pr-chat a[href*='#pr-src=']"
FINAL_TIMEOUT = 90_000  # ms: the first question also warms the models up


def last_bot(page):
    return page.locator("#pr-chat [data-testid='bot']").last


def ask(page, question: str) -> None:
    box = page.locator("#pr-question textarea")
    box.fill(question)
    box.press("Enter")


def wait_final(page, *, abstained: bool = False) -> None:
    """The last reply is final: it has its [n] links, or the "not in the releases" heading."""
    if abstained:
        last_bot(page).locator("h4").wait_for(timeout=FINAL_TIMEOUT)
    else:
        last_bot(page).locator("a[href*='#pr-src=']").first.wait_for(timeout=FINAL_TIMEOUT)


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.locator("#pr-question textarea").wait_for(timeout=30_000)


def test_streamed_answer_then_source_panel_highlights_the_cited_span(app_server, page) -> None:
    open_chat(page, app_server.url)
    ask(page, ANSWERED)
    # Watch the reply grow: several partial texts before the final one with its links.
    seen: list[str] = []
    deadline = time.monotonic() + FINAL_TIMEOUT / 1000
    while time.monotonic() < deadline:
        bots = page.locator("#pr-chat [data-testid='bot']")
        if bots.count():
            text = bots.last.inner_text()
            if text and (not seen or seen[-1] != text):
                seen.append(text)
            if bots.last.locator("a[href*='#pr-src=']").count():
                break
        time.sleep(0.05)
    partial = [t for t in seen if "▍" in t]
    assert len(partial) >= 3, f"expected the answer to stream in, saw {seen!r}"
    assert len(partial[0]) < len(partial[-1])
    final = last_bot(page).inner_text()
    assert "May 30" in final or "2022-05-30" in final, final

    # Click [1]: the source panel opens beside the chat with the release and the highlighted span.
    last_bot(page).locator("a[href*='#pr-src=']").first.click()
    panel = page.locator("#pr-source")
    panel.locator(".pr-source-title").wait_for(timeout=10_000)
    assert panel.is_visible()
    assert "Center for Economic Security" in panel.locator(".pr-source-title").inner_text()
    assert "2022-05-30" in panel.locator(".pr-source-meta").inner_text()
    assert panel.locator(".pr-source-links a[href^='https://']").count() >= 1  # sources.tsv URL
    cited = panel.locator(".pr-para.pr-cited")
    assert cited.count() == 1
    mark = cited.locator("mark.pr-span")
    assert mark.count() == 1 and len(mark.inner_text()) > 20
    assert mark.inner_text() in cited.inner_text()
    assert panel.locator(".pr-para").count() >= 2  # a neighbour paragraph for context
    # Beside the chat, not over it (desktop): the panel starts right of the chat column.
    chat_box = page.locator("#pr-chat-col").bounding_box()
    panel_box = panel.bounding_box()
    assert panel_box["x"] >= chat_box["x"] + chat_box["width"] - 1
    page.screenshot(path=str(SCREENSHOTS / "chat-desktop.png"))
    page.locator(".pr-source-close").click()
    assert not panel.is_visible()


def test_abstention_is_a_distinct_state_that_says_what_was_searched(app_server, page) -> None:
    open_chat(page, app_server.url)
    # A product page, not a Gradio demo: its own title, no Gradio footer or API links, no "Chatbot" label.
    assert page.title() == "Pressroom"
    body = page.locator("body").inner_text()
    assert "Built with Gradio" not in body and "Use via API" not in body and "Chatbot" not in body
    ask(page, UNANSWERABLE)
    wait_final(page, abstained=True)
    reply = last_bot(page)
    assert reply.locator("h4").inner_text().endswith("Not in the releases")
    text = reply.inner_text()
    assert "Searched for" in text and "Moon colony" in text
    assert "Closest releases" in text
    assert reply.locator("a[href*='#pr-src=']").count() >= 1  # the closest releases open in the panel
    assert "Sources" not in text


def _fonts_for(page, selector: str) -> list[dict]:
    """The platform fonts chromium actually used to draw the element's text (DevTools CSS domain)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})
    node = cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector})
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]


def test_a_korean_question_renders_with_a_real_korean_font(app_server, chromium) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    try:
        open_chat(page, app_server.url)
        # The interface speaks Korean to a Korean browser.
        assert page.locator("#pr-question textarea").get_attribute("placeholder") == "보도자료에 대해 질문하세요…"
        ask(page, KOREAN)
        wait_final(page)
        page.evaluate("document.querySelector(\"#pr-chat [data-testid='user'] p\").id = 'pr-test-korean'")
        fonts = _fonts_for(page, "#pr-test-korean")
        hangul = [f for f in fonts if "CJK" in f["familyName"] or "KR" in f["familyName"]]
        assert hangul and sum(f["glyphCount"] for f in hangul) >= len(KOREAN.replace(" ", "")) - 3, fonts
        # Glyphs with real shapes: a Hangul syllable is wide, unlike a zero-width or a missing-glyph box.
        widths = page.evaluate(
            """() => { const c = document.createElement('canvas').getContext('2d');
                 const f = getComputedStyle(document.getElementById('pr-test-korean')).font; c.font = f;
                 return [c.measureText('한').width, c.measureText('i').width, f]; }"""
        )
        assert widths[0] > 1.5 * widths[1], widths
        declared = page.evaluate("getComputedStyle(document.getElementById('pr-test-korean')).fontFamily")
        assert "Malgun Gothic" in declared and "Apple SD Gothic Neo" in declared  # viewers' own Korean fonts
        assert "출처" in last_bot(page).inner_text()  # reply labels in Korean too
    finally:
        context.close()


def test_390px_layout_keeps_the_question_and_answer_in_view(app_server, chromium) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_chat(page, app_server.url)
        ask(page, ANSWERED)
        wait_final(page)
        page.wait_for_timeout(800)  # the smooth scroll that brings the question up
        question = page.locator("#pr-chat [data-testid='user']").last.bounding_box()
        answer = last_bot(page).bounding_box()
        assert 0 <= question["y"] < 844, question
        assert answer["y"] < 844 - 40, answer  # the answer starts on screen under its question
        # No inner box scrolls the answer away: the chat is as tall as its content.
        overflow = page.evaluate(
            """() => [...document.querySelectorAll('#pr-chat, #pr-chat *')]
                 .filter(e => e.scrollHeight > e.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(e).overflowY))
                 .map(e => e.className)"""
        )
        assert overflow == [], overflow
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        page.screenshot(path=str(SCREENSHOTS / "chat-mobile.png"))
        # The source panel is a drawer over the bottom of the screen.
        last_bot(page).locator("a[href*='#pr-src=']").first.click()
        page.locator("#pr-source .pr-source-title").wait_for(timeout=10_000)
        drawer = page.locator("#pr-source-col").bounding_box()
        assert drawer["width"] >= 380 and drawer["y"] + drawer["height"] <= 844 + 1 and drawer["y"] > 844 * 0.25
        page.locator("#pr-source mark.pr-span").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "chat-mobile-source.png"))
    finally:
        context.close()


def test_thumbs_down_with_a_comment_is_saved(app_server, page) -> None:
    open_chat(page, app_server.url)
    ask(page, ANSWERED)
    wait_final(page)
    before = _rows(app_server.feedback_db)
    last_bot(page).hover()
    page.locator("#pr-chat button[aria-label='Dislike']").last.click()
    page.get_by_text("your rating was saved").wait_for(timeout=10_000)
    assert _rows(app_server.feedback_db)[-1][2:] == ("down", None)  # the thumb is saved at once
    page.locator("#pr-comment textarea").fill("Wanted the venue too.")
    page.locator("#pr-send-comment").click()
    page.get_by_text("your comment was saved").wait_for(timeout=10_000)
    rows = _rows(app_server.feedback_db)
    assert len(rows) == len(before) + 1
    question, answer, rating, comment = rows[-1]
    assert question == ANSWERED and rating == "down" and "[1]" in answer
    assert comment == "Wanted the venue too."


def _rows(db) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as con:
        return con.execute("SELECT question, answer, rating, comment FROM feedback ORDER BY id").fetchall()


def test_a_release_with_an_xss_canary_renders_as_text(app_server, page) -> None:
    open_chat(page, app_server.url)
    ask(page, "Where will the next partnership talks with the Canary Islands delegation be held?")
    last_bot(page).locator("a[href*='#pr-src=']").first.wait_for(timeout=FINAL_TIMEOUT)
    reply = last_bot(page)
    assert "Canary Islands Partnership Talks" in reply.inner_text()
    # The title shown in the source list carries the canary as visible text, not as markup.
    assert "<img src=x" in reply.inner_text()
    last_bot(page).locator("a[href*='#pr-src=']").first.click()
    page.locator("#pr-source .pr-source-title").wait_for(timeout=10_000)
    assert CANARY in page.locator("#pr-source .pr-source-title").inner_text()
    assert page.locator("#pr-chat img[src='x'], #pr-source img, #pr-chat script, #pr-source script").count() == 0
    assert page.evaluate("window.__pressroomXss") is None


def test_the_date_filter_keeps_out_releases_from_other_dates(app_server, page) -> None:
    open_chat(page, app_server.url)
    page.locator("#pr-options").get_by_text("Answer language and dates").click()
    page.locator("#pr-date-from input, #pr-date-from textarea").first.fill("2023-01-01")
    ask(page, ANSWERED)  # answered from a 2022-05-30 release without the filter (first test)
    reply = last_bot(page)
    reply.locator("a[href*='#pr-src='], h4").first.wait_for(timeout=FINAL_TIMEOUT)
    hrefs = [a.get_attribute("href") for a in reply.locator("a[href*='#pr-src=']").all()]
    assert hrefs and not any("001_economic-security-center" in h for h in hrefs), hrefs
    if reply.locator("h4").count():  # abstained: it says which dates it searched
        assert "Release dates: 2023-01-01" in reply.inner_text()


def test_the_language_toggle_reaches_the_answer(app_server, page) -> None:
    from qa.abstain import ABSTAIN_KO

    open_chat(page, app_server.url)
    page.locator("#pr-options").get_by_text("Answer language and dates").click()
    page.locator("#pr-language").get_by_text("한국어").click()
    ask(page, UNANSWERABLE)  # an English question, answered in Korean as asked
    wait_final(page, abstained=True)
    assert " ".join(ABSTAIN_KO.split()[:3]) in last_bot(page).inner_text()


def test_copy_gives_the_text_the_reader_sees(app_server, chromium) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        open_chat(page, app_server.url)
        ask(page, ANSWERED)
        wait_final(page)
        last_bot(page).hover()
        page.locator("#pr-chat [data-testid='bot']").last.locator("xpath=ancestor::div[contains(@class,'message-row')]") \
            .locator("button[aria-label='Copy message']").click()
        copied = ""
        for _ in range(20):
            copied = page.evaluate("navigator.clipboard.readText()")
            if copied:
                break
            page.wait_for_timeout(100)
        assert copied.startswith("On May 30") and "[1]" in copied, copied
        assert "#pr-src" not in copied and "\\" not in copied and "**" not in copied, copied
        assert "Sources" in copied and "Center for Economic Security and Foreign Affairs — 2022-05-30, paragraph 1" in copied
    finally:
        context.close()
