"""Named system configurations that `pressroom eval --configs` can put side by side."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from qa.baseline import build_tutorial_baseline
from qa.extractive import ExtractiveConfig
from qa.service import (
    MINILM,
    USE_MULTILINGUAL,
    Pressroom,
    build_pressroom_from,
    load_embeddings,
    model_id_of,
    open_pressroom,
)

BASELINE = "langchain-tutorial"
DEFAULT = "pressroom"


@dataclass(frozen=True)
class EvalContext:
    index: Path
    corpus: list[Path]
    embedding_model: str
    k: int
    embeddings: object  # loaded once and shared by every configuration


Factory = Callable[[EvalContext], Pressroom]


def _pressroom(
    config: ExtractiveConfig | None = None,
    name: str = DEFAULT,
    embedding_model: str | None = None,
    answer_model: str | None = None,
) -> Factory:
    def build(ctx: EvalContext) -> Pressroom:
        if embedding_model and model_id_of(embedding_model) != model_id_of(ctx.embedding_model):
            # Another vector space needs its own index: built from the corpus in a temporary folder.
            embeddings = load_embeddings(embedding_model)
            system = build_pressroom_from(
                ctx.corpus, embeddings, Path(tempfile.mkdtemp(prefix="pressroom-eval-")),
                k=ctx.k, answerer_config=config, answer_model=answer_model,
            )
        else:
            system = open_pressroom(
                ctx.index, embedding_model=ctx.embedding_model, k=ctx.k, answerer_config=config,
                embeddings=ctx.embeddings, answer_model=answer_model,
            )
        system.name = name
        return system

    return build


def _baseline(ctx: EvalContext) -> Pressroom:
    workdir = Path(tempfile.mkdtemp(prefix="pressroom-baseline-"))
    # The tutorial embeds with MiniLM, whatever Pressroom's own default is.
    embeddings = ctx.embeddings if ctx.embeddings.model_id == MINILM else load_embeddings(MINILM)
    return build_tutorial_baseline(ctx.corpus, embeddings, workdir, k=ctx.k)


CONFIGS: dict[str, Factory] = {
    DEFAULT: _pressroom(),
    # Without sentence embeddings the answerer is several times faster; is it worse?
    "pressroom-lexical": _pressroom(replace(ExtractiveConfig(), w_dense=0.0), "pressroom-lexical"),
    # Sentences scored with USE alone: about 10x faster answers; the threshold is re-chosen for its scale.
    "pressroom-fast": _pressroom(
        replace(ExtractiveConfig(), abstain_below=0.05), "pressroom-fast", answer_model=USE_MULTILINGUAL
    ),
    # Each embedding model alone, against the default's weighted pair.
    "pressroom-minilm": _pressroom(name="pressroom-minilm", embedding_model=MINILM),
    "pressroom-use": _pressroom(name="pressroom-use", embedding_model=USE_MULTILINGUAL),
    BASELINE: _baseline,
}


def resolve(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    # The baseline is always in the report, so every figure is read against it.
    return list(dict.fromkeys([*names, BASELINE]))
