"""Questions a new user might try that no foreign-ministry press release answers (shared by tests and evals)."""

PROBES = [
    "What is the population of Mars?",
    "Give me a recipe for kimchi.",
    "Who won the 2022 FIFA World Cup?",
    "How do I reset my iPhone password?",
    "What will the weather be in Seoul tomorrow?",
    "Write a poem about autumn leaves.",
    "What is the capital of Australia?",
    "Explain how quantum computers work.",
    "What is the price of Bitcoin today?",
    "Which K-pop group has the most fans?",
    "화성의 인구는 얼마입니까?",
    "김치 만드는 법을 알려 주세요.",
    # Answered until a best sentence in the other language needed a lexical route to its passage
    # (qa.extractive, cross_needs_words): "The aircraft is scheduled to arrive in Korea on the night of
    # October 14", found by meaning alone.
    "내일 서울 날씨는 어떤가요?",
    # A second set, written in stop 27 without looking at how the system answers them (19 of 20 were
    # declined; the request below was answered from "the next meeting to be held in Tokyo" until requests
    # to do something were declined, qa.abstain.asks_for_action). The twentieth, "What did the foreign
    # minister eat for breakfast?", is a near miss rather than off topic (a release reports a breakfast
    # meeting) and is still answered: a known limit, not a probe.
    "How tall is Mount Everest?",
    "What's the best laptop for programming?",
    'Translate "good morning" into French.',
    "Who is the CEO of Samsung Electronics?",
    "What time does the Louvre open?",
    "How many calories are in a banana?",
    "When is the next solar eclipse?",
    "What is the GDP of Brazil?",
    "Can you book me a flight to Tokyo?",
    "What is the speed of light?",
    "Who wrote Pride and Prejudice?",
    "How do I apply for a Korean driver's license?",
    "What is the exchange rate of the euro today?",
    "Which team won the 2023 Korean Series in baseball?",
    "오늘 주식 시장은 어떤가요?",
    "에베레스트 산의 높이는 얼마인가요?",
    "비트코인 가격이 얼마예요?",
    "파리 에펠탑은 언제 지어졌나요?",
    "손흥민은 몇 골을 넣었나요?",
]
