"""Links to the original of each release, from the corpus's `sources.tsv` (file, date, title, source_urls)."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

log = logging.getLogger("pressroom.web")


def load_release_links(path: Path | None) -> dict[str, list[str]]:
    """file name -> its URLs (first is the primary); {} when there is no file. A bad line is skipped, not fatal."""
    if path is None or not Path(path).is_file():
        return {}
    links: dict[str, list[str]] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                name = (row.get("file") or "").strip()
                urls = [u.strip() for u in (row.get("source_urls") or row.get("url") or "").split("|")]
                urls = [u for u in urls if u.startswith(("http://", "https://"))]
                if name and urls:
                    links[name] = urls
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        log.warning("could not read release links from %s: %s", path, exc)
    return links
