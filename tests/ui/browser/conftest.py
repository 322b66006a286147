"""Real servers for the browser tests: the app (uvicorn, in-process threads), static "intranet" pages on
other origins, nginx on a sub-path, and Debian's chromium driven by Playwright (never a downloaded browser).

The index is small and real: a few releases from corpus/ with the packaged embeddings (answers and
abstentions depend on the models), plus one hostile release carrying an XSS canary.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import RELEASES, ROOT

CHROMIUM = Path("/usr/bin/chromium")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Ports reserved for these tests: 7871-7879 the app, 8081-8089 other origins and nginx.
APP_PORT, PROXIED_APP_PORT = 7871, 7872
ALLOWED_PORT, OTHER_PORT, NGINX_PORT = 8081, 8082, 8083
ALLOWED_ORIGIN = f"http://127.0.0.1:{ALLOWED_PORT}"
OTHER_ORIGIN = f"http://127.0.0.1:{OTHER_PORT}"  # another port is another origin

CORPUS = [
    "000_3a0123e4a4b49311.txt",
    "001_economic-security-center.txt",
    "002_rok-us-japan-vice-fm-seoul.txt",
    "006_park-hayashi-tokyo.txt",
    "008_asean-rok-fmm-phnom-penh.txt",
    "009_dprk-sanctions-oct2022.txt",
    "017_ireland-working-holiday-ko.txt",
]
CANARY = "<img src=x onerror=\"window.__pressroomXss=1\"><script>window.__pressroomXss=2</script>"
CANARY_RELEASE = f"""Press Releases
Canary Islands Partnership Talks {CANARY}
Date
2023-03-15
hit
12
1. The Ministry of Foreign Affairs held partnership talks with the Canary Islands delegation on March 15 in Seoul. {CANARY}
2. The two sides agreed to open a direct flight between Seoul and Las Palmas in 2024 and to hold the next talks in Las Palmas.
3. The delegation visited the Korean Peninsula Peace Center during its stay.
"""


def _missing(what: str) -> None:
    """Skip where the tool isn't installed; fail instead in CI (PRESSROOM_REQUIRE_BROWSER=1), where a skip would hide it."""
    message = f"{what} is not installed (apt-get install -y chromium fonts-noto-cjk nginx)"
    if os.environ.get("PRESSROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout} s")


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        _missing("Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser-corpus")
    for name in CORPUS:
        shutil.copy(RELEASES / name, folder / name)
    (folder / "090_canary-islands-talks.txt").write_text(CANARY_RELEASE, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def browser_pressroom(tmp_path_factory, small_corpus, embeddings):
    from qa.service import build_pressroom_from

    return build_pressroom_from([small_corpus], embeddings, tmp_path_factory.mktemp("browser-index"))


class Typewriter:
    """The real service, with its final answer also sent word by word first, as a language model's
    tokens would come: the browser must show text growing before the answer settles."""

    def __init__(self, pressroom, delay: float = 0.12) -> None:
        self.pressroom = pressroom
        self.delay = delay

    def ask(self, *args, **kwargs):
        return self.pressroom.ask(*args, **kwargs)

    def release_of(self, chunk_id: str):
        return self.pressroom.release_of(chunk_id)

    def stream(self, *args, **kwargs):
        for event in self.pressroom.stream(*args, **kwargs):
            if event["type"] == "answer" and not event["answer"]["abstained"]:
                for word in event["answer"]["answer"].split(" "):
                    time.sleep(self.delay)
                    yield {"type": "token", "text": word + " "}
            yield event


@dataclass
class Server:
    url: str
    feedback_db: Path
    thread: threading.Thread
    server: object

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _serve_app(service, port: int, feedback_db: Path, **config) -> Server:
    import uvicorn

    from ui.app import create_app
    from ui.config import WebConfig

    if not _free(port):
        pytest.fail(f"port {port} is taken; the browser tests use 7871-7879 and 8081-8089")
    web = WebConfig(feedback_db=feedback_db, sources_tsv=ROOT / "corpus" / "sources.tsv", **config)
    app = create_app(service, config=web)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name=f"app-{port}", daemon=True)
    thread.start()
    _wait_for(port)
    return Server(f"http://127.0.0.1:{port}", feedback_db, thread, server)


