"""Parsing release files: the ministry layout (the real sample 000 and every corpus file), other
encodings, plain text, Markdown, saved HTML pages, and the files that must be refused."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from ingest.decode import UnreadableFileError, decode_bytes
from ingest.models import Release
from ingest.parse import load_release, parse_paragraphs, parse_release

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "corpus" / "releases"
SAMPLE = RELEASES / "000_3a0123e4a4b49311.txt"
CORPUS_FILES = sorted(RELEASES.glob("*.txt"))
KOREAN_FILE = RELEASES / "015_turkiye-kdrt-ko.txt"  # every character of it exists in CP949

SAMPLE_TITLE = (
    "Minister of Foreign Affairs Park Jin Discusses Ways to Deepen and Expand "
    "ASEAN-Korea Partnership with ASEAN Secretary-General"
)
# The site navigation saved above the release in 000, and the header labels.
NAVIGATION = ["바로가기 메뉴", "본문 바로가기", "주메뉴 바로가기", "검색창 열기", "KOR", "Press Releases"]
CIRCLED = "①②③④⑤⑥⑦⑧"


@pytest.fixture(scope="module")
def sample() -> Release:
    return load_release(SAMPLE)


# -- the real sample -------------------------------------------------------------------------


def test_sample_header(sample):
    assert sample.source == "000_3a0123e4a4b49311.txt"
    assert sample.release_id == "000_3a0123e4a4b49311"
    assert sample.title == SAMPLE_TITLE
    assert sample.date == date(2023, 6, 20)
    assert sample.date_iso == "2023-06-20"
    assert sample.hits == 6094
    assert sample.language == "en"


def test_sample_has_eight_numbered_paragraphs(sample):
    assert [p.number for p in sample.paragraphs] == list(range(1, 9))
    assert sample.paragraphs[0].text.startswith("On June 16, Minister of Foreign Affairs Park Jin held a luncheon")
    assert sample.paragraphs[2].text.startswith("Foreign Minister Park noted that Korea and ASEAN")
    assert "dialogue relations in 1989" in sample.paragraphs[2].text
    assert sample.paragraphs[7].text.startswith("In addition, Foreign Minister Park introduced")
    for p in sample.paragraphs:
        # The number is not repeated in the text, and the trailing no-break spaces are gone.
        assert not re.match(r"\d+\.", p.text)
        assert p.text == p.text.strip() and "\u00a0" not in p.text


def test_sample_navigation_is_not_in_any_paragraph(sample):
    for p in sample.paragraphs:
        for line in NAVIGATION:
            assert line not in p.body, (p.number, line)
    assert not any(line in sample.title for line in NAVIGATION[:-1])
    assert "Press Releases" not in sample.title


def test_sample_notes_attach_to_the_paragraph_before_them(sample):
    notes = {p.number: p.notes for p in sample.paragraphs}
    assert {n: len(v) for n, v in notes.items()} == {1: 1, 2: 0, 3: 1, 4: 2, 5: 0, 6: 1, 7: 0, 8: 1}
    assert notes[1][0].startswith("※ Dr. Kao Kim Hourn was inaugurated as Secretary-General of ASEAN")
    assert notes[3][0].startswith("※ ASEAN is Korea’s ▲second-largest trading partner")
    assert notes[4][0].startswith("※ KASI’s 8 core lines of effort")
    assert notes[4][1].startswith("※ ASEAN Outlook on the Indo-Pacific (AOIP)")
    assert notes[6][0].startswith("※ Comprehensive Strategic Partnership (CSP) is the highest level")
    assert notes[8][0].startswith("※ Secretary-General Kao is scheduled to visit the World Expo site")
    for p in sample.paragraphs:
        assert "※" not in p.text, "a note leaked into the paragraph text"
        assert all(note.startswith("※ ") for note in p.notes)
        # body = text then notes, which is what gets embedded and quoted
        assert p.body == "\n".join((p.text, *p.notes))


def test_sample_bullets_and_circled_numbers_stay_inside_their_paragraph(sample):
    by_number = {p.number: p for p in sample.paragraphs}
    # ▲ bullets: three in paragraph 1's text, three in paragraph 3's note, nowhere else.
    assert by_number[1].text.count("▲") == 3
    assert by_number[3].notes[0].count("▲") == 3
    assert sum(p.body.count("▲") for p in sample.paragraphs) == 6
    # ①..⑧ all in the KASI note of paragraph 4, in order, and they did not start paragraphs.
    kasi = by_number[4].notes[0]
    positions = [kasi.index(c) for c in CIRCLED]
    assert positions == sorted(positions)
    for p in sample.paragraphs:
        if p.number != 4:
            assert not any(c in p.body for c in CIRCLED)


# -- every corpus file -----------------------------------------------------------------------


def _sources_tsv() -> dict[str, dict[str, str]]:
    with (ROOT / "corpus" / "sources.tsv").open(encoding="utf-8", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


SOURCES = _sources_tsv()


def test_corpus_is_all_there():
    assert len(CORPUS_FILES) == 42
    assert sum(f.stem.endswith("-ko") for f in CORPUS_FILES) >= 4


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_file_parses(path: Path):
    release = load_release(path)
    assert release.source == path.name
    assert release.title.strip() and "Press Releases" not in release.title
    assert isinstance(release.date, date)
    numbers = [p.number for p in release.paragraphs]
    assert numbers and numbers[0] == 1
    assert all(b > a for a, b in zip(numbers, numbers[1:])), numbers
    assert all(p.text for p in release.paragraphs)
    assert release.language == ("ko" if path.stem.endswith("-ko") else "en")
    assert isinstance(release.hits, int)
    if path.name in SOURCES:  # sources.tsv records each restated release's date and title
        assert release.date_iso == SOURCES[path.name]["date"]
        assert release.title == SOURCES[path.name]["title"]


# -- encodings ------------------------------------------------------------------------------


def test_utf8_with_bom_parses_like_the_original():
    data = KOREAN_FILE.read_bytes()
    original = parse_release(data, KOREAN_FILE.name)
    with_bom = parse_release(b"\xef\xbb\xbf" + data, KOREAN_FILE.name)
    assert with_bom == original
    assert original.language == "ko" and original.title.startswith("튀르키예")


def test_cp949_copy_parses_like_the_original(tmp_path):
    text = KOREAN_FILE.read_text(encoding="utf-8")
    copy = tmp_path / KOREAN_FILE.name
    copy.write_bytes(text.encode("cp949"))
    with pytest.raises(UnicodeDecodeError):
        copy.read_bytes().decode("utf-8")  # the copy really is not UTF-8
    assert load_release(copy) == load_release(KOREAN_FILE)


def test_euc_kr_copy_parses_like_the_original():
    data = KOREAN_FILE.read_text(encoding="utf-8").encode("euc-kr")
    assert parse_release(data, KOREAN_FILE.name) == parse_release(KOREAN_FILE.read_bytes(), KOREAN_FILE.name)


def test_crlf_line_endings_parse_like_the_original():
    data = SAMPLE.read_bytes()
    assert parse_release(data.replace(b"\n", b"\r\n"), SAMPLE.name) == parse_release(data, SAMPLE.name)


# -- plain text and Markdown -------------------------------------------------------------------


def test_plain_text_without_header_takes_title_from_first_line():
    text = (
        "\n\nKorea Hosts Regional Forum on Maritime Security\n\n"
        "Officials from twelve countries met in Busan on Tuesday to discuss maritime security.\n\n"
        "The participants agreed to meet again next year in Manila.\n"
    )
    release = parse_release(text.encode("utf-8"), "forum-notes.txt")
    assert release.title == "Korea Hosts Regional Forum on Maritime Security"
    assert release.date is None and release.date_iso == ""
    assert release.release_id == "forum-notes"
    assert release.language == "en"
    assert [(p.number, p.text) for p in release.paragraphs] == [
        (1, "Officials from twelve countries met in Busan on Tuesday to discuss maritime security."),
        (2, "The participants agreed to meet again next year in Manila."),
    ]


def test_markdown_heading_is_the_title_and_notes_attach():
    text = (
        "# Korea to Provide Humanitarian Aid to Chile\n\n"
        "The government will provide USD 100,000 in humanitarian assistance.\n\n"
        "※ The aid will be delivered through the Chilean Red Cross.\n\n"
        "The assistance is expected to help the recovery of affected areas.\n"
    )
    release = parse_release(text.encode("utf-8"), "chile-aid.md")
    assert release.title == "Korea to Provide Humanitarian Aid to Chile"
    assert release.date is None
    assert [p.number for p in release.paragraphs] == [1, 2]
    assert release.paragraphs[0].notes == ("※ The aid will be delivered through the Chilean Red Cross.",)
    assert not any("#" in p.body for p in release.paragraphs)


def test_korean_plain_text_is_detected_as_korean():
    text = "한-아일랜드 워킹홀리데이 협정 개정\n\n양국은 워킹홀리데이 참가 연령 상한을 30세에서 34세로 높이기로 하였다.\n"
    release = parse_release(text.encode("utf-8"), "ireland.txt")
    assert release.language == "ko"
    assert release.title == "한-아일랜드 워킹홀리데이 협정 개정"


# -- HTML --------------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Press Releases | Ministry of Foreign Affairs, Republic of Korea</title>
  <script>var gnbMenu = ['Ministry', 'Press', 'Policy']; function openSearch() {{ return false; }}</script>
  <style>.board-view {{ margin: 0 auto; }}</style>
</head>
<body>
  <header>
    <a href="#content">Skip to content</a>
    <nav class="gnb"><ul><li><a href="/eng">Main Menu</a></li><li><a href="#">Open Search</a></li></ul></nav>
  </header>
  <main id="content">
    <div class="board-view">
      <h1>Foreign Minister Park Jin Holds Talks with Polish Foreign Minister Zbigniew Rau</h1>
      <p class="info">Date <time datetime="2023-03-14">{shown_date}</time></p>
      <div class="board-text">
        <p>1. Foreign Minister Park Jin held talks with Polish Foreign Minister Zbigniew Rau in Seoul on March 14.</p>
        <p>※ This was the first visit to Korea by a Polish foreign minister in five years.</p>
        <p>2. The two ministers agreed to expand cooperation in defense, nuclear power and infrastructure.</p>
      </div>
    </div>
  </main>
  <footer><p>Copyright Ministry of Foreign Affairs. All rights reserved.</p></footer>
  <script>trackPageView('press-release');</script>
</body>
</html>
"""


