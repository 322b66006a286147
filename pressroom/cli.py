"""`pressroom ingest|ask|serve|eval`: thin commands over the library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from pressroom.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Question answering over press releases.")

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder (default: PRESSROOM_INDEX or .pressroom/index).")]


def _settings(index: Path | None = None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"index": index}) if index else settings


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _offline() -> None:
    # Models come from installed packages; a hub lookup would only hang on this network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def run_ingest(paths: list[Path], settings: Settings, *, rebuild: bool, prune: bool, progress: bool = True, embeddings=None):
    from ingest.chunking import CHUNKING_VERSION
    from ingest.embeddings import LazyEmbeddings
    from ingest.index import open_index
    from ingest.pipeline import ingest_paths

    embeddings = embeddings or LazyEmbeddings(settings.embedding_model)
    index = open_index(
        settings.index, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True, rebuild=rebuild
    )
    report = ingest_paths(paths, index, embeddings, prune=prune, progress=progress)
    for name, reason in report.failed:
        typer.secho(f"failed: {name}: {reason}", fg=typer.colors.YELLOW, err=True)
    typer.echo(report.summary())
    return report, embeddings


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Release files or folders.")],
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the index and build it anew.")] = False,
    prune: Annotated[bool, typer.Option(help="Remove releases whose files are gone.")] = False,
) -> None:
    """Parse, chunk and embed releases into the index; unchanged files are skipped."""
    from ingest.index import IndexProblem

    _offline()
    try:
        report, _ = run_ingest(paths, _settings(index), rebuild=rebuild, prune=prune)
    except IndexProblem as exc:
        _fail(str(exc))
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


def _open(settings: Settings, embeddings=None):
    from qa.service import open_pressroom

    return open_pressroom(
        settings.index,
        embedding_model=settings.embedding_model,
        k=settings.k,
        embeddings=embeddings,
        answer_model=settings.answer_model,
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in English or Korean.")],
    index: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer object as JSON.")] = False,
    k: Annotated[Optional[int], typer.Option("--k", help="Passages to retrieve.")] = None,
) -> None:
    """Answer one question with cited passages."""
    from ingest.index import IndexProblem

    _offline()
    settings = _settings(index)
    if k:
        settings = settings.model_copy(update={"k": k})
    try:
        answer = _open(settings).ask(question)
    except (IndexProblem, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    for c in answer.citations:
        typer.echo(f"  [{c.n}] {c.title} — {c.date or 'undated'}, paragraph {c.paragraph} ({c.source})")


@app.command()
def serve(
    index: IndexOpt = None,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on.")] = None,
    ingest_path: Annotated[
        Optional[list[Path]], typer.Option("--ingest", help="Bring the index up to date with these files first.")
    ] = None,
) -> None:
    """Serve the chat at / and the JSON API at /api/ask."""
    import uvicorn

    from ingest.index import IndexMismatchError, IndexProblem
    from ui.app import create_app

    _offline()
    settings = _settings(index)
    embeddings = None
    if ingest_path:
        try:
            _, embeddings = run_ingest(ingest_path, settings, rebuild=False, prune=True)
        except IndexMismatchError as exc:
            typer.secho(f"{exc}\nrebuilding it from {', '.join(map(str, ingest_path))}", fg=typer.colors.YELLOW, err=True)
            _, embeddings = run_ingest(ingest_path, settings, rebuild=True, prune=True)
    try:
        web = create_app(_open(settings, embeddings))
    except IndexProblem as exc:
        typer.secho(f"warning: {exc}", fg=typer.colors.YELLOW, err=True)
        web = create_app(None, unavailable_reason=str(exc))
    uvicorn.run(web, host=host or settings.host, port=port or settings.port)


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="Question file (JSON lines).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for metrics.json, answers.jsonl, report.md, charts.")],
    index: IndexOpt = None,
    configs: Annotated[str, typer.Option(help="Comma-separated configurations; the baseline is always added.")] = "pressroom",
    corpus: Annotated[Optional[Path], typer.Option(help="Release folder for the baseline's own index.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Fail when a metric fell below evals/expected.toml.")] = False,
    expected: Annotated[Path, typer.Option(help="Expected metrics for --check.")] = Path("evals/expected.toml"),
    question_set: Annotated[Optional[str], typer.Option("--set", help="Name in expected.toml (default: file stem).")] = None,
) -> None:
    """Run a question set through configurations side by side and write the report."""
    from evals.check import check_metrics
    from evals.configs import EvalContext, CONFIGS, resolve
    from evals.questions import QuestionFileError, load_questions
    from evals.report import write_report
    from evals.runner import run_config, write_results
    from ingest.embeddings import load_embeddings
    from ingest.index import IndexProblem

    _offline()
    settings = _settings(index)
    set_name = question_set or questions.stem
    try:
        items = load_questions(questions)
        names = resolve([n.strip() for n in configs.split(",") if n.strip()])
        embeddings = load_embeddings(settings.embedding_model)
        ctx = EvalContext(settings.index, [corpus or settings.corpus], settings.embedding_model, settings.k, embeddings)
        runs = [run_config(CONFIGS[name](ctx), items) for name in names]
    except (QuestionFileError, IndexProblem, ValueError, OSError) as exc:
        _fail(str(exc))
    metrics = write_results(out, runs, set_name)
    report = write_report(runs, out, set_name)
    for run in runs:
        m = run.metrics
        typer.echo(
            f"{run.name:>20}: recall@5 {m['retrieval'].get('recall@5', float('nan')):.3f}  "
            f"MRR {m['retrieval'].get('mrr', float('nan')):.3f}  "
            f"correct {m['answers']['answer_correctness']:.3f}  "
            f"abstain(unans) {m['answers']['abstention_recall']:.3f}  "
            f"false-abstain {m['answers']['false_abstention']:.3f}  "
            f"p50 {m['latency']['total_ms_p50']:.0f} ms"
        )
    typer.echo(f"report: {report}")
    if check:
        problems = check_metrics(metrics, expected, set_name)
        for problem in problems:
            typer.secho(f"regression: {problem}", fg=typer.colors.RED, err=True)
        if problems:
            raise typer.Exit(1)
        typer.echo(f"check: every metric in {expected} [{set_name}] holds")


def main() -> None:
    app(prog_name="pressroom")


if __name__ == "__main__":
    sys.exit(main())
