# Two commands for newcomers: `make lab` (open the workbook) and `make test` (run every test).
# Each creates its own virtual environment from nothing; nothing else needs to be installed but Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
LAB_VENV := .venv
TEST_VENV := .venv-test
PORT ?= 8888
# `make test` spreads tests over this many processes (pytest-xdist; auto = one per core); 0 runs them in order.
TEST_WORKERS ?= auto
FAST_TESTS := not (browser or kernel or slow or postgres or hub)
# Folders whose every test is heavy (tests/conftest.py marks them): `make check` does not even import them.
HEAVY_FOLDERS := browser browser_costs binder hostile postgres hub
# Jupyter refuses to run as root (containers, CI) unless told it is deliberate.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# A test run starts hundreds of Python processes: the first to import a module of workbook/ or tests/ writes its
# bytecode and the others read it. Where the environment sets PYTHONDONTWRITEBYTECODE, each would compile them
# again (about 0.3 s of CPU for all of workbook/, 1.2 s for pytest's rewritten tests). Graded students' code runs
# with it set regardless (the sandbox sets its own environment).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: lab test lint-and-editions binder-venv build check instructor-help clean-venvs hub formgrader

$(LAB_VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LAB_VENV)/bin/python -m pip install --quiet -r requirements.txt
	touch $@

# Installed by uv (requirements-installer.txt), bytecode compiled as pip does: the course hub's students cannot write
# it, and where PYTHONDONTWRITEBYTECODE is set every process would compile again what it imports. uv reads none of
# pip's settings (a package mirror, say): where it cannot install, pip does.
$(TEST_VENV)/.installed: requirements.txt requirements-test.txt requirements-installer.txt deploy/hub/requirements.txt \
		pyproject.toml
	$(PYTHON) -m venv $(TEST_VENV)
	{ $(TEST_VENV)/bin/python -m pip install --quiet -r requirements-installer.txt && \
	  $(TEST_VENV)/bin/uv pip install --quiet --native-tls --compile-bytecode --python $(TEST_VENV)/bin/python \
		-r requirements-test.txt; } || \
	{ echo "uv could not install the test venv (above); pip installs it"; \
	  $(TEST_VENV)/bin/python -m pip install --quiet -r requirements-test.txt; }
	touch $@

## Open the self-learner start page in JupyterLab.
## Like Binder: nbgrader's instructor tools hidden, friendly messages in kernels (settings in .learner-lab/ only;
## `jupyter lab` run by hand in the same environment still has nbgrader's tools for instructors).
lab: $(LAB_VENV)/.installed
	$(LAB_VENV)/bin/python -m workbook.learnerlab .learner-lab >/dev/null
	JUPYTER_CONFIG_DIR=$(CURDIR)/.learner-lab/jupyter IPYTHONDIR=$(CURDIR)/.learner-lab/ipython \
		$(LAB_VENV)/bin/jupyter lab --port=$(PORT) $(ALLOW_ROOT) notebooks/00_start.ipynb

## The fast loop (under a minute): lint, format check, and every test that needs no browser, kernel or server.
check: $(TEST_VENV)/.installed
	$(TEST_VENV)/bin/ruff check --no-cache .
	$(TEST_VENV)/bin/ruff format --check .
	$(TEST_VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup -m "$(FAST_TESTS)" \
		$(foreach folder,$(HEAVY_FOLDERS),--ignore=tests/$(folder))

## Lint, check the generated editions are current, and run the whole test suite on TEST_WORKERS processes.
# `build --check --no-validate`: stale editions fail here; executing every notebook (the build's validation) is
# left to pytest, which spreads it over the workers (tests/test_course_notebooks.py: the same checks, all editions).
# The test venv comes first (on a clean machine it fills uv's cache, so the Binder-like venv then links the same
# files instead of fetching them again). Then two things side by side, as each keeps about one core busy: the lint
# and editions check, and the Binder-like venv of the new-user test (requirements.txt and postBuild, cached in the
# temporary folder; that test builds it itself when run alone).
test: $(TEST_VENV)/.installed
	$(MAKE) --no-print-directory -j2 lint-and-editions binder-venv
	$(TEST_VENV)/bin/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

lint-and-editions: $(TEST_VENV)/.installed
	$(TEST_VENV)/bin/ruff check --no-cache .
	$(TEST_VENV)/bin/ruff format --check .
	$(TEST_VENV)/bin/python -m workbook build --check --no-validate

# Standard library only, so it needs no test venv. A failure here is not the verdict: the test reports it in full.
binder-venv:
	-$(PYTHON) -m tests.binder.binder_env

$(LAB_VENV)/.hub-installed: $(LAB_VENV)/.installed deploy/hub/requirements.txt
	$(LAB_VENV)/bin/python -m pip install --quiet -r deploy/hub/requirements.txt
	touch $@

## Instructors, as root: the course on a JupyterHub (settings: deploy/hub/course-hub.toml; see README).
hub: $(LAB_VENV)/.hub-installed
	$(LAB_VENV)/bin/python -m workbook hub start

## Instructors and authors: regenerate release/ and notebooks/ from source/ (validated).
build: $(LAB_VENV)/.installed
	$(LAB_VENV)/bin/python -m workbook build

clean-venvs:
	rm -rf $(LAB_VENV) $(TEST_VENV)

## Instructors: JupyterLab opened at nbgrader's Formgrader, to grade written answers by hand (as root too).
formgrader: $(LAB_VENV)/.installed
	$(LAB_VENV)/bin/jupyter lab --port=$(PORT) $(ALLOW_ROOT) --ServerApp.default_url=/formgrader
