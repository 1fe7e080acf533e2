# make run   install, migrate, load the demo consultations, serve http://127.0.0.1:5000 (PORT=, HOST=)
#            with a job worker beside it (reports and exports); Ctrl-C stops both
# make test  install and run the whole test suite (browser tests included when Chromium is there)
# make bench / bench-full  benchmarks (a few minutes / an hour or more), written to benchmarks/RESULTS.md
# make translations-extract / translations-update / translations-compile   the pybabel steps
PYTHON ?= python3
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := consultation

PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run test lint format clean bench bench-full \
	translations-extract translations-update translations-compile

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (PYTHON=$(PYTHON)).")'
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compiled catalogues are built here, never committed (see .gitignore).
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations-compile: $(MO_FILES)

translations-extract: install
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* .venv" \
		--sort-by-file --width 100 --project consultation --version 0.1 -o translations/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 100

# The printed links use the real address; instance/.env lets `flask ...` in another terminal
# use these development settings too (read by the flask command only, see config.py).
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: install translations-compile
	@mkdir -p "$${INSTANCE_PATH:-instance}" && printf 'APP_ENV=development\nPUBLIC_BASE_URL=%s\n' "$$PUBLIC_BASE_URL" > "$${INSTANCE_PATH:-instance}/.env"
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask consultations load --demo
	APP_ENV=development $(BIN)/flask users create-demo-admin
	APP_ENV=development $(BIN)/flask dev generate data-union-strategy --responses 3000 --if-empty
	APP_ENV=development $(BIN)/flask publishing settle
	APP_ENV=development $(BIN)/flask dev moderate data-union-strategy --if-unmoderated
	APP_ENV=development $(BIN)/flask outcomes demo
	@echo "Serving http://$(HOST):$(PORT)/ with a job worker beside it; Ctrl-C stops both."
	@APP_ENV=development $(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	APP_ENV=development $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

test: install translations-compile
	$(BIN)/pytest

bench: install translations-compile
	BENCH_COMMAND="make bench" $(BIN)/python -m benchmarks.run --quick

bench-full: install translations-compile
	BENCH_COMMAND="make bench-full" $(BIN)/python -m benchmarks.run --full

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
