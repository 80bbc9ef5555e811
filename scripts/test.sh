#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs the missing Debian packages (build, test peers, clang, valgrind);
#   2. builds with gcc and --enable-werror, runs `make check` (incl. valgrind);
#   3. builds with clang, --enable-sanitize (ASan+UBSan) and --enable-fuzz, runs
#      `make check` again: every test under the sanitizers, and every libFuzzer
#      harness for FUZZ_RUNS inputs.
# Build trees: build/gcc and build/sanitize.  Exit status 0 only if all passed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/deps.sh
mgcf_install_deps "$MGCF_TEST_DEPS"

jobs=$(nproc 2>/dev/null || echo 2)
./autogen.sh > build-autogen.log 2>&1 || { cat build-autogen.log; exit 1; }
rm -f build-autogen.log

total_pass=0
total_fail=0
status=0

run_build() {	# name, configure args...
	name=$1
	shift
	dir="$top/build/$name"
	mkdir -p "$dir"
	echo "=== $name: configure $*"
	(cd "$dir" && "$@" > configure.out 2>&1) || { cat "$dir/configure.out"; exit 1; }
	echo "=== $name: make"
	make -C "$dir" -j"$jobs" > "$dir/make.out" 2>&1 || { tail -50 "$dir/make.out"; exit 1; }
	echo "=== $name: make check"
	if make -C "$dir" -j"$jobs" check > "$dir/check.out" 2>&1; then
		:
	else
		status=1
		cat "$dir/tests/test-suite.log" 2>/dev/null || tail -50 "$dir/check.out"
	fi
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$dir/check.out" || true
	pass=$(grep -c '^PASS:' "$dir/check.out" || true)
	fail=$(grep -cE '^(FAIL|ERROR|XPASS):' "$dir/check.out" || true)
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	echo "=== $name: $pass passed, $fail failed"
}

run_build gcc "$top/configure" --enable-werror
run_build sanitize env CC=clang "$top/configure" --enable-werror --enable-sanitize --enable-fuzz

[ $total_fail -eq 0 ] || status=1
echo "$total_pass passed, $total_fail failed"
exit $status
