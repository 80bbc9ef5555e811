#!/bin/sh
# isupdecode: exit codes, named fields in the output, error offsets on malformed input.
set -eu
bin="${top_builddir}/src/isupdecode"
[ -x "$bin" ] || { echo "missing $bin" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

# expect STATUS CMD...: run, keep stdout/stderr in $work/out, $work/err
expect() {
	want=$1
	shift
	set +e
	"$@" > "$work/out" 2> "$work/err"
	rc=$?
	set -e
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: '$*' exited $rc, want $want"; cat "$work/err"; fails=$((fails + 1))
	fi
}
has() {
	if ! grep -qF -- "$1" "$work/$2"; then
		echo "FAIL: '$1' not in $2:"; cat "$work/$2"; fails=$((fails + 1))
	fi
}

# REL from the CIC on; cause nested under its parameter
expect 0 "$bin" 0100 0c 02 00 02 8a 90
has "  message type: REL (0x0c, Release)" out
has "    Cause indicators (0x12):" out
has "      location: 10 (network beyond interworking point)" out
has "      cause value: 16 (normal call clearing)" out

# IAM with routing label (Linkbit trace of standards.md §2.1), colon separated
expect 0 "$bin" -l 'bc:41:53:e0:05:00:01:00:20:00:0a:03:02:08:06:03:10:11:11:11:f1:0a:06:03:13:22:22:22:22:00'
has "  dpc: 444" out
has "  opc: 333" out
has "  sls: 14" out
has "  cic: 5" out
has "Called party number (0x04):" out
has "      digits: 1111111F" out
has "Calling party number (0x0a):" out
has "      digits: 22222222" out
has "      screening: 3 (network provided)" out
has "ISDN user part: 1 (used all the way)" out

# same from stdin, spread over lines
printf '0500 01 00 2000 0a 03 02 08\n06 03 10 11 11 11 f1\n0a 06 03 13 22 22 22 22 00\n' > "$work/in"
expect 0 sh -c "\"$bin\" < \"$work/in\""
has "digits: 22222222" out

# whole M3UA DATA message carrying a REL
m3ua="01000101 00000020 02100018 00000111 00000222 05020007 01000c0200028a90"
expect 0 "$bin" -m $m3ua
has "  message class: 1 (transfer)" out
has "    opc: 273 (0-34-1)" out
has "    dpc: 546 (0-68-2)" out
has "    service indicator: 5 (ISUP)" out
has "    sls: 7" out
has "cause value: 16 (normal call clearing)" out

# unknown parameter with compatibility instructions
expect 0 "$bin" 0200 06 1604 01 f4 02 aabb 39 02 f4 90 00
has "    unknown parameter (0xf4):" out
has "      value: aa bb" out
has "        discard parameter: 1" out

# malformed: cause length past the end, at offset 5 (+4 with a label, +24 inside M3UA)
expect 1 "$bin" 0100 0c 02 00 05 84
has "error at offset 5: parameter length beyond end of message" err
expect 1 "$bin" --label 00000000 0100 0c 02 00 05 84
has "error at offset 9:" err
expect 1 "$bin" --m3ua 01000101 00000020 02100018 00000111 00000222 05020007 01000c0200058490
has "error at offset 29:" err
expect 1 "$bin" 01000a
has "error at offset 2: unknown message type" err
expect 1 "$bin" 0100 01 00 2000 0a 03 00 00
has "error at offset 8: mandatory variable parameter missing" err
expect 1 "$bin" 01 0g
has "error at offset 1: invalid hex input" err
expect 1 "$bin" -m 02000101 00000008
has "error at offset 0:" err

# usage
expect 2 "$bin" --bogus 0100
expect 2 "$bin" -l -m 0100
expect 2 sh -c "\"$bin\" < /dev/null"
expect 0 "$bin" --help
has "SYNOPSIS" out
has "EXIT STATUS" out

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "isupdecode: all checks passed"
