"""Foreign names as Korean releases spell them: "Ireland" is 아일랜드, "Turkmenistan" 투르크메니스탄.

An English question names a place or person that a Korean release writes in Hangul, so a word match
finds nothing (and a Korean question's 폴란드 finds no "Poland"). A Hangul loanword keeps the name's consonants in order,
so both spellings are reduced to a skeleton of consonant classes (r and l one class, as Korean has one
liquid; voiced and voiceless stops together; vowels and glides dropped; repeats merged):
"Ireland" and 아일랜드 both give "_lnt" (the mark: it starts with a vowel), "Blinken" and 블링컨 "blnkn".
Equal skeletons count as the same name when the syllable counts are close (equal for two consonants).
The retriever's name bridge (qa.bridge) uses it to choose search terms, beside the multilingual model,
and the answerer to credit a Korean sentence with the English question's names it spells
(`qa.bridge.names_spelled_in`); it never puts a word into an answer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Consonant classes. Korean initial and final jamo in Unicode order (ㅇ as an initial is silent; as a
# final it is "ng", which English writes "n" before a k sound: 블링컨, Blinken).
_KO_INITIAL = ["k", "k", "n", "t", "t", "l", "m", "b", "b", "s", "s", "", "j", "j", "j", "k", "t", "b", "h"]
_KO_FINAL = ["", "k", "k", "ks", "n", "nj", "nh", "t", "l", "lk", "lm", "lb", "ls", "lt", "lb", "lh",
             "m", "b", "bs", "s", "s", "n", "j", "j", "k", "t", "b", "h"]
# English spellings to the same classes, longest first ("sch", "ch", "ck"…); vowels, y, w and a
# silent "gh" drop out.
_EN_RULES = [
    ("sch", "s"), ("tch", "j"), ("ch", "j"), ("sh", "s"), ("th", "t"), ("ph", "b"), ("ck", "k"), ("gh", ""),
    ("qu", "k"), ("x", "ks"), ("c(?=[eiy])", "s"), ("c", "k"), ("q", "k"), ("g", "k"), ("d", "t"),
    ("p", "b"), ("f", "b"), ("v", "b"), ("z", "j"), ("r", "l"), ("[aeiouyw]", ""),
]
_EN_PATTERN = re.compile("|".join(f"({pattern})" for pattern, _ in _EN_RULES))
_SILENT = 11  # ㅇ as an initial
_EPENTHETIC = 18  # ㅡ, the vowel Korean adds between an English name's consonants ("Blinken": 블링컨)
MIN_CLASSES = 2  # "Bali"/발리 ("bl") is too short to tell from ordinary words; "Ireland" ("lnt") is not


def _squeeze(classes: str) -> str:
    return re.sub(r"(.)\1+", r"\1", classes)


@lru_cache(maxsize=4096)
def latin_skeletons(word: str) -> frozenset[str]:
    """The name's skeleton, and the one without an "r" before a consonant (Sherman, 셔먼), which
    Korean drops from English names and keeps from Spanish ones (Bárcena, 바르세나)."""
    word = _ascii(word)
    word = re.sub(r"ng(?![aeiouy])", "n", word)  # "Hong" -> 홍: a final "ng" is one sound
    variants = {word, re.sub(r"(?<=[aeiou])r(?![aeiouy])", "", word)}
    return frozenset(_latin_classes(variant) for variant in variants)


def _latin_classes(word: str) -> str:
    start = "_" if word[:1] in "aeiouwy" else ""  # Korean writes "Wa-", "Yo-" with a silent ㅇ: 워싱턴
    classes = start + _EN_PATTERN.sub(lambda m: _EN_RULES[m.lastindex - 1][1], word)
    # "h" is written in Korean only where it is sounded: at a word's start or between vowels.
    return _squeeze(classes if not classes[1:] else classes[0] + classes[1:].replace("h", ""))


@lru_cache(maxsize=4096)
def hangul_skeleton(word: str) -> str:
    out = []
    for char in word:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            continue
        initial, final = code // 588, code % 28
        out.append(("_" if not out and initial == _SILENT else _KO_INITIAL[initial]) + _KO_FINAL[final])
    joined = "".join(out)
    return _squeeze(joined if not joined[1:] else joined[0] + joined[1:].replace("h", ""))


def _ascii(word: str) -> str:
    """"Türkiye" -> "turkiye", "Bárcena" -> "barcena"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return re.sub(r"[^a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def latin_syllables(word: str) -> int:
    """Sounded vowel groups: "Ireland" 3 (I-re-land), "Hayashi" 3, "Blinken" 2; a final silent "e"
    is not one, nor a "y" beside a vowel."""
    word = re.sub(r"(?<=[^aeiou])e$", "", _ascii(word))
    return len(re.findall(r"[aeiou]+|(?<![aeiou])y(?![aeiou])", word))


def hangul_syllables(word: str) -> int:
    """Syllables with a vowel of the name's own: 블링컨 2, 투르크메니스탄 4 (르, 크, 스 are added)."""
    return sum(1 for char in word if 0 <= ord(char) - 0xAC00 < 11172 and (ord(char) - 0xAC00) % 588 // 28 != _EPENTHETIC)


def spelled_in_hangul(term: str, hangul_words: list[str] | set[str]) -> bool:
    """Whether one of `hangul_words` (Hangul words: index terms or nouns) is `term`, a Latin-script name,
    in Hangul: the same consonants in order, and about as many syllables."""
    skeletons = {s for s in latin_skeletons(term) if len(s.lstrip("_")) >= MIN_CLASSES}
    if not skeletons:
        return False
    syllables = latin_syllables(term)
    # Two consonants alone match too much (진, 한, 박): they need as many syllables too. Longer ones may
    # differ by two: Korean splits diphthongs and ends a final consonant with a vowel (Ukraine, 우크라이나).
    for word in hangul_words:
        skeleton = hangul_skeleton(word)
        if skeleton in skeletons:
            slack = 2 if len(skeleton.lstrip("_")) >= 3 else 0
            if abs(hangul_syllables(word) - syllables) <= slack:
                return True
    return False
