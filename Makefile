# r70 — the README's two commands: `make run` and `make test`.
SHELL := /bin/bash
SCENARIO ?= scenarios/vn-2030-base.yaml
# System packages the build and the tests need (Debian names).
SYSTEM_PACKAGES := libgsl-dev libglpk-dev coinor-libclp-dev libsqlite3-dev sqlite3 pkg-config python3-jsonschema python3-yaml
SWIFT ?= swift

.PHONY: deps build run test test-sanitizers test-slurm test-browser screenshots check-baseline update-baseline bench bench-build docs clean

# Installs missing system packages (apt-get; retries while another apt holds the lock).
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  for i in 1 2 3 4 5 6; do \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing && break; \
	    echo "apt busy or failed; retrying in 10 s"; sleep 10; \
	  done; \
	  for p in $$missing; do dpkg -s $$p >/dev/null 2>&1 || { echo "could not install $$p"; exit 1; }; done; \
	fi

build: deps
	$(SWIFT) build -c release --product r70

run: build
	$$($(SWIFT) build -c release --show-bin-path)/r70 run $(SCENARIO)

# Tests run on an optimised build (with -enable-testing for @testable imports) in their own scratch
# folder, so `make run` and `make test` do not rebuild each other's objects.
TEST_FLAGS := -c release -Xswiftc -enable-testing --scratch-path .build-tests

# All tests use swift-testing; --disable-xctest skips XCTest's empty pass (its "Executed 0 tests" lines).
test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build --disable-xctest

# A representative subset under debug builds with sanitizers (CI). Debug builds keep Swift's exclusivity
# checks and bounds assertions (the release build drops exclusivity checks in the hot modules) and add
# AddressSanitizer; the Monte Carlo engine's threads run under ThreadSanitizer. LeakSanitizer is off: it
# reports the schema's and the test runtime's one-time globals, not per-trial memory (the benchmarks
# count the step loop's allocations).
ASAN_TESTS := GridDispatchTests|HandSolvedTests|ShiftableDemandTests|ReserveMarginTests|ReproducibilityTests|CommonRandomNumberTests|TailStatisticsTests|RandomStreamTests|ReportTests|SamplerTests|fastPathRandomSystems
TSAN_TESTS := ReproducibilityTests|SamplerTests
test-sanitizers: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 $(SWIFT) test --sanitize=address --scratch-path .build-asan --skip-build --disable-xctest --filter "$(ASAN_TESTS)"
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --skip-build --disable-xctest --filter "$(TSAN_TESTS)"

# A single-node Slurm on localhost runs a 4-shard study as a job array and its merge; the result must
# equal the single-process run (installs slurm-wlm and munge if missing; see tools/test-slurm.sh).
test-slurm: build
	tools/test-slurm.sh $$($(SWIFT) build -c release --show-bin-path)/r70

# The HTML dashboards of vn-2030-base (deterministic, 100 trials, a merged sharded study, a sweep) rendered in
# headless Chromium: fails on a console error, a network reference, an empty chart or a missing section, and
# writes screenshots to .build-browser/screenshots (installs chromium and python3-websocket if missing).
BROWSER_PACKAGES := chromium python3-websocket
test-browser: build
	@$(MAKE) --no-print-directory deps SYSTEM_PACKAGES="$(BROWSER_PACKAGES)"
	tools/test-browser.sh $$($(SWIFT) build -c release --show-bin-path)/r70

# The README's screenshots (docs/screenshots), from a fresh test-browser run.
screenshots: test-browser
	mkdir -p docs/screenshots
	cp .build-browser/screenshots/vn-2030-base-top.png .build-browser/screenshots/vn-2030-base-100-trials-top.png \
	   .build-browser/screenshots/vn-2030-base-sweep-top.png .build-browser/screenshots/vn-2030-base-phone.png docs/screenshots/

# Regression check of the scenario library against scenarios/baseline.json (after `make test`, which
# builds the r70 used here).
R70_TESTED = .build-tests/release/r70
check-baseline:
	@[ -x $(R70_TESTED) ] || $(SWIFT) build $(TEST_FLAGS) --product r70
	$(R70_TESTED) check --baseline scenarios/baseline.json --junit .build-tests/r70-baseline-junit.xml scenarios/*.yaml

update-baseline:
	@[ -x $(R70_TESTED) ] || $(SWIFT) build $(TEST_FLAGS) --product r70
	$(R70_TESTED) check --baseline scenarios/baseline.json --update-baseline scenarios/*.yaml

bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

# Compiles the benchmarks without running them (CI: they must not fall behind the API).
bench-build: deps
	cd Benchmarks && $(SWIFT) build -c release

docs: build
	$$($(SWIFT) build -c release --show-bin-path)/r70 schema --format markdown > docs/scenario-format.md.tmp && mv docs/scenario-format.md.tmp docs/scenario-format.md

clean:
	rm -rf .build .build-tests .build-asan .build-tsan .build-browser
