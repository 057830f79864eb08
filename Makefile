# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.emdkit-installed
EXTRAS := torch,images,web,ordinal,sgm,bench,dev,docs

.PHONY: demo test test-fast install bench bench-env clean clean-numba docs docs-clean

# Numba's on-disk cache is keyed on the file of each cached function only: after an edit to a
# callee in another file it would keep running the old machine code. Every make target therefore
# uses a cache directory named by a hash of all the sources that hold kernels, so an edit
# anywhere in them means a fresh cache (and the stale ones are removed).
KERNEL_SOURCES := $(sort $(shell grep -rl --include='*.py' -e 'numba' src))
KERNEL_HASH    := $(shell cat $(KERNEL_SOURCES) | sha256sum | cut -c1-16)
export NUMBA_CACHE_DIR := $(CURDIR)/.numba-cache/$(KERNEL_HASH)

# torch is pinned to the CPU build that lies on these machines; an unpinned torch
# would pull a multi-GB CUDA build. It goes first so that the extra's range is already met.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

# compile every solver path once, ahead of the first call (see `emdkit warmup --help`)
$(NUMBA_CACHE_DIR)/.warm: $(STAMP)
	find .numba-cache -mindepth 1 -maxdepth 1 ! -name $(KERNEL_HASH) -exec rm -rf {} + 2>/dev/null || true
	$(VENV)/bin/emdkit warmup
	mkdir -p $(NUMBA_CACHE_DIR) && touch $@

install: $(STAMP) $(NUMBA_CACHE_DIR)/.warm

demo: install
	$(VENV)/bin/emdkit demo

test: install
	$(PY) -m pytest -q -p no:cacheprovider

# everything but the tests marked slow (a fresh venv, training runs, big problems): < 60 s
test-fast: install
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow"

# The `wasserstein` peer needs numpy < 2, so it gets its own environment.
bench-env: $(STAMP)
	test -x bench/.venv-wasserstein/bin/python || $(PYTHON) -m venv bench/.venv-wasserstein
	bench/.venv-wasserstein/bin/pip install --quiet "numpy<2" wasserstein

bench: bench-env
	$(PY) bench/run_core.py
	$(PY) bench/run_pointcloud.py

# The documentation site: docs/_build/html. Offline; warnings are errors. The gallery examples and
# the migration guides' numbers run at build time; the `wasserstein` guide runs its peer in
# bench/.venv-wasserstein (numpy < 2), hence bench-env.
docs: install bench-env
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

docs-clean:
	rm -rf docs/_build docs/auto_examples docs/api/generated docs/_generated docs/sg_execution_times.rst

clean-numba:
	rm -rf .numba-cache
	find src -name '*.nbi' -delete -o -name '*.nbc' -delete

clean: clean-numba
	rm -rf $(VENV) build *.egg-info src/*.egg-info
