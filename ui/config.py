"""What the web app is configured with: built by `pressroom serve` from the PRESSROOM_* settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ui.limits import Limits
from ui.readiness import WARM_UP


@dataclass(frozen=True)
class WebConfig:
    limits: Limits = field(default_factory=Limits)
    # Public sub-path behind a reverse proxy ("/pressroom"); "" when served at the host root.
    root_path: str = ""
    # Origins (scheme://host[:port]) of intranet pages that may call the API and frame /embed.
    allowed_origins: tuple[str, ...] = ()
    # Proxies whose X-Forwarded-* (and sign-in header) are believed: addresses or networks.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    user_header: str | None = None  # e.g. "X-Forwarded-User"; None: no header sign-in
    users_file: Path | None = None  # `name:bcrypt-hash` lines; None: no basic sign-in
    feedback_db: Path | None = None  # None: feedback is not stored (POST /api/feedback answers 503)
    sources_tsv: Path | None = None  # release file -> original URLs, for the source panel
    warm_up: tuple[str, ...] = WARM_UP
