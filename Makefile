# The front door. `make dev` runs the platform, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LIBS := libs/events libs/kit libs/devinfra libs/fakes
DEMO := tools/demo
SERVICES := services/gateway services/member-svc services/privilege-svc services/merchant-svc services/claims-svc services/notify-svc
PACKAGES := $(LIBS) $(DEMO) $(SERVICES)
# A package's tests/ has no __init__.py (every one would be the package `tests`), so mypy checks each tree
# with its package as the base, one run each; bench/ likewise, as its scripts import their harness.
TEST_TREES := $(wildcard $(addsuffix /tests,$(PACKAGES)))
TOOLS := pytest pytest-asyncio pytest-timeout ruff mypy types-PyYAML types-jsonschema import-linter standardwebhooks schemathesis pyyaml kubernetes-validate "moto[s3]" py-spy flask flask-cors playwright squawk-cli
PLATFORM := $(BIN)/python -m cheyou_devinfra.platform

.PHONY: install web dev up down status test lint fmt bench schemas images clean demo demo-2014 report web-dev api-client soak

$(VENV)/.installed: constraints.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip -c constraints.txt
	$(BIN)/python -m pip install -q -c constraints.txt $(TOOLS) $(foreach p,$(PACKAGES),-e $(p))
	touch $@

WEB_SOURCES := $(shell find web/api/src web/member-h5 web/console -path '*/node_modules' -prune -o -path '*/dist' -prune -o -type f -print 2>/dev/null)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/.built: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: web/.built  ## npm ci and build the front ends (web/member-h5, web/console) that the gateway serves

install: $(VENV)/.installed web  ## create the virtualenv, install every package, build the front ends

dev: install  ## run the whole platform in the foreground; Ctrl-C stops it
	$(PLATFORM) dev

up: install  ## the same platform in the background; returns when every /readyz answers 200 (BULK=1: the gateway's limits lifted for make demo-2014)
	$(PLATFORM) up $(if $(BULK),--bulk-load)

down:  ## stop what `make up` started
	$(PLATFORM) down

status:
	$(PLATFORM) status

test: install  ## every test: the front ends' unit tests, then every package and tests/e2e (browser journeys included)
	cd web && npm test
	$(PLATFORM) test -- $(ARGS)

lint: install  ## ruff + mypy --strict (src, tools, tests/, every package's tests, bench/) + import contracts (docs/ARCHITECTURE.md) + squawk over every migration; ESLint, Prettier and vue-tsc --strict over web/
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy $(foreach p,$(PACKAGES),$(p)/src) tools/*.py
	$(BIN)/mypy tests
	MYPYPATH=bench $(BIN)/mypy bench
	@for t in $(TEST_TREES); do echo "MYPYPATH=$${t%/tests} $(BIN)/mypy $$t"; MYPYPATH=$${t%/tests} $(BIN)/mypy $$t || exit 1; done
	$(BIN)/lint-imports
	$(BIN)/python -m tools.lint_migrations
	cd web && npm run lint && npm run typecheck

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	cd web && npm run fmt

web-dev: web/node_modules/.installed  ## Vite's dev servers (H5 :5173/h5/, console :5174/console/) proxying /api to a running gateway
	cd web && trap 'kill 0' INT TERM; npm run dev:h5 & npm run dev:console & wait

api-client: web/node_modules/.installed  ## regenerate web/api/src/schema.d.ts from a running gateway's merged OpenAPI (OPENAPI_URL)
	cd web && npm run api

bench: install  ## every benchmark in bench/ (each starts its own infrastructure; the wrk ones need `apt-get install wrk`); figures in bench/RESULTS.md
	@for b in bench/*.py; do case $$b in *harness.py) continue;; esac; echo "== $$b"; $(BIN)/python $$b || exit 1; done

SOAK_DURATION ?= 900
SOAK_SEED ?= 19
SOAK_INJECTIONS ?= 50
SOAK_BROKER ?= apache-kafka
SOAK_MEMBERS ?= 30
SOAK_OUT ?= .dev/soak

soak: install  ## the reliability soak (issue 19): a platform of its own, a seeded workload and fault schedule, then every invariant → $(SOAK_OUT)/report.md
	$(BIN)/python -m cheyou_devinfra.soak --duration $(SOAK_DURATION) --seed $(SOAK_SEED) --injections $(SOAK_INJECTIONS) \
	  --broker $(SOAK_BROKER) --members $(SOAK_MEMBERS) --out $(SOAK_OUT) $(SOAK_ARGS)

DEMO_SCALE ?= 0.01

DEMO_LOGINS := .dev/demo-loaded.json

demo: install  ## the seed's 2014 Fuzhou world at DEMO_SCALE (1 %) into the running platform (its logins → .dev/demo-loaded.json), then the ops report
	$(BIN)/python -m cheyou_demo --scale $(DEMO_SCALE) --out $(DEMO_LOGINS)
	$(BIN)/python -m cheyou_demo.report --scale $(DEMO_SCALE) --out .dev/report

demo-2014: install  ## the whole 2014 world: 23,853 members, 87,404 claims, into a platform started with `make up BULK=1` (progress on stderr; logins → .dev/demo-loaded.json)
	$(BIN)/python -m cheyou_demo --scale 1 --concurrency 32 --out $(DEMO_LOGINS)
	$(BIN)/python -m cheyou_demo.report --out .dev/report

report: install  ## the seed's two tables from live data → .dev/report/report.{json,csv,svg}
	$(BIN)/python -m cheyou_demo.report --scale $(DEMO_SCALE) --out .dev/report

.PHONY: feeds-sim
feeds-sim: install  ## the fake violation and weather providers push signed items (a Fuzhou typhoon…) to the running platform
	$(BIN)/python -m cheyou_fakes.feeds_sim $(FEEDS_SIM_ARGS)

schemas: install  ## re-export the event catalogue's JSON Schemas after changing an event
	$(BIN)/python -m cheyou_events export-schemas

IMAGE_REGISTRY ?= cheyou
IMAGE_TAG ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
CONTAINER ?= docker

# Each service's port (its Deployment's containerPort); its Python package is its name with "_" for "-".
IMAGE_PORTS := gateway:8080 member-svc:8101 privilege-svc:8102 merchant-svc:8103 claims-svc:8104 notify-svc:8105

images:  ## one image per service from one template (deploy/images/Dockerfile), built from the repository root: $(IMAGE_REGISTRY)/<svc>:$(IMAGE_TAG)
	@for entry in $(IMAGE_PORTS); do svc=$${entry%%:*}; port=$${entry##*:}; \
	  echo "# $(IMAGE_REGISTRY)/$$svc:$(IMAGE_TAG)"; \
	  $(CONTAINER) build -f deploy/images/Dockerfile --build-arg SERVICE=$$svc --build-arg MODULE=$${svc//-/_} \
	    --build-arg PORT=$$port -t $(IMAGE_REGISTRY)/$$svc:$(IMAGE_TAG) . || exit 1; \
	done

clean:
	rm -rf $(VENV) .dev .mypy_cache .ruff_cache .pytest_cache
