"""Multilingual vectors of the BM25 index's English terms, kept beside the index.

The retriever's lexical bridge (qa.bridge) matches a Korean question's words to English index terms by
these vectors. Encoding them on a server's first Korean question cost ~1 s for the corpus and would cost
tens of seconds for an archive, in every worker; ingest encodes each new term once instead, and every
process reads the file. Terms the file lacks (an index from before it, or an ingest in flight) are still
encoded by the reader, so the file is an optimisation, never a requirement.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ingest.analysis import ENGLISH_STOPWORDS

TERM_VECTORS = "term_vectors.npz"
_ENGLISH_TERM = re.compile(r"[a-z]{3,}")


def bridge_vocabulary(vocabulary: Iterable[str]) -> list[str]:
    """The index terms the bridge can bring in: English stems of three letters or more, no stopwords."""
    return sorted(t for t in set(vocabulary) if _ENGLISH_TERM.fullmatch(t) and t not in ENGLISH_STOPWORDS)


def load_term_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    """{term: vector} from the index folder; {} when there is no (readable) file."""
    try:
        with np.load(Path(index_dir) / TERM_VECTORS, allow_pickle=False) as data:
            return dict(zip(data["terms"].tolist(), data["vectors"]))
    except (OSError, KeyError, ValueError):
        return {}


def update_term_vectors(index_dir: Path, vocabulary: Iterable[str], model) -> int:
    """Encode the bridge terms the file lacks with `model` (the multilingual one), drop terms no longer
    in the index, and replace the file atomically. Returns how many terms were encoded."""
    terms = bridge_vocabulary(vocabulary)
    known = load_term_vectors(index_dir)
    new = [t for t in terms if t not in known]
    if new:
        known.update(zip(new, np.asarray(model.encode(new), dtype=np.float32)))
    if not new and set(known) == set(terms):
        return 0
    path = Path(index_dir) / TERM_VECTORS
    tmp = path.with_name(path.name + ".tmp.npz")
    vectors = np.stack([known[t] for t in terms]).astype(np.float32) if terms else np.zeros((0, 1), np.float32)
    np.savez(tmp, terms=np.array(terms, dtype=str), vectors=vectors)
    os.replace(tmp, path)
    return len(new)
