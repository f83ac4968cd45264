# docent: the two commands a fresh machine needs are `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)

.PHONY: all deps build demo test check asan fuzz format examples clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DDOCENT_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Ingests examples/ into build/demo-data and answers sample questions in Korean and English.
demo: build
	@scripts/demo.sh $(BUILD)/docent $(BUILD)/demo-data

# Every test: warnings-as-errors build, unit and integration tests, the ASan+UBSan build
# of the same suite, and short fuzzing runs. CI runs exactly this.
test:
	@scripts/test.sh

# The quick loop while developing: the normal build's tests only.
check: build
	@ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDOCENT_SANITIZE=ON -DDOCENT_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ctest --test-dir $(ASAN_BUILD) -j $(JOBS) --output-on-failure -LE 'slow|oracle' 

examples: build
	@$(BUILD)/tools/make_examples examples

format:
	@find src tests tools bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
