# Celeriac. `make run` starts everything locally; `make test` runs every test.
SWIFT ?= swift

.PHONY: deps build release run test interop contract chaos bench clean

deps:
	scripts/deps.sh

build: deps
	$(SWIFT) build

# Release binaries link the Swift runtime and Foundation statically: nothing to install
# beside them, and an idle worker maps a few MiB of its own code instead of every Swift
# shared library.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

run: release
	scripts/run.sh

test: deps
	scripts/test.sh

interop: deps
	scripts/services.sh start .celeriac/test 6399 15439
	Tests/interop/run.sh 6399 15439

# openapi.yaml against the API with Schemathesis; CELERIAC_CONTRACT_SEED=random explores.
contract: deps
	scripts/services.sh start .celeriac/test 6399 15439
	Tests/contract/run.sh 6399 15439

# Ours and Celery / redis-benchmark side by side; writes BENCHMARKS.md.
bench: deps
	bench/run.sh full

# The long kill test: 100 kill -9s under load (results go in BENCHMARKS.md).
chaos: deps
	scripts/services.sh start .celeriac/test 6399 15439
	swift build
	Tests/fault/run.sh 15439 kill --kills 100

clean:
	scripts/services.sh stop .celeriac/run || true
	scripts/services.sh stop .celeriac/test || true
	rm -rf .build .celeriac
