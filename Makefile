# Công dân số — the two commands a newcomer needs: `make run` and `make test`.
# Both do their own set-up: virtual environment, packages, database migrations, demo data.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app api:create_app
# Rasa 3.6 runs on Python 3.10 only, in its own environment: python3.10 on PATH, else pyenv's.
PY310 ?= $(shell for c in python3.10 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10; do \
	"$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$$c"; break; }; done)
BOT_VENV := .venv-bot
BOT := $(BOT_VENV)/bin
BOT_STAMP := $(BOT_VENV)/.installed
# Training data: every domain file of nlu_data/ and its lookups; nlu_data/test/ is held out.
NLU_TRAIN := $(wildcard nlu_data/*.yml) nlu_data/lookups

API_HOST ?= 127.0.0.1
API_PORT ?= 8000
export API_HOST API_PORT

.PHONY: help run test lint format migrate seed venv bot-venv bot-test bot-train bot-eval clean

help:
	@echo "make run    start the API (and later the scheduler, payments, chatbot) with demo data on SQLite"
	@echo "make test   lint, then the whole test suite (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
		{ echo "Cần Python 3.11 (found: $$($(PYTHON) --version 2>&1)). Set PYTHON=/path/to/python3.11."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

$(BOT_STAMP): chatbot/requirements.txt
	@test -n "$(PY310)" || { echo "Chatbot: Rasa 3.6 cần Python 3.10, không tìm thấy (python3.10 trên PATH hoặc ~/.pyenv/versions/3.10.*). Cài Python 3.10 rồi chạy lại, hoặc đặt PY310=/đường/dẫn/python3.10."; exit 1; }
	@test -x $(BOT)/python || $(PY310) -m venv $(BOT_VENV)
	$(BOT)/python -m pip install --quiet --upgrade "pip<24.1"
	$(BOT)/python -m pip install --quiet -r chatbot/requirements.txt
	@touch $(BOT_STAMP)

bot-venv: $(BOT_STAMP)

# The chatbot's checks: its components' unit tests, then Rasa's own validation of data and domain.
bot-test: bot-venv
	@echo "== chatbot: components =="
	@cd chatbot && $(call run_pytest,-q -p no:cacheprovider tests,../$(BOT)/pytest)
	@echo "== chatbot: rasa data validate =="
	cd chatbot && ../$(BOT)/rasa data validate --fail-on-warnings --domain domain \
		--data data $(addprefix ../,$(NLU_TRAIN))

# Rasa compares the data's fingerprint with the last model's and retrains only what changed.
bot-train: bot-venv
	cd chatbot && ../$(BOT)/rasa train --domain domain --data data $(addprefix ../,$(NLU_TRAIN)) \
		--out models --fixed-model-name current

# The NLU gates on the held-out set, scored separately with and without diacritics.
bot-eval: bot-train
	cd chatbot && rm -rf results && \
	../$(BOT)/rasa test nlu --model models/current.tar.gz --nlu ../nlu_data/test/test_nlu.yml \
		--out results/accented --no-plot && \
	../$(BOT)/rasa test nlu --model models/current.tar.gz --nlu ../nlu_data/test/test_nlu_no_diacritics.yml \
		--out results/plain --no-plot && \
	../$(BOT)/python scripts/nlu_gate.py results/accented results/plain

migrate: venv
	@mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	@$(FLASK) seed-demo

run: seed
	@echo
	@echo "Công dân số đang chạy:"
	@echo "  API           http://$(API_HOST):$(API_PORT)/"
	@echo "  Tài liệu API  http://$(API_HOST):$(API_PORT)/docs   (OpenAPI: /openapi.json)"
	@echo "  Đăng nhập VNeID (phát triển)  http://$(API_HOST):$(API_PORT)/auth/vneid/login"
	@echo "  Sẵn sàng      http://$(API_HOST):$(API_PORT)/ready"
	@echo
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(API_HOST):$(API_PORT)} $(BIN)/honcho start -f Procfile

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
define run_pytest
	$(or $(2),$(BIN)/pytest) $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing the run"; exit 1; fi; \
	exit $$status
endef

test: lint
	@echo "== tests on SQLite =="
	@TEST_DATABASE_URL= $(call run_pytest,-q --cov --cov-report=term:skip-covered)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== tests on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(call run_pytest,-q); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but TEST_DATABASE_URL is not set: CI must test on PostgreSQL"; exit 1; \
	fi
	@$(MAKE) --no-print-directory bot-test

clean:
	rm -rf $(VENV) $(BOT_VENV) .pytest_cache .ruff_cache .coverage
