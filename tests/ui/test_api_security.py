"""Security headers, frame policy, CORS, proxy headers, root path and sign-in, on the real app."""

from __future__ import annotations

import base64

import bcrypt
import pytest
from fastapi.testclient import TestClient

from tests.ui.test_api import FakePressroom
from ui.app import create_app
from ui.auth import UsersFileError, load_users
from ui.config import WebConfig
from ui.feedback import FeedbackStore
from ui.limits import Limits

INTRANET = "http://intranet.example:8081"
STRANGER = "http://elsewhere.example:8082"
QUESTION = "When did Korea and ASEAN establish dialogue relations?"
NO_RATE = Limits(rate_per_minute=0)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(FakePressroom(), config=WebConfig(allowed_origins=(INTRANET,), limits=NO_RATE))) as c:
        yield c


@pytest.fixture(scope="module")
def closed():
    """Default settings: no other origin is allowed."""
    with TestClient(create_app(FakePressroom(), config=WebConfig(limits=NO_RATE))) as c:
        yield c


# -- headers on every page


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/healthz"), ("GET", "/docs"), ("POST", "/api/ask"),
                                          ("GET", "/widget.js"), ("GET", "/no-such-page"), ("GET", "/gradio_api/info")])
def test_every_response_carries_the_security_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"question": QUESTION} if method == "POST" else None)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_errors_from_the_guards_carry_them_too(client: TestClient) -> None:
    response = client.post("/api/ask", content=b"{NaN}", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/embed", "/embed/", "/embed/config"])
def test_embed_may_be_framed_by_the_allow_list_only(client: TestClient, closed: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {INTRANET}"
    assert "X-Frame-Options" not in response.headers  # it cannot name origins; frame-ancestors decides
    assert closed.get(path).headers["Content-Security-Policy"] == "frame-ancestors 'self'"


# -- CORS


def test_cors_answers_the_allow_listed_origin(client: TestClient) -> None:
    preflight = client.options("/api/ask/stream", headers={
        "Origin": INTRANET, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == INTRANET
    response = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": INTRANET})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == INTRANET
    limited = client.post("/api/ask", json={"question": "x" * 3000}, headers={"Origin": INTRANET})
    assert limited.status_code == 413 and limited.headers["Access-Control-Allow-Origin"] == INTRANET  # readable by the widget


def test_cors_refuses_other_origins(client: TestClient, closed: TestClient) -> None:
    for c, origin in ((client, STRANGER), (closed, INTRANET)):
        preflight = c.options("/api/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 400 and "Access-Control-Allow-Origin" not in preflight.headers
        response = c.post("/api/ask", json={"question": QUESTION}, headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers
        gradio = c.get("/config", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in gradio.headers  # Gradio adds none of its own either


# -- proxies, root path


def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    app = create_app(FakePressroom(), config=WebConfig(limits=Limits(rate_per_minute=60, rate_burst=1)))
    forwarded = {"X-Forwarded-For": "10.1.1.1", "X-Forwarded-Proto": "https"}
    with TestClient(app, client=("127.0.0.1", 4000)) as proxy:
        # Behind the proxy each user has a bucket of their own ...
        assert proxy.post("/api/ask", json={"question": QUESTION}, headers=forwarded).status_code == 200
        assert proxy.post("/api/ask", json={"question": QUESTION}, headers={**forwarded, "X-Forwarded-For": "10.1.1.2"}).status_code == 200
        assert proxy.post("/api/ask", json={"question": QUESTION}, headers=forwarded).status_code == 429
    with TestClient(app, client=("192.0.2.7", 4000)) as direct:
        # ... but a client cannot choose its own address by sending the header.
        assert direct.post("/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 200
        assert direct.post("/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": "10.9.9.8"}).status_code == 429


def test_root_path_reaches_the_page_config_and_the_docs() -> None:
    with TestClient(create_app(FakePressroom(), config=WebConfig(root_path="/pressroom"))) as c:
        config = c.get("/config").json()
        assert config["root"].endswith("/pressroom")
        embed = c.get("/embed/config").json()
        assert embed["root"].endswith("/pressroom/embed")
        assert c.get("/openapi.json").json()["servers"] == [{"url": "/pressroom"}]
        # A proxy that does not strip the prefix works too.
        assert c.get("/pressroom/healthz").json() == {"status": "ok", "ready": True}
        assert c.post("/pressroom/api/ask", json={"question": "x" * 3000}).status_code == 413
        assert c.post("/pressroom/gradio_api/upload", files={"files": ("a", b"a")}).status_code == 404
    with TestClient(create_app(FakePressroom(), config=WebConfig(root_path="/pressroom", allowed_origins=(INTRANET,)))) as c:
        for path in ("/embed/", "/pressroom/embed/"):
            assert c.get(path).headers["Content-Security-Policy"] == f"frame-ancestors 'self' {INTRANET}"
        assert c.get("/pressroom/").headers["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_x_forwarded_prefix_from_a_trusted_proxy_sets_the_root() -> None:
    app = create_app(FakePressroom())
    with TestClient(app, client=("127.0.0.1", 4000)) as proxy:
        config = proxy.get("/config", headers={"X-Forwarded-Prefix": "/chat", "X-Forwarded-Host": "intranet.example"}).json()
        assert config["root"] == "http://intranet.example/chat"
    with TestClient(app, client=("192.0.2.7", 4000)) as direct:
        config = direct.get("/config", headers={"X-Forwarded-Prefix": "/chat", "X-Forwarded-Host": "evil.example"}).json()
        assert "evil.example" not in config["root"] and "/chat" not in config["root"]


# -- sign-in


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "users"
    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
    # htpasswd -B writes $2y$; both forms are read.
    path.write_text(f"# staff\nkim:{hashed}\nlee:{hashed.replace('$2b$', '$2y$', 1)}\n", encoding="utf-8")
    return path


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_sign_in_from_a_users_file(users_file, tmp_path) -> None:
    store = FeedbackStore(tmp_path / "feedback.db")
    app = create_app(FakePressroom(), feedback=store, config=WebConfig(users_file=users_file, limits=NO_RATE))
    with TestClient(app) as c:
        refused = c.get("/")
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
        assert refused.json()["error"]["code"] == "unauthorized"
        assert c.post("/api/ask", json={"question": QUESTION}, headers=basic("kim", "wrong")).status_code == 401
        assert c.post("/api/ask", json={"question": QUESTION}, headers=basic("nobody", "s3cret")).status_code == 401
        assert c.get("/", headers=basic("kim", "s3cret")).status_code == 200
        assert c.post("/api/ask", json={"question": QUESTION}, headers=basic("lee", "s3cret")).status_code == 200
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200  # probes need no sign-in
        saved = c.post("/api/feedback", json={"question": "Q?", "answer": "A.", "rating": "up"}, headers=basic("kim", "s3cret"))
        assert saved.status_code == 201
        # A client cannot claim a user by sending the app's internal header.
        forged = c.post("/api/feedback", json={"question": "Q?", "answer": "A.", "rating": "up"},
                        headers={**basic("lee", "s3cret"), "X-Pressroom-User": "kim"})
        assert forged.status_code == 201
    assert [item.user for item in store.all()] == ["kim", "lee"]


def test_header_sign_in_only_from_a_trusted_proxy(tmp_path) -> None:
    store = FeedbackStore(tmp_path / "feedback.db")
    config = WebConfig(user_header="X-Forwarded-User", trusted_proxies=("127.0.0.1",), limits=NO_RATE)
    app = create_app(FakePressroom(), feedback=store, config=config)
    with TestClient(app, client=("127.0.0.1", 4000)) as proxy:
        assert proxy.get("/").status_code == 401  # the proxy sent no user
        assert proxy.get("/", headers={"X-Forwarded-User": "park"}).status_code == 200
        ok = proxy.post("/api/feedback", json={"question": "Q?", "answer": "A.", "rating": "down"}, headers={"X-Forwarded-User": "park"})
        assert ok.status_code == 201
    with TestClient(app, client=("192.0.2.7", 4000)) as direct:
        assert direct.get("/", headers={"X-Forwarded-User": "park"}).status_code == 401
    assert [item.user for item in store.all()] == ["park"]


@pytest.mark.parametrize("content, message", [
    (None, "cannot read the users file"),
    ("kim:plaintext\n", "expected `name:bcrypt-hash`"),
    ("# nobody yet\n", "lists no users"),
])
def test_a_bad_users_file_is_refused_with_what_to_do(tmp_path, content, message) -> None:
    path = tmp_path / "users"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UsersFileError, match=message):
        load_users(path)
    with pytest.raises(UsersFileError):
        create_app(FakePressroom(), config=WebConfig(users_file=path))
