# Two commands for a fresh machine (see README):
#   make app    set up .venv and run the dashboard
#   make test   set up .venv and run lint, type checks and the tests (network blocked)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Exact versions that CI and the quick start install (pyproject.toml keeps the ranges).
# `make lock` writes it anew from a fresh resolve.
PIN := -c constraints.txt

.PHONY: app test lint bench standin cassettes record-live lock clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.app: pyproject.toml constraints.txt | $(BIN)/activate
	$(BIN)/pip install -q $(PIN) -e ".[app]"
	touch $@

$(VENV)/.dev: pyproject.toml constraints.txt | $(BIN)/activate
	$(BIN)/pip install -q $(PIN) -e ".[app]" --group dev
	touch $@ $(VENV)/.app

app: $(VENV)/.app
	$(BIN)/streamlit run app.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# One worker per core (pytest-xdist), a test file to a worker (its module fixtures made once).
test: lint
	$(BIN)/python -m pytest -n auto --dist loadfile

# Speed measurements (not tests): peers, fetching, normalization, filters, store, CSV -> benchmarks/results/
bench: $(VENV)/.dev
	$(BIN)/pip install -q $(PIN) --group bench
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/bench_fetch.py
	$(BIN)/python benchmarks/bench_filters.py
	$(BIN)/python benchmarks/bench_normalize.py
	$(BIN)/python benchmarks/bench_fields.py
	$(BIN)/python benchmarks/bench_gc.py
	$(BIN)/python benchmarks/bench_tablecache.py
	$(BIN)/python benchmarks/bench_places.py
	$(BIN)/python benchmarks/bench_eligibility.py
	$(BIN)/python benchmarks/bench_presets.py
	$(BIN)/python benchmarks/bench_prescreen.py
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_csv.py
	$(BIN)/python benchmarks/bench_browser.py

standin: $(VENV)/.app
	$(BIN)/python -m devtools.standin --data demo --port 8765

# Re-write cassettes/ from our loopback stand-in (fictional data, no network).
cassettes: $(VENV)/.dev
	$(BIN)/python tools/make_cassettes.py

# On a connected machine: re-record cassettes/ from the live API (review the diff after).
record-live: $(VENV)/.dev
	TRIALFINDER_RECORD_LIVE=1 $(BIN)/python -m pytest -o addopts="" --record-mode=rewrite tests/test_cassettes.py

# Re-resolve every dependency (core, app, fast, dev, bench) in a scratch venv and pin it.
lock:
	rm -rf .lock-venv && $(PY) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q ".[app,fast]" --group dev --group bench
	.lock-venv/bin/pip freeze --exclude trialfinder | sort > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
