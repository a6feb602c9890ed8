# The two commands a user needs: `make demo` and `make test`.
# Both create .venv and install zpy (editable) when needed.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.zpy-installed
BENCH_OUT ?= bench/results.json
PYTEST_ARGS ?=
# Bytecode for the editable package, as pip writes it for installed ones: every
# `zpy` subprocess then starts from .pyc files, even under PYTHONDONTWRITEBYTECODE.
BYTECODE := $(PY) -m compileall -q zpy

.PHONY: demo test fuzz soak bench lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BYTECODE)
	$(PY) -m zpy.demo

test: $(STAMP)
	$(BYTECODE)
	$(PY) -m ruff check zpy tests bench samples
	$(PY) -m mypy zpy
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m zpy twister -T samples -T tests -p qemu_x86_64 -O build/twister-out

# 10,000 cases per fuzz target (make test runs a few dozen); FUZZ_CASES=N to change it.
FUZZ_CASES ?= 10000
fuzz: $(STAMP)
	$(BYTECODE)
	ZPY_FUZZ_PROFILE=fuzz ZPY_FUZZ_CASES=$(FUZZ_CASES) $(PY) -m pytest tests/fuzz --timeout=3600 \
		--hypothesis-show-statistics -q

# 16 VMs on one ivshmem-v2 server for 5 minutes, peers killed and restarted at random;
# SOAK_VMS=N, SOAK_SECONDS=S to change it.
soak: $(STAMP)
	$(BYTECODE)
	$(PY) -m tests.soak

bench: $(STAMP)
	$(BYTECODE)
	$(PY) bench/run.py --out $(BENCH_OUT)

lint: $(STAMP)
	$(PY) -m ruff check zpy tests bench samples
	$(PY) -m mypy zpy

clean:
	rm -rf build build-* twister-out* .pytest_cache
