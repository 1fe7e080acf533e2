# make run   install, migrate, load the demo consultations, serve http://127.0.0.1:5000
# make test  install and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := consultation

.PHONY: install run test lint format clean

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (PYTHON=$(PYTHON)).")'
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask consultations load --demo
	APP_ENV=development $(BIN)/flask users create-demo-admin
	APP_ENV=development $(BIN)/flask dev generate data-union-strategy --responses 3000 --if-empty
	APP_ENV=development $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