def _html_release(shown_date: str) -> Release:
    return parse_release(HTML_PAGE.format(shown_date=shown_date).encode("utf-8"), "park-rau.html")


def _assert_html_release(release: Release) -> None:
    assert release.title == "Foreign Minister Park Jin Holds Talks with Polish Foreign Minister Zbigniew Rau"
    assert release.date == date(2023, 3, 14)
    assert release.language == "en"
    assert [p.number for p in release.paragraphs] == [1, 2]
    first, second = release.paragraphs
    assert first.text.startswith("Foreign Minister Park Jin held talks with Polish Foreign Minister")
    assert first.notes == ("※ This was the first visit to Korea by a Polish foreign minister in five years.",)
    assert second.text.startswith("The two ministers agreed to expand cooperation")
    everything = release.title + "\n".join(p.body for p in release.paragraphs)
    for leaked in ("gnbMenu", "trackPageView", "openSearch", "Skip to content", "Main Menu", "Open Search",
                   "Copyright", "margin", "<p>", "Press Releases |"):
        assert leaked not in everything, leaked


def test_html_page_gives_title_date_and_paragraphs_without_navigation_or_script():
    # The ministry's site shows the date as 2023-03-14.
    _assert_html_release(_html_release("2023-03-14"))


def test_html_page_with_a_spelled_out_visible_date():
    _assert_html_release(_html_release("March 14, 2023"))


