"""The asked kind of fact in a sentence (qa.cues: counts across the languages, announcements), and the declines built on it."""

import pytest

from qa.cues import asks_outcome, counted_in_english, kind_cue, tells_outcome


@pytest.mark.parametrize(
    ("counter", "sentence", "counts"),
    [
        ("표를", "Korea received 180 votes out of 192 member states voting.", True),
        ("개국", "Six countries, including Spain, were lowered to Level 1.", True),
        ("명", "It left with 163 Korean nationals on board.", True),
        ("달러", "Korea will provide an additional USD 3 million.", True),
        ("명", "The meeting took place on June 6 in New York.", False),
        ("표를", "Korea was elected for the 2024-2025 term.", False),
        ("가지", "Korea received 180 votes.", False),  # a counter without an English reading: no verdict
    ],
)
def test_a_korean_counter_read_in_an_english_sentence(counter, sentence, counts):
    assert counted_in_english(counter, sentence) is counts


def test_a_korean_how_many_question_prefers_the_english_sentence_with_the_count():
    question = "2023년 6월 유엔 안보리 선거에서 한국은 몇 표를 얻었나요?"
    votes = kind_cue("As the sole candidate, Korea received 180 votes out of 192 member states voting.", "number", question)
    elected = kind_cue("Korea was elected as a non-permanent member for the 2024-2025 term on June 6.", "number", question)
    assert votes > elected


def test_a_date_is_not_a_count_in_the_cue():
    question = "How many power generators did Korea ship to Ukraine?"
    assert kind_cue("On December 11, Korea dispatched power generators and medicines.", "number", question) == 0.0
    assert kind_cue("Korea shipped 40 power generators.", "number", question) == 1.0


def test_a_sentence_naming_none_of_the_questions_names_is_about_someone_else():
    from qa.extractive import ExtractiveAnswerer

    names_none = ExtractiveAnswerer._names_none
    assert names_none("How many votes did Slovenia get in the June 2023 election?", "Korea received 180 votes out of 192.")
    assert not names_none("How many votes did Slovenia get?", "Slovenia received 153 votes.")
    assert not names_none("When did Park Jin meet Blinken?", "Minister Park Jin met Antony Blinken on June 13.")
    assert not names_none("How many votes did Korea get?", "It received 180 votes.")  # no name to miss


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("What did the trilateral summit held in Seoul in May 2024 agree on?", True),
        ("What did Cho and Blinken discuss at the ministerial meeting on March 18?", True),
        ("What was the ministers' meeting in New York set to discuss?", False),  # it asks about the plan
        ("What will the ministers discuss next week?", False),
        ("When did the summit take place?", False),
    ],
)
def test_a_question_about_what_an_event_decided(question, outcome):
    assert asks_outcome(question) is outcome


def test_an_announcement_of_the_event_does_not_answer_what_it_decided(corpus_index, embeddings):
    from qa.service import build_pressroom

    pressroom = build_pressroom(corpus_index, embeddings)
    answer = pressroom.ask("What did the ROK-Japan-China trilateral summit held in Seoul in May 2024 agree on?")
    assert answer.abstained  # the corpus only says it "is scheduled to be held in Seoul later this month"
    assert not pressroom.ask("What was the ROK-U.S.-Japan foreign ministers' meeting in New York on "
                             "September 22, 2023 set to discuss?").abstained


PLACE_QUESTION = "튀르키예로 떠난 긴급구호대는 어떤 항공기를 타고 어디로 향했나요?"


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        # The place a particle closes, not given by the question: Incheon and Adana.
        ("긴급구호대는 인천국제공항 제1터미널에서 출정식을 가진 후 KC-330 수송기를 타고 튀르키예 남부 아다나 공군기지로 향하였다.", 1.0),
        # A particle after common nouns only ("국가에 대해서는") is no place.
        ("외교부는 반기마다 여행경보 단계를 조정하고 있으며, 국가에 대해서는 수시로 조정해 나갈 방침이다.", 0.0),
        # The question's own place again is not an answer.
        ("정부는 튀르키예로 긴급구호대를 보냈다.", 0.0),
        ("The team flew to Adana Air Base on a KC-330.", 1.0),
    ],
)
def test_a_place_in_a_korean_sentence_is_the_proper_noun_its_particle_says_is_where(sentence, cue):
    assert kind_cue(sentence, "place", PLACE_QUESTION) == cue


