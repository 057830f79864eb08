# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.emdkit-installed
EXTRAS := torch,images,ordinal,sgm,bench,dev

.PHONY: demo test test-fast install bench bench-env clean clean-numba

# torch is pinned to the CPU build that lies on these machines; an unpinned torch
# would pull a multi-GB CUDA build. It goes first so that the extra's range is already met.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/emdkit demo

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

# everything but the tests marked slow (a fresh venv, training runs, big problems): < 60 s
test-fast: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow"

# The `wasserstein` peer needs numpy < 2, so it gets its own environment.
bench-env: $(STAMP)
	test -x bench/.venv-wasserstein/bin/python || $(PYTHON) -m venv bench/.venv-wasserstein
	bench/.venv-wasserstein/bin/pip install --quiet "numpy<2" wasserstein

bench: bench-env
	$(PY) bench/run_core.py
	$(PY) bench/run_pointcloud.py

# Numba's on-disk cache is keyed on the file of the cached function only: after editing a callee
# in another file (say network_simplex.py), drop the cache or the old machine code keeps running.
clean-numba:
	find src -name '*.nbi' -delete -o -name '*.nbc' -delete

clean: clean-numba
	rm -rf $(VENV) build *.egg-info src/*.egg-info
