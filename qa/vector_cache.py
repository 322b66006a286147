"""Sentence vectors kept by text, least recently used dropped first.

The same releases come back for question after question, and the extractive answerer encodes every
candidate sentence of the passages it reads (most of an answer's time); a multi-part question scores
the same sentences once per part. A sentence is encoded once while it stays in the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np


class VectorCache:
    """`encode(texts)` of the wrapped model, remembering up to `size` texts' vectors (thread-safe).

    It keeps the model's `model_id`, so cached models can stand in for the parts of a model pair
    (ingest.embeddings.ConcatenatedEmbeddings)."""

    def __init__(self, model, size: int) -> None:
        self._encode = model.encode
        self.model_id = model.model_id
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self.size <= 0:
            return self._encode(texts)
        with self._lock:
            known = {t: self._vectors[t] for t in dict.fromkeys(texts) if t in self._vectors}
            for t in known:
                self._vectors.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = np.asarray(self._encode(missing))
            # A copy per row: a view would keep the whole batch alive while any one row is cached.
            known.update((t, fresh[i].copy()) for i, t in enumerate(missing))
            with self._lock:
                for t in missing:
                    self._vectors[t] = known[t]
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

    def __len__(self) -> int:
        return len(self._vectors)
