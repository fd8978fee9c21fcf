# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast setup app bench clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.12 is needed (pyenv: .python-version selects 3.12)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	@echo "compiling the model's kernels (numba, once; about half a minute)"
	$(BIN)/python -c "from sim.model import warm_up; warm_up()"
	@echo "fetching the app's front-end files from the npm registry (exact versions, checksums checked)"
	$(BIN)/python -m sim.app.assets
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/cogov run scenarios/baseline.yaml

# the browser view on http://127.0.0.1:8765/ (cogov app --host/--port for another bind)
app: $(STAMP)
	$(BIN)/cogov app

# the suite on every core (pytest-xdist; a test file stays on one worker: the browser
# tests share one app server, the spin-up cache is shared through the disk)
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

# the fast tier, while working on the code (under 3 minutes on 2 cores)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

clean:
	rm -rf $(VENV) build *.egg-info
