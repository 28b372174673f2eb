# The front door: `make figures` sets everything up and regenerates the demo; `make test` checks it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: help install data figures validation test lint lab report strip checksums lock clean news-model
.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv with the locked dependencies

data: $(STAMP) ## analyse data/raw/ into data/processed/
	$(PY) -m analysis run

figures: data ## regenerate data/processed/ and figures/ from data/raw/
	$(PY) -m analysis figures
	$(PY) -m analysis html

# The shipped codes of the development corpus (coded by the package's authors; README, "The shipped codes").
CODED := data/dev/coding/sentiment-2400 data/dev/coding/sentiment-revise data/lexicons/audit/revise data/lexicons/audit/evaluate

validation: $(STAMP) ## recompute the validation/ tables and figures of the shipped codes (data/dev/coding, data/lexicons/audit)
	@set -e; for d in $(CODED); do \
	  echo "$$d/validation"; \
	  $(PY) -m analysis validate score --sample $$d/sample --codes $$d/codes/coder_a.csv $$d/codes/coder_b.csv \
	    --adjudicate $$d/codes/coder_c_adjudication.csv --out $$d/validation; \
	done

lint: $(STAMP) ## ruff; deptry (every import declared, every runtime dependency used); import-linter (the layers)
	$(PY) -m ruff check .
	$(PY) -m deptry analysis notebooks
	@# tests and benchmarks may import dev packages (DEP004) and need not use every runtime one (DEP002)
	$(PY) -m deptry tests benchmarks --exclude '\.venv' --ignore DEP002,DEP004
	@# imports point one way through the folders of analysis/ (pyproject.toml, [tool.importlinter])
	$(VENV)/bin/lint-imports --no-cache

test: lint ## ruff, deptry and import-linter, then the test suite
	$(PY) -m pytest

lab: $(STAMP) ## start JupyterLab on the project (kernel: .venv; add LAB_ARGS=--no-browser etc.; --allow-root as root)
	@# JupyterLab refuses to run as root unless told; as root (a container) say so and pass --allow-root
	@if [ "$$(id -u)" = 0 ]; then echo "make lab: running as root (a container?), so JupyterLab gets --allow-root"; fi
	$(PY) -m jupyter lab --notebook-dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

report: $(STAMP) ## execute every notebook on the demo article; HTML copies in reports/
	@mkdir -p reports
	@set -e; for nb in notebooks/*.ipynb; do \
	  name=$$(basename $$nb .ipynb); \
	  echo "$$nb -> reports/$$name.html"; \
	  $(PY) -m papermill --no-progress-bar --log-level WARNING $$nb reports/$$name.ipynb; \
	  $(PY) -m jupyter nbconvert --to html --log-level ERROR --output-dir reports reports/$$name.ipynb; \
	done

strip: $(STAMP) ## remove outputs from notebooks/*.ipynb before committing them
	$(PY) -m jupyter nbconvert --clear-output --inplace --log-level WARN notebooks/*.ipynb

news-model: $(STAMP) ## retrain the shipped news model from the coded development sentences; remake its evaluation
	$(PY) -m analysis validate train --gold data/dev/coding/sentiment-revise/validation/gold.csv \
	  --out analysis/sentiment/models/news --base snownlp --weight 1,3,10,30,100,300 --domain news
	$(PY) data/dev/coding/news-model/evaluate.py

checksums: ## refresh data/raw/SHA256SUMS after a deliberate change to data/raw/
	cd data/raw && find . -type f \( -name '*.txt' -o -name '*.md' \) -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS

lock: $(STAMP) ## rewrite requirements.lock from the current .venv
	{ head -2 requirements.lock; $(PY) -m pip freeze --all --exclude-editable | grep -vE '^(zh-news-framing|-e|pip==)'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean: ## remove .venv and caches (not data or figures)
	rm -rf $(VENV) .pytest_cache .ruff_cache reports
