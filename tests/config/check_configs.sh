#!/bin/sh
# Every shipped configuration passes `mgcfd --check-config` silently; every bad
# file in tests/config/bad fails with exit 1 and `FILE:LINE: message`.
. "${top_srcdir}/tests/common/testlib.sh"

mgcfd="${top_builddir}/src/mgcfd"
fail=0

for f in "${top_srcdir}"/conf/mgcfd.conf "${top_srcdir}"/conf/pstnsim.conf "${top_srcdir}"/conf/examples/*.conf; do
	out=$("$mgcfd" -c "$f" --check-config 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "FAIL: $f: exit $rc, output: $out"
		fail=1
	else
		echo "ok: $f"
	fi
done

n=0
while IFS='|' read -r file line msg; do
	case "$file" in '#'*|'') continue ;; esac
	n=$((n + 1))
	path="${top_srcdir}/tests/config/bad/$file"
	out=$("$mgcfd" -c "$path" --check-config 2>&1)
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "FAIL: $file: exit $rc, want 1"; fail=1; continue
	fi
	if ! printf '%s\n' "$out" | grep -F -- "$path:$line: " | grep -qF -- "$msg"; then
		echo "FAIL: $file: want '$path:$line: ...$msg', got: $out"; fail=1; continue
	fi
	echo "ok: $file:$line: $msg"
done < "${top_srcdir}/tests/config/bad/expectations.txt"

[ $n -ge 15 ] || { echo "FAIL: only $n bad configuration files"; fail=1; }
exit $fail
