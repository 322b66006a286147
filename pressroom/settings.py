"""Settings, read once at the entry point from the environment (prefix PRESSROOM_) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

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
    host: str = "127.0.0.1"
    port: int = 7860
    # A language model behind any OpenAI-compatible endpoint (llama.cpp server, vLLM, Ollama /v1, hosted).
    # Unset: the extractive answerer answers.
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
