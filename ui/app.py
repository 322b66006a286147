"""The web app: the JSON API (ui.api) and the chat pages (ui.page), behind the request guards.

Middleware, outermost first: forwarded headers from trusted proxies (and the root path) -> security
headers -> CORS -> sign-in -> limits (body, strict JSON, Gradio routes, rate) -> routes. The service is either given
ready-made or loaded in the background by `loader` (health checks answer meanwhile; see ui.readiness).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from ui.api import ApiState, build_api
from ui.auth import BasicUsers, SignIn, load_users
from ui.config import WebConfig
from ui.errors import install_error_handlers
from ui.feedback import FeedbackStore
from ui.limits import AnswerGate, RequestGuard
from ui.memory import cap_arenas, return_free_memory
from ui.readiness import LiveService, Readiness
from ui.release_links import load_release_links
from ui.security import ForwardedHeaders, SecurityHeaders, TrustedProxies

if TYPE_CHECKING:  # qa.service pulls in the index and embeddings; the app only needs the service's methods
    from qa.service import Pressroom

DEFAULT_REASON = "The question-answering service is not available."


def create_app(
    pressroom: Pressroom | None = None,
    *,
    loader: Callable[[], Pressroom] | None = None,
    unavailable_reason: str | None = None,
    title: str = "Pressroom",
    config: WebConfig | None = None,
    feedback: FeedbackStore | None = None,
) -> FastAPI:
    """Serve `pressroom`, or what `loader` builds (loaded and warmed up in the background at start-up).

    With neither (e.g. no index yet) the app still serves, in 503 mode, and says why it can't answer.
    """
    config = config or WebConfig()
    cap_arenas()  # before the server's threads exist: see ui.memory
    readiness = Readiness(unavailable_reason or DEFAULT_REASON)
    if pressroom is not None:
        readiness.set_ready(pressroom)
    elif loader is None:
        readiness.set_unavailable(unavailable_reason or DEFAULT_REASON)
    if feedback is None and config.feedback_db is not None:
        feedback = FeedbackStore(config.feedback_db)
    users = BasicUsers(load_users(config.users_file)) if config.users_file else None  # a bad file fails here, at start

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if loader is not None and pressroom is None:
            readiness.start(loader, warm_up=config.warm_up)
        yield

    app = FastAPI(
        title=title,
        summary="Questions answered from the ministry's press releases, with citations.",
        lifespan=lifespan,
    )
    app.state.readiness = readiness
    install_error_handlers(app)
    # Listed innermost first: each add_middleware wraps everything added before it.
    app.add_middleware(RequestGuard, limits=config.limits)
    app.add_middleware(SignIn, user_header=config.user_header, users=users)
    app.add_middleware(
        CORSMiddleware,  # also tells Gradio not to add its own, looser CORS handling
        allow_origins=list(config.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
        allow_credentials=bool(config.allowed_origins),
        expose_headers=["Retry-After"],
        max_age=600,
    )
    app.add_middleware(SecurityHeaders, allowed_origins=config.allowed_origins)
    app.add_middleware(
        ForwardedHeaders,
        trusted=TrustedProxies(config.trusted_proxies),
        user_header=config.user_header,
        root_path=config.root_path,
    )

    # What the pages and the source panel talk to: the service, its stand-in while it loads, or nothing.
    service = pressroom if pressroom is not None else LiveService(readiness) if loader is not None else None
    state = ApiState(
        readiness=readiness,
        limits=config.limits,
        gate=AnswerGate(config.limits.max_concurrent, config.limits.max_waiting, config.limits.wait_timeout_s,
                        on_idle=return_free_memory),
        feedback=feedback,
        sources=_source_desk(service, config),
    )
    app.state.gate = state.gate
    app.include_router(build_api(state))
    _mount_pages(app, service, readiness, title, feedback, config)
    return app


def _source_desk(service, config: WebConfig):
    from ui.sources import SourceDesk

    return SourceDesk(service, load_release_links(config.sources_tsv))


def _mount_pages(app: FastAPI, service, readiness: Readiness, title: str, feedback, config: WebConfig) -> None:
    # Imported here so that importing ui.app (e.g. for the API alone) doesn't pay for gradio.
    from ui.page import mount_pages

    reason = readiness.reason if readiness.status == "unavailable" else None
    # Mounted last: a mount at "/" matches every path, so routes registered after it would be shadowed.
    mount_pages(app, service, unavailable_reason=reason, title=title, feedback=feedback, root_path=config.root_path or None)
    # The chat's own queue is bounded like the API's: when full, Gradio refuses the event with 503 ("queue
    # is full") instead of letting the wait grow without end. A size the page set itself is kept.
    for route in app.routes:
        blocks = getattr(getattr(route, "app", None), "get_blocks", lambda: None)()
        queue = getattr(blocks, "_queue", None)
        if queue is not None and queue.max_size is None:
            queue.max_size = config.limits.max_waiting
