#!/usr/bin/env bats
# roost run / unshare / ls end to end, as unprivileged users, with the real
# setuid helper writing the maps.

load helpers

setup_file() {
	BB=$ROOST_R/busybox
	export BB
	[ -d "$BB" ] && return 0
	mkdir -p "$BB/bin" "$BB/proc" "$BB/sys" "$BB/dev" "$BB/tmp" "$BB/mnt"
	cp /bin/busybox "$BB/bin/"
	for c in sh true id cat ls sleep echo touch stat kill hostname env \
	    mount grep tr; do
		ln -s busybox "$BB/bin/$c"
	done
	install -d -m 0777 "$ROOST_R/shared"
	ip link add roost-veth0 type veth peer name roost-veth1 2>/dev/null || true
}

@test "run: the container maps the caller's whole entitlement, root inside" {
	run -0 as alice roost run --rootfs "$BB" -- sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0
0
0 100000 65536
65536 1001 1
0 100000 65536
65536 1001 1"
}

@test "run: roost names the child to the helper by an inherited fd, never a pid" {
	run -0 as alice roost run --rootfs "$BB" -- true
	run syslog_since_start
	assert_line --regexp "roost-helper\[[0-9]+\]: uid 1001: map: granted: fd:[0-9]+: u:0:100000:65536 u:65536:1001:1 g:0:100000:65536 g:65536:1001:1$"
}

@test "run: pid 1 is roost's init and the command runs under it" {
	run -0 as alice roost run --rootfs "$BB" -- sh -c 'cat /proc/1/comm; echo $$'
	assert_output "roost
2"
}

@test "run: a file created inside is owned by the mapped host ids outside" {
	rm -f "$ROOST_R/shared/made-inside"
	run -0 as alice roost run --rootfs "$BB" --bind "$ROOST_R/shared:/mnt" \
	    -- touch /mnt/made-inside
	assert_equal "$(stat -c '%u %g' "$ROOST_R/shared/made-inside")" "100000 100000"
}

@test "run: the exit status of the command is roost's" {
	run -7 as alice roost run --rootfs "$BB" -- sh -c 'exit 7'
	run -0 as alice roost run --rootfs "$BB" -- true
}

@test "run: a command killed by a signal gives 128+N" {
	run -143 as alice roost run --rootfs "$BB" -- sh -c 'kill -TERM $$'
	run -137 as alice roost run --rootfs "$BB" -- sh -c 'kill -KILL $$'
}

@test "run: a signal to roost is forwarded to the command" {
	as_argv alice
	"${AS[@]}" roost run --rootfs "$BB" -- sh -c 'trap "exit 42" USR1; echo > /dev/null; while :; do sleep 0.1; done' &
	pid=$!
	sleep 1
	kill -USR1 "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 42
}

@test "run: a missing command exits 127 with one line" {
	run -127 as alice roost run --rootfs "$BB" -- /no/such/command
	assert_output "roost: run: /no/such/command: No such file or directory"
}

@test "run: a user with no grants gets a single-id map without the helper, and is told" {
	run -0 --separate-stderr as dave roost run --rootfs "$BB" -- cat /proc/self/uid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 1004 1"
	assert_equal "$stderr" "roost: run: no id ranges granted to you by policy; mapping only your own uid and gid"
}

@test "run: grants through a group: section are mapped too" {
	run -0 as carol roost run --rootfs "$BB" -- cat /proc/self/uid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 300000 65536
65536 1003 1"
}

@test "run: an explicit --map outside the entitlement is refused by the helper" {
	run -1 as alice roost run --map u:0:300000:1 --map g:0:100000:1 \
	    --rootfs "$BB" -- touch /tmp/ran
	assert_output "roost-helper: map: u:0:300000:1: uids 300000-300000 not granted to you"
}

@test "run: --net none gives only lo, up; --net host sees the host's links" {
	run -0 as alice roost run --rootfs "$BB" -- sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags; grep -c : /proc/net/dev'
	assert_output "lo
0x9
1"
	run -0 as alice roost run --rootfs "$BB" --net host -- cat /proc/net/dev
	assert_output --partial roost-veth0
}

