"""The local language model's latency on this machine: time to first token, full answer, prompt size,
beside llama.cpp's own prompt and decode rates for the same prompts (the physical limit).

    .venv/bin/python -m benchmarks.bench_llm --questions 8      # needs the 1.5B model (pressroom[llm])

Runs only when the model is assembled (or --model names a GGUF); otherwise says so and exits 0.
Questions are the first N of evals/questions/dev.jsonl (dev only). Results: benchmarks/results/llm-<UTC>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from benchmarks.common import QUESTIONS, Row, fmt_s, loadavg, log, percentiles, print_table  # noqa: E402

TTFT_TARGET_S = 8.0
_METRIC = re.compile(r"^llamacpp:(\w+)\s+([0-9.eE+-]+)$", re.MULTILINE)


def server_counters(base: str) -> dict[str, float]:
    import httpx

    return {k: float(v) for k, v in _METRIC.findall(httpx.get(f"{base}/metrics", timeout=10).text)}


def run(pressroom, answerer, base: str, questions: list[str]) -> dict:
    """Stream each question through `pressroom`; the model's usage and llama.cpp's counters per answer."""
    samples = []
    for i, question in enumerate(questions, 1):
        before = server_counters(base)
        start = time.perf_counter()
        first = None
        for event in pressroom.stream(question):
            if event["type"] == "token" and first is None:
                first = time.perf_counter() - start
            if event["type"] == "answer":
                final = event["answer"]
        total = time.perf_counter() - start
        after = server_counters(base)
        delta = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
        usage = dict(answerer.last_usage)
        sample = {
            "question": question,
            "ttft_s": first,
            "total_s": total,
            "prompt_tokens": usage.get("input_tokens"),
            "output_tokens": usage.get("output_tokens"),
            "llama_prompt_tps": delta.get("prompt_tokens_total", 0) / delta["prompt_seconds_total"] if delta.get("prompt_seconds_total") else None,
            "llama_decode_tps": delta.get("tokens_predicted_total", 0) / delta["tokens_predicted_seconds_total"] if delta.get("tokens_predicted_seconds_total") else None,
            "answerer": final["answerer"],
            "abstained": final["abstained"],
            "retrieve_ms": final["timings_ms"].get("retrieve"),
        }
        samples.append(sample)
        log(f"llm {i}/{len(questions)}: first token {sample['ttft_s'] or float('nan'):.1f} s, answer {total:.1f} s, "
            f"{sample['prompt_tokens']} prompt tokens, {final['answerer']}")
    def pct(key, scale=1.0):
        return percentiles([s[key] * scale for s in samples if s[key] is not None])
    return {
        "questions": len(samples),
        "ttft_ms": pct("ttft_s", 1000),
        "total_ms": pct("total_s", 1000),
        "prompt_tokens": pct("prompt_tokens"),
        "output_tokens": pct("output_tokens"),
        "llama_prompt_tokens_per_s": pct("llama_prompt_tps"),
        "llama_decode_tokens_per_s": pct("llama_decode_tps"),
        "samples": samples,
    }


def llm_rows(section: dict) -> list[Row]:
    ttft, total = section["ttft_ms"], section["total_ms"]
    prompt, decode = section["llama_prompt_tokens_per_s"], section["llama_decode_tokens_per_s"]
    tokens = section["prompt_tokens"]
    rows = [
        Row("llm", "time to first token p50", fmt_s(ttft.get("p50", 0) / 1000), target=f"≤ {TTFT_TARGET_S:.0f} s",
            met=ttft.get("p50") is not None and ttft["p50"] / 1000 <= TTFT_TARGET_S),
        Row("llm", "time to first token p95", fmt_s(ttft.get("p95", 0) / 1000)),
        Row("llm", "full answer p50 / p95", f"{fmt_s(total.get('p50', 0) / 1000)} / {fmt_s(total.get('p95', 0) / 1000)}"),
        Row("llm", "prompt tokens per answer p50 / max", f"{tokens.get('p50', 0):.0f} / {tokens.get('max', 0):.0f}"),
        Row("llm", "llama.cpp prompt rate p50", f"{prompt.get('p50', 0):.0f} tokens/s",
            note=f"≈ {tokens.get('p50', 0) / prompt['p50']:.1f} s for the p50 prompt" if prompt.get("p50") else ""),
        Row("llm", "llama.cpp decode rate p50", f"{decode.get('p50', 0):.1f} tokens/s"),
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    from pressroom.llm_server import LOCAL_MODEL_NAME, MODEL_FILE, ServerOptions, default_cache, start_server
    from pressroom.service import query_embeddings
    from pressroom.settings import Settings
    from qa.generative import LLMConfig
    from qa.service import open_pressroom

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_llm", description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=int, default=8, help="first N dev questions (default 8)")
    p.add_argument("--model", type=Path, default=default_cache() / MODEL_FILE, help="GGUF (default: the assembled 1.5B)")
    p.add_argument("--index", type=Path, help="index folder (default PRESSROOM_INDEX or .pressroom/index)")
    p.add_argument("--port", type=int, default=8096)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--passages", type=int, help="passages the model reads (default PRESSROOM_LLM_PASSAGES)")
    p.add_argument("--max-chars", type=int, help="characters of each passage (default PRESSROOM_LLM_MAX_CHARS)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = p.parse_args(argv)
    if not args.model.is_file():
        log(f"llm: skipped, no model at {args.model} (pip install 'pressroom[llm]'; pressroom llm serve assembles it)")
        return 0
    settings = Settings()
    index = args.index or settings.index
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = questions[: args.questions]
    load_before = loadavg()
    server = start_server(ServerOptions(args.model, args.port, args.threads, 4096, LOCAL_MODEL_NAME))
    try:
        base = f"http://127.0.0.1:{args.port}"
        config = LLMConfig(url=f"{base}/v1", model=LOCAL_MODEL_NAME, passages=args.passages or settings.llm_passages,
                           max_chars=args.max_chars or settings.llm_max_chars)
        embeddings = query_embeddings(settings)
        pressroom = open_pressroom(index, embedding_model=settings.embedding_model, embeddings=embeddings, llm=config)
        pressroom.ask(questions[0])  # warm-up: model pages in, embeddings load
        section = run(pressroom, pressroom.answerer, base, questions)
    finally:
        del server
    section.update(model=str(args.model), threads=args.threads, passages=config.passages, max_chars=config.max_chars,
                   load_average_before=load_before, load_average_after=loadavg())
    rows = llm_rows(section)
    print_table(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (args.out / f"llm-{stamp}.json").write_text(json.dumps({"llm": section, "rows": [r.to_dict() for r in rows]}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
