"""`pressroom serve --workers N`: N uvicorn worker processes, each building its own app.

uvicorn starts workers by import string, so each worker reads the settings from the environment
(PRESSROOM_*; `serve` puts its command-line options there before starting them) and opens the index
as a reader. Workers share one Chroma server (PRESSROOM_CHROMA_URL) and the index folder's manifest
and side indexes; each sees an ingest only once it commits (ingest.index, ChunkIndex.refresh).
"""

from __future__ import annotations

import logging

from pressroom.settings import Settings

log = logging.getLogger(__name__)


class WorkersNeedServer(ValueError):
    pass


def check_workers(settings: Settings, workers: int) -> None:
    """More than one worker needs the vectors on a Chroma server: an embedded Chroma is one process's."""
    if workers < 1:
        raise WorkersNeedServer(f"--workers {workers}: give 1 or more")
    if workers > 1 and not settings.chroma_url:
        raise WorkersNeedServer(
            f"--workers {workers} needs a Chroma server: start one (`chroma run --path DIR --port 8000`), set "
            "PRESSROOM_CHROMA_URL=http://127.0.0.1:8000 and ingest into it (README, \"Scale\"); "
            "an index embedded in the folder serves one process"
        )


def worker_environment(settings: Settings) -> dict[str, str]:
    """The PRESSROOM_* values a worker needs to rebuild these settings (options given on the command line)."""
    env = {"PRESSROOM_INDEX": str(settings.index.resolve()), "PRESSROOM_ROOT_PATH": settings.root_path}
    if settings.allowed_origins:
        env["PRESSROOM_ALLOWED_ORIGINS"] = ",".join(settings.allowed_origins)
    return env


def app_factory():
    """The app of one worker (uvicorn calls this in each worker process)."""
    from ingest.index import IndexProblem
    from pressroom.service import open_service
    from ui.app import create_app

    settings = Settings()

    def load():
        try:
            return open_service(settings)
        except IndexProblem as exc:
            log.warning("%s", exc)
            raise

    return create_app(loader=load, config=settings.web_config())
