# Imuran leaflet assistant. `make run` to chat, `make test` to check everything.
# Both install what they need into .venv first (Python 3.10, pinned by constraints.txt).
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
# Rasa's training cache outside the clone, like pip's: a clean clone whose training data
# and config match an earlier training on this machine reuses its trained components
# (docs/design.md). `RASA_CACHE_DIRECTORY=.rasa/cache make test` trains from scratch.
export RASA_CACHE_DIRECTORY ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/imuran-assistant/rasa-training

BIN := .venv/bin
MODEL := models/imuran.tar.gz
TRAIN_INPUTS := config.yml domain.yml $(shell find data components clinic -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null)
RESULTS := results
TRAIN_LOG := logs/train.log
CODE := actions clinic components channels persistence rasa_patches deploy harness scripts tests

# Fail, never pass, when pytest collects nothing (its exit code 5).
define pytest
	$(BIN)/pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests in: $(1)" >&2; exit 1; fi; \
	exit $$rc
endef

.PHONY: help install install-dev system-packages run shell train validate lint test test-unit \
        test-e2e test-gates test-stories test-heldout test-safety test-locked screenshots bench bench-scaled bench-adversarial bench-long bench-conversation soak bench-detector \
        audit export erase retention clean

# Debian packages the tests drive (installed when missing; see the script): Chromium for
# the widget; PostgreSQL, Redis and nginx for the production set-up.
SYSTEM_PACKAGES := chromium=chromium chromedriver=chromium-driver \
  /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf=fonts-noto-color-emoji \
  /usr/lib/postgresql=postgresql redis-server=redis-server nginx=nginx

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

.venv/.installed-runtime: requirements.txt constraints.txt
	@scripts/bootstrap_venv.sh runtime

.venv/.installed-dev: .venv/.installed-runtime requirements-dev.txt
	@scripts/bootstrap_venv.sh dev

install: .venv/.installed-runtime ## Create .venv and install the runtime

install-dev: .venv/.installed-dev ## Also install the test and lint tools

system-packages: ## Install the Debian packages the tests use (Chromium, fonts, PostgreSQL, Redis, nginx)
	@scripts/ensure_system_packages.sh $(SYSTEM_PACKAGES)

$(MODEL): .venv/.installed-runtime $(TRAIN_INPUTS)
	@echo "==> Training the model (10-20 minutes from scratch, less when Rasa's cache has it; log: $(TRAIN_LOG))"
	@mkdir -p $(dir $(TRAIN_LOG)); start=$$(date +%s); \
	if $(BIN)/rasa train --fixed-model-name imuran --out models --quiet >$(TRAIN_LOG) 2>&1; then \
	  touch $@; echo "==> Trained $@ in $$(( $$(date +%s) - start )) s ($$(du -h $@ | cut -f1))"; \
	else tail -n 30 $(TRAIN_LOG) >&2; echo "ERROR: training failed; the whole log: $(TRAIN_LOG)" >&2; exit 1; fi

train: $(MODEL) ## Train when the model is missing or older than its inputs

run: $(MODEL) ## Start both servers: REST and the widget demo page on 127.0.0.1:5005
	@scripts/run.sh

shell: $(MODEL) ## Chat in the terminal
	@scripts/run.sh shell

validate: .venv/.installed-runtime ## rasa data validate, warnings are errors
	@echo "==> Validating training data and domain"
	@$(BIN)/rasa data validate --fail-on-warnings --quiet

lint: .venv/.installed-dev ## ruff, black and mypy
	@echo "==> Lint: ruff, black, mypy"
	@$(BIN)/ruff check $(CODE)
	@$(BIN)/black --check --quiet $(CODE)
	@$(BIN)/mypy actions clinic components channels persistence rasa_patches harness

test-unit: .venv/.installed-dev ## Actions, clinic hours, channel, detector and content tests (no model)
	@echo "==> Unit and content tests"
	@$(call pytest,tests/unit tests/content tests/safety)

test-e2e: .venv/.installed-dev system-packages $(MODEL) ## Real servers: REST, widget (headless Chromium), Slack, Telegram, handoff, PostgreSQL, nginx scale-out
	@echo "==> End-to-end tests against real servers on loopback (channels, browser, handoff)"
	@$(call pytest,tests/e2e)
	@echo "==> Widget screenshots: $(RESULTS)/screenshots/ (make screenshots copies them to docs/)"

screenshots: ## Copy the browser tests' widget screenshots into docs/ (after looking at them)
	cp $(RESULTS)/screenshots/widget-desktop.png $(RESULTS)/screenshots/widget-phone.png \
	   $(RESULTS)/screenshots/widget-offline.png docs/