def test_korean_places_are_the_proper_nouns_before_a_place_particle():
    from ingest.analysis import korean_places

    assert korean_places("박진 장관은 인도네시아 발리에서 열린 G20 외교장관회의에 참석하였다.") == ["인도네시아", "발리"]
    assert korean_places("박진 장관은 회의에 참석하였다.") == []


@pytest.mark.parametrize(
    ("sentence", "tells"),
    [
        ("The two ministers agreed to push forward with a Korea-Mexico FTA.", True),
        ("Foreign Minister Park stressed the importance of close coordination.", True),
        ("양 장관은 공급망 협력을 강화하기로 합의하였다.", True),
        ("He and Secretary Blinken held a trilateral meeting with Foreign Minister Kamikawa on February 22, 2024.", False),
        ("On June 16, 2023, Park Jin held a luncheon meeting with the Secretary-General of ASEAN.", False),
    ],
)
def test_a_sentence_that_reports_what_was_agreed_or_said(sentence, tells):
    assert tells_outcome(sentence) is tells


def test_a_sentence_that_only_says_the_meeting_took_place_does_not_answer_what_it_agreed():
    from qa.extractive import ExtractiveAnswerer, ExtractiveConfig
    from qa.models import Query, ScoredPassage, SearchPlan

    question = "What did Cho, Blinken and Kamikawa agree on at their trilateral meeting in Rio de Janeiro?"
    met = ScoredPassage("r:p1.0:x", "r.txt", "r", "ROK-U.S. Foreign Ministers' Meeting", "2024-02-28", 1, "en",
                        "Cho and Blinken held a trilateral meeting with Kamikawa in Rio de Janeiro on February 22, 2024.", 0.9)
    plan = SearchPlan(Query(question), question)
    without = ExtractiveAnswerer(None, ExtractiveConfig(w_no_outcome=0.0))(plan, [met])
    with_rule = ExtractiveAnswerer(None, ExtractiveConfig())(plan, [met])
    assert not without.abstained
    assert with_rule.abstained and with_rule.confidence < without.confidence


def test_asked_the_size_of_aid_a_sum_of_money_is_the_figure():
    # "USD 100,000 in humanitarian assistance" counts nothing the question names ("aid"), yet it is the answer.
    question = "How did its February 2023 wildfire aid for Chile compare in size?"
    assert kind_cue("Korea has decided to provide USD 100,000 in humanitarian assistance to Chile.", "number", question) == 1.0
    assert kind_cue("정부는 500만 달러 규모의 인도적 지원을 제공하기로 결정하였다.", "number", "정부가 결정한 인도적 지원 규모는 얼마인가요?") == 1.0
    # Not asked about money: a sum is only a number.
    assert kind_cue("Korea has decided to provide USD 100,000 in humanitarian assistance.", "number", "How many people died?") == 0.5


def test_asked_how_long_a_length_of_time_is_the_figure():
    question = "how long did they talk"
    assert kind_cue("The meeting lasted about 55 minutes.", "number", question) == 1.0
    assert kind_cue("They met on the occasion of the 77th session of the UN General Assembly.", "number", question) == 0.5
    assert kind_cue("두 장관은 약 20분간 회담을 가졌다.", "number", "회담은 몇 분 동안 진행됐나요?") == 1.0
    # "How long after X…" asks the time between two events, counted by the verify stage, not a stated length.
    assert kind_cue("The meeting lasted about 55 minutes.", "number", "How long after the launch did they meet?") == 0.5


def test_asked_why_a_sentence_that_gives_a_reason_is_the_answer():
    question = "Why did the ministry say it acted so quickly to help Afghanistan?"
    because = "The government said it decided promptly because the humanitarian crisis was already serious."
    assert kind_cue(because, None, question) == 1.0
    assert kind_cue("The government hopes the assistance will help the Afghan people.", None, question) == 0.0
    assert kind_cue("피해 규모를 감안하여 의료진 중심의 구호대를 보내기로 하였다.", None, "정부는 왜 의료진을 보냈나요?") == 1.0
    # "since" of time is no reason.
    assert kind_cue("It was the first visit since 2017.", None, question) == 0.0
    # Not asked why: no cue for a reason.
    assert kind_cue(because, None, "What did the ministry decide?") == 0.0
    # "Ran longer" asks each one's length.
    assert kind_cue("The meeting lasted about 55 minutes.", "number", "Which meeting ran longer, Tokyo or New York?") == 1.0
