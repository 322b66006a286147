"""Encodings a release file arrives in: each read as the text it is, or refused by name."""

from __future__ import annotations

import codecs

import pytest

from ingest.decode import UnreadableFileError, decode_bytes, detect_encoding

GERMAN = "Ärzte ohne Grenzen – the “ministry” welcomed €5 million for Médecins Sans Frontières’ work."
FRENCH = "Le ministère des Affaires étrangères a annoncé, à Genève, une réunion « importante »."
KOREAN = "외교부는 14일 한-일 외교장관 회담을 개최하였다고 밝혔다. 양측은 협력 강화에 합의했다."
MIXED = "Press Releases\n\n외교부 Ärzte ohne Grenzen 2023년 3월 14일"


@pytest.mark.parametrize(
    ("text", "data"),
    [
        (GERMAN, GERMAN.encode("cp1252")),
        ("Ärzte ohne Grenzen", "Ärzte ohne Grenzen".encode("cp1252")),  # short: where CP949 used to win
        (FRENCH, FRENCH.encode("latin-1")),
        (KOREAN, KOREAN.encode("cp949")),
        (KOREAN, KOREAN.encode("euc-kr")),
        ("외교부 보도자료", "외교부 보도자료".encode("euc-kr")),
        (MIXED, codecs.BOM_UTF16_LE + MIXED.encode("utf-16-le")),
        (MIXED, codecs.BOM_UTF16_BE + MIXED.encode("utf-16-be")),
        (MIXED, codecs.BOM_UTF8 + MIXED.encode("utf-8")),
        (MIXED, MIXED.encode("utf-8")),
        (GERMAN, GERMAN.encode("utf-16-le")),  # no BOM
    ],
    ids=["cp1252", "cp1252-short", "latin-1", "cp949", "euc-kr", "euc-kr-short", "utf-16-le-bom", "utf-16-be-bom",
         "utf-8-bom", "utf-8", "utf-16-le-no-bom"],
)
def test_each_encoding_reads_as_the_text_it_is(text, data):
    assert decode_bytes(data, "x.txt") == text


def test_cp1252_is_never_read_as_korean():
    decoded = decode_bytes("Ärzte ohne Grenzen".encode("cp1252"), "x.txt")
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in decoded)


@pytest.mark.parametrize(
    "data",
    [
        "外務省は本日、日韓外相会談を開催したと発表しました。".encode("shift_jis"),
        "Министерство иностранных дел сообщило сегодня о встрече.".encode("koi8-r"),
        bytes(range(0x80, 0x100)) * 4,
    ],
    ids=["shift-jis", "koi8-r", "high-bytes"],
)
def test_an_encoding_it_cannot_tell_is_a_named_failure(data):
    assert detect_encoding(data) is None
    with pytest.raises(UnreadableFileError, match=r"^odd\.txt: cannot tell its text encoding.*UTF-8"):
        decode_bytes(data, "odd.txt")


def test_binary_is_refused_as_binary():
    with pytest.raises(UnreadableFileError, match="binary"):
        decode_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "program.txt")
    with pytest.raises(UnreadableFileError, match="binary"):
        decode_bytes(b"text\x00with a NUL", "nul.txt")


def test_a_bom_over_bytes_that_do_not_fit_it_is_refused():
    with pytest.raises(UnreadableFileError, match="bad.txt"):
        decode_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfd not utf-8", "bad.txt")
