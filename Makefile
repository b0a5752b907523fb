# Two entry points: `make demo` and `make test`. Both build their own virtual environment.
# The first Python that durable-rules supports (3.10-3.12); PYTHON=... overrides.
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.10; do \
	$$p -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
	>/dev/null 2>&1 && { echo $$p; break; }; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest scenarios examples bench bench-spark clean install browser briefing

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

pytest: $(STAMP) browser
	$(BIN)/pytest

scenarios: $(STAMP)
	$(BIN)/redlines test examples/

examples: $(STAMP)
	$(BIN)/python examples/analysis.py > /dev/null
	$(BIN)/python examples/real_data.py > /dev/null
	REDLINES=$(BIN)/redlines sh examples/briefing.sh $(VENV)/brief.html > /dev/null
	REDLINES=$(BIN)/redlines examples/watch-demo.sh > /dev/null 2> $(VENV)/watch-demo.err \
		|| { cat $(VENV)/watch-demo.err >&2; exit 1; }

test: lint typecheck pytest scenarios examples

# The briefing's browser tests (tests/browser) open it in the system's Chromium through
# Playwright, which never downloads a browser: install Debian's when missing and root (CI);
# elsewhere, without one, those tests skip and say why.
browser:
	@if [ -z "$$REDLINES_CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1 \
		&& [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium and chromium-driver for tests/browser"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; } \
		|| echo "warning: could not install chromium: tests/browser will skip" >&2; \
	fi

# The HTML briefing of the example scenarios and the GDELT sample (docs/briefing.md).
briefing: $(STAMP)
	REDLINES=$(BIN)/redlines sh examples/briefing.sh brief.html

# Figures as ratios against baselines measured in the same run (docs/performance.md);
# `make bench-spark` also starts Spark (docs/spark.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_adapters.py
	cd benchmarks && ../$(BIN)/python bench_pipeline.py
	$(BIN)/python benchmarks/bench_watch.py

bench-spark: $(STAMP)
	$(BIN)/python benchmarks/bench_spark.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
