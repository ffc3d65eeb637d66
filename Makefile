# Every target installs the project into .venv first (from pyproject.toml alone).
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
CORPUS  ?= corpus
INDEX   ?= var/index
HOST    ?= 127.0.0.1
PORT    ?= 8000
CLUSTER ?=

.PHONY: install lint format test index serve eval bench loadtest browser converters fixtures clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench,cluster]'  # make test runs a bench smoke test and a Ray cluster
	@touch $@

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
	$(BIN)/python -m indexer build --corpus $(CORPUS) --index $(INDEX) $(if $(CLUSTER),--cluster $(CLUSTER))

serve: index
	$(BIN)/python -m service serve --index $(INDEX) --host $(HOST) --port $(PORT)

eval: install converters
	$(BIN)/python -m eval.run
	$(BIN)/python -m eval.pairing --sweep
	$(BIN)/python -m eval.headers
	$(BIN)/python -m eval.ocr
	$(BIN)/python -m eval.floor --sweep

bench: install
	$(BIN)/python -m bench.run

loadtest: install
	$(BIN)/python -m bench.loadtest --index $(INDEX)

fixtures: install
	$(BIN)/python tests/fixtures/make_fixtures.py

clean:
	rm -rf var .pytest_cache
