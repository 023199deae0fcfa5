# Celeriac. `make run` starts everything locally; `make test` runs every test.
SWIFT ?= swift

.PHONY: deps build release run test interop clean

deps:
	scripts/deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	scripts/run.sh

test: deps
	scripts/test.sh

interop: deps
	scripts/services.sh start .celeriac/test 6399 55439
	Tests/interop/run.sh 6399 55439

clean:
	scripts/services.sh stop .celeriac/run || true
	scripts/services.sh stop .celeriac/test || true
	rm -rf .build .celeriac
