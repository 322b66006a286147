"""Text normalisation shared by the answerer and the verifier: tokens for English and Korean.

English words are stemmed by Snowball through ingest.analysis (the stemmer the BM25 index uses);
Korean words become character bigrams, which match across the particles Korean attaches.
"""

from __future__ import annotations

import re

from ingest.analysis import normalize, stem

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


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS = frozenset(_NUMBER_WORDS)  # "zero" … "twenty"
_ORDINALS = {
    w: str(i)
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}


# Stopwords compared after stemming, so their plurals ("ministers", "ministries") go too.
_STOPWORD_STEMS = frozenset(stem(w) for w in STOPWORDS)
# The answerer filters stemmed question tokens against QUESTION_WORDS: hold the stems as well
# ("named" -> "name", "happened" -> "happen").
QUESTION_WORDS = QUESTION_WORDS | frozenset(stem(w) for w in QUESTION_WORDS)


MONTHS = "january february march april may june july august september october november december".split()


def tokens(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Content tokens: stemmed English words, numbers without separators, Korean character bigrams.

    No step recurses or backtracks on a word's length, so a hostile 100,000-character word costs
    what any text of that length costs."""
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
                stemmed = stem(part)
                if drop_stopwords and stemmed in _STOPWORD_STEMS:
                    continue
                out.append(stemmed)
    return out


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))
