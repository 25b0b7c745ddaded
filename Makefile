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
# The trained chatbot, rebuilt when anything it is trained from changes (or it is missing).
BOT_MODEL := chatbot/models/current.tar.gz
BOT_SOURCES := $(wildcard nlu_data/*.yml nlu_data/lookups/*.yml chatbot/domain/*.yml chatbot/data/*.yml \
	chatbot/components/*.py) chatbot/config.yml
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

API_HOST ?= 127.0.0.1
API_PORT ?= 8000
export API_HOST API_PORT RASA_PORT ACTIONS_PORT

.PHONY: help run banner test lint format migrate seed faq-export venv bot-venv bot-test bot-train bot-eval bot-stories \
	chromium e2e web clean

help:
	@echo "make run    start the API, the chatbot (Rasa and its actions) and the agent console, demo data on SQLite"
	@echo "make test   lint, the test suite (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), the chatbot gates"

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

# Rasa also compares the data's fingerprint with the last model's and retrains only what changed;
# when it decides nothing did, it leaves the file alone, hence the touch.
$(BOT_MODEL): $(BOT_STAMP) $(BOT_SOURCES)
	@echo "== chatbot: training (about 3 minutes on 2 cores) =="
	cd chatbot && ../$(BOT)/rasa train --domain domain --data data $(addprefix ../,$(NLU_TRAIN)) \
		--out models --fixed-model-name current
	@touch $@

bot-train: $(BOT_MODEL)

# The NLU gates on the held-out set, scored separately with and without diacritics.
bot-eval: $(BOT_MODEL)
	@echo "== chatbot: NLU gates on the held-out set =="
	cd chatbot && rm -rf results && \
	../$(BOT)/rasa test nlu --model models/current.tar.gz --domain domain --nlu ../nlu_data/test/test_nlu.yml \
		--out results/accented --no-plot && \
	../$(BOT)/rasa test nlu --model models/current.tar.gz --domain domain --nlu ../nlu_data/test/test_nlu_no_diacritics.yml \
		--out results/plain --no-plot && \
	../$(BOT)/python scripts/nlu_gate.py results/accented results/plain

# The dialogue: test conversations must be predicted exactly, action by action.
bot-stories: $(BOT_MODEL)
	@echo "== chatbot: test stories =="
	cd chatbot && rm -rf results/stories && ../$(BOT)/rasa test core --model models/current.tar.gz \
		--stories tests/stories --fail-on-prediction-errors --out results/stories --no-plot

# The web assets the API serves (web/: npm packages pinned in package-lock.json, and our sources),
# built into build/web (git-ignored): the /docs page with Swagger UI 5, axe-core for the browser
# tests; the citizen app (web/app, plain ES modules) with its service worker's file list. Rebuilt
# only when web/ changes; nothing is loaded from a CDN at run time. eslint checks the app in `lint`.
WEB_STAMP := build/web/.built
WEB_SOURCES := web/package.json web/package-lock.json web/.npmrc web/build.mjs web/eslint.config.js $(wildcard web/docs/*) $(shell find web/app web/shared web/workspace -type f)

$(WEB_STAMP): $(WEB_SOURCES)
	@command -v npm >/dev/null || { echo "Cần Node.js 20 và npm để dựng web/ (Debian: apt-get install nodejs npm)."; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	cd web && npm run --silent build
	@touch $@

web: $(WEB_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded at run time).
chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The API, the action server and Rasa as separate processes, a citizen chatting through POST /chat
# and an agent in the console in headless Chromium.
e2e: venv $(BOT_MODEL) chromium web
	@echo "== end to end: API + action server + Rasa + Chromium =="
	@$(call run_pytest,-q -p no:cacheprovider -m e2e)

migrate: venv
	@mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	@$(FLASK) seed-demo

# The FAQ that comms staff edit (content_faq_entries) is the chatbot's faq/* training data.
# `faq-sync` imports what changed in the committed files since its last run (a pull), then writes
# the table back to them; a file is rewritten only when its content changes, so the model below is
# retrained only when the FAQ did.
faq-export: seed
	@$(FLASK) content faq-sync

run: faq-export $(BOT_MODEL) web
	@$(MAKE) --no-print-directory banner
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(API_HOST):$(API_PORT)} \
	RASA_URL=$${RASA_URL:-http://127.0.0.1:$(RASA_PORT)} \
	ACTION_ENDPOINT_URL=http://127.0.0.1:$(ACTIONS_PORT)/webhook \
	CDS_API_URL=http://$(API_HOST):$(API_PORT) \
	$(BIN)/honcho start -f Procfile

# What `make run` prints before starting the processes: every address the README lists. Rasa's
# load time was measured on a 2-core machine with other work running (71 s); the `status`
# process (api/devrun/watch.py) then says when each part is ready.
API_URL = http://$(API_HOST):$(API_PORT)
banner:
	@echo
	@echo "Công dân số đang khởi động (Ctrl-C dừng tất cả):"
	@echo "  Trang chủ     $(API_URL)/   (các thành phần, tình trạng và đường dẫn)"
	@echo "  Ứng dụng      $(API_URL)/app/   (ứng dụng công dân: mở ở cửa sổ cỡ điện thoại, đăng nhập VNeID bằng CCCD in ở trên, mã 123456)"
	@echo "  Đăng nhập API $(API_URL)/auth/vneid/login   (cho công cụ, script: kết thúc bằng cặp token JSON)"
	@echo "  Trò chuyện    curl -X POST $(API_URL)/chat -H 'Content-Type: application/json' -d '{\"message\": \"xin chào\"}'"
	@echo "  Cán bộ        $(API_URL)/workspace/   (không gian làm việc: canbo.motcua, congan.phuong, lanhdao, quantri / CongDanSo@2025)"
	@echo "  Tổng đài viên $(API_URL)/workspace/agent   (tongdaivien / CongDanSo@2025)"
	@echo "  Truyền thông  $(API_URL)/workspace/comms   (truyenthong / CongDanSo@2025)"
	@echo "  Tài liệu API  $(API_URL)/docs   (OpenAPI: $(API_URL)/openapi.json)"
	@echo "  Tình trạng    $(API_URL)/health   $(API_URL)/ready"
	@echo "  Thanh toán    $${PAYMENT_API_URL:-http://127.0.0.1:8420}   (localstripe; thẻ thử 4242 4242 4242 4242, mã pm_card_visa)"
	@echo "  Trợ lý ảo     Rasa http://127.0.0.1:$(RASA_PORT), máy chủ hành động http://127.0.0.1:$(ACTIONS_PORT)"
	@echo "  Bộ lập lịch   một tiến trình, không có cổng"
	@echo "API trả lời sau vài giây. Trợ lý ảo Rasa cần khoảng 70–90 giây để nạp mô hình: các dòng"
	@echo "'status |' bên dưới báo khi từng phần sẵn sàng; trong lúc chờ, POST /chat trả số tổng đài"
	@echo "và giữ tin nhắn cho tổng đài viên. Một phần phụ thuộc bị dừng đột ngột được tự khởi động lại,"
	@echo "API vẫn chạy."
	@echo

lint: venv web
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	cd web && node_modules/.bin/eslint app shared workspace docs

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
define run_pytest
	$(or $(2),$(BIN)/pytest) $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing the run"; exit 1; fi; \
	exit $$status
endef

# schemathesis against the live app (tests/contract/test_schemathesis.py, about 3 minutes) runs in
# one pass only: on PostgreSQL, production's engine, when there is a PostgreSQL pass. Every integer
# the API reads is bounded in the document (tests/contract/test_document.py, in both passes), so
# what SQLite alone overflowed on is refused before it reaches SQL on either engine.
CONTRACT_FUZZ_ONCE := $(if $(TEST_DATABASE_URL),--deselect tests/contract/test_schemathesis.py)
# The browser tests too run once, on PostgreSQL, when there is a PostgreSQL pass.
BROWSER_ONCE := $(if $(TEST_DATABASE_URL),-m 'not e2e and not browser')

# With a PostgreSQL pass, the two passes run side by side (each pytest is mostly one core; the
# tests share no port or file: each takes free ports and its own pytest temporary directory, and each
# PostgreSQL session its own schema). Each line is prefixed with its pass; the run fails if either
# does. The chatbot's gates and the end-to-end tests follow, on the whole machine.
SQLITE_PASS = TEST_DATABASE_URL= $(call run_pytest,-q --cov --cov-report=term:skip-covered $(CONTRACT_FUZZ_ONCE) $(BROWSER_ONCE))
POSTGRES_PASS = $(call run_pytest,-q)

test: lint bot-venv web chromium
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== tests on SQLite and on PostgreSQL ($$TEST_DATABASE_URL), side by side =="; \
		( set -o pipefail; ( $(SQLITE_PASS) ) 2>&1 | sed -u 's/^/[sqlite] /' ) & sqlite=$$!; \
		( set -o pipefail; ( $(POSTGRES_PASS) ) 2>&1 | sed -u 's/^/[postgres] /' ) & postgres=$$!; \
		wait $$sqlite; sqlite_status=$$?; wait $$postgres; postgres_status=$$?; \
		echo "== SQLite pass: exit $$sqlite_status; PostgreSQL pass: exit $$postgres_status =="; \
		[ $$sqlite_status -eq 0 ] && [ $$postgres_status -eq 0 ] || exit 1; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but TEST_DATABASE_URL is not set: CI must test on PostgreSQL"; exit 1; \
	else \
		echo "== tests on SQLite =="; \
		$(SQLITE_PASS); \
	fi
	@$(MAKE) --no-print-directory bot-test bot-eval bot-stories e2e

clean:
	rm -rf $(VENV) $(BOT_VENV) .pytest_cache .ruff_cache .coverage build/web web/node_modules
