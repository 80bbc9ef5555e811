# Shared by the pstnsim_bearer*.sh tests: two pstnsims on 127.0.0.1, bearer to bearer.
#   "far"  (SG, conf/pstnsim.conf moved to free ports)   answers calls, loops for continuity checks
#   "near" (M3UA ASP, point codes the other way round)    originates; its span points at the far one's
# Source after testlib.sh; set law (alaw|ulaw) and the near/far extra simulator lines first.
bin="${top_builddir}/src"
work=$(mktemp -d)
far_pid=
near_pid=
cleanup() {
	[ -n "$near_pid" ] && kill -9 "$near_pid" 2>/dev/null
	[ -n "$far_pid" ] && kill -9 "$far_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	for f in "$work"/*.log; do echo "--- $f"; tail -40 "$f"; done
	exit 1
}


report_has() { vty "$1" "show simulator" | grep -q " $2\( \|\$\)"; }
no_calls() { vty "$1" "show isup calls" | grep -q "^0 call(s)"; }
# the CIC of the (only) call in state $2
call_cic() { vty "$1" "show isup calls" | awk -v s="$2" '$4 == s { print $2; exit }'; }
cic_show_has() { vty "$1" "show simulator cic pstn $2" | grep -q -- "$3"; }

m3ua_port=$(free_port)
far_vty=$(free_port)
near_vty=$(free_port)
span_far=$(free_port)
span_near=$(free_port)

# $1: extra lines for the far end's simulator section
far_conf() {
	sed -e "s/127\.0\.0\.1:2905\([^0-9]\)/127.0.0.1:$m3ua_port\1/" -e "s/port = 4281/port = $far_vty/" \
	    -e "s/answer-delay = 1000/answer-delay = 200/" -e "s/law = alaw/law = $law/" \
	    -e "s/127\.0\.0\.1:42000\([^0-9]\)/127.0.0.1:$span_far\1/" \
	    -e "s/127\.0\.0\.1:41000\([^0-9]\)/127.0.0.1:$span_near\1/" \
	    -e "s/level = notice/level = info\n\tprint-category = true/" \
	    -e 's/"DSIM=info"/"DSIM=info", "DISUP=info"/' \
	    "${top_srcdir}/conf/pstnsim.conf" | awk -v extra="$1" '{ print } /^simulator {/ && extra != "" { print extra }'
}

# $1: extra lines for the near end's simulator section, $2: extra trunk-group lines
near_conf() {
	cat <<EOC
log {
	level = info		# the global level filters below the per-category ones (daemon_apply_logging)
	print-category = true
	category = { "DSIM=info", "DISUP=info" }
}
vty {
	port = $near_vty
}
sip {
	listen = { "udp:127.0.0.1:5998" }
}
m3ua far {
	role = asp
	remote = "127.0.0.1:$m3ua_port"
	local-pc = 1
	adjacent-pc = 2
	routing-context = 1
	reset-on-active = false
}
trunk-group pstn {
	association = far
	dpc = 2
	cics = { "1-31" }
	law = $law
	$2
	span e1-0 {
		type = e1
		timeslots = "1-31"
		local = "127.0.0.1:$span_near"
		remote = "127.0.0.1:$span_far"
	}
}
simulator {
	$1
}
timers {
	isup = { "T25=3" }
}
EOC
}

start_both() {	# $1 far extra, $2 near extra, $3 near trunk extra
	far_conf "$1" > "$work/far.conf"
	near_conf "$2" "$3" > "$work/near.conf"
	"$bin/pstnsim" -c "$work/far.conf" > "$work/far.log" 2>&1 &
	far_pid=$!
	"$bin/pstnsim" -c "$work/near.conf" > "$work/near.log" 2>&1 &
	near_pid=$!
	wait_port "$far_vty" 100 || fail "the far pstnsim did not come up"
	wait_port "$near_vty" 100 || fail "the near pstnsim did not come up"
	until_ok 100 active "$near_vty" || fail "the association did not come up"
}

# both ends: nothing left (circuits idle, no call, no channel here or in the media threads)
check_clean() {
	for p in "$near_vty" "$far_vty"; do
		until_ok 100 no_calls "$p" || fail "calls left on VTY $p: $(vty "$p" "show isup calls")"
		until_ok 50 all_idle "$p" || fail "circuits not idle on VTY $p"
		until_ok 50 report_has "$p" "channels=0" || fail "channels left on VTY $p: $(vty "$p" "show simulator")"
		until_ok 50 report_has "$p" "media_channels=0" ||
			fail "media channels left on VTY $p: $(vty "$p" "show simulator")"
	done
}

stop_both() {
	kill -TERM "$near_pid" "$far_pid"
	wait "$near_pid" || fail "near pstnsim exit status $?"
	wait "$far_pid" || fail "far pstnsim exit status $?"
	near_pid=
	far_pid=
}
