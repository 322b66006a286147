"""A real model, counting what it is asked to encode: for tests of what gets encoded, and how often."""


class CountingModel:
    def __init__(self, inner) -> None:
        self.inner, self.encoded = inner, 0

    def encode(self, texts):
        self.encoded += len(texts)
        return self.inner.encode(texts)
