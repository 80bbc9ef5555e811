#!/bin/sh
# Run every benchmark N times (default 5) and print each run's figures.
# Usage: bench/run_all.sh [RUNS]   (from the build directory)
set -eu
runs=${1:-5}
make -s -C bench
for i in $(seq 1 "$runs"); do
	echo "### run $i"
	make -s -C bench bench
done
