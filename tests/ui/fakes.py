"""Made-up retrieval results shared by the web-layer tests."""

from qa.models import ScoredPassage

PASSAGE = ScoredPassage(
    chunk_id="kr-asean:p2.0:ab12",
    source="corpus/releases/010_korea-asean.txt",
    release_id="kr-asean",
    title="Korea-ASEAN Foreign Ministers' Meeting",
    date="2022-08-04",
    paragraph=2,
    language="en",
    text="Korea and ASEAN established dialogue relations in 1989.",
    score=0.8123456,
)
