# Shared by every suite; see tests/run for the namespace it expects.

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
load /usr/lib/bats/bats-file/load

: "${ROOST_PREFIX:?run the suites through tests/run}"
HELPER=$ROOST_PREFIX/libexec/roost/roost-helper
COMPAT=$ROOST_PREFIX/libexec/roost/compat
ROOST=$ROOST_PREFIX/bin/roost
FIX=$ROOST_TOP/tests/fixtures
declare -gA UIDS=([root]=0 [alice]=1001 [bob]=1002 [carol]=1003 [dave]=1004)

# as USER CMD...: run CMD as the fixture user, with a clean environment.
# as_argv USER sets AS to the command prefix, for background jobs whose $!
# must be the process itself (a function in the background is a subshell).
as_argv() {
	local id=${UIDS[$1]}
	AS=(setpriv --reuid="$id" --regid="$id" --init-groups --
	    env -i PATH="$COMPAT:$ROOST_PREFIX/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	    HOME="/home/$1" USER="$1" LOGNAME="$1"
	    XDG_RUNTIME_DIR="$ROOST_R/run-$id")
}

as() {
	local AS
	as_argv "$1"
	shift
	"${AS[@]}" "$@"
}

# Install a policy (a fixture path, or - for stdin) as /etc/roost/policy.conf.
policy() {
	if [ "$1" = - ]; then
		cat > /etc/roost/policy.conf
	else
		cp "$1" /etc/roost/policy.conf
	fi
	chown root:root /etc/roost/policy.conf
	chmod 0644 /etc/roost/policy.conf
}

# userns_target USER [UNSHARE-OPTION...]: a process of USER in a fresh
# user namespace (unmapped unless the options map it); prints its pid.
# It stays until teardown_targets.
userns_target() {
	local u=$1 fifo
	shift
	fifo=$(mktemp -u "$ROOST_R/tmp/ready.XXXXXX")
	mkfifo -m 0666 "$fifo"
	as_argv "$u"
	"${AS[@]}" unshare --user "$@" sh -c "echo > $fifo; exec sleep 1000" \
	    >/dev/null 2>&1 &
	local pid=$!
	echo "$pid" >> "$BATS_TEST_TMPDIR/targets"
	if ! read -r -t 10 _ <> "$fifo"; then
		echo "userns_target: the target did not start" >&2
		return 1
	fi
	rm -f "$fifo"
	echo "$pid"
}

# A process of alice in a user namespace owned by root: root creates the
# namespace, maps 0 and 1001 into it, and the process then becomes 1001
# and execs, so alice can open it (ptrace access) but does not own it.
# Extra options go to unshare (--net: a network namespace it owns too).
foreign_userns_target() {
	local f1 f2 pid m
	f1=$(mktemp -u "$ROOST_R/tmp/f1.XXXXXX")
	f2=$(mktemp -u "$ROOST_R/tmp/f2.XXXXXX")
	mkfifo -m 0666 "$f1" "$f2"
	unshare --user "$@" sh -c "echo > $f1; read x < $f2; exec setpriv \
	    --reuid=1001 --regid=1001 --keep-groups \
	    sh -c 'echo > $f1; exec sleep 1000'" >/dev/null 2>&1 &
	pid=$!
	echo "$pid" >> "$BATS_TEST_TMPDIR/targets"
	read -r -t 10 _ <> "$f1" || return 1
	m=$'0 0 1\n1001 1001 1\n'
	printf '%s' "$m" | dd of="/proc/$pid/uid_map" bs=4096 status=none
	printf '%s' "$m" | dd of="/proc/$pid/gid_map" bs=4096 status=none
	echo > "$f2"
	read -r -t 10 _ <> "$f1" || return 1
	rm -f "$f1" "$f2"
	echo "$pid"
}

# A plain process of USER (no user namespace of its own, so USER may open
# its ns/net) in a network namespace root created: owned by the host's user
# namespace, which USER does not own (lxc-user-nic CVE-2017-5985).
root_netns_target() {
	local fifo pid
	fifo=$(mktemp -u "$ROOST_R/tmp/ready.XXXXXX")
	mkfifo -m 0666 "$fifo"
	as_argv "$1"
	unshare --net "${AS[@]}" sh -c "echo > $fifo; exec sleep 1000" \
	    >/dev/null 2>&1 &
	pid=$!
	echo "$pid" >> "$BATS_TEST_TMPDIR/targets"
	read -r -t 10 _ <> "$fifo" || return 1
	rm -f "$fifo"
	echo "$pid"
}

# A plain process of USER in the host's own user namespace.
host_target() {
	as_argv "$1"
	"${AS[@]}" sleep 1000 >/dev/null 2>&1 &
	echo $! >> "$BATS_TEST_TMPDIR/targets"
	echo $!
}

teardown_targets() {
	local p
	[ -f "$BATS_TEST_TMPDIR/targets" ] || return 0
	while read -r p; do
		kill -KILL "$p" 2>/dev/null || true
	done < "$BATS_TEST_TMPDIR/targets"
}

# ---- networking: links, routes and veths of the sandbox's namespace

