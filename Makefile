# Front Desk. The two commands: `make up` (run) and `make test` (test).
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1


.PHONY: widget test-js
.PHONY: up test check lint system venv build model report report-demo benchmark benchmark-relay kb-check evaluate lock clean

## up: set up everything needed, train if inputs changed, start all processes
up: system model widget
	$(PY) scripts/up.py

## test: lint and types, then the whole test suite (unit, content, real Rasa and action servers, quality bars)
test: system model node_modules/.installed widget lint test-js
	$(PY) -m pytest

## check: lint, types, and every test that starts no server (unit and contract tests), in under a minute
check: venv lint test-js
	$(PY) -m pytest -m "not servers" -q

## lint: ruff (lint and format) and mypy (strict on the pure modules listed in pyproject.toml)
lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

## system: Debian packages the servers need (redis-server), installed only if missing
system:
	bash scripts/install-system-packages.sh

## widget: bundle the residents' widget (webchat_widget/src + web_shared) into one script with esbuild
widget: webchat_widget/dist/widget.js
webchat_widget/dist/widget.js: node_modules/.installed $(wildcard webchat_widget/src/*.js web_shared/*.js)
	node_modules/.bin/esbuild webchat_widget/src/main.js --bundle --format=iife --target=es2020 --legal-comments=none --outfile=$@ --log-level=warning

## test-js: node's test runner on the shared front-end modules (Markdown XSS table, stream ids)
test-js:
	node --test tests/js/

## front-end build and browser test tools from npm (esbuild, axe-core), exactly as package-lock.json says
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

venv: .venv/.installed
.venv/.installed: requirements.txt constraints.txt scripts/setup-venv.sh
	bash scripts/setup-venv.sh

## build: validate content; generate Rasa files and the spaCy pipeline
build: venv
	$(PY) -m knowledge_base build
	$(PY) -m bot.components.spacy_pipeline

## model: train the Rasa model only if its inputs changed
model: build
	$(PY) scripts/train_if_needed.py

## report: last month's council insight report from the running front desk (make up) -> reports/YYYY-MM.html
# Case statuses are read with the staff key from var/secrets.env, so private cases count too.
report: venv
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6380/0} \
	OPEN311_STAFF_KEYS=$${OPEN311_STAFF_KEYS:-$$(sed -n 's/^OPEN311_STAFF_KEYS=//p' var/secrets.env 2>/dev/null)} \
	$(PY) -m insight report --redis --open311 $${OPEN311_URL:-http://127.0.0.1:8080/open311/v2/}

## report-demo: the same report on a generated, realistic month (October 2026) -> reports/2026-10.html
report-demo: venv
	$(PY) -m insight generate --month 2026-10 --out reports/demo-2026-10.jsonl
	$(PY) -m insight report --month 2026-10 --events reports/demo-2026-10.jsonl --out reports/2026-10.html

## kb-check: validate the knowledge base and list what to improve (duplicates, links, reviews, readability, routing)
kb-check: model
	$(PY) -m knowledge_base check --routing

## evaluate: route accuracy on the held-out set, out-of-scope false acceptance, and the safety sets
evaluate: model
	$(PY) -m knowledge_base safety tests/data/safety_eval.csv
	$(PY) -m knowledge_base safety tests/data/safety_sealed.csv
	$(PY) -m knowledge_base evaluate tests/data/heldout_routes.csv
	$(PY) scripts/oos_csv.py > .run-oos.csv
	$(PY) -m knowledge_base evaluate .run-oos.csv; status=$$?; rm -f .run-oos.csv; exit $$status

## benchmark: throughput and latency against Rasa's default configuration (minutes)
benchmark: model
	$(PY) benchmarks/bot/run.py

## benchmark-relay: connections, delivery across two relays, bot overhead (about 2 minutes)
benchmark-relay: system model
	$(PY) benchmarks/relay/run.py

## lock: re-resolve constraints.txt from requirements.txt (needs network to PyPI)
lock:
	rm -rf .lock-venv && $$(bash scripts/find-python310.sh) -m venv .lock-venv
	.lock-venv/bin/pip install -q "pip==24.3.1" && .lock-venv/bin/pip install -q -r requirements.txt
	(sed -n 1,2p constraints.txt; .lock-venv/bin/pip freeze) > constraints.txt.new && mv constraints.txt.new constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf models bot/generated bot/domain/generated bot/data/generated results