def test_html_drops_only_lines_that_are_just_a_date():
    html = (
        "<html><body><h1>Agreement Signed</h1><p>Date</p><p>14 March 2023 (Tue)</p>"
        "<p>1. Signed on 2023-03-14.</p><p>2. It enters into force on April 1, 2023.</p></body></html>"
    )
    release = parse_release(html.encode("utf-8"), "signed.html")
    assert release.date == date(2023, 3, 14)
    assert [(p.number, p.text) for p in release.paragraphs] == [
        (1, "Signed on 2023-03-14."),
        (2, "It enters into force on April 1, 2023."),
    ]


MINISTRY_HTML = (
    "<html><body><nav><a>ENG</a><a>Search</a></nav>"
    "{heading}"
    "<dl><dt>Date</dt><dd>2023-06-07</dd><dt>hit</dt><dd>1,234</dd></dl>"
    "<div><p>1. Korea was elected to the UN Security Council on June 6.</p>"
    "<p>※ It received 180 votes.</p><p>2. The term begins on January 1, 2024.</p></div>"
    "</body></html>"
)
UNSC_TITLE = "Korea Elected as Non-permanent Member of the UN Security Council"


def _assert_ministry_html(heading: str) -> None:
    release = parse_release(MINISTRY_HTML.format(heading=heading).encode("utf-8"), "unsc.htm")
    assert release.title == UNSC_TITLE
    assert release.date == date(2023, 6, 7)
    assert release.hits == 1234
    assert [p.number for p in release.paragraphs] == [1, 2]
    assert release.paragraphs[0].notes == ("※ It received 180 votes.",)
    assert not any("Search" in p.body for p in release.paragraphs)