# The net ops' lock, held by root until unlock (a teardown unlocks if
# LOCKER is set): a net op started now is stopped on it, as uid 0, after
# it has resolved its target.
lock() {
	install -d -m 0700 /run/roost
	: > "$BATS_TEST_TMPDIR/locked"
	bash -c 'exec 8>/run/roost/net.lock; flock 8; echo > "$1"; \
	    exec sleep 1000' bash "$BATS_TEST_TMPDIR/locked" &
	LOCKER=$!
	wait_for 10 test -s "$BATS_TEST_TMPDIR/locked"
}

unlock() {
	kill -KILL "$LOCKER"
	wait "$LOCKER" 2>/dev/null || true
	LOCKER=
}

# waits_for_lock PID: PID is queued behind the lock: blocked in flock(2)
# (a "->" line of /proc/locks), or, as the helper waits since issue 15,
# polling it with LOCK_NB: the lock file open, and no lock of its own.
waits_for_lock() {
	grep -Eq -- "-> FLOCK +ADVISORY +WRITE +$1 " /proc/locks && return 0
	find "/proc/$1/fd" -lname /run/roost/net.lock 2>/dev/null | grep -q . &&
	    ! grep -Eq -- "^[0-9]+: FLOCK +ADVISORY +WRITE +$1 " /proc/locks
}


# wait_for SECONDS CMD...: poll CMD every 10 ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1 + 1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

# The names of the links in this (the host's) network namespace.
host_links() {
	ip -j link show | jq -r '.[].ifname' | sort
}

# The host ends of roost's veths (roost + 8 hex digits), sorted.
roost_links() {
	host_links | grep -E '^roost[0-9a-f]{8}$' || true
}

# No roost veth is left; `wait_for 5 no_roost_links` after a namespace
# dies (the kernel deletes its veths some ms later).
no_roost_links() {
	[ -z "$(roost_links)" ]
}

# The names of the links in the network namespace of PID, sorted.
links_in() {
	nsenter -t "$1" -n ip -j link show | jq -r '.[].ifname' | sort
}

# Every main-table route through IFNAME, family 4 or 6: "DST" a line.
routes_via() {
	ip -j -"$1" route show table main dev "$2" | jq -r '.[].dst' | sort
}

# veth USER PID BRIDGE IFNAME: a veth the test relies on; prints HOSTIF.
veth() {
	as "$1" "$HELPER" veth "$2" "$3" "$4"
}

# The maps of PID, "-" when empty.
maps_of() {
	echo "uid:$(tr -s ' ' < /proc/$1/uid_map | sed 's/^ //' | tr '\n' ';')" \
	    "gid:$(tr -s ' ' < /proc/$1/gid_map | sed 's/^ //' | tr '\n' ';')" \
	    "setgroups:$(cat /proc/$1/setgroups)"
}

assert_unmapped() {
	assert_equal "$(maps_of "$1")" "uid: gid: setgroups:allow"
}

# The audit trail: tests/sandbox's logsink writes $ROOST_SYSLOG; on an
# installed system (ROOST_INSTALLED, the VM tier) it is the journal's
# authpriv records.  syslog_mark notes where it ends, at a test's start.
syslog_mark() {
	if [ -n "${ROOST_INSTALLED:-}" ]; then
		SYSLOG_START=$(journalctl -q -n 1 -o cat --show-cursor |
		    sed -n 's/^-- cursor: //p')
	else
		SYSLOG_START=$(stat -c %s "$ROOST_SYSLOG")
	fi
}

# The syslog lines written since the test began.  journald reads /dev/log
# in its own time: a record of our own sent after the helper's, found in
# the journal, means the helper's are there too (one socket, in order).
syslog_since_start() {
	local mark
	if [ -z "${ROOST_INSTALLED:-}" ]; then
		tail -c +"$((SYSLOG_START + 1))" "$ROOST_SYSLOG"
		return
	fi
	mark="mark $$.$RANDOM"
	logger -p authpriv.info -t roost-test -- "$mark"
	# Polled slowly: a journalctl every 10 ms starves journald in a VM.
	local deadline=$((SECONDS + 30))
	until journal_has "$mark"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "syslog_since_start: the journal is 30 s behind" >&2
			return 1
		fi
		sleep 0.3
	done
	journal_since_start -o short | grep -v ' roost-test\[[0-9]*\]: mark '
}

journal_since_start() {
	journalctl -q --no-pager SYSLOG_FACILITY=10 \
	    --after-cursor="$SYSLOG_START" "$@"
}

journal_has() {
	journal_since_start -o cat | grep -qxF -- "$1"
}

setup() {
	syslog_mark
	rm -rf /etc/roost
	install -d -m 0755 /etc/roost
	policy "$FIX/etc/policy.conf"
}

# Detached containers a test left behind (never pkill -u: the pid
# namespace is the host's).
teardown_containers() {
	local u name pid rest
	for u in alice bob carol dave; do
		as "$u" roost ls 2>/dev/null | tail -n +2 |
		while read -r name pid rest; do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
}

teardown() {
	teardown_targets
	teardown_containers
}
