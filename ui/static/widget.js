// Pressroom chat widget for an intranet page: <script src="https://HOST/widget.js" defer></script>
// A floating button opens a small chat that talks to this server's JSON API (POST api/ask/stream,
// GET api/sources/{id}); no Gradio on the host page. Everything lives in a shadow root, so the host's
// CSS can't break it and it can't break the host. Release text is untrusted: textContent only.
(() => {
  if (window.PressroomWidget) return;
  const script = document.currentScript;
  const base = new URL(".", script ? script.src : location.href).href; // the app root, sub-path included
  const options = (script && script.dataset) || {};
  const lang = (options.lang || navigator.language || "en").toLowerCase().startsWith("ko") ? "ko" : "en";
  const TEXT = {
    en: { open: "Ask the press releases", title: "Pressroom", placeholder: "Ask about the press releases…",
          send: "Ask", close: "Close", sources: "Sources", notFound: "Not in the releases", searched: "Searched for",
          closest: "Closest releases", paragraph: "Paragraph", back: "Back to the answer", failed: "Something went wrong",
          thinking: "Searching the releases…", original: "Original reports" },
    ko: { open: "보도자료에 질문하기", title: "Pressroom", placeholder: "보도자료에 대해 질문하세요…",
          send: "질문", close: "닫기", sources: "출처", notFound: "보도자료에 없는 내용입니다", searched: "검색한 내용",
          closest: "가장 가까운 보도자료", paragraph: "문단", back: "답변으로 돌아가기", failed: "문제가 생겼습니다",
          thinking: "보도자료를 찾는 중…", original: "원문 보도" },
  };
  const t = (key) => TEXT[lang][key];
  const FONTS = '"Noto Sans", "Noto Sans KR", "Noto Sans CJK KR", "Malgun Gothic", "Apple SD Gothic Neo", "NanumGothic", system-ui, sans-serif';
  const CSS = `
    :host { all: initial; font-family: ${FONTS}; }
    * { box-sizing: border-box; font-family: inherit; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 28px;
      padding: 14px 20px; background: #3730a3; color: #fff; font-size: 15px; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.25); }
    .panel { position: fixed; right: 20px; bottom: 84px; z-index: 2147483000; width: min(400px, calc(100vw - 24px));
      height: min(600px, calc(100vh - 110px)); display: none; flex-direction: column; background: #fff; color: #1f2937;
      border-radius: 12px; box-shadow: 0 12px 40px rgba(0,0,0,.3); overflow: hidden; font-size: 14px; line-height: 1.5; }
    .panel.open { display: flex; }
    @media (max-width: 480px) { .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; } }
    header { display: flex; justify-content: space-between; align-items: center; padding: 10px 14px; background: #3730a3; color: #fff; }
    header button { background: none; border: 0; color: #fff; font-size: 20px; cursor: pointer; }
    .log { flex: 1; overflow-y: auto; padding: 12px 14px; }
    .msg { margin: 0 0 12px; white-space: pre-wrap; }
    .user { background: #eef2ff; padding: 8px 10px; border-radius: 8px; }
    .cite { border: 0; background: none; color: #3730a3; font-weight: 600; cursor: pointer; padding: 0 2px; font-size: inherit; }
    .sources { margin: 6px 0 0; padding-left: 0; list-style: none; font-size: 13px; color: #4b5563; }
    .abstain { border-left: 3px solid #9ca3af; padding-left: 10px; }
    .abstain strong { display: block; }
    .muted { color: #6b7280; font-size: 13px; }
    form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; }
    textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px; font-size: 14px; }
    form button { border: 0; border-radius: 8px; background: #3730a3; color: #fff; padding: 0 14px; cursor: pointer; }
    .source { display: none; flex: 1; overflow-y: auto; padding: 12px 14px; }
    .source.open { display: block; }
    .para { margin: 8px 0; padding: 6px 8px; border-left: 3px solid transparent; color: #6b7280; }
    .para.cited { border-left-color: #f59e0b; background: #fffbeb; color: #1f2937; }
    mark { background: #fde68a; color: inherit; }
    h2 { font-size: 15px; margin: 6px 0; }
    a { color: #3730a3; }
  `;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const host = el("div");
  host.id = "pressroom-widget";
  const root = host.attachShadow({ mode: "open" });
  const style = el("style");
  style.textContent = CSS;
  const launcher = el("button", "launcher", t("open"));
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  const panel = el("section", "panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", t("title"));
  const header = el("header");
  const close = el("button", "", "×");
  close.type = "button";
  close.setAttribute("aria-label", t("close"));
  header.append(el("strong", "", t("title")), close);
  const log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  const source = el("div", "source");
  const form = el("form");
  const input = el("textarea");
  input.rows = 2;
  input.maxLength = 2000;
  input.placeholder = t("placeholder");
  const send = el("button", "", t("send"));
  send.type = "submit";
  form.append(input, send);
  panel.append(header, log, source, form);
  root.append(style, launcher, panel);

  const history = [];
  const api = (path) => new URL(path, base).href;

  function toggle(open) {
    panel.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
  }
  launcher.addEventListener("click", () => toggle(!panel.classList.contains("open")));
  close.addEventListener("click", () => toggle(false));

  // "[n]" markers that point at a citation become buttons; all other text stays text.
  function answerBody(answer) {
    const box = el("div", "msg");
    if (answer.abstained) {
      box.classList.add("abstain");
      box.append(el("strong", "", t("notFound")), el("span", "", answer.answer));
      const query = answer.query || {};
      box.append(el("div", "muted", `${t("searched")}: “${query.searched || answer.question}”`));
      const titles = [...new Set((answer.retrieved || []).map((p) => p.title).filter(Boolean))].slice(0, 3);
      if (titles.length) box.append(el("div", "muted", `${t("closest")}: ${titles.join("; ")}`));
      return box;
    }
    const byN = new Map((answer.citations || []).map((c) => [c.n, c]));
    const text = el("div");
    let last = 0;
    for (const m of answer.answer.matchAll(/\[(\d+)\]/g)) {
      const c = byN.get(Number(m[1]));
      if (!c) continue;
      text.append(answer.answer.slice(last, m.index), citeButton(c));
      last = m.index + m[0].length;
    }
    text.append(answer.answer.slice(last));
    box.append(text);
    if (byN.size) {
      const list = el("ul", "sources");
      for (const c of [...byN.values()].sort((a, b) => a.n - b.n)) {
        const item = el("li");
        item.append(citeButton(c), ` ${c.title} — ${[c.date, `${t("paragraph")} ${c.paragraph}`].filter(Boolean).join(", ")}`);
        list.append(item);
      }
      box.append(el("strong", "", t("sources")), list);
    }
    return box;
  }

  function citeButton(citation) {
    const button = el("button", "cite", `[${citation.n}]`);
    button.type = "button";
    button.addEventListener("click", () => openSource(citation));
    return button;
  }

  function highlighted(text, span) {
    const p = el("div");
    const chars = Array.from(text); // offsets are code points
    if (!Array.isArray(span) || span[0] < 0 || span[1] > chars.length || span[0] >= span[1]) {
      p.textContent = text;
      return p;
    }
    p.append(chars.slice(0, span[0]).join(""), el("mark", "", chars.slice(span[0], span[1]).join("")), chars.slice(span[1]).join(""));
    return p;
  }

  async function openSource(citation) {
    const back = el("button", "cite", `← ${t("back")}`);
    back.type = "button";
    back.addEventListener("click", () => { source.classList.remove("open"); log.style.display = ""; });
    source.replaceChildren(back, el("p", "muted", "…"));
    log.style.display = "none";
    source.classList.add("open");
    try {
      const response = await fetch(api("api/sources/" + encodeURIComponent(citation.chunk_id)), { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      const parts = [back, el("h2", "", data.title || data.source), el("div", "muted", [data.date, data.source].filter(Boolean).join(" · "))];
      for (const url of data.links || []) {
        if (!/^https?:\/\//i.test(url)) continue;
        const a = el("a", "", new URL(url).hostname);
        a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
        parts.push(el("span", "muted", ` ${t("original")}: `), a);
      }
      for (const para of data.paragraphs || []) {
        const block = el("div", para.cited ? "para cited" : "para");
        block.append(el("div", "muted", `${t("paragraph")} ${para.paragraph}`));
        block.append(para.cited ? highlighted(para.text, citation.span) : el("div", "", para.text));
        parts.push(block);
      }
      source.replaceChildren(...parts);
    } catch (err) {
      source.replaceChildren(back, el("p", "muted", t("failed")));
    }
  }

  // Server-sent events over fetch (EventSource can't POST): "token" {text}… then "answer" {answer JSON}.
  async function ask(question) {
    const asked = el("div", "msg user", question);
    const reply = el("div", "msg muted", t("thinking"));
    log.append(asked, reply);
    asked.scrollIntoView({ block: "start" });
    const body = JSON.stringify({ question, history: history.slice(-10) });
    history.push(question);
    let written = "";
    try {
      const response = await fetch(api("api/ask/stream"), {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "text/event-stream" }, body,
      });
      if (!response.ok || !response.body) {
        let message = `${t("failed")} (${response.status})`;
        try { message = (await response.json()).error.message || message; } catch (e) { /* not JSON */ }
        throw new Error(message);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, "\n");
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (!data.length) continue;
          const payload = JSON.parse(data.join("\n"));
          if (event === "token") {
            written += payload.text || "";
            reply.className = "msg";
            reply.textContent = written;
          } else if (event === "answer") {
            reply.replaceWith(answerBody(payload));  // the same JSON as POST api/ask
          } else if (event === "error") {
            throw new Error((payload.error && payload.error.message) || t("failed"));
          }
        }
      }
    } catch (err) {
      reply.className = "msg muted";
      // fetch's own TypeError ("Failed to fetch": offline, or this page's origin isn't allowed) says nothing useful.
      reply.textContent = err instanceof TypeError ? t("failed") : err.message || t("failed");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  const mount = () => document.body.append(host);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
  window.PressroomWidget = { open: () => toggle(true), close: () => toggle(false) };
})();
