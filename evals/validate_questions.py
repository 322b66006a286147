#!/usr/bin/env python3
"""Validate Pressroom question files (shape, ids, sources, evidence, tags).

Usage:
    python -m evals.validate_questions [FILE ...] [--corpus DIR] [--warn-only-tags] [--summary]

Without FILE arguments it checks evals/questions/{dev,test,dev-given,held-out-korean,held-out-fresh,
held-out-releases,dev-releases}.jsonl; held-out-releases.jsonl and dev-releases.jsonl may also cite
the releases of evals/held-out-releases/ and evals/dev-releases/ respectively.

Rules checked (errors unless noted):
- every line is a JSON object with id, question, answer, sources, type; known type; string fields;
- ids are unique across all files, except that a file whose name contains "given" is a SUBSET
  file: each of its records must equal (field for field) the record of the same id in another file;
- files named *-new.jsonl need "split" in {"dev", "test"}; question files must not carry "split";
- sources exist in the corpus; unanswerable: answer "", sources [], evidence [];
- answerable: "evidence" is a non-empty list of {source, paragraph, quote}; source is one of the
  gold sources; paragraph is an int >= 1 that exists in the release; quote is <= 200 chars, is a
  substring of the release text after collapsing whitespace, and lies inside the stated paragraph
  (a paragraph runs from its "N." line up to the next "N+1." line, so "※" notes belong to the
  paragraph before them); every gold source has at least one evidence item;
- followup: non-empty "history" list of strings; other types: history optional but must be list;
- "tags" is a list of known tags, consistent with the record: "ko" iff the question has Hangul;
  "ko-release"/"en-release" match the gold sources' languages (file name ending -ko.txt);
  "multi-release" iff 2+ sources; unanswerable has exactly one of "near-miss"/"off-topic" and
  answerable has neither; type followup iff tag "followup"; type compare -> tag "compare";
- warning only: a number in the gold answer that is in none of the evidence paragraphs;
- "asked_on" (optional) is YYYY-MM-DD within 2022-01-01..2025-12-31 (the releases run to late 2024; "last year" may be asked in 2025); "answer_ko" (optional) is a
  non-empty string and only on questions asked in Korean.
Exit status 1 when any error is found.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "corpus" / "releases"
# A question file asked over more releases than the corpus: its own folder joins the corpus for it
# alone, so no other file can cite those releases.
EXTRA_RELEASES = {
    "held-out-releases.jsonl": ROOT / "evals" / "held-out-releases" / "releases",
    "dev-releases.jsonl": ROOT / "evals" / "dev-releases" / "releases",
}
TYPES = {"fact", "multi", "date", "compare", "paraphrase", "korean", "unanswerable", "followup"}
TAGS = {"ko", "en-release", "ko-release", "near-miss", "off-topic", "relative-time", "date",
        "multi-release", "total", "respectively", "compare", "followup"}
REQUIRED = ("id", "question", "answer", "sources", "type")
OPTIONAL = {"history", "evidence", "tags", "asked_on", "answer_ko", "split"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PARA_START = re.compile(r"^\s*(\d+)\.\s")
MAX_QUOTE = 200


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Release:
    """A release file split into its own numbered paragraphs (notes stay with the one before)."""

    def __init__(self, path: Path):
        self.name = path.name
        raw = path.read_text(encoding="utf-8")
        self.flat = collapse(raw)
        self.paragraphs: dict[int, str] = {}
        date = re.search(r"^Date\s*\n\s*(\d{4}-\d{2}-\d{2})", raw, re.M)
        self.date = date.group(1) if date else ""
        current: int | None = None
        buf: list[str] = []
        for line in raw.splitlines():
            m = PARA_START.match(line)
            # Only the next number in sequence opens a paragraph, so a line that happens to
            # start with "2023." or a list number inside a paragraph does not split it.
            if m and int(m.group(1)) == (current or 0) + 1:
                if current is not None:
                    self.paragraphs[current] = collapse("\n".join(buf))
                current, buf = int(m.group(1)), [line]
            elif current is not None:
                buf.append(line)
        if current is not None:
            self.paragraphs[current] = collapse("\n".join(buf))

    def paragraphs_containing(self, quote: str) -> list[int]:
        q = collapse(quote)
        return [n for n, text in self.paragraphs.items() if q in text]


class Checker:
    def __init__(self, corpus: Path, strict_tags: bool = True):
        self.corpus = corpus
        self.extra: Path | None = None  # the current file's own release folder (EXTRA_RELEASES)
        self.strict_tags = strict_tags
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.releases: dict[Path, Release] = {}
        if not corpus.is_dir():
            raise SystemExit(f"corpus folder not found: {corpus} (pass --corpus DIR)")

    def release(self, name: str) -> Release | None:
        for folder in (self.corpus, self.extra):
            path = folder / name if folder is not None else None
            if path is not None and path.is_file():
                if path not in self.releases:
                    self.releases[path] = Release(path)
                return self.releases[path]
        return None

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def tag_problem(self, where: str, msg: str) -> None:
        (self.errors if self.strict_tags else self.warnings).append(f"{where}: {msg}")

    def check_record(self, rec: dict, where: str, is_new: bool) -> None:
        for key in REQUIRED:
            if key not in rec:
                self.err(where, f"missing field {key!r}")
        unknown = set(rec) - set(REQUIRED) - OPTIONAL
        if unknown:
            self.err(where, f"unknown fields {sorted(unknown)}")
        if any(key not in rec for key in REQUIRED):
            return
        for key in ("id", "question", "answer", "type"):
            if not isinstance(rec[key], str):
                self.err(where, f"{key!r} must be a string")
                return
        if not re.fullmatch(r"q\d{3,}", rec["id"]):
            self.err(where, f"id {rec['id']!r} is not like q123")
        qtype = rec["type"]
        if qtype not in TYPES:
            self.err(where, f"unknown type {qtype!r}")
        if not rec["question"].strip():
            self.err(where, "empty question")
        if is_new:
            if rec.get("split") not in ("dev", "test"):
                self.err(where, "new-question files need \"split\": \"dev\" or \"test\"")
        elif "split" in rec:
            self.err(where, "\"split\" belongs only in the *-new.jsonl files")

        sources = rec["sources"]
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            self.err(where, "sources must be a list of file names")
            return
        if len(set(sources)) != len(sources):
            self.err(where, "duplicate source")
        for s in sources:
            if self.release(s) is None:
                self.err(where, f"source {s!r} not in {self.corpus}" + (f" or {self.extra}" if self.extra else ""))

        history = rec.get("history")
        if history is not None and (not isinstance(history, list) or not all(
                isinstance(h, str) and h.strip() for h in history)):
            self.err(where, "history must be a list of non-empty strings")
        if qtype == "followup" and not history:
            self.err(where, "followup needs a non-empty history")

        answerable = qtype != "unanswerable"
        if not answerable:
            if rec["answer"] != "" or sources:
                self.err(where, "unanswerable needs answer \"\" and sources []")
        else:
            if not rec["answer"].strip():
                self.err(where, "answerable question with empty answer")
            if not sources:
                self.err(where, "answerable question with no sources")

        self.check_evidence(rec, where, answerable, sources)
        self.check_tags(rec, where, answerable, sources)

        if "asked_on" in rec:
            try:
                day = dt.date.fromisoformat(rec["asked_on"])
                if not dt.date(2022, 1, 1) <= day <= dt.date(2025, 12, 31):
                    self.err(where, f"asked_on {day} outside 2022-2025")
            except (TypeError, ValueError):
                self.err(where, f"asked_on {rec['asked_on']!r} is not YYYY-MM-DD")
        if "answer_ko" in rec:
            if not isinstance(rec["answer_ko"], str) or not rec["answer_ko"].strip():
                self.err(where, "answer_ko must be a non-empty string")
            elif not HANGUL.search(rec["question"]):
                self.err(where, "answer_ko given but the question is not asked in Korean")
            if not answerable:
                self.err(where, "answer_ko on an unanswerable question")

    def check_evidence(self, rec: dict, where: str, answerable: bool, sources: list) -> None:
        if "evidence" not in rec:
            self.err(where, "missing field 'evidence'")
            return
        evidence = rec["evidence"]
        if not isinstance(evidence, list):
            self.err(where, "evidence must be a list")
            return
        if not answerable:
            if evidence:
                self.err(where, "unanswerable question must have evidence []")
            return
        if not evidence:
            self.err(where, "answerable question with empty evidence")
        covered = set()
        for i, item in enumerate(evidence):
            w = f"{where} evidence[{i}]"
            if not isinstance(item, dict) or set(item) != {"source", "paragraph", "quote"}:
                self.err(w, "must be an object with exactly source, paragraph, quote")
                continue
            src, para, quote = item["source"], item["paragraph"], item["quote"]
            if src not in sources:
                self.err(w, f"source {src!r} is not one of the gold sources")
            rel = self.release(src) if isinstance(src, str) else None
            if rel is None:
                self.err(w, f"source {src!r} not in corpus")
                continue
            covered.add(src)
            if not isinstance(para, int) or isinstance(para, bool) or para < 1:
                self.err(w, f"paragraph must be an int >= 1, got {para!r}")
                continue
            if not isinstance(quote, str) or not quote.strip():
                self.err(w, "quote must be a non-empty string")
                continue
            if len(quote) > MAX_QUOTE:
                self.err(w, f"quote is {len(quote)} chars (max {MAX_QUOTE})")
            if para not in rel.paragraphs:
                self.err(w, f"{src} has no paragraph {para} (has 1..{max(rel.paragraphs, default=0)})")
                continue
            if collapse(quote) not in rel.flat:
                self.err(w, f"quote not found in {src}: {quote[:60]!r}")
                continue
            found = rel.paragraphs_containing(quote)
            if para not in found:
                self.err(w, f"quote is in paragraph(s) {found} of {src}, not {para}")
        for s in sources:
            if s not in covered:
                self.err(where, f"gold source {s} has no evidence item")
        self.check_numbers(rec, where, evidence)

    def check_numbers(self, rec: dict, where: str, evidence: list) -> None:
        """Warn when a number of the gold answer appears in no evidence quote (nor its paragraph).
        Only a warning: totals, day counts and years taken from the release date are legitimate."""
        words = {w: str(i) for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve".split())}

        def numbers(text: str) -> set[str]:
            found = {n.replace(",", "").lstrip("0") or "0" for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}
            return found | {words[w] for w in re.findall(r"[a-z]+", text.lower()) if w in words}
        wanted = numbers(rec["answer"])
        have: set[str] = set()
        for item in evidence:
            if isinstance(item, dict):
                have |= numbers(str(item.get("quote", "")))
                rel = self.releases.get(item.get("source"))
                if rel is not None and item.get("paragraph") in rel.paragraphs:
                    have |= numbers(rel.paragraphs[item["paragraph"]])
                if rel is not None and rel.date:
                    have.add(rel.date[:4])  # the year of the release's own date line
        missing = sorted(wanted - have)
        if missing:
            self.warnings.append(f"{where}: answer numbers {missing} not in the evidence paragraphs")

    def check_tags(self, rec: dict, where: str, answerable: bool, sources: list) -> None:
        if "tags" not in rec:
            self.err(where, "missing field 'tags'")
            return
        tags = rec["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            self.err(where, "tags must be a list of strings")
            return
        unknown = set(tags) - TAGS
        if unknown:
            self.err(where, f"unknown tags {sorted(unknown)}")
        if len(set(tags)) != len(tags):
            self.err(where, "duplicate tag")
        t = set(tags)
        asked_ko = bool(HANGUL.search(rec["question"]))
        if asked_ko != ("ko" in t):
            self.tag_problem(where, f"tag 'ko' must be present iff the question is in Korean (is Korean: {asked_ko})")
        if rec["type"] == "korean" and not asked_ko:
            self.tag_problem(where, "type korean but the question has no Korean")
        ko_rel = any(s.endswith("-ko.txt") for s in sources)
        en_rel = any(not s.endswith("-ko.txt") for s in sources)
        if ("ko-release" in t) != ko_rel or ("en-release" in t) != en_rel:
            self.tag_problem(where, f"release-language tags must match the sources (ko-release: {ko_rel}, en-release: {en_rel})")
        if ("multi-release" in t) != (len(sources) >= 2):
            self.tag_problem(where, "tag 'multi-release' must be present iff there are 2+ sources")
        miss = {"near-miss", "off-topic"} & t
        if answerable and miss:
            self.tag_problem(where, f"answerable question tagged {sorted(miss)}")
        if not answerable and len(miss) != 1:
            self.tag_problem(where, "unanswerable question needs exactly one of near-miss/off-topic")
        if (rec["type"] == "followup") != ("followup" in t):
            self.tag_problem(where, "tag 'followup' must be present iff type is followup")
        if rec.get("history") and rec["type"] != "followup" and "followup" not in t:
            self.warnings.append(f"{where}: has history but is neither type nor tag followup")
        if rec["type"] == "compare" and "compare" not in t:
            self.tag_problem(where, "type compare needs tag 'compare'")
        if "asked_on" in rec and "relative-time" not in t:
            self.tag_problem(where, "asked_on given but no 'relative-time' tag")

    def run(self, files: list[Path]) -> dict[str, dict]:
        by_id: dict[str, tuple[str, dict]] = {}
        subsets: list[tuple[str, dict]] = []
        for path in files:
            if not path.is_file():
                self.err(str(path), "file not found")
                continue
            self.extra = EXTRA_RELEASES.get(path.name)
            is_new = path.name.endswith("-new.jsonl")
            is_subset = "given" in path.name
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                where = f"{path.name}:{lineno}"
                if not line.strip():
                    self.err(where, "blank line")
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    self.err(where, f"invalid JSON: {exc}")
                    continue
                if not isinstance(rec, dict):
                    self.err(where, "not a JSON object")
                    continue
                where = f"{where} {rec.get('id')}"
                if is_subset:
                    subsets.append((where, rec))
                    continue
                self.check_record(rec, where, is_new)
                rid = rec.get("id")
                if rid in by_id:
                    self.err(where, f"duplicate id (also {by_id[rid][0]})")
                else:
                    by_id[rid] = (where, rec)
        for where, rec in subsets:
            other = by_id.get(rec.get("id"))
            if other is None:
                self.err(where, "subset-file id not found in the other files")
            elif other[1] != rec:
                diff = sorted(k for k in set(rec) | set(other[1]) if rec.get(k) != other[1].get(k))
                self.err(where, f"differs from {other[0]} in {diff}")
        return {k: v[1] for k, v in by_id.items()}


def summarize(files: list[Path], records: dict[str, dict]) -> None:
    from collections import Counter
    for path in files:
        if not path.is_file() or "given" in path.name:
            continue
        ids = [json.loads(l)["id"] for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        recs = [records[i] for i in ids if i in records]
        types = Counter(r.get("type") for r in recs)
        tags = Counter(t for r in recs for t in r.get("tags", []) if isinstance(t, str))
        splits = Counter(r.get("split") for r in recs if "split" in r)
        print(f"{path}: {len(recs)} questions")
        print("  types:", dict(sorted(types.items())))
        print("  tags: ", dict(sorted(tags.items())))
        if splits:
            print("  split:", dict(sorted(splits.items())))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--warn-only-tags", action="store_true",
                    help="report tag-consistency problems as warnings, not errors")
    ap.add_argument("--summary", action="store_true", help="print counts per type/tag/split")
    args = ap.parse_args()
    files = args.files or [
        ROOT / "evals/questions/dev.jsonl", ROOT / "evals/questions/test.jsonl", ROOT / "evals/questions/dev-given.jsonl",
        ROOT / "evals/questions/held-out-korean.jsonl",
        ROOT / "evals/questions/held-out-fresh.jsonl", ROOT / "evals/questions/held-out-releases.jsonl",
        ROOT / "evals/questions/dev-releases.jsonl",
    ]
    checker = Checker(args.corpus, strict_tags=not args.warn_only_tags)
    records = checker.run(files)
    for w in checker.warnings:
        print("WARNING", w)
    for e in checker.errors:
        print("ERROR", e)
    if args.summary:
        summarize(files, records)
    print(f"checked {len(files)} file(s), {len(records)} unique ids: "
          f"{len(checker.errors)} error(s), {len(checker.warnings)} warning(s)")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main())
