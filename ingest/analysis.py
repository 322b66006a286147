"""Terms for lexical matching: English through the Snowball stemmer, Korean through Kiwi's morphemes.

One analyser serves the BM25 index, the queries searched against it, and the answerer's token
overlap, so a word is cut the same way wherever it is compared.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer

ENGLISH_STOPWORDS = frozenset(
    """a an the and or but of to in on at by for with from as into about over after before
    during between under than then that this these those is are was were be been being has have had
    do does did will would shall should can could may might must it its it's he she they them his her
    their we our you your i me my which who whom whose what when where why how whether if so not no
    also any all each both either neither other such there here said say says 's s""".split()
)
# Korean words that frame a question or stand in for something named elsewhere.
KOREAN_STOPWORDS = frozenset("것 수 등 때 그때 무엇 얼마 어디 누구 언제 어떻 어느 어떤 관련 당시 이번 해당 하 되 있 없 이 그".split())

_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_ORDINALS = {w: str(i) for i, w in enumerate("zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split())}

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:st|nd|rd|th)?|[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?", re.UNICODE)
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# Kiwi's tags for morphemes that carry content: nouns, numerals, foreign words, roots, verb and adjective stems.
_KOREAN_CONTENT = frozenset({"NNG", "NNP", "NR", "SL", "SN", "SH", "XR", "VV", "VA"})
MAX_TERM_CHARS = 40  # longer "words" are noise (URLs, hashes, hostile input); cut, not dropped

_local = threading.local()  # a Stemmer object is not safe to share between threads
_kiwi = None
_kiwi_lock = threading.Lock()


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("’", "'").replace("‘", "'")


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def stem(word: str) -> str:
    """Snowball (Porter 2) English stem of one lower-case word."""
    return _stemmer().stemWord(word[:MAX_TERM_CHARS])


def _kiwi_instance():
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi  # only texts with Hangul need it

            # Without the multi-word dictionary: it loads in 1 s instead of 2.8 s (start-up time), and a
            # name stays searchable by its parts ("토니 블링컨" was one term, so "블링컨" found nothing).
            _kiwi = Kiwi(load_multi_dict=False)
        return _kiwi


def number_term(raw: str) -> str:
    """"1,513" -> "1513", "8th" -> "8"; a decimal point stays ("2.5")."""
    return re.sub(r"(?<=\d)(st|nd|rd|th)$", "", raw.replace(",", ""))


def english_terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    out: list[str] = []
    for raw in _TOKEN.findall(normalize(text)):
        if raw[0].isdigit():
            out.append(number_term(raw))
            continue
        # "vice-minister" is already two tokens; "korea's" -> "korea".
        word = raw.split("'")[0]
        if word in _NUMBER_WORDS or word in _ORDINALS:
            out.append(_NUMBER_WORDS.get(word) or _ORDINALS[word])
        elif keep_stopwords or (word not in ENGLISH_STOPWORDS and len(word) > 1):
            out.append(stem(word))
    return out


def korean_terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    out: list[str] = []
    for token in _kiwi_instance().tokenize(normalize(text)):
        if token.tag not in _KOREAN_CONTENT:
            continue
        form = token.form
        if token.tag == "SN":
            out.append(number_term(form))
        elif token.tag == "SL":
            out.extend(english_terms(form, keep_stopwords=keep_stopwords))
        elif keep_stopwords or form not in KOREAN_STOPWORDS:
            out.append(form[:MAX_TERM_CHARS])
    return out


def korean_proper_nouns(text: str) -> list[str]:
    """The Hangul proper nouns Kiwi finds in `text` (NNP, two syllables or more): 멕시코, 에브라르드, 박진."""
    return list(dict.fromkeys(t.form for t in _kiwi_instance().tokenize(normalize(text)) if _hangul_name(t.form, t.tag)))


def _hangul_name(form: str, tag: str) -> bool:
    return tag == "NNP" and len(form) >= 2 and has_hangul(form)


_PLACE_PARTICLES = frozenset({"에서", "에", "로", "으로"})
_NOUN_PHRASE = frozenset({"NNP", "NNG", "NNB", "SN", "SL", "SH", "XPN", "XSN"})


def korean_places(text: str) -> list[str]:
    """Hangul proper nouns of a noun phrase that a place particle closes: "아다나 공군기지로",
    "인도네시아 발리에서" give 아다나, 인도네시아, 발리. (Korean does not capitalise a place name; its
    particle says where.)"""
    found: list[str] = []
    phrase: list[tuple[str, str]] = []
    for token in _kiwi_instance().tokenize(normalize(text)):
        if token.tag in _NOUN_PHRASE:
            phrase.append((token.form, token.tag))
            continue
        if token.tag == "JKB" and token.form in _PLACE_PARTICLES:
            found += [form for form, tag in phrase if _hangul_name(form, tag)]
        phrase = []
    return list(dict.fromkeys(found))


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def analyze(text: str, language: str | None = None, *, keep_stopwords: bool = False) -> list[str]:
    """Content terms of `text`: stemmed English words, Korean content morphemes, bare numbers.

    `language` "ko" sends the text through Kiwi, "en" through the stemmer alone; None decides by
    whether the text holds any Hangul. Korean text keeps its Latin words, stemmed as English.
    """
    if not text:
        return []
    if language == "ko" or (language is None and has_hangul(text)):
        return korean_terms(text, keep_stopwords=keep_stopwords)
    return english_terms(text, keep_stopwords=keep_stopwords)