@pytest.fixture(scope="session")
def app_server(browser_pressroom, tmp_path_factory):
    """The app at http://127.0.0.1:7871, allowing ALLOWED_ORIGIN (not OTHER_ORIGIN) to embed it."""
    from ui.limits import Limits

    db = tmp_path_factory.mktemp("feedback") / "feedback.db"
    server = _serve_app(
        Typewriter(browser_pressroom), APP_PORT, db,
        allowed_origins=(ALLOWED_ORIGIN,), limits=Limits(rate_per_minute=0),
    )
    yield server
    server.stop()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _static_site(folder: Path, port: int):
    if not _free(port):
        pytest.fail(f"port {port} is taken; the browser tests use 7871-7879 and 8081-8089")
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="session")
def intranet(tmp_path_factory, app_server):
    """Two intranet sites on other origins: ALLOWED_ORIGIN (on the allow-list) and OTHER_ORIGIN (not)."""
    sites = {}
    for name, port, origin in (("allowed", ALLOWED_PORT, ALLOWED_ORIGIN), ("other", OTHER_PORT, OTHER_ORIGIN)):
        folder = tmp_path_factory.mktemp(f"intranet-{name}")
        (folder / "embed.html").write_text(
            "<!doctype html><html><head><meta charset='utf-8'><title>Intranet</title></head><body>"
            "<h1>Ministry intranet</h1>"
            f"<iframe id='pressroom' src='{app_server.url}/embed/' title='Pressroom' "
            "style='width:420px;height:640px;border:1px solid #ccc'></iframe></body></html>",
            encoding="utf-8",
        )
        (folder / "widget.html").write_text(
            "<!doctype html><html><head><meta charset='utf-8'><title>Intranet</title>"
            f"<script src='{app_server.url}/widget.js' defer></script></head><body>"
            "<h1>Ministry intranet</h1><p>News of the day.</p></body></html>",
            encoding="utf-8",
        )
        sites[name] = (_static_site(folder, port), origin)
    yield {name: origin for name, (_, origin) in sites.items()}
    for httpd, _ in sites.values():
        httpd.shutdown()


NGINX_CONF = """
daemon off;
worker_processes 1;
error_log {tmp}/error.log warn;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /pressroom/ {{
            proxy_pass http://127.0.0.1:{app_port}/;
            proxy_http_version 1.1;
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Prefix /pressroom;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


@pytest.fixture(scope="session")
def nginx_site(browser_pressroom, tmp_path_factory):
    """The chat behind a real nginx at http://127.0.0.1:8083/pressroom/ (app: PRESSROOM_ROOT_PATH=/pressroom)."""
    if not Path(NGINX).exists():
        _missing("nginx")
    from ui.limits import Limits

    app = _serve_app(
        browser_pressroom, PROXIED_APP_PORT, tmp_path_factory.mktemp("feedback-proxied") / "feedback.db",
        root_path="/pressroom", limits=Limits(rate_per_minute=0),
    )
    tmp = tmp_path_factory.mktemp("nginx")
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=NGINX_PORT, app_port=PROXIED_APP_PORT), encoding="utf-8")
    if not _free(NGINX_PORT):
        pytest.fail(f"port {NGINX_PORT} is taken")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(NGINX_PORT, timeout=10)
    except RuntimeError:
        proc.kill()
        out = proc.communicate()[0].decode(errors="replace")
        pytest.fail(f"nginx did not start: {out} {(tmp / 'error.log').read_text() if (tmp / 'error.log').exists() else ''}")
    yield f"http://127.0.0.1:{NGINX_PORT}/pressroom/"
    proc.terminate()
    proc.wait(timeout=10)
    app.stop()


@pytest.fixture(scope="session", autouse=True)
def _screenshots_folder():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


