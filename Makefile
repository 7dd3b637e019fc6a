# Forløp: `make demo` and `make test` each do all set-up on a fresh machine.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FORLOP := $(VENV)/bin/forlop
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= demo_out

.PHONY: demo test test-fast lint system-deps bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian packages the tests need: Chromium (browser tests), a Java runtime (Spark) and PostgreSQL (the web
# application's tests start a throwaway server from /usr/lib/postgresql/*/bin; no cluster of the package is used).
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  ( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless postgresql >/dev/null )

# Lint, format check and type check (ruff and mypy, configured in pyproject.toml); `make test` runs it first.
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

test: $(STAMP) system-deps lint
	$(PY) -m pytest -q -p no:cacheprovider

# Everything but the national-scale calibration and Spark tests.
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not spark"

demo: $(STAMP)
	$(FORLOP) synth --scale demo --seed 2020 --out $(DEMO)/extract
	$(FORLOP) validate --data $(DEMO)/extract --out $(DEMO)/validation
	$(FORLOP) pathways --data $(DEMO)/extract --out $(DEMO)/pathways
	$(FORLOP) qi synth --seed 2022 --out $(DEMO)/qi/data
	$(FORLOP) qi dashboard --data $(DEMO)/qi/data --out $(DEMO)/qi/qi.html
	$(FORLOP) coercion synth-trial --seed 2019 --effect 6.8 --out $(DEMO)/coercion/trial_data
	$(FORLOP) coercion trial --counts $(DEMO)/coercion/trial_data/counts.csv --design $(DEMO)/coercion/trial_data/trial.yaml --out $(DEMO)/coercion/trial
	$(FORLOP) coercion rates --data $(DEMO)/validation --out $(DEMO)/coercion/rates --by health_community --period year
	$(FORLOP) coercion report --trial $(DEMO)/coercion/trial --rates $(DEMO)/coercion/rates --period 2020 --out $(DEMO)/coercion/coercion.html
	$(FORLOP) outcomes synth --seed 2013 --out $(DEMO)/outcomes/data
	$(FORLOP) outcomes analyse --data $(DEMO)/outcomes/data --out $(DEMO)/outcomes/results
	$(FORLOP) outcomes report --results $(DEMO)/outcomes/results --html $(DEMO)/outcomes/outcomes.html --xlsx $(DEMO)/outcomes/outcomes.xlsx
	$(FORLOP) survey synth --seed 2023 --scale national --out $(DEMO)/survey/data
	$(FORLOP) survey analyse --data $(DEMO)/survey/data --out $(DEMO)/survey/results
	$(FORLOP) survey report --results $(DEMO)/survey/results --html $(DEMO)/survey/survey.html --xlsx $(DEMO)/survey/survey.xlsx
	$(FORLOP) report --results $(DEMO)/pathways --html $(DEMO)/report.html --xlsx $(DEMO)/tables.xlsx --data $(DEMO)/extract
	@echo "$(abspath $(DEMO))/report.html"
	@echo "$(abspath $(DEMO))/survey/survey.html"

bench: $(STAMP)
	$(PY) benchmarks/synth.py
	$(PY) benchmarks/pathways.py --runs 3
	$(PY) benchmarks/coercion.py --runs 3
	$(PY) benchmarks/outcomes.py --runs 3
	$(PY) benchmarks/survey_synth.py
	$(PY) benchmarks/survey_analyse.py
	$(PY) benchmarks/survey_report.py
	$(PY) benchmarks/server_load.py

clean:
	rm -rf $(VENV) $(DEMO)
