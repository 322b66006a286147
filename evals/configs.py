"""Named system configurations that `pressroom eval --configs` can put side by side, and the baselines
that every report carries."""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from evals.baselines.naive import build_naive_baseline
from evals.baselines.tutorial import build_tutorial_baseline
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

TUTORIAL = "langchain-tutorial"
BM25 = "bm25-only"
NAIVE = "naive-overlap"
BASELINES = (TUTORIAL, BM25, NAIVE)
DEFAULT = "pressroom"


class CorpusError(ValueError):
    """The corpus folder the baselines are built from is missing or holds no releases."""


class ConfigUnavailable(RuntimeError):
    """A configuration cannot be built here (a missing mode, no model configured); the report names it and why."""


@dataclass(frozen=True)
class EvalContext:
    index: Path
    corpus: list[Path]
    embedding_model: str
    k: int
    embeddings: object  # loaded once and shared by every configuration
    llm: object | None = None  # a LangChain chat model when PRESSROOM_LLM_* is set (the tutorial's generator)
    llm_config: object | None = None  # qa.generative.LLMConfig from the same settings (Pressroom's own LLM answerer)


def check_corpus(folders: list[Path]) -> None:
    """A missing or empty corpus is an error, not a row of zeros."""
    for folder in folders:
        if not Path(folder).exists():
            raise CorpusError(
                f"corpus folder {folder} does not exist; run from the repository root or pass --corpus corpus/releases"
            )
        if Path(folder).is_dir() and not any(p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm") for p in Path(folder).iterdir()):
            raise CorpusError(f"corpus folder {folder} holds no release files (.txt, .html); pass --corpus with the releases")


Factory = Callable[[EvalContext], Pressroom]


def _pressroom(
    config: ExtractiveConfig | None = None,
    name: str = DEFAULT,
    embedding_model: str | None = None,
    answer_model: str | None = None,
    retrieval: str | None = None,
    with_llm: bool | str = False,  # True: the model writes; "check": it checks the extractive answer
) -> Factory:
    def build(ctx: EvalContext) -> Pressroom:
        extra = {}
        if with_llm:
            if ctx.llm_config is None:
                raise ConfigUnavailable(f"{name} needs a language model: set PRESSROOM_LLM_URL and PRESSROOM_LLM_MODEL")
            extra["llm"] = replace(ctx.llm_config, mode=with_llm if isinstance(with_llm, str) else "write")
        if retrieval is not None:
            for factory in (open_pressroom, build_pressroom_from):
                if "retrieval" not in inspect.signature(factory).parameters:
                    raise ConfigUnavailable(
                        f"{name} needs qa.service.{factory.__name__}(retrieval={retrieval!r}) (hybrid retrieval, "
                        "issue 8), which this checkout lacks"
                    )
            extra["retrieval"] = retrieval
        if embedding_model and model_id_of(embedding_model) != model_id_of(ctx.embedding_model):
            # Another vector space needs its own index: built from the corpus in a temporary folder.
            embeddings = load_embeddings(embedding_model)
            system = build_pressroom_from(
                ctx.corpus, embeddings, Path(tempfile.mkdtemp(prefix="pressroom-eval-")),
                k=ctx.k, answerer_config=config, answer_model=answer_model, **extra,
            )
        else:
            system = open_pressroom(
                ctx.index, embedding_model=ctx.embedding_model, k=ctx.k, answerer_config=config,
                embeddings=ctx.embeddings, answer_model=answer_model, **extra,
            )
        system.name = name
        return system

    return build


def _tutorial(ctx: EvalContext) -> Pressroom:
    workdir = Path(tempfile.mkdtemp(prefix="pressroom-tutorial-"))
    # The tutorial embeds with MiniLM, whatever Pressroom's own default is.
    embeddings = ctx.embeddings if ctx.embeddings.model_id == MINILM else load_embeddings(MINILM)
    return build_tutorial_baseline(ctx.corpus, embeddings, workdir, llm=ctx.llm)


def _naive(ctx: EvalContext) -> Pressroom:
    return build_naive_baseline(ctx.corpus, k=ctx.k)


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
    # Retrieval modes alone (the default fuses dense and BM25).
    "pressroom-dense": _pressroom(name="pressroom-dense", retrieval="dense"),
    # A language model writes the answer from the retrieved passages (make eval-llm).
    "pressroom-llm": _pressroom(name="pressroom-llm", with_llm=True),
    # The same model as a yes/no check of the extractive answerer's best sentences (PRESSROOM_LLM_MODE=check).
    "pressroom-llm-check": _pressroom(name="pressroom-llm-check", with_llm="check"),
    TUTORIAL: _tutorial,
    # BM25 retrieval alone, with Pressroom's own answerer.
    BM25: _pressroom(name=BM25, retrieval="bm25"),
    NAIVE: _naive,
}


def resolve(names: list[str], baselines: list[str] | tuple[str, ...] = BASELINES) -> list[str]:
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    not_baselines = [b for b in baselines if b not in BASELINES]
    if not_baselines or not baselines:
        raise ValueError(f"baselines must be one or more of {', '.join(BASELINES)}; got {', '.join(baselines) or 'none'}")
    # Baselines are always in the report, so every figure is read against them (all three unless a
    # long run with a model leaves the slow one out, which its report then says).
    return list(dict.fromkeys([*names, *baselines]))
