# Crosstalk: one-command setup on a fresh Debian machine that has only the Swift toolchain.
SHELL := /bin/bash
APT_PACKAGES := libsndfile1-dev libopus-dev libsqlite3-dev libncurses-dev libespeak-ng-dev espeak-ng-data pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SCENARIOS := $(wildcard sessions/scenarios/*.yaml)
OUT := sessions/out

.PHONY: deps build demo test bench clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	swift build --product crosstalk

# Simulate every bundled scenario, write its archive to sessions/out/, print its per-turn table.
demo: build
	@mkdir -p $(OUT)
	@bin=$$(swift build --show-bin-path)/crosstalk; \
	for s in $(SCENARIOS); do \
		n=$$(basename $$s .yaml); \
		$$bin simulate $$s -o $(OUT)/$$n.ctk --force || exit $$?; \
		echo; \
	done; \
	$$bin verify $(OUT)/hesitation.ctk

test: deps
	swift build --build-tests
	swift test --skip-build

# Benchmarks (release build): simulate + record one hour of conversation; see README "Performance".
bench: deps
	@command -v /usr/bin/time >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq time; }
	swift build -c release --product crosstalk
	Benchmarks/simulate-hour.sh $$(swift build -c release --show-bin-path)/crosstalk

clean:
	rm -rf .build $(OUT)
