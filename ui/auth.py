"""Optional sign-in for intranets: a user name from a trusted proxy header, or HTTP basic users from a file.

The header (e.g. X-Forwarded-User, set by the intranet's single sign-on proxy) counts only when the
request came from a configured proxy address; `ui.security.ForwardedHeaders` drops it from anyone else.
The users file holds one `name:bcrypt-hash` a line (`htpasswd -nbB name password` writes one).
The signed-in name goes with feedback; health checks and CORS preflights need no sign-in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

import bcrypt
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.errors import error_response
from ui.limits import USER_KEY, route_path

USER_HEADER_INSIDE = b"x-pressroom-user"  # what the app's own code (Gradio callbacks) reads
OPEN_PATHS = ("/healthz", "/readyz")


class UsersFileError(ValueError):
    pass


def load_users(path: Path) -> dict[str, bytes]:
    """`name:bcrypt-hash` lines; blank lines and `#` comments skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsersFileError(f"cannot read the users file {path} ({exc.strerror}); create it with `htpasswd -cbB {path} NAME PASSWORD`") from None
    users: dict[str, bytes] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
            raise UsersFileError(f"{path}:{number}: expected `name:bcrypt-hash` (make one with `htpasswd -nbB NAME PASSWORD`)")
        users[name] = hashed.encode("ascii")
    if not users:
        raise UsersFileError(f"{path} lists no users; add `name:bcrypt-hash` lines or unset PRESSROOM_USERS_FILE")
    return users


def add_user(path: Path, name: str, password: str) -> None:
    """Add or replace `name` in the users file (bcrypt hash; other lines kept; written atomically)."""
    if not name or ":" in name or name != name.strip():
        raise UsersFileError("a user name is non-empty, has no ':' and no spaces around it")
    if len(password) < 8:
        raise UsersFileError("the password is shorter than 8 characters")
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    lines = [line for line in lines if line.partition(":")[0].strip() != name]
    lines.append(f"{name}:{bcrypt.hashpw(password.encode('utf-8'), bcrypt.gensalt()).decode('ascii')}")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


class BasicUsers:
    """Checks basic credentials; a bcrypt check costs ~0.2 s, so good credentials are remembered."""

    def __init__(self, users: dict[str, bytes], *, remember: int = 1024) -> None:
        self.users = users
        self._known: OrderedDict[bytes, str] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    def check(self, authorization: str) -> str | None:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            return None
        digest = hashlib.sha256(encoded.strip().encode("latin-1", "replace")).digest()
        with self._lock:
            if digest in self._known:
                return self._known[digest]
        try:
            name, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        hashed = self.users.get(name)
        if hashed is None or not bcrypt.checkpw(password.encode("utf-8"), hashed.replace(b"$2y$", b"$2b$", 1)):
            return None
        with self._lock:
            self._known[digest] = name
            while len(self._known) > self._remember:
                self._known.popitem(last=False)
        return name


class SignIn:
    """ASGI middleware: with sign-in configured, every request but health checks needs a user."""

    def __init__(self, app: ASGIApp, *, user_header: str | None = None, users: BasicUsers | None = None) -> None:
        self.app = app
        self.user_header = user_header.lower().encode("latin-1") if user_header else None
        self.users = users
        self.required = bool(user_header or users)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != USER_HEADER_INSIDE]
        scope["headers"] = headers
        if not self.required or scope.get("method") == "OPTIONS" or route_path(scope) in OPEN_PATHS:
            return await self.app(scope, receive, send)
        user = self._user(dict((k.lower(), v) for k, v in headers))
        if user is None:
            challenge = {"WWW-Authenticate": 'Basic realm="Pressroom", charset="UTF-8"'} if self.users else None
            how = "sign in with your user name and password" if self.users else "open the chat through the intranet sign-in"
            return await error_response(401, "unauthorized", f"sign-in required: {how}", challenge)(scope, receive, send)
        scope[USER_KEY] = user
        headers.append((USER_HEADER_INSIDE, user.encode("utf-8")))
        await self.app(scope, receive, send)

    def _user(self, headers: dict[bytes, bytes]) -> str | None:
        if self.user_header and (value := headers.get(self.user_header, b"").decode("utf-8", "replace").strip()):
            return value[:200]
        if self.users and (authorization := headers.get(b"authorization")):
            return self.users.check(authorization.decode("latin-1"))
        return None


def user_of(request) -> str | None:
    """The signed-in user of a Starlette or Gradio request, if any."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and scope.get(USER_KEY):
        return scope[USER_KEY]
    headers = getattr(request, "headers", None) or {}
    return headers.get(USER_HEADER_INSIDE.decode()) or None
