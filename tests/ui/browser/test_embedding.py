"""The chat inside intranet pages on other origins (iframe /embed, script /widget.js) and behind nginx."""

from __future__ import annotations

from tests.ui.browser.conftest import ALLOWED_ORIGIN, CANARY, OTHER_ORIGIN, SCREENSHOTS
from tests.ui.browser.test_chat_page import ANSWERED, FINAL_TIMEOUT, ask, last_bot, open_chat, wait_final

CANARY_QUESTION = "Where will the next partnership talks with the Canary Islands delegation be held?"


def test_embed_answers_inside_an_iframe_on_an_allowed_origin(app_server, intranet, page) -> None:
    assert intranet["allowed"] == ALLOWED_ORIGIN
    page.goto(f"{ALLOWED_ORIGIN}/embed.html")
    frame = page.frame_locator("#pressroom")
    frame.locator("#pr-question textarea").wait_for(timeout=30_000)
    assert frame.locator(".pr-header").count() == 0  # compact: no page chrome
    frame.locator("#pr-question textarea").fill(ANSWERED)
    frame.locator("#pr-question textarea").press("Enter")
    link = frame.locator("#pr-chat [data-testid='bot'] a[href*='#pr-src=']").first
    link.wait_for(timeout=FINAL_TIMEOUT)
    link.click()
    frame.locator("#pr-source mark.pr-span").wait_for(timeout=10_000)  # the source drawer works in the frame
    page.screenshot(path=str(SCREENSHOTS / "embed-iframe.png"))


def test_embed_is_refused_inside_an_iframe_on_another_origin(app_server, intranet, page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{OTHER_ORIGIN}/embed.html")
    page.wait_for_timeout(3000)
    frame = next(f for f in page.frames if f is not page.main_frame)
    assert not frame.url.startswith(app_server.url), frame.url  # chromium replaced it with an error page
    assert page.frame_locator("#pressroom").locator("#pr-question textarea").count() == 0
    assert any("frame-ancestors" in line for line in console), console


def test_widget_on_another_origin_answers_and_opens_the_source(app_server, intranet, page) -> None:
    page.goto(f"{ALLOWED_ORIGIN}/widget.html")
    assert page.evaluate("typeof window.gradio_config") == "undefined"  # no Gradio on the host page
    page.locator("#pressroom-widget .launcher").click()  # Playwright's CSS reaches into the open shadow root
    box = page.locator("#pressroom-widget textarea")
    box.fill(ANSWERED)
    box.press("Enter")
    cite = page.locator("#pressroom-widget .log .cite").first
    cite.wait_for(timeout=FINAL_TIMEOUT)
    assert "May 30" in page.locator("#pressroom-widget .log").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "widget.png"))
    cite.click()
    mark = page.locator("#pressroom-widget .source mark")
    mark.wait_for(timeout=10_000)
    assert len(mark.inner_text()) > 20
    assert "Center for Economic Security" in page.locator("#pressroom-widget .source h2").inner_text()


def test_widget_on_an_origin_not_on_the_allow_list_gets_no_answer(app_server, intranet, page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{OTHER_ORIGIN}/widget.html")
    page.locator("#pressroom-widget .launcher").click()
    page.locator("#pressroom-widget textarea").fill(ANSWERED)
    page.locator("#pressroom-widget textarea").press("Enter")
    page.wait_for_timeout(3000)
    log = page.locator("#pressroom-widget .log")
    assert log.locator(".cite").count() == 0
    assert "CORS" in " ".join(console) or "Access-Control-Allow-Origin" in " ".join(console), console


def test_widget_renders_an_xss_canary_as_text(app_server, intranet, page) -> None:
    page.goto(f"{ALLOWED_ORIGIN}/widget.html")
    page.locator("#pressroom-widget .launcher").click()
    page.locator("#pressroom-widget textarea").fill(CANARY_QUESTION)
    page.locator("#pressroom-widget textarea").press("Enter")
    page.locator("#pressroom-widget .log .cite").first.wait_for(timeout=FINAL_TIMEOUT)
    assert "<img src=x" in page.locator("#pressroom-widget .log").inner_text()
    page.locator("#pressroom-widget .log .cite").first.click()
    page.locator("#pressroom-widget .source h2").wait_for(timeout=10_000)
    assert CANARY in page.locator("#pressroom-widget .source h2").inner_text()
    assert page.locator("#pressroom-widget img, #pressroom-widget .log script").count() == 0
    assert page.evaluate("window.__pressroomXss") is None


def test_the_whole_chat_through_nginx_on_a_sub_path(nginx_site, page) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_chat(page, nginx_site)
    ask(page, ANSWERED)
    wait_final(page)
    last_bot(page).locator("a[href*='#pr-src=']").first.click()
    page.locator("#pr-source mark.pr-span").wait_for(timeout=10_000)
    # Styled (the theme's CSS came through the proxy) and every call stayed under /pressroom/.
    assert page.evaluate("getComputedStyle(document.querySelector('#pr-question textarea')).borderRadius") != ""
    assert page.evaluate("[...document.styleSheets].length") > 1
    outside = [url for url in requests if not url.startswith(nginx_site) and not url.startswith("data:")]
    assert outside == [], outside
    assert any("/pressroom/gradio_api/" in url for url in requests)
    assert any("/pressroom/api/sources/" in url for url in requests)