def test_html_page_in_the_ministry_layout_uses_the_layout_parser():
    _assert_ministry_html(f"<h2>Press Releases</h2><h3>{UNSC_TITLE}</h3>")


def test_html_page_with_headings_wrapped_in_divs():
    _assert_ministry_html(f"<div class='tit'><h2>Press Releases</h2></div><div class='subject'><h3>{UNSC_TITLE}</h3></div>")


# -- paragraphs ----------------------------------------------------------------------------------


def test_numbered_list_inside_a_note_ending_with_colon_stays_in_the_note_first_item():
    paragraphs = parse_paragraphs(["1. First paragraph.", "※ Core lines:", "1. Upgrade ties", "2. Second paragraph."])
    assert paragraphs[0].notes == ("※ Core lines: 1. Upgrade ties",)
    assert [p.number for p in paragraphs] == [1, 2]


def test_whole_numbered_list_inside_a_note_stays_in_the_note():
    lines = [
        "1. The minister announced the initiative.",
        "※ Its core lines of effort:",
        "1. Upgrade the partnership",
        "2. Enhance cooperation",
        "3. Expand security cooperation",
        "2. The secretary-general welcomed it.",
    ]
    paragraphs = parse_paragraphs(lines)
    assert [p.number for p in paragraphs] == [1, 2]
    assert "3. Expand security cooperation" in paragraphs[0].notes[0]


def test_missing_date_line_does_not_make_a_paragraph_zero():
    release = parse_release(b"Press Releases\nA Title\nDate\nhit\n6094\n\n1. Para one.\n", "x.txt")
    assert release.date is None
    assert [p.number for p in release.paragraphs] == [1]


# -- files that must be refused ------------------------------------------------------------------

HEADER_ONLY = "바로가기 메뉴\nKOR\n\nPress Releases\n\nA Release Whose Body Was Lost\n\nDate\n2023-06-20\nhit\n12\n\n"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n \t\n", "empty"),
        ("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
        # Latin-1 and cp1252 are read now (tests/ingest/test_decode.py); an encoding outside the supported
        # set is refused by name rather than read as garbage.
        ("sjis.txt", "外務省は本日、日韓外相会談を開催したと発表しました。".encode("shift_jis") * 3, "UTF-8"),
        ("header-only.txt", HEADER_ONLY.encode("utf-8"), "no paragraphs"),
    ],
)
def test_unreadable_files_raise_with_the_file_name(tmp_path, name, data, why):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as err:
        load_release(path)
    assert name in str(err.value)
    assert why in str(err.value)
    assert isinstance(err.value, ValueError)


def test_decode_bytes_names_the_file():
    with pytest.raises(UnreadableFileError, match=r"^report\.docx: .*binary"):
        decode_bytes(b"PK\x03\x04\x00\x00", "report.docx")
    assert decode_bytes("보도자료".encode("cp949"), "x.txt") == "보도자료"
    assert decode_bytes(b"\xef\xbb\xbfPress Releases", "x.txt") == "Press Releases"


def test_html_without_title_or_paragraphs_is_refused():
    with pytest.raises(UnreadableFileError, match="untitled.html"):
        parse_release(b"<html><body><p>Some text without a heading.</p></body></html>", "untitled.html")
    with pytest.raises(UnreadableFileError, match="empty-page.html"):
        parse_release(b"<html><head><title>Only a title</title></head><body></body></html>", "empty-page.html")
