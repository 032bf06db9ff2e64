# Concierge: `make demo` runs the product on SQLite with the demo mall; `make test` runs the suite.
# Both install what is missing first: Debian packages (as root), then Python packages into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium fonts-noto-cjk libmtdev1 libgl1-mesa-dri libegl1 libgl1 xvfb gettext espeak-ng nodejs nginx-light bubblewrap python3-seccomp docker-compose
export KIVY_NO_ARGS := 1
export KIVY_NO_CONSOLELOG := 1

.PHONY: demo test bench system-packages python-packages catalogs clean

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (install them as root)"; fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench]'
	@touch $(STAMP)

python-packages: $(STAMP)

catalogs: python-packages
	@$(PY) -m server.i18n_compile

demo: system-packages python-packages catalogs
	$(PY) -m server.rundemo

test: system-packages python-packages catalogs
	bash tests/run.sh

bench: system-packages python-packages catalogs
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
