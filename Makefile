# Every target installs the project into .venv first, from the lock file of its Python
# (requirements/py3.X.txt: exact versions with hashes; `make lock` regenerates them).
# Another Python: make test-fast PY=python3.12 VENV=.venv-3.12 (pyenv's 3.12/3.13 are found
# even when its shims do not expose them). Only 3.11 installs torch (the models extra).
PY      ?= python3.11
VENV    ?= .venv
BIN     := $(VENV)/bin
PYTHON  := $(shell $(PY) -c '' >/dev/null 2>&1 && echo $(PY) || ls -d $(HOME)/.pyenv/versions/$(patsubst python%,%,$(notdir $(PY))).*/bin/python 2>/dev/null | tail -n 1)
PYVER   := $(shell $(or $(PYTHON),python3) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
LOCK    ?= requirements/py$(PYVER).txt
WHEELS  ?= /opt/wheels
UV      := uv==0.13.8
CORPUS  ?= corpus
INDEX   ?= var/index
HOST    ?= 127.0.0.1
PORT    ?= 8000
CLUSTER ?=

.PHONY: install lint format test index serve eval bench loadtest browser converters fixtures clean lock

install: $(VENV)/.installed

# 3.11's lock holds the dev, bench, cluster and models extras (make test runs a bench smoke
# test, a Ray cluster and a sentence-transformers model); 3.12's and 3.13's the dev extra.
$(VENV)/.installed: pyproject.toml Makefile $(wildcard $(LOCK))
	@test -f $(LOCK) || { echo "no lock file $(LOCK) for Python $(PYVER): run make lock"; exit 2; }
	@test -x $(BIN)/python || $(or $(PYTHON),python3) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

# The lock files, from pyproject.toml, with uv (pinned, in .venv-lock). The local CPU wheel
# of torch 2.13.0 (WHEELS) is passed to uv, which does not read pip's configuration: the
# 3.11 lock then holds torch==2.13.0+cpu with that file's hash.
LOCK_EXTRAS_3.11 := --extra dev --extra bench --extra cluster --extra models
lock:
	@test -x .venv-lock/bin/uv || { python3 -m venv .venv-lock && .venv-lock/bin/pip install --quiet '$(UV)'; }
	@mkdir -p requirements
	@for v in 3.11 3.12 3.13; do \
	  extras="--extra dev"; [ $$v = 3.11 ] && extras="$(LOCK_EXTRAS_3.11)"; \
	  .venv-lock/bin/uv pip compile pyproject.toml $$extras --generate-hashes --python-version $$v \
	    --custom-compile-command "make lock" \
	    $(if $(wildcard $(WHEELS)),--find-links $(WHEELS) --emit-find-links) \
	    --quiet -o requirements/py$$v.txt || exit 1; \
	  echo "requirements/py$$v.txt: $$(grep -c '==' requirements/py$$v.txt) packages"; \
	done
	@# what a deployment installs (deploy/Containerfile, docs/operations.md): no extra, 3.11
	.venv-lock/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" --quiet -o requirements/service.txt

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Debian's LibreOffice (no GUI) reads Word 97–2003 (.doc) and RTF plans (converted to DOCX);
# Tesseract with its Vietnamese model reads scanned PDF pages (OCR). Without them (no root, no
# apt) those files are skipped with one line each; nothing else changes.
converters:
	@command -v soffice >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null; } 2>/dev/null || echo "note: LibreOffice is not installed; .doc and .rtf plans will be skipped (apt-get install libreoffice-writer-nogui)"
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null; } 2>/dev/null || echo "note: Tesseract (vie) is not installed; scanned PDF pages will be skipped (apt-get install tesseract-ocr tesseract-ocr-vie)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install browser converters
	$(BIN)/python -m pytest -q

# The tests that need neither the model nor an index, a browser, LibreOffice/Tesseract, the
# real corpus nor the benchmark (markers in pyproject.toml): well under a minute.
.PHONY: test-fast
test-fast: install
	$(BIN)/python -m pytest -q -m "not (browser or converters or real_corpus or bench or slow)"

index: install converters
	$(BIN)/cchc index --corpus $(CORPUS) --index $(INDEX) $(if $(CLUSTER),--cluster $(CLUSTER))

serve: index
	$(BIN)/cchc serve --index $(INDEX) --host $(HOST) --port $(PORT)

eval: install converters
	$(BIN)/python -m eval.run
	$(BIN)/python -m eval.pairing --sweep
	$(BIN)/python -m eval.headers
	$(BIN)/python -m eval.ocr
	$(BIN)/python -m eval.floor --sweep
	$(BIN)/python -m eval.understanding
	$(BIN)/python -m eval.answers
	$(BIN)/python -m eval.tasks

bench: install
	$(BIN)/python -m bench.run

loadtest: install
	$(BIN)/python -m bench.loadtest --index $(INDEX)

fixtures: install
	$(BIN)/python tests/fixtures/make_fixtures.py

clean:
	rm -rf var .pytest_cache
