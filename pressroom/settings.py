"""Settings, read once at the entry point from the environment (prefix PRESSROOM_) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ingest.embeddings import DEFAULT_EMBEDDINGS


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRESSROOM_", env_file=".env", extra="ignore")

    index: Path = Path(".pressroom/index")
    corpus: Path = Path("corpus/releases")
    # One model, or several as name:weight+name:weight (see ingest.embeddings).
    embedding_model: str = DEFAULT_EMBEDDINGS
    # The model that scores answer sentences; None: the retrieval embeddings. "use-multilingual-v3"
    # answers ~10x faster for a little accuracy (see README, "Latest evaluation": pressroom-fast).
    answer_model: str | None = None
    k: int = 10  # passages retrieved per question
    # "hybrid": dense + BM25 fused (default); "hybrid-rrf", "hybrid-joint", "dense", "bm25" for comparison
    # (qa.retrieval.PRESETS).
    retrieval: Literal["hybrid", "hybrid-rrf", "hybrid-joint", "dense", "bm25"] = "hybrid"
    # Release files larger than this are refused by ingest (a release is a few KB; 50 MB would take hours).
    max_file_mb: float = 5.0
    # file -> public report URLs of each release (TSV: file, date, title, source_urls "a | b"); the chat's
    # source panel links to them. Missing file: no links.
    sources_tsv: Path = Path("corpus/sources.tsv")
    host: str = "127.0.0.1"
    port: int = 7860
    # -- the web server (`pressroom serve`); README "Operations" lists these with their defaults
    root_path: str = ""  # public sub-path behind a reverse proxy, e.g. "/pressroom"
    # Intranet origins (scheme://host[:port], comma-separated) that may call the API and frame /embed.
    allowed_origins: Annotated[list[str], NoDecode] = []
    # Proxy addresses/networks whose X-Forwarded-* and sign-in header are believed (comma-separated).
    trusted_proxies: Annotated[list[str], NoDecode] = ["127.0.0.1", "::1"]
    user_header: str | None = None  # sign-in by a trusted proxy's header, e.g. "X-Forwarded-User"
    users_file: Path | None = None  # sign-in by HTTP basic: `name:bcrypt-hash` lines (htpasswd -B)
    feedback_db: Path = Path(".pressroom/feedback.db")
    max_question_chars: int = 2000  # question, and each earlier question sent as history
    max_history_turns: int = 50
    max_body_bytes: int = 1_048_576  # any request body; larger ones get 413 before they are read
    rate_limit_per_minute: float = 60.0  # questions per client (user or address); 0: no limit
    rate_limit_burst: int = 20
    max_concurrent_answers: int = 2  # answers computed at once on the JSON API
    max_waiting_answers: int = 64  # beyond this many waiting: 503 "busy" with Retry-After
    answer_wait_timeout: float = 60.0  # seconds a question may wait for its turn before 503

    @field_validator("allowed_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_list(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not origin.startswith(("http://", "https://")) or origin.rstrip("/").count("/") > 2:
                raise ValueError(f"{origin!r} is not an origin; write scheme://host[:port], e.g. https://intranet.example")
        return [origin.rstrip("/") for origin in value]

    def web_config(self):
        """What the web app needs, as ui.config.WebConfig (built here so ui never reads settings)."""
        from ui.config import WebConfig
        from ui.limits import Limits

        limits = Limits(
            max_question_chars=self.max_question_chars,
            max_history_turns=self.max_history_turns,
            max_body_bytes=self.max_body_bytes,
            rate_per_minute=self.rate_limit_per_minute,
            rate_burst=self.rate_limit_burst,
            max_concurrent=self.max_concurrent_answers,
            max_waiting=self.max_waiting_answers,
            wait_timeout_s=self.answer_wait_timeout,
        )
        return WebConfig(
            limits=limits,
            root_path=("/" + self.root_path.strip("/")) if self.root_path.strip("/") else "",
            allowed_origins=tuple(self.allowed_origins),
            trusted_proxies=tuple(self.trusted_proxies),
            user_header=self.user_header or None,
            users_file=self.users_file,
            feedback_db=self.feedback_db,
            sources_tsv=self.sources_tsv,
        )
    # A language model behind any OpenAI-compatible endpoint (llama.cpp server, vLLM, Ollama /v1, hosted).
    # Unset: the extractive answerer answers.
    # A Chroma server (`chroma run`) for the vectors instead of the index folder's embedded Chroma, e.g.
    # http://127.0.0.1:8000; the token is sent as a bearer token (check it in a proxy: README, "Scale").
    # The manifest and side indexes stay in `index`, which every process using the server must share.
    chroma_url: str | None = None
    chroma_token: str | None = None
    chroma_collection: str = "pressroom"
    workers: int = 1  # app processes for `pressroom serve` (more than 1 needs chroma_url)
    # How ingest runs MiniLM: through ONNX Runtime ("onnx": the torch model's own vectors, 2.1x the chunks/s
    # ingest had with torch; "onnx-int8": 3.5x, vectors within 0.01 cosine), exported offline from the
    # packaged weights into onnx_dir on first use; or "torch". See README, "Scale".
    ingest_encoder: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    # How serve, ask and eval run MiniLM on questions and answer sentences: through ONNX Runtime, which
    # never imports torch or transformers (about 4 s less to start a server); exported once, by ingest or
    # on first use. "onnx-int8" (default) encodes answer sentences 2-3x faster than the float "onnx"
    # (36 sentences: 117 vs 243-337 ms here), within 0.01 cosine of it; the dev answers per type were the
    # same with either. "onnx" gives the torch model's own vectors.
    query_encoder: Literal["torch", "onnx", "onnx-int8"] = "onnx-int8"
    onnx_dir: Path = Path(".pressroom/onnx")
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 120.0  # seconds for one whole answer; then the extractive answerer answers
    llm_passages: int = 4  # top passages the model reads (prompt length is the time to first token)
    llm_max_chars: int = 560  # of each passage, around the sentence that matches the question best
    # "write": the model writes the answer from the passages (streamed). "check": the extractive answerer
    # answers and the model only says yes/no to its best sentences (qa.sentence_check): no streaming, and
    # with the local 1.5B model more answers right on dev than "write" (evals/README).
    llm_mode: Literal["write", "check"] = "write"

    def chroma_server(self):
        """The Chroma server holding the vectors, or None: Chroma embedded in the index folder."""
        if not self.chroma_url:
            return None
        from ingest.chroma_client import ChromaServer

        return ChromaServer(self.chroma_url, self.chroma_token or None, self.chroma_collection)

    def llm_config(self):
        """The language model to answer with, or None (the extractive answerer) when no URL is set."""
        if not self.llm_url:
            return None
        from qa.generative import LLMConfig

        return LLMConfig(
            url=self.llm_url, model=self.llm_model or "local", api_key=self.llm_api_key,
            timeout=self.llm_timeout, passages=self.llm_passages, max_chars=self.llm_max_chars, mode=self.llm_mode,
        )
