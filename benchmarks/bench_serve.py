"""Section 4: cold start of `pressroom serve` to the first answer, and peak memory of serve and ingest."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.common import REPO, VENV_BIN, Row, fmt_ratio, log, ratio

HEALTH_TIMEOUT_S = 300
BARE_MODEL_SCRIPT = (
    "from ingest.embeddings import load_embeddings\n"
    "load_embeddings().encode(['When did the two ministers meet?'])\n"
)


def _env() -> dict:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False")
    env.pop("PRESSROOM_INDEX", None)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reap(proc: subprocess.Popen, timeout: float, peak_mb: float = 0.0) -> tuple[int | None, float]:
    """Wait for `proc`, sampling its VmHWM every 20 ms; (exit code or None on timeout, peak RSS MiB).

    Not ru_maxrss (wait4 or RUSAGE_CHILDREN): on Linux a child's ru_maxrss includes the RSS it had as
    a fork of this process (over 1 GB once the model is loaded), so every child would report the
    parent's size. VmHWM belongs to the address space created by exec, so it is the command's own peak.
    """
    deadline = time.monotonic() + timeout
    while True:
        hwm = _proc_status(proc.pid).get("VmHWM")
        if hwm:
            peak_mb = max(peak_mb, hwm)
        if proc.poll() is not None:
            return proc.returncode, peak_mb
        if time.monotonic() > deadline:
            return None, peak_mb
        time.sleep(0.02)


def run_measured(cmd: list[str], log_path: Path, timeout: float = 900) -> dict:
    """Run a command to its end: wall seconds, exit code, peak RSS of that process alone."""
    with open(log_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=out, stderr=subprocess.STDOUT)
        try:
            code, peak_mb = _reap(proc, timeout)
        finally:
            if proc.returncode is None:
                proc.kill()
                code, peak_mb = _reap(proc, 30)
        seconds = time.perf_counter() - start
    return {"cmd": [str(c) for c in cmd], "seconds": seconds, "returncode": code, "peak_rss_mb": peak_mb,
            "output_tail": log_path.read_text(errors="replace")[-600:]}


def _proc_status(pid: int) -> dict[str, float]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) / 1024  # kB -> MiB
    except OSError:
        pass
    return out


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _post_json(url: str, payload: dict, timeout: float = 300) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode("utf-8", "replace")[:300]}


def serve_cold_start(index_dir: Path, workdir: Path, questions: list[str]) -> dict:
    """Start `pressroom serve` on a copy of the index; time /healthz 200 and the first /api/ask."""
    served = workdir / "serve-index"
    shutil.copytree(index_dir, served)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(VENV_BIN / "pressroom"), "serve", "--index", str(served), "--host", "127.0.0.1", "--port", str(port)]
    log_path = workdir / "serve.log"
    result: dict = {"cmd": cmd, "port": port}
    with open(log_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=out, stderr=subprocess.STDOUT)
        try:
            status = None
            while time.perf_counter() - start < HEALTH_TIMEOUT_S:
                if proc.poll() is not None:
                    result["error"] = f"serve exited with code {proc.returncode} before it was healthy"
                    break
                try:
                    status = _get(f"{base}/healthz")
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    status = None
                if status == 200:
                    break
                # 503 is "starting" (models loading, warm-up) until it turns 200, or "down" if it never does.
                time.sleep(0.05)
            else:
                result["error"] = f"serve not healthy within {HEALTH_TIMEOUT_S} s (last /healthz status {status})"
            if status == 200:
                result["healthy_s"] = time.perf_counter() - start
                log(f"serve: healthy after {result['healthy_s']:.1f} s; first question")
                asks = []
                for q in questions[:3]:
                    t = time.perf_counter()
                    code, body = _post_json(f"{base}/api/ask", {"question": q})
                    asks.append({
                        "question": q,
                        "status": code,
                        "request_s": time.perf_counter() - t,
                        "since_start_s": time.perf_counter() - start,
                        "abstained": body.get("abstained"),
                        "timings_ms": body.get("timings_ms"),
                        "error": body.get("error"),
                    })
                result["asks"] = asks
                result["first_answer_s"] = asks[0]["since_start_s"]
                result["first_request_s"] = asks[0]["request_s"]
                result["warm_request_s"] = [a["request_s"] for a in asks[1:]]
            elif "error" not in result:
                result["error"] = f"not healthy within {HEALTH_TIMEOUT_S} s"
            result.update({f"{k}_mb": v for k, v in _proc_status(proc.pid).items()})
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            code, _ = _reap(proc, 20)
            if code is None:
                proc.kill()
                code, _ = _reap(proc, 20)
            result["returncode"] = code
    result["log_tail"] = log_path.read_text(errors="replace")[-800:]
    return result


def run(index_dir: Path, corpus_dir: Path, workdir: Path, questions: list[str]) -> dict:
    log("serve: baseline — bare python process that loads MiniLM and encodes one sentence")
    bare = run_measured([str(VENV_BIN / "python"), "-c", BARE_MODEL_SCRIPT], workdir / "bare.log")
    log(f"serve: bare model process {bare['seconds']:.1f} s, {bare['peak_rss_mb']:.0f} MiB; starting pressroom serve")
    serve = serve_cold_start(index_dir, workdir, questions)
    log("serve: `pressroom ingest` subprocess into a fresh index (peak RSS)")
    cli_index = workdir / "cli-index"
    ingest = run_measured([str(VENV_BIN / "pressroom"), "ingest", str(corpus_dir), "--index", str(cli_index)], workdir / "ingest.log")
    log("serve: `pressroom ingest` again, nothing changed")
    again = run_measured([str(VENV_BIN / "pressroom"), "ingest", str(corpus_dir), "--index", str(cli_index)], workdir / "ingest2.log")
    for r in (ingest, again):
        match = re.search(r"\((\d+) chunks embedded\)", r["output_tail"])
        r["chunks_embedded"] = int(match.group(1)) if match else None
    return {"bare_model": bare, "serve": serve, "ingest_cli": ingest, "reingest_cli": again}


def serve_rows(section: dict) -> list[Row]:
    bare, serve, ingest, again = section["bare_model"], section["serve"], section["ingest_cli"], section["reingest_cli"]
    base_s = f"{bare['seconds']:.1f} s bare model"
    base_mb = f"{bare['peak_rss_mb']:.0f} MiB bare model"
    rows: list[Row] = []
    if "healthy_s" in serve:
        rows.append(Row("4 serve", "serve: start → /healthz 200", f"{serve['healthy_s']:.1f} s", base_s,
                        fmt_ratio(ratio(serve["healthy_s"], bare["seconds"])), target="≤ 10 s",
                        met=serve["healthy_s"] <= 10,
                        note="existing index; baseline: a bare python process that imports sentence-transformers, "
                        "loads MiniLM and encodes one sentence (start to exit); serve runs MiniLM through ONNX "
                        "Runtime (PRESSROOM_QUERY_ENCODER=onnx) and never imports torch"))
        first = serve["asks"][0]
        rows.append(Row("4 serve", "serve: start → first answer", f"{serve['first_answer_s']:.1f} s", base_s,
                        fmt_ratio(ratio(serve["first_answer_s"], bare["seconds"])), target="first answer ≤ 2 s once ready",
                        met=first["status"] == 200 and first["request_s"] <= 2,
                        note=f"first /api/ask took {first['request_s'] * 1000:.0f} ms (status {first['status']})"
                        + (f"; later ones {', '.join(f'{x * 1000:.0f}' for x in serve['warm_request_s'])} ms"
                           if serve["warm_request_s"] else "")))
    else:
        rows.append(Row("4 serve", "serve: cold start", "failed", note=serve.get("error", "") + " — " + serve["log_tail"][-200:]))
    hwm = serve.get("VmHWM_mb")
    rows.append(Row("4 serve", "serve: peak RSS (VmHWM)", f"{hwm:.0f} MiB" if hwm else "—", base_mb,
                    fmt_ratio(ratio(hwm, bare["peak_rss_mb"]))))
    rows[-1].note = "VmHWM from /proc/<pid>/status, read before stopping serve (after 3 answers)"
    rows.append(Row("4 serve", "ingest CLI: peak RSS", f"{ingest['peak_rss_mb']:.0f} MiB", base_mb,
                    fmt_ratio(ratio(ingest["peak_rss_mb"], bare["peak_rss_mb"])),
                    note=f"`pressroom ingest` of the corpus into a fresh index: {ingest['seconds']:.1f} s wall, "
                    f"{ingest['chunks_embedded']} chunks embedded, exit {ingest['returncode']}; peak RSS = VmHWM "
                    "sampled every 20 ms (ru_maxrss of a child counts this process's size at fork)"))
    rows.append(Row("4 serve", "ingest CLI: re-run, unchanged", f"{again['seconds']:.1f} s, {again['chunks_embedded']} embedded",
                    base_s, fmt_ratio(ratio(again["seconds"], bare["seconds"])),
                    note="wall time of the whole command: the model is loaded before any file is checked"))
    return rows
