#!/bin/sh
# Test driver for fuzz/NAME.fuzz: runs the harness fuzz/NAME_fuzz on a copy of
# its seed corpus, for FUZZ_RUNS inputs (default 20000) or FUZZ_SECONDS
# (default 60), whichever comes first.  In builds without libFuzzer the
# harness is a replay driver and just replays the corpus.
set -eu
test_file=$1
name=$(basename "$test_file" .fuzz)
dir=$(dirname "$test_file")
bin="$dir/${name}_fuzz"
# In a VPATH build the .fuzz file comes from the source tree; the harness is in the build tree (the cwd).
[ -x "$bin" ] || bin="./fuzz/${name}_fuzz"
corpus="${top_srcdir}/tests/fuzz/corpus/$name"
[ -x "$bin" ] || { echo "missing harness $bin" >&2; exit 1; }
[ -d "$corpus" ] || { echo "missing seed corpus $corpus" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus/." "$work/"
"$bin" -runs="${FUZZ_RUNS:-20000}" -max_total_time="${FUZZ_SECONDS:-60}" -seed=1 \
	-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$work"
