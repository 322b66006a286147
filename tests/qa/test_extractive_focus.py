"""The asked-for thing ("how many Singaporean nationals") weighs more in a sentence's word overlap than
the scene the question sets ("on the KC-330 that left Tel Aviv on October 14")."""

from __future__ import annotations

from dataclasses import replace

from qa.extractive import ExtractiveAnswerer, ExtractiveConfig, focus_tokens
from qa.models import Query, ScoredPassage, SearchPlan
from qa.text import tokens


def test_focus_is_the_phrase_after_the_question_word_up_to_its_verb():
    assert focus_tokens("How many Singaporean nationals were on the KC-330?") == set(tokens("Singaporean nationals"))
    assert focus_tokens("Which Japanese embassy official did the ministry summon?") == set(
        tokens("Japanese embassy official")
    )
    # "who" is followed by the verb itself: the relation asked about.
    assert focus_tokens("Who co-chaired the meeting with Park Jin?") >= set(tokens("co-chaired"))
    # No question word, no focus; and the question words themselves are never focus.
    assert focus_tokens("Tell me about the meeting.") == set()
    assert not focus_tokens("What did they agree?") & {"did", "what"}


def _passage(text: str) -> ScoredPassage:
    return ScoredPassage("r:p1.0:x", "r.txt", "r", "Evacuation flight", "2023-10-14", 1, "en", text, 0.5)


# The release's sentences share the scene's words, so those weigh little; the asked-for thing is rare.
SCENE = "The KC-330 left Tel Aviv on October 14 with 163 Korean nationals on board."
ANSWER = "The KC-330 also carried 6 Singaporean nationals."
OTHERS = "The KC-330 had arrived in Tel Aviv on October 13. The KC-330 will fly to Tel Aviv again if needed."


def _lexical(config: ExtractiveConfig) -> dict[str, float]:
    question = "How many Singaporean nationals were on the KC-330 that left Tel Aviv on October 14?"
    answerer = ExtractiveAnswerer(None, config)
    candidates = answerer._candidates([_passage(f"{SCENE} {ANSWER} {OTHERS}")])
    answerer._score(question, candidates)
    return {c.sentence: c.lexical for c in candidates}


def test_the_asked_for_thing_weighs_more_than_the_scene():
    plain = _lexical(replace(ExtractiveConfig(), w_focus=0.0))
    focused = _lexical(ExtractiveConfig())
    assert plain[SCENE] > plain[ANSWER]
    assert focused[ANSWER] > plain[ANSWER] and focused[SCENE] < plain[SCENE]
    assert focused[SCENE] - focused[ANSWER] < plain[SCENE] - plain[ANSWER]


def test_a_focus_word_only_the_title_holds_does_not_count_for_the_sentence():
    question = "How many Singaporean nationals were on the KC-330 that left Tel Aviv on October 14?"
    titled = ScoredPassage("r:p1.0:x", "r.txt", "r", "Singaporean Nationals Also on Board", "2023-10-14", 1, "en", SCENE, 0.5)
    lexical = {}
    for share in (1.0, 0.0):
        answerer = ExtractiveAnswerer(None, replace(ExtractiveConfig(), focus_title=share))
        candidates = answerer._candidates([titled, _passage(ANSWER)])
        answerer._score(question, candidates)
        lexical[share] = {c.sentence: c.lexical for c in candidates}
    # The title's "Singaporean" no longer lifts the scene sentence; the sentence that says it keeps it.
    assert lexical[0.0][SCENE] < lexical[1.0][SCENE]
    assert lexical[0.0][ANSWER] == lexical[1.0][ANSWER]
    assert ExtractiveConfig().focus_title == 0.0


def test_on_the_real_pipeline_the_asked_dates_answer(pressroom):
    # A dev question: the focus ("dates") picks the sentence with the Summit's dates over a sentence
    # about a preparatory step that shares more of the question's other words.
    answer = pressroom.ask("On what dates was the first Korea-Africa Summit scheduled?")
    assert not answer.abstained
    assert "June 4-5" in answer.answer, answer.answer
