# Helpers for the shell tests.  Source with: . "${top_srcdir}/tests/common/testlib.sh"
# Tests get top_srcdir and top_builddir (absolute) from the harness.
: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"

VTYCMD="${top_builddir}/tests/common/vtycmd"

# A TCP/UDP port that is free on 127.0.0.1 now (both protocols).
free_port() {
	"$VTYCMD" --free-port
}

# Wait until something listens on 127.0.0.1:$1 (up to $2 tenths of a second, default 50).
wait_port() {
	_i=0
	while [ $_i -lt "${2:-50}" ]; do
		"$VTYCMD" --probe "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}

# Run VTY commands on 127.0.0.1:$1; the output is on stdout.
vty() {
	_port=$1
	shift
	"$VTYCMD" "$_port" "$@"
}

# Wait for pid $1 to end, up to $2 tenths of a second; fails on time-out.  Then `wait $1` for its status.
wait_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null && ! grep -q '^Z' "/proc/$1/stat" 2>/dev/null &&
	      [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		[ $_i -ge "$2" ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# ---- scenario scaffolding: a work directory and processes that go away at exit, fail() with the logs ----

# Create $work (removed at exit) and arm the clean-up of processes registered with track_pid.
scenario_init() {
	work=$(mktemp -d)
	_tracked=""
	trap scenario_cleanup EXIT
}

# Kill a process at exit unless it was waited for (untrack_pid).
track_pid() { _tracked="$_tracked $1"; }
untrack_pid() { _tracked=$(echo "$_tracked" | sed "s/ $1\b//"); }

scenario_cleanup() {
	for _p in $_tracked; do kill -9 "$_p" 2>/dev/null; done
	rm -rf "$work"
}

# Print why, then the tail of every log in $work, and exit 1.
fail() {
	echo "FAIL: $*"
	for _f in "$work"/*.log; do
		[ -f "$_f" ] || continue
		echo "--- $_f"
		tail -30 "$_f"
	done
	exit 1
}

# until_ok N CMD...: run CMD every 0.1 s until it succeeds, at most N times.
until_ok() {
	_n=$1
	shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -lt "$_n" ] || return 1
		sleep 0.1
	done
}

# ---- VTY predicates shared by the scenarios (argument: the program's VTY port) ----

# The first M3UA association is ACTIVE.
active() { vty "$1" "show m3ua" | head -1 | grep -q ", ACTIVE$"; }
# Value of a rate counter ("isup:grs_rx").
counter() { vty "$1" "show rate-counters" | sed -n "s/^ *$2: *\([0-9]*\) .*/\1/p" | head -1; }
# Every circuit IDLE, nothing pending, no call.
all_idle() {
	vty "$1" "show isup circuits" | awk 'NR > 1 && ($3 != "IDLE" || NF > 7) { bad = 1 } END { exit bad }'
}
