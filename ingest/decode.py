"""Turning a release file's bytes into text: UTF-8 (with or without BOM) or the Korean CP949/EUC-KR."""

from __future__ import annotations


class UnreadableFileError(ValueError):
    """A file that cannot be read as a release; the message says why and what to do."""


def decode_bytes(data: bytes, name: str = "file") -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableFileError(
            f"{name}: looks like a binary file, not text; save the release as .txt, .md or .html"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # CP949 is a superset of EUC-KR, so one attempt covers both.
        return data.decode("cp949")
    except UnicodeDecodeError:
        pass
    raise UnreadableFileError(
        f"{name}: not valid UTF-8 or CP949/EUC-KR text; re-save it as UTF-8 and ingest again"
    )
