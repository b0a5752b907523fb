# Two entry points: `make demo` and `make test`. Both build their own virtual environment.
# The first Python that durable-rules supports (3.10-3.12); PYTHON=... overrides.
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.10; do \
	$$p -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
	>/dev/null 2>&1 && { echo $$p; break; }; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest scenarios examples bench clean install

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "redlines needs Python 3.10, 3.11 or 3.12 (durable-rules does not import on 3.13); none found: set PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/redlines run examples/scenarios/*.yaml

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

scenarios: $(STAMP)
	$(BIN)/redlines test examples/

examples: $(STAMP)
	$(BIN)/python examples/analysis.py > /dev/null
	$(BIN)/python examples/real_data.py > /dev/null

test: lint typecheck pytest scenarios examples

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_adapters.py
	cd benchmarks && ../$(BIN)/python bench_pipeline.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
