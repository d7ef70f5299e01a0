# Celeriac. The first two targets are the README's two commands.
DOTNET ?= dotnet
CONFIG ?= Release
RESULTS ?= TestResults
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: run test test-deps bench build restore cli render operator clean image chart-lint docs pack install-tools uninstall-tools new-worker install-template uninstall-template help

run: ## Run the main job: worker processes and a producer on the embedded SQLite broker
	$(DOTNET) run --project worker/Celeriac.Demo -c $(CONFIG) -- $(ARGS)

test: test-deps ## Install test peers, restore, build and run every test project in turn (results: $(RESULTS)/<project>.trx)
	rm -rf $(RESULTS)
	$(DOTNET) build Celeriac.slnx -c $(CONFIG)
	@status=0; for project in tests/*/*.Tests.csproj; do \
	  name=$$(basename $$project .csproj); \
	  $(DOTNET) test $$project -c $(CONFIG) --no-build --logger "trx;LogFileName=$$name.trx" --logger "console;verbosity=minimal" --results-directory $(RESULTS) $(TEST_ARGS) || status=1; \
	done; exit $$status

test-deps: ## Install the real servers and tools the tests start (idempotent)
	bash scripts/test-deps.sh

bench: ## Throughput and latency: in-memory, SQLite, Redis, and Celery 5.2 on the same redis-server (ARGS="--quick", "--redis", "--no-celery", "--sqlite", "--celery-protocol", "--sqs", "--servicebus", "--autoscaling", "--live-view" or "--dashboard")
	bash scripts/bench-deps.sh
	$(DOTNET) run --project bench/Celeriac.Bench -c Release -- $(ARGS)

build: ## Build everything
	$(DOTNET) build Celeriac.slnx -c $(CONFIG)

restore:
	$(DOTNET) restore Celeriac.slnx

cli: ## Run the celeriac CLI: make cli ARGS="queues --db .celeriac-demo/celeriac.db"
	$(DOTNET) run --project worker/Celeriac.Cli -c $(CONFIG) -- $(ARGS)

render: ## Print the objects the operator would apply: make render FILE=examples/taskqueue-sqs.yaml
	$(DOTNET) run --project operator/Celeriac.Operator -c $(CONFIG) -- render $(addprefix -f ,$(abspath $(FILE))) $(ARGS)

operator: ## Run the operator against the cluster of $$KUBECONFIG
	$(DOTNET) run --project operator/Celeriac.Operator -c $(CONFIG) -- $(ARGS)

IMAGE_TAG ?= dev
# docker when its daemon answers, else podman (daemonless).
ENGINE ?= $(shell docker info >/dev/null 2>&1 && echo docker || { command -v podman >/dev/null 2>&1 && echo podman; })
image: ## Build the worker host, operator and dashboard images with docker or podman (ENGINE=, IMAGE_TAG=, IMAGE_ARGS="--storage-driver vfs ...")
	@test -n "$(ENGINE)" || { echo "no container engine: neither a docker daemon nor podman"; exit 1; }
	$(ENGINE) build $(IMAGE_ARGS) --target worker -t celeriac-worker:$(IMAGE_TAG) .
	$(ENGINE) build $(IMAGE_ARGS) --target operator -t celeriac-operator:$(IMAGE_TAG) .
	$(ENGINE) build $(IMAGE_ARGS) --target dashboard -t celeriac-dashboard:$(IMAGE_TAG) .

docs: ## Regenerate the CRD's defaults from the TaskQueue model, then docs/taskqueue-reference.md's field tables from the CRD (tests check both)
	CELERIAC_UPDATE_DOCS=1 $(DOTNET) test tests/Celeriac.Operator.Tests -c $(CONFIG) --filter "FullyQualifiedName~CrdDefaultsTests" --logger "console;verbosity=minimal"
	CELERIAC_UPDATE_DOCS=1 $(DOTNET) test tests/Celeriac.Chart.Tests -c $(CONFIG) --filter "FullyQualifiedName~TaskQueueReferenceTests" --logger "console;verbosity=minimal"

PACKAGES ?= artifacts/packages
VERSION ?= 0.1.0
LIBRARIES := Celeriac.Core Celeriac.Hosting Celeriac.Sqlite Celeriac.Redis Celeriac.Sqs Celeriac.ServiceBus Celeriac.Celery Celeriac.Celery.Redis Celeriac.Celery.Sqs Celeriac.Prometheus Celeriac.Otlp
TOOLS := Celeriac.Cli Celeriac.Worker
pack: ## NuGet packages into $(PACKAGES): the libraries, and the celeriac and celeriac-worker .NET tools
	for project in $(LIBRARIES) $(TOOLS); do \
	  $(DOTNET) pack worker/$$project -c $(CONFIG) -o $(PACKAGES) -p:Version=$(VERSION) || exit 1; \
	done

# --global installs into ~/.dotnet/tools (on PATH after the SDK's first run); TOOL_PATH=dir installs there instead.
TOOL_SCOPE = $(if $(TOOL_PATH),--tool-path $(TOOL_PATH),--global)
TOOL_RESTORE := artifacts/tool-restore
install-tools: pack ## Install the commands celeriac and celeriac-worker from $(PACKAGES) for your user, or into TOOL_PATH=dir; undo: make uninstall-tools
	@for tool in $(TOOLS); do \
	  $(DOTNET) tool uninstall $(TOOL_SCOPE) $$tool >/dev/null 2>&1; \
	  NUGET_PACKAGES=$(abspath $(TOOL_RESTORE)) $(DOTNET) tool install $(TOOL_SCOPE) $$tool --version $(VERSION) --add-source $(abspath $(PACKAGES)) || exit 1; \
	done; rm -rf $(TOOL_RESTORE)

uninstall-tools: ## Remove the commands make install-tools installed (give the same TOOL_PATH)
	for tool in $(TOOLS); do $(DOTNET) tool uninstall $(TOOL_SCOPE) $$tool || exit 1; done

# The template is installed into a hive of this checkout for new-worker, not for your user: install-template does that.
TEMPLATE := $(CURDIR)/templates/celeriac-worker
TEMPLATE_HIVE := artifacts/template-hive
new-worker: pack ## Start a task project from the template: make new-worker NAME=Billing.Tasks DIR=../billing-tasks [FEED=url-or-folder]
	@test -n "$(NAME)" && test -n "$(DIR)" || { echo "usage: make new-worker NAME=Billing.Tasks DIR=../billing-tasks [FEED=url-or-folder]"; exit 2; }
	$(DOTNET) new install $(TEMPLATE) --force --debug:custom-hive $(TEMPLATE_HIVE) > /dev/null
	$(DOTNET) new celeriac-worker -n $(NAME) -o $(DIR) --celeriac-version $(VERSION) --debug:custom-hive $(TEMPLATE_HIVE) \
	  --celeriac-feed "$(or $(FEED),$(shell realpath -m --relative-to=$(DIR) $(PACKAGES)))"

install-template: ## Make `dotnet new celeriac-worker` available to your user; undo: make uninstall-template
	$(DOTNET) new install $(TEMPLATE) --force

uninstall-template: ## Remove the template make install-template installed
	$(DOTNET) new uninstall $(TEMPLATE)

CHART := charts/celeriac-operator
chart-lint: ## helm lint and helm template the operator chart (skipped when helm is not on PATH; not part of make test)
	@if ! command -v helm >/dev/null 2>&1; then \
	  echo "chart-lint: skipped, helm is not on PATH (tests/Celeriac.Chart.Tests checks the chart without it)"; exit 0; \
	fi; \
	set -e; \
	helm lint --strict $(CHART); \
	helm lint --strict $(CHART) --set replicaCount=1 --set metrics.serviceMonitor.enabled=true --set metrics.prometheusRule.enabled=true --set metrics.dashboard.enabled=true; \
	helm template celeriac-operator $(CHART) --namespace celeriac-system > /dev/null; \
	helm template celeriac-operator $(CHART) --namespace celeriac-system --set replicaCount=1 \
	  --set metrics.serviceMonitor.enabled=true --set metrics.prometheusRule.enabled=true --set metrics.dashboard.enabled=true > /dev/null; \
	echo "chart-lint: helm lint and helm template passed"

clean:
	$(DOTNET) clean Celeriac.slnx
	rm -rf $(RESULTS) .celeriac-demo

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-18s %s\n", $$1, $$2}'
