"""Names as English releases write them: runs of two or three capitalised words ("Cho Tae-yul",
"Park Jin", "Han Duck-soo").

A Korean name is one word in Hangul (조태열) but two or three in English, so no single index term
matches it by sound. The side index keeps each English chunk's runs (ingest.lexical); the
retriever's name bridge (qa.bridge) matches a Korean question's word against them by sound and
searches the run's words in the English releases.
"""

from __future__ import annotations

import re

# A capitalised word, hyphenated parts included ("Tae-yul", "Duck-soo"); a run is two or more.
_WORD = r"[A-Z][a-z]+(?:-[a-z]+)*"
_RUN = re.compile(rf"\b{_WORD}(?:[ \t]+{_WORD})+\b")
SIZES = (2, 3)


def name_runs(text: str) -> set[str]:
    """Every window of two or three words inside the text's runs of capitalised words: "Foreign
    Minister Cho Tae-yul" gives "Cho Tae-yul" among its windows (a title before a name makes the
    run longer than the name)."""
    out: set[str] = set()
    for match in _RUN.finditer(text):
        words = match.group(0).split()
        for size in SIZES:
            out.update(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return out
