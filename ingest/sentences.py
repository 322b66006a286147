"""Sentence splitting for English and Korean release text, aware of diplomatic abbreviations."""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?。])[\"'”’)\]]*\s+|\n+")
_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "st", "no", "nos", "vol", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "gen", "lt", "col", "amb", "rep", "sen", "gov",
    "prof", "vs", "etc", "e.g", "i.e", "approx", "inc", "co", "ltd", "jr", "sr",
}
# "U.S.", "D.C.", "U.K.": dotted capitals are abbreviations, not sentence ends.
_DOTTED = re.compile(r"(?:\b[A-Z]\.){1,3}$")


def _ends_with_abbreviation(text: str) -> bool:
    if _DOTTED.search(text):
        return True
    word = re.search(r"([A-Za-z.]+)\.$", text)
    return bool(word) and word.group(1).lower() in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        head = text[start : match.start()].rstrip()
        tail = text[match.end() : match.end() + 1]
        is_newline = "\n" in match.group(0)
        if not is_newline and (_ends_with_abbreviation(head) or (tail and tail.islower())):
            continue
        if head.strip():
            sentences.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences
