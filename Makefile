# The two commands of the README:
#   make demo   installs what is needed, builds, and chats with the embedded tiny model
#   make test   installs what is needed, builds, and runs every test
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: setup build demo test test-asan fuzz bench clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/hfcpp chat tests/fixtures/tiny-qwen2 -p "请写一首赞美秋天的五言绝句" --max-new-tokens 32 --seed 0

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again under AddressSanitizer + UBSan (CI runs it after `make test`): any report,
# including a leak, fails the run. -O1 keeps the build and the run within CI's budget.
ASAN_BUILD ?= build-asan
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHF_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS="$(SANITIZE)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZE)" >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# Fuzzing: each libFuzzer target of fuzz/ (built with clang, ASan and UBSan in build-fuzz/) runs
# FUZZ_SECONDS from its seed corpus fuzz/corpus/<target>; inputs it learns go to
# build-fuzz/corpus/<target>, a crashing input to build-fuzz/crashes/<target>/ (and the run fails).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= safetensors torch_bin config_json tokenizer_json chat_template
fuzz: setup
	@bash scripts/setup.sh --fuzz
	@CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DHF_FUZZ=ON -DHF_BUILD_TESTS=OFF -DHF_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t && echo "fuzz: $$t, $(FUZZ_SECONDS) s" && \
	  build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crashes/$$t/ build-fuzz/corpus/$$t fuzz/corpus/$$t || exit 1; \
	done

bench: build
	$(BUILD)/hfcpp bench tests/fixtures/tiny-qwen2

clean:
	rm -rf $(BUILD)
