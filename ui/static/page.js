// The chat page's source panel: a click on an answer's [n] (a link to "#pr-src=<chunk id>&span=a-b")
// opens the cited paragraph, highlighted, with its neighbours, from GET api/sources/{chunk_id}.
// Release text is untrusted: everything is put in the page with textContent, never as HTML.
(() => {
  if (window.pressroomShowLastTurn) return;
  const TEXT = {
    en: { source: "Source", loading: "Loading the release…", missing: "This passage is no longer in the index.",
          failed: "Could not load the source. Try again.", paragraph: "Paragraph", original: "Original reports",
          close: "Close" },
    ko: { source: "출처", loading: "보도자료를 불러오는 중…", missing: "이 문단은 더 이상 색인에 없습니다.",
          failed: "출처를 불러오지 못했습니다. 다시 시도하세요.", paragraph: "문단", original: "원문 보도",
          close: "닫기" },
  };
  const lang = (navigator.language || "en").toLowerCase().startsWith("ko") ? "ko" : "en";
  const t = (key) => TEXT[lang][key];

  // The app's root: "/" or a proxy's sub-path such as "/pressroom/"; /embed sits one level below it.
  const appBase = () => location.pathname.replace(/embed\/?$/, "").replace(/[^/]*$/, "");

  function parseRef(href) {
    const at = href.indexOf("#pr-src=");
    if (at < 0) return null;
    const params = new URLSearchParams(href.slice(at + 1));
    const span = (params.get("span") || "").split("-").map(Number);
    return { chunk: params.get("pr-src"), span: span.length === 2 && span.every(Number.isInteger) ? span : null };
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Offsets come from Python: code points, not UTF-16 units.
  function highlighted(text, span) {
    const p = el("p", "pr-para-text");
    const chars = Array.from(text);
    if (!span || span[0] < 0 || span[1] > chars.length || span[0] >= span[1]) {
      p.textContent = text;
      return p;
    }
    p.append(chars.slice(0, span[0]).join(""));
    p.append(el("mark", "pr-span", chars.slice(span[0], span[1]).join("")));
    p.append(chars.slice(span[1]).join(""));
    return p;
  }

  function render(body, data, span) {
    const parts = [el("h2", "pr-source-title", data.title || data.source)];
    const meta = el("p", "pr-source-meta", [data.date, data.source].filter(Boolean).join(" · "));
    parts.push(meta);
    if (data.links && data.links.length) {
      const links = el("p", "pr-source-links", t("original") + ": ");
      data.links.forEach((url, i) => {
        if (!/^https?:\/\//i.test(url)) return;
        const a = el("a", "", new URL(url).hostname);
        a.href = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        if (i) links.append(" · ");
        links.append(a);
      });
      parts.push(links);
    }
    for (const para of data.paragraphs) {
      const block = el("section", para.cited ? "pr-para pr-cited" : "pr-para");
      block.append(el("span", "pr-para-number", `${t("paragraph")} ${para.paragraph}`));
      block.append(para.cited ? highlighted(para.text, span) : el("p", "pr-para-text", para.text));
      parts.push(block);
    }
    body.replaceChildren(...parts);
    const cited = body.querySelector(".pr-cited");
    if (cited) cited.scrollIntoView({ block: "nearest" });
  }

  async function openSource(ref) {
    const panel = document.getElementById("pr-source");
    if (!panel || !ref.chunk) return;
    const body = panel.querySelector(".pr-source-body");
    panel.querySelector(".pr-source-label").textContent = t("source");
    panel.querySelector(".pr-source-close").setAttribute("aria-label", t("close"));
    body.replaceChildren(el("p", "pr-loading", t("loading")));
    document.body.classList.add("pr-source-open");
    panel.dataset.chunk = ref.chunk;
    try {
      const response = await fetch(appBase() + "api/sources/" + encodeURIComponent(ref.chunk), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 404) return body.replaceChildren(el("p", "pr-error", t("missing")));
      if (!response.ok) throw new Error(String(response.status));
      render(body, await response.json(), ref.span);
    } catch (err) {
      body.replaceChildren(el("p", "pr-error", t("failed")));
    }
    if (window.matchMedia("(min-width: 900px)").matches) panel.scrollIntoView({ block: "nearest" });
  }

  function closeSource() {
    document.body.classList.remove("pr-source-open");
  }

  // Capture phase: the chat renders links with target="_blank"; we open the panel instead.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href*="#pr-src="]');
    if (link) {
      event.preventDefault();
      event.stopPropagation();
      openSource(parseRef(link.getAttribute("href")));
      return;
    }
    if (event.target.closest && event.target.closest(".pr-source-close")) closeSource();
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSource();
  });

  // The chat's copy button copies the reply's Markdown source; readers want the text they see:
  // "[1]" instead of "[\[1\]](#pr-src=…)", no escapes, no ** or ####. Both of Gradio's ways to copy
  // are covered: the Clipboard API (secure pages) and execCommand("copy") (plain-http intranets).
  const ENTITIES = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&amp;": "&" };
  const plainReply = (text) => {
    if (typeof text !== "string" || !text.includes("#pr-src=")) return text;
    return text
      .replace(/\[((?:\\.|[^\]\\])*)\]\(#pr-src=[^)\s]*\)/g, "$1")
      .replace(/^#{1,6} /gm, "")
      .replace(/\*\*/g, "")
      .replace(/\\([\\`*_\[\]()#|~!$.+=-])/g, "$1")
      .replace(/&(lt|gt|quot|amp);/g, (m) => ENTITIES[m]);
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(plainReply(text));
  }
  document.addEventListener("copy", (event) => {
    const active = document.activeElement;
    const selected = active && active.tagName === "TEXTAREA"
      ? active.value.slice(active.selectionStart, active.selectionEnd) : String(window.getSelection());
    const plain = plainReply(selected);
    if (plain !== selected && event.clipboardData) {
      event.clipboardData.setData("text/plain", plain);
      event.preventDefault();
    }
  }, true);

  // After a reply: put the question at the top of the view so the start of the answer shows under it.
  window.pressroomShowLastTurn = () => {
    const users = document.querySelectorAll("#pr-chat .message-row.user-row, #pr-chat [data-testid='user']");
    const last = users[users.length - 1];
    if (last) last.scrollIntoView({ block: "start", behavior: "smooth" });
  };
})();
