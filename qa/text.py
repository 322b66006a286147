"""Text normalisation shared by the answerer and the metrics: tokens for English and Korean."""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    """a an the and or but of to in on at by for with from as into about over after before
    during between under than then that this these those is are was were be been being has have had
    do does did will would shall should can could may might must it its it's he she they them his her
    their we our you your i me my which who whom whose what when where why how whether if so not no
    also any all each both either neither other such there here said say says one two 's s
    korea korean republic rok minister ministry foreign affairs""".split()
)
# Words that frame a question but carry no fact to match.
QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how many much did does do was were is are according
    name named tell give list happened held hold take took mentioned""".split()
)

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:st|nd|rd|th)?|[a-z][a-z0-9'’-]*|[\uac00-\ud7a3]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("’", "'").replace("‘", "'")


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_ORDINALS = {
    w: str(i)
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}


_SIBILANTS = ("s", "x", "z", "ch", "sh")
# Endings where a final "s" is part of the word, not a plural: "status", "analysis", "class".
_NOT_PLURAL_S = ("ss", "us", "is")
_VOWELS = frozenset("aeiou")


def _is_consonant(word: str, i: int) -> bool:
    if word[i] in _VOWELS:
        return False
    # "y" after a consonant is a vowel sound: "by", "syria".
    return word[i] != "y" or i == 0 or not _is_consonant(word, i - 1)


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences ("tr"=0, "hop"=1, "unit"=2)."""
    pattern = "".join("c" if _is_consonant(stem, i) else "v" for i in range(len(stem)))
    return len(re.findall(r"v+c+", pattern))


def _ends_cvc(stem: str) -> bool:
    # consonant-vowel-consonant, the last not w/x/y: "hop", "not", "tak" (but not "show", "box").
    return (
        len(stem) >= 3
        and _is_consonant(stem, len(stem) - 3)
        and not _is_consonant(stem, len(stem) - 2)
        and _is_consonant(stem, len(stem) - 1)
        and stem[-1] not in "wxy"
    )


def _after_ed_ing(stem: str) -> str:
    """Repair a stem left by removing "ed"/"ing" so it matches the bare word (Porter's step 1b)."""
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"  # "designated" -> "designate", "enabled" -> "enable"
    if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiouylsz":
        return stem[:-1]  # "planned" -> "plan"; "called", "passed" keep their double
    if _measure(stem) == 1 and _ends_cvc(stem):
        return stem + "e"  # "noted" -> "note", "taking" -> "take"
    return stem


def _stem(word: str) -> str:
    """Light English stemming that sends the usual forms of a word to one stem.

    Each step at most once, in order: the plural or third person ("ies" -> "y"; "es" after
    s/x/z/ch/sh; else "s"), then "eed"/"ied"/"ed"/"ing", then a final "e" after s/x/z/ch/sh (so
    the bare word meets its "es" plural). "meetings"/"meeting" -> "meet", "releases"/"release" ->
    "releas", "designated"/"designates"/"designate" -> "designate", "countries" -> "country".
    """
    w = word
    if w.endswith("ies") and len(w) >= 5:
        w = w[:-3] + "y"
    elif w.endswith("es") and len(w) >= 5 and w[:-2].endswith(_SIBILANTS):
        w = w[:-2]
    elif w.endswith("s") and len(w) >= 4 and not w.endswith(_NOT_PLURAL_S):
        w = w[:-1]
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]  # "agreed" -> "agree"; "need", "speed" stay
    elif w.endswith("ied") and len(w) >= 5:
        w = w[:-3] + "y"  # "applied" -> "apply"
    elif w.endswith("ed") and len(w) >= 5 and _measure(w[:-2]) > 0:
        w = _after_ed_ing(w[:-2])
    elif w.endswith("ing") and len(w) >= 6 and _measure(w[:-3]) > 0:
        w = _after_ed_ing(w[:-3])
    if w.endswith("e") and len(w) >= 4 and w[:-1].endswith(_SIBILANTS):
        w = w[:-1]  # "release" -> "releas" like "releases"; "size" -> "siz" like "sizes"
    return w


# Stopwords compared after stemming, so their plurals ("ministers", "ministries") go too.
_STOPWORD_STEMS = frozenset(_stem(w) for w in STOPWORDS)
# The answerer filters stemmed question tokens against QUESTION_WORDS: hold the stems as well
# ("named" -> "name", "happened" -> "happen").
QUESTION_WORDS = QUESTION_WORDS | frozenset(_stem(w) for w in QUESTION_WORDS)


def tokens(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Content tokens: stemmed English words, numbers without separators, Korean character bigrams."""
    out: list[str] = []
    for raw in _TOKEN.findall(normalize(text)):
        if raw[0].isdigit():
            # "8th" and "eighth" both become "8"; "1,513" becomes "1513".
            out.append(re.sub(r"(?<=\d)(st|nd|rd|th)$", "", raw.replace(",", "")))
        elif _HANGUL.fullmatch(raw):
            # Korean attaches particles to words; character bigrams match across them.
            out.extend(raw[i : i + 2] for i in range(max(1, len(raw) - 1)))
        else:
            # "Korea's" -> "korea", "s"; "vice-minister" -> "vice", "minister": each piece on its own.
            for part in re.split(r"[-'’]", raw):
                if not part:
                    continue
                if part in _NUMBER_WORDS or part in _ORDINALS:
                    out.append(_NUMBER_WORDS.get(part) or _ORDINALS[part])
                    continue
                if drop_stopwords and (part in STOPWORDS or len(part) < 2):
                    continue
                stem = _stem(part)
                if drop_stopwords and stem in _STOPWORD_STEMS:
                    continue
                out.append(stem)
    return out


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))
