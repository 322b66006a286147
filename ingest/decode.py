"""Turning a release file's bytes into text.

UTF-8 (with or without BOM) is taken as is. Anything else is identified by charset-normalizer, but only
among the encodings press releases here come in: Korean (CP949, a superset of EUC-KR), Western European
(cp1252, a superset of printable Latin-1) and UTF-16. Restricting the candidates matters: CP949 accepts
most cp1252 byte pairs, so a plain "try CP949" turns "Ärzte ohne Grenzen" into Korean garbage, and an
unrestricted guess picks cp1250 for French. When no candidate reads cleanly the file is refused by name.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# charset-normalizer's names; the order breaks ties (Korean before Western European).
CANDIDATES = ("cp949", "cp1252", "utf_16_le", "utf_16_be")
# Share of "messy" characters above which a guess is not trusted (charset-normalizer's own default).
MAX_CHAOS = 0.2
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UnreadableFileError(ValueError):
    """A file that cannot be read as a release; the message says why and what to do."""


def detect_encoding(data: bytes) -> str | None:
    """The codec that reads `data`, or None when no supported encoding reads it with confidence."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=list(CANDIDATES), threshold=MAX_CHAOS).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, name: str = "file") -> str:
    codec = detect_encoding(data)
    if codec is None:
        if b"\x00" in data[:4096]:
            raise UnreadableFileError(
                f"{name}: looks like a binary file, not text; save the release as .txt, .md or .html"
            )
        raise UnreadableFileError(
            f"{name}: cannot tell its text encoding with confidence (tried UTF-8, UTF-16, CP949/EUC-KR, "
            "cp1252/Latin-1); re-save it as UTF-8 and ingest again"
        )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:  # a BOM followed by bytes that do not fit it
        raise UnreadableFileError(f"{name}: starts like {codec} but is not valid {codec} ({exc.reason}); re-save it as UTF-8") from exc
    if "\x00" in text:
        raise UnreadableFileError(f"{name}: looks like a binary file, not text; save the release as .txt, .md or .html")
    return text.removeprefix("\ufeff")
