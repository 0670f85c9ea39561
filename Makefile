# Quick start: `make run` (set up and run the main job), `make test` (set up and run the tests).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || \
		{ $(PY) -m pip install --quiet --user virtualenv && $(PY) -m virtualenv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dist]"
	touch $(STAMP)

setup: $(STAMP)

## Run the Middle Corridor scenario against the baseline and print the summary.
run: $(STAMP)
	$(BIN)/simulate run scenarios/baseline.yaml scenarios/middle_corridor.yaml

## Run the whole test suite on every core (about 18 minutes on two). Chromium, which the browser
## tests drive, is installed with apt-get where this user may (.ci/chromium); elsewhere
## those tests skip and a note says how to install it.
test: $(STAMP)
	@sh .ci/chromium
	$(BIN)/python -m pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check simulate tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

## Regenerate docs/scenario.schema.json from the scenario schema in the code, the event
## tables of docs/scenarios.md and docs/MODEL.md from simulate/scenarios/events.py, and the
## variable table of docs/results.md from simulate/scenarios/variables.py, the lever
## tables of docs/scenarios.md and docs/decide.md from simulate/scenarios/levers.py.
schema: $(STAMP)
	$(BIN)/python -c "from simulate.scenarios.schema import json_schema; \
		open('docs/scenario.schema.json', 'w').write(json_schema())"
	$(BIN)/python -c "from simulate.scenarios.events import write_docs; write_docs()"
	$(BIN)/python -c "from simulate.scenarios.levers import write_docs; write_docs()"
	$(BIN)/python -c "from simulate.scenarios.variables import write_docs; write_docs()"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
