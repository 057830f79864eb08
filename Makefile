# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.emdkit-installed
EXTRAS := torch,images,ordinal,sgm,bench,dev

.PHONY: demo test install bench clean

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

bench: $(STAMP)
	$(PY) bench/run_core.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
