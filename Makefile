# Công dân số — the two commands a newcomer needs: `make run` and `make test`.
# Both do their own set-up: virtual environment, packages, database migrations, demo data.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app api:create_app
API_HOST ?= 127.0.0.1
API_PORT ?= 8000
export API_HOST API_PORT

.PHONY: help run test lint format migrate seed venv clean

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
	$(BIN)/pytest $(1); status=$$?; \
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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage
