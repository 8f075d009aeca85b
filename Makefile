# The two commands of the README:
#   make demo   installs what is needed, builds, and chats with the embedded tiny model
#   make test   installs what is needed, builds, and runs every test
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: setup build demo test bench clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/hfcpp chat tests/fixtures/tiny-qwen2 -p "请写一首赞美秋天的五言绝句" --max-new-tokens 32 --seed 0

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/hfcpp bench tests/fixtures/tiny-qwen2

clean:
	rm -rf $(BUILD)
