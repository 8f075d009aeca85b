# The two commands of the README:
#   make demo   installs what is needed, builds, and chats with the embedded tiny model
#   make test   installs what is needed, builds, and runs every test
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: setup build demo test test-asan test-asan-inputs fuzz bench clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHF_UNITY_TESTS=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/hfcpp chat tests/fixtures/tiny-qwen2 -p "请写一首赞美秋天的五言绝句" --max-new-tokens 32 --seed 0

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again under AddressSanitizer + UBSan + LeakSanitizer: any report fails the run,
# as does a Node test's `hfcpp serve` that does not exit 0 after SIGTERM (tests/server/
# serve_process.mjs). CI runs it after `make test` (.ci/run). -O1 keeps the build and the run as
# short as they can be, and HF_UNITY_TESTS compiles each test program as one translation unit (as
# `make build` does). Each GoogleTest program runs once as a whole, JOBS at a time (ctest would
# start each of its ~1900 cases as a process of its own, each paying the sanitizer runtime's start
# and exit leak scan); then ctest runs the tests that are not GoogleTest cases: the OpenAI npm
# client, nginx and Chromium against the sanitized `hfcpp serve`. The install_* tests are left to
# `make test`: they compile headers and an unsanitized consumer against the installed library,
# which checks packaging, not code a sanitizer watches.
ASAN_BUILD ?= build-asan
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_CONFIGURE = cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHF_BUILD_BENCH=OFF -DHF_UNITY_TESTS=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS="$(SANITIZE)" -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZE)"
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_TEST_PROGRAMS = $(sort $(patsubst tests/%/,test_%,$(dir $(wildcard tests/*/*_test.cpp))))
# One program: its output goes to $(ASAN_BUILD)/asan-<program>.log, shown when it fails.
ASAN_RUN_ONE = t=$$(date +%s) && $(ASAN_ENV) timeout 1500 $(ASAN_BUILD)/tests/$$0 --gtest_brief=1 \
	  >$(ASAN_BUILD)/asan-$$0.log 2>&1 || { cat $(ASAN_BUILD)/asan-$$0.log; echo "asan: $$0 failed"; exit 1; }; \
	  echo "asan: $$0 passed in $$(($$(date +%s) - t)) s" 
test-asan: setup
	@$(ASAN_CONFIGURE) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@printf '%s\n' $(ASAN_TEST_PROGRAMS) | xargs -P $(JOBS) -n 1 sh -c '$(ASAN_RUN_ONE)'
	cd $(ASAN_BUILD) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) -LE gtest -E '^install_'

# The quick sanitizer subset: only the test programs of the layers that read untrusted input --
# model files (core, io), tokenizer.json and chat templates (tokenizers, templates), Hub responses
# (hub); the server's request parsing is fuzzed besides (fuzz/openai_request_fuzz.cpp). CI runs
# the whole suite (`make test-asan`, .ci/run).
ASAN_INPUT_TESTS = test_core test_io test_hub test_templates test_tokenizers
test-asan-inputs: setup
	@$(ASAN_CONFIGURE) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(ASAN_INPUT_TESTS)
	@for t in $(ASAN_INPUT_TESTS); do echo "asan: $$t" && $(ASAN_ENV) $(ASAN_BUILD)/tests/$$t --gtest_brief=1 || exit 1; done

# Fuzzing: each libFuzzer target of fuzz/ (built with clang, ASan and UBSan in build-fuzz/) runs
# FUZZ_SECONDS from its seed corpus fuzz/corpus/<target>, or until FUZZ_RUNS executions when that
# is set (`make fuzz FUZZ_RUNS=1000000 FUZZ_SECONDS=3600`); inputs it learns go to
# build-fuzz/corpus/<target>, a crashing input to build-fuzz/crashes/<target>/ (and the run fails).
# -max_len per target is a little above its largest seed: libFuzzer's default is at least 4096
# bytes and it grows inputs toward it, and a 4 KB config.json exercises the same parser as a 1 KB
# one at four times the cost of each execution.
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_TARGETS ?= safetensors torch_bin config_json tokenizer_json chat_template openai_request
FUZZ_MAX_LEN = safetensors:2048 torch_bin:2048 config_json:1024 tokenizer_json:12288 chat_template:6144 openai_request:2048
fuzz: setup
	@bash scripts/setup.sh --fuzz
	@CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DHF_FUZZ=ON -DHF_BUILD_TESTS=OFF -DHF_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  len=$$(echo "$(FUZZ_MAX_LEN)" | tr ' ' '\n' | sed -n "s/^$$t://p") && \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t && echo "fuzz: $$t, $(FUZZ_SECONDS) s, max_len $${len:-0}" && \
	  build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) -max_len=$${len:-0} -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/$$t/ \
	    build-fuzz/corpus/$$t fuzz/corpus/$$t || exit 1; \
	done

bench: build
	$(BUILD)/hfcpp bench tests/fixtures/tiny-qwen2

clean:
	rm -rf $(BUILD)
