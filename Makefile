# Two entry points: `make run` (set up, index the seeds, start the app) and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 7860

.PHONY: setup lock system index run test lint eval bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

setup: $(BIN)/python  # exact versions from requirements.lock (ranges in pyproject.toml)
	$(BIN)/pip install -c requirements.lock -e ".[test]"

# Re-pin requirements.lock to what pyproject.toml's ranges resolve to, preferring the versions installed now.
lock: $(BIN)/python
	$(BIN)/pip freeze --exclude-editable > $(VENV)/installed.txt
	$(BIN)/pip install --quiet --dry-run --ignore-installed --report $(VENV)/lock.json -c $(VENV)/installed.txt -e ".[test]"
	$(BIN)/python -c "$$LOCK_PY" $(VENV)/lock.json > requirements.lock

system:  # chromium for the browser test, CJK fonts for screenshots (Debian)
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto sans cjk" || \
		(apt-get update && apt-get install -y chromium fonts-noto-cjk)

index: setup
	$(BIN)/fulian-qa index seeds

run: index
	$(BIN)/fulian-qa ask "天水培训了多少陇原巧手"
	$(BIN)/fulian-qa serve --host 127.0.0.1 --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

eval: setup
	$(BIN)/fulian-qa eval --gold eval/gold.jsonl --out artifacts/eval/results.jsonl --report artifacts/eval

bench: setup
	$(BIN)/python bench/bench.py

test: setup system
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -rs
	$(BIN)/python bench/scale.py --smoke
	$(BIN)/fulian-qa index seeds
	$(BIN)/fulian-qa eval --gold eval/gold.jsonl --systems main --out artifacts/eval/results.jsonl \
		--report artifacts/eval --fail-under $(EVAL_FLOORS) --fail-over $(EVAL_CEILINGS)

# "default": the CI floors and ceilings each metric declares in eval/registry.py (METRIC=VALUE overrides)
EVAL_FLOORS ?= default
EVAL_CEILINGS ?= default

define LOCK_PY
import json, sys
items = json.load(open(sys.argv[1]))["install"]
pins = sorted((i["metadata"]["name"], i["metadata"]["version"].split("+")[0]) for i in items)
print("# Exact versions of everything `pip install -e \".[test]\"` installs; `make setup` and CI install with")
print("# -c requirements.lock. Regenerate with `make lock` after changing pyproject.toml. (torch: the +cpu build is")
print("# picked where it is on the find-links path, e.g. /opt/wheels.)")
print("\n".join(f"{n}=={v}" for n, v in pins if n.lower().replace("_", "-") != "fulian-qa"))
endef
export LOCK_PY
