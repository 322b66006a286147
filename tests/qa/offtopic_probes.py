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
]