test-stories: .venv/.installed-dev $(MODEL) ## rasa test with test stories, failing on any prediction error
	@echo "==> Test stories (rasa test core --fail-on-prediction-errors)"
	@$(BIN)/python -m rasa_patches test core --model $(MODEL) --stories tests/stories --out $(RESULTS)/stories \
	  --fail-on-prediction-errors --quiet && echo "==> Test stories passed"

test-heldout: .venv/.installed-dev $(MODEL) ## Held-out NLU set: evaluate, then gate on thresholds
	@echo "==> Held-out NLU evaluation and gate"
	@$(BIN)/python -m scripts.eval_heldout --model $(MODEL) --out $(RESULTS)/heldout.json
	@$(BIN)/python -m scripts.gate $(RESULTS)/heldout.json tests/heldout/thresholds.yml

test-safety: .venv/.installed-dev $(MODEL) ## Locked safety suite x perturbations: no miss, <= 10% false alarms
	@echo "==> Safety suite (tests/safety) through the trained model, then the gate"
	@$(BIN)/python -m scripts.eval_safety --model $(MODEL) --out $(RESULTS)/safety.json
	@$(BIN)/python -m scripts.gate $(RESULTS)/safety.json tests/safety/thresholds.yml

test-locked: .venv/.installed-dev $(MODEL) ## Locked set written apart from the project (totals only), then the gate
	@echo "==> Locked test set (tests/locked, 1,080 messages; its errors are never read)"
	@$(BIN)/python -m scripts.score_messages --totals-only --model $(MODEL) \
	  --out $(RESULTS)/locked.json tests/locked/locked_*.yml >/dev/null
	@$(BIN)/python -m scripts.gate $(RESULTS)/locked.json tests/locked/thresholds.yml

bench-detector: .venv/.installed-dev ## Safety detector's added cost per message (p50/p95)
	@$(BIN)/python -m scripts.bench_detector

# Two at a time, to stay under CI's 20 minutes on 2 cores: training beside the lint and
# unit tests, then the model's gates (one process, one core each) beside the end-to-end
# tests. Each target's output is printed whole when it ends (--output-sync).
test: .venv/.installed-dev ## Everything CI runs
	@$(MAKE) --no-print-directory -j2 --output-sync=target lint validate test-unit train
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-e2e test-gates
	@echo "==> All checks passed"

test-gates: test-stories test-heldout test-safety test-locked ## The trained model's gates, without the servers

bench: .venv/.installed-dev $(MODEL) ## Side by side with the rasa init bot: start, latency, load, memory, training (~5 min)
	@$(BIN)/python -m scripts.load_benchmark --model $(MODEL) $(BENCH_ARGS)

bench-scaled: .venv/.installed-dev system-packages $(MODEL) ## Also the nginx + 2 Rasa + PostgreSQL + Redis set, at 1/10/50 users
	@$(BIN)/python -m scripts.load_benchmark --model $(MODEL) --scaled-out --levels 1,10,50 $(BENCH_ARGS)

bench-adversarial: .venv/.installed-dev $(MODEL) ## Adversarial messages at the length limit: their latency, a bystander's, health
	@$(BIN)/python -m scripts.bench_adversarial --model $(MODEL) $(BENCH_ARGS)

bench-long: .venv/.installed-dev $(MODEL) ## One 100-turn conversation: turns 91-100 against turns 1-10
	@$(BIN)/python -m scripts.bench_long_conversation

bench-conversation: .venv/.installed-dev $(MODEL) ## What reading each message in its conversation costs a turn (on/off in turns)
	@$(BIN)/python -m scripts.bench_conversation_cost --model $(MODEL)

soak: .venv/.installed-dev $(MODEL) ## 30 minutes of steady load: memory growth, errors, client log vs tracker store
	@$(BIN)/python -m scripts.soak --minutes $(or $(MINUTES),30)

audit: ## pip-audit of constraints.txt; fails on unreviewed findings or unchecked packages
	@scripts/audit_dependencies.sh

export: .venv/.installed-runtime ## Print one stored conversation as JSON: make export ID=<conversation id>
	@test -n "$(ID)" || { echo "usage: make export ID=<conversation id>" >&2; exit 2; }
	@$(BIN)/python -m scripts.conversations export "$(ID)"

erase: .venv/.installed-runtime ## Delete one stored conversation: make erase ID=<conversation id>
	@test -n "$(ID)" || { echo "usage: make erase ID=<conversation id>" >&2; exit 2; }
	@$(BIN)/python -m scripts.conversations erase "$(ID)"

retention: .venv/.installed-runtime ## Delete conversations idle for more than DAYS days (default 30)
	@$(BIN)/python -m scripts.conversations retention --days $(or $(DAYS),30)

clean: ## Remove models, results and caches (keeps .venv)
	rm -rf models $(RESULTS) .rasa .pytest_cache .mypy_cache .ruff_cache