@test "run: /sys is read-only and /dev is minimal" {
	run -0 as alice roost run --rootfs "$BB" -- sh -c 'touch /sys/x 2>/dev/null && echo writable; ls /dev | tr "\n" " "'
	assert_output "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero "
}

@test "run: /dev/console is the controlling tty when there is one" {
	command -v script >/dev/null || skip "script(1) is not installed"
	run -0 as alice script -qec "roost run --rootfs $BB -- sh -c 'test -c /dev/console && test -t 0 && echo console-is-a-tty'" /dev/null
	assert_output --partial console-is-a-tty
	run -0 as alice roost run --rootfs "$BB" -- sh -c 'test -e /dev/console || echo no-console' < /dev/null
	assert_output no-console
}

@test "run: hostname, clean environment, --env, --uid and --gid" {
	run -0 as alice roost run --rootfs "$BB" --hostname box --env FOO=bar \
	    --uid 1000 --gid 1000 -- sh -c 'hostname; id -u; id -g; env | sort'
	assert_line --index 0 box
	assert_line --index 1 1000
	assert_line --index 2 1000
	assert_line FOO=bar
	assert_line container=roost
	refute_line --partial USER=
	refute_line --partial XDG_RUNTIME_DIR=
}

@test "run: without --rootfs the root is a tmpfs with the --bind mappings" {
	run -0 as alice roost run --bind /usr:/usr:ro --bind /bin:/bin:ro \
	    --bind /lib:/lib:ro --bind /lib64:/lib64:ro -- sh -c 'ls /; touch /usr/x 2>/dev/null || echo ro'
	assert_output "bin
dev
lib
lib64
proc
sys
usr
ro"
}

@test "run: --ns selects the namespaces; without pid the command is not under an init" {
	run -0 as alice roost run --ns user,mnt --rootfs "$BB" -- sh -c 'test $$ -gt 2 && echo host-pids; cat /proc/self/uid_map'
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "host-pids
0 100000 65536
65536 1001 1"
	run -2 as alice roost run --ns user,bogus -- true
	assert_output "roost: run: --ns: unknown namespace 'bogus' (see roost run --help)"
}

@test "run: a detached container shows in roost ls and disappears when it exits" {
	run -0 as alice roost run -d --name sleeper --rootfs "$BB" -- sleep 2
	assert_output sleeper
	run -0 as alice roost ls
	assert_line --index 0 --regexp '^NAME +PID +STATE +NETWORK +UPTIME +COMMAND$'
	assert_line --index 1 --regexp '^sleeper +[0-9]+ +running +none +[0-9]+s +sleep 2$'
	sleep 3
	run -0 as alice roost ls
	assert_output --regexp '^NAME +PID +STATE +NETWORK +UPTIME +COMMAND$'
	assert_file_not_exists "$ROOST_R/run-1001/roost/sleeper"
}

@test "run: a name in use by a live container is refused" {
	run -0 as alice roost run -d --name dup --rootfs "$BB" -- sleep 5
	run -1 as alice roost run -d --name dup --rootfs "$BB" -- true
	assert_output "roost: run: dup: name in use"
}

@test "run: usage errors exit 2 with one line" {
	run -2 as alice roost run --frob -- true
	assert_output "roost: run: unknown option '--frob' (see roost run --help)"
	run -2 as alice roost run --rootfs "$BB"
	assert_output "roost: run: no command given (see roost run --help)"
	run -2 as alice roost run --net wifi -- true
	assert_output "roost: run: --net: none, host, bridge:BR[,...] or routed:ADDR[,...] expected, got 'wifi' (see roost run --help)"
	run -2 as alice roost run --map u:0:1 -- true
	assert_output "roost: run: --map: bad extent 'u:0:1' (see roost run --help)"
}

@test "unshare: a user namespace with the caller's full map, root inside" {
	run -0 as alice roost unshare -- sh -c 'id -u; cat /proc/self/uid_map'
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0
0 100000 65536
65536 1001 1"
}

@test "roost: every option in the usage texts is in roost(1)" {
	page=$(mandoc -Tascii "$ROOST_TOP/man/roost.1" | col -b)
	for verb in "" run unshare ls; do
		run as alice roost $verb --help
		for opt in $(echo "$output" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -e "$opt" <<< "$page" ||
			    fail "roost $verb: $opt is not in man/roost.1"
		done
	done
}
