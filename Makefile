# make run   install, migrate, load the demo consultations, serve http://127.0.0.1:5000 (PORT=, HOST=)
#            with a job worker beside it (reports and exports); Ctrl-C stops both
# make test  install and run the whole test suite (browser tests included when Chromium is there)
# make bench / bench-full  benchmarks (a few minutes / an hour or more), written to benchmarks/RESULTS.md
# make translations-extract / translations-update / translations-compile   the pybabel steps
#      (interface messages: domain "messages"; questionnaire texts: domain "questionnaires")
# make translations-init CODE=xx   start the two catalogues of a new language
# make fonts  check that the fonts for Greek and Cyrillic are there (installs them as root)
PYTHON ?= python3
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := consultation

PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po translations/*/LC_MESSAGES/questionnaires.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run test lint format clean bench bench-full \
	translations-extract translations-update translations-compile translations-init fonts

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
translations/%.mo: translations/%.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations-compile: $(MO_FILES)

translations-extract: install
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* .venv" \
		--sort-by-file --width 100 --project consultation --version 0.1 -o translations/messages.pot .
	APP_ENV=development $(BIN)/flask translations extract-questionnaires

translations-update: translations-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 100
	$(BIN)/pybabel update -D questionnaires -i translations/questionnaires.pot -d translations \
		--width 100 --ignore-pot-creation-date

translations-init: install
	@test -n "$(CODE)" || { echo "Give the language: make translations-init CODE=xx"; exit 2; }
	$(BIN)/pybabel init -i translations/messages.pot -d translations -l $(CODE) --width 100
	$(BIN)/pybabel init -D questionnaires -i translations/questionnaires.pot -d translations \
		-l $(CODE) --width 100

# PDFs and pages in Greek and Cyrillic need a font that has them: DejaVu (Debian's package).
fonts:
	@fc-list 2>/dev/null | grep -q "DejaVu Sans" || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing the DejaVu fonts (Greek and Cyrillic)"; \
			apt-get update -qq && apt-get install -y -qq fonts-dejavu-core; \
		else echo "The DejaVu fonts are missing: apt-get install fonts-dejavu-core"; exit 1; fi; }
# The printed links use the real address; instance/.env lets `flask ...` in another terminal
# use these development settings too (read by the flask command only, see config.py).
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: install translations-compile fonts
	@mkdir -p "$${INSTANCE_PATH:-instance}" && printf 'APP_ENV=development\nPUBLIC_BASE_URL=%s\n' "$$PUBLIC_BASE_URL" > "$${INSTANCE_PATH:-instance}/.env"
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask consultations load --demo
	APP_ENV=development $(BIN)/flask users create-demo-admin
	APP_ENV=development $(BIN)/flask dev generate data-union-strategy --responses 3000 --if-empty
	APP_ENV=development $(BIN)/flask publishing settle
	APP_ENV=development $(BIN)/flask dev moderate data-union-strategy --if-unmoderated
	APP_ENV=development $(BIN)/flask outcomes demo
	APP_ENV=development $(BIN)/flask reports find-themes data-union-strategy --if-empty
	@echo "Serving http://$(HOST):$(PORT)/ with a job worker beside it; Ctrl-C stops both."
	@APP_ENV=development $(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	APP_ENV=development $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# The suite runs in parallel, one pytest-xdist worker per core (TEST_WORKERS=1: one process).
TEST_WORKERS ?= auto
test: install translations-compile fonts
	$(BIN)/pytest -n $(TEST_WORKERS)

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
