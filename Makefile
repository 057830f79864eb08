# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.emdkit-installed
EXTRAS := torch,images,web,ordinal,sgm,bench,dev,docs

.PHONY: demo test test-fast install native sanitize bench bench-env clean clean-numba docs docs-clean

# The Numba reference engine (EMDKIT_ENGINE=numba, used by the tests that compare the compiled
# engine with it bit for bit) caches its machine code keyed on each kernel's own file only: after
# an edit to a callee in another file it would keep running the old code. The cache directory is
# therefore named by a hash of all the sources that hold kernels.
KERNEL_SOURCES := $(sort $(shell grep -rl --include='*.py' -e 'njit' -e 'register_jitable' src))
KERNEL_HASH    := $(shell cat $(KERNEL_SOURCES) | sha256sum | cut -c1-16)
export NUMBA_CACHE_DIR := $(CURDIR)/.numba-cache/$(KERNEL_HASH)

# torch is pinned to the CPU build that lies on these machines; an unpinned torch
# would pull a multi-GB CUDA build. It goes first so that the extra's range is already met.
# The development venv imports src/ directly through a .pth file (what setuptools' editable
# installs did), with the compiled engine built in place by `make native`. scikit-build-core's
# own editable install puts an import hook first on sys.meta_path, which would shadow
# PYTHONPATH overlays (the sanitizer build below, git worktrees); so after pip has installed the
# dependencies, the console script and the metadata, the hook (and the copy of the engine it
# pointed to) is swapped for the .pth.
# CMake, Ninja and nanobind come from PyPI into the venv, for `make native`.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet "cmake>=3.18" ninja "nanobind>=2.4" "scikit-build-core>=0.10"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	site=$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") && \
	    test -d "$$site" && rm -rf "$$site"/_editable_skbc_emdkit.* "$$site"/_emdkit_editable.* \
	    "$$site"/emdkit && echo "$(CURDIR)/src" > "$$site"/emdkit-src.pth
	touch $(STAMP)

# The compiled engine, built in place into src/emdkit (incremental: Ninja rebuilds what changed).
native: $(STAMP)
	$(VENV)/bin/cmake -S . -B build/dev -G Ninja -DPython_EXECUTABLE=$(abspath $(PY)) \
	    -DEMDKIT_OUTPUT_DIR=$(CURDIR)/src/emdkit > build-dev.log || (cat build-dev.log; exit 1)
	$(VENV)/bin/cmake --build build/dev
	@rm -f build-dev.log

# The engine under AddressSanitizer and UndefinedBehaviorSanitizer (invariant checks on), run
# on the core tests and the nn and images engine comparisons: a copy of the package in build/asan/overlay goes first on PYTHONPATH.
# Python itself is not instrumented, so ASan is preloaded and its leak check (which would list
# the interpreter's own allocations) is off. libstdc++ is preloaded with it: Python does not link
# it, and ASan's __cxa_throw interceptor, finding no real __cxa_throw at startup, kills the
# process at the engine's first C++ exception ("CHECK failed: real___cxa_throw").
ASAN_PRELOAD = $(shell $(CXX) -print-file-name=libasan.so) $(shell $(CXX) -print-file-name=libstdc++.so)
sanitize: $(STAMP)
	$(VENV)/bin/cmake -S . -B build/asan -G Ninja -DPython_EXECUTABLE=$(abspath $(PY)) \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMDKIT_SANITIZE=ON \
	    -DEMDKIT_OUTPUT_DIR=$(CURDIR)/build/asan/overlay/emdkit > build-asan.log \
	    || (cat build-asan.log; exit 1)
	rm -rf build/asan/overlay && mkdir -p build/asan/overlay
	cp -r src/emdkit build/asan/overlay/ && find build/asan/overlay -name '*.so' -delete
	$(VENV)/bin/cmake --build build/asan
	@rm -f build-asan.log
	LD_PRELOAD="$(ASAN_PRELOAD)" ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 EMDKIT_ENGINE=native \
	    PYTHONPATH=$(CURDIR)/build/asan/overlay $(PY) -m pytest -q -p no:cacheprovider \
	    -m "not slow" --rootdir=$(CURDIR) tests/core tests/nn/test_engine_kernels.py \
	    tests/images/test_engine_kmeans.py

install: $(STAMP) native

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
	$(PY) bench/run_core.py --overwrite
	$(PY) bench/run_pointcloud.py --overwrite

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
	rm -rf $(VENV) build *.egg-info src/*.egg-info src/emdkit/_engine*.so
