# The two commands a user needs: `make demo` and `make test`.
# Both create .venv and install zpy (editable) when needed.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.zpy-installed
BENCH_OUT ?= bench/results.json
PYTEST_ARGS ?=
# pytest's workers (pytest-xdist): most tests wait on subprocesses, so one per CPU
# cuts the suite's wall time by a third here; PYTEST_JOBS=0 runs it in this process, test by test.
PYTEST_JOBS ?= auto
# Bytecode for the editable package, as pip writes it for installed ones: every
# `zpy` subprocess then starts from .pyc files, even under PYTHONDONTWRITEBYTECODE.
BYTECODE := $(PY) -m compileall -q zpy

.PHONY: demo test test-steps fuzz soak bench profile-irq lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BYTECODE)
	$(PY) -m zpy.demo

# `make test` ends with its wall time, and that of each part, whether it passed or not.
TEST_TIMES := build/make-test-times
# $(call timed,NAME,COMMAND): run COMMAND (shown), add "NAME <seconds> s" to $(TEST_TIMES).
timed = @echo '$(2)'; start=$$(date +%s%N); $(2); status=$$?; \
	ms=$$(( ($$(date +%s%N) - start) / 1000000 )); \
	printf '%s %d.%01d s\n' $(1) $$((ms / 1000)) $$((ms % 1000 / 100)) >> $(TEST_TIMES); \
	exit $$status

test: $(STAMP)
	@mkdir -p build; : > $(TEST_TIMES); start=$$(date +%s%N); \
	$(MAKE) --no-print-directory test-steps; status=$$?; \
	ms=$$(( ($$(date +%s%N) - start) / 1000000 )); \
	printf 'make test: %d.%01d s wall (%s)\n' $$((ms / 1000)) $$((ms % 1000 / 100)) \
		"$$(paste -sd';' $(TEST_TIMES) | sed 's/;/, /g')"; \
	exit $$status

test-steps:
	$(BYTECODE)
	$(call timed,lint,$(PY) -m ruff check zpy tests bench samples && $(PY) -m mypy zpy)
	$(call timed,pytest,$(PY) -m pytest -n $(PYTEST_JOBS) $(PYTEST_ARGS))
	$(call timed,twister,$(PY) -m zpy twister -T samples -T tests -p qemu_x86_64 -O build/twister-out)

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

# the interrupt path step by step, and its busiest functions under cProfile (docs/kernel.md)
profile-irq: $(STAMP)
	$(BYTECODE)
	$(PY) bench/bench_zpy.py --profile-irq

lint: $(STAMP)
	$(PY) -m ruff check zpy tests bench samples
	$(PY) -m mypy zpy

clean:
	rm -rf build build-* twister-out* .pytest_cache
