#!/usr/bin/env bats
# roost run and roost enter on a terminal: the command gets a pty of the
# container's own (a session, job control, a window size), roost relays,
# and the caller's terminal comes back as it was.  Driven by
# tests/tools/ptyrun.c, a terminal of the test's own; the TIOCSTI attacks
# are in 900-attacks.bats.

load helpers

setup_file() {
	local c
	PTYRUN=$ROOST_R/tools/ptyrun
	install -d -m 0755 "$ROOST_R/tools"
	cc -O2 -o "$PTYRUN" "$ROOST_TOP/tests/tools/ptyrun.c" -lutil
	TBB=$ROOST_R/tty-bb
	mkdir -p "$TBB/bin" "$TBB/proc" "$TBB/sys" "$TBB/dev" "$TBB/tmp"
	cp /bin/busybox "$TBB/bin/"
	for c in sh tty stty sleep cat echo kill true stat test; do
		ln -sf busybox "$TBB/bin/$c"
	done
	export PTYRUN TBB
}

teardown() {
	pkill -KILL -f roost-spam || true
	teardown_targets
	teardown_containers
}

# onpty STEP... -- CMD...: CMD as alice on a terminal of ptyrun's.
onpty() {
	local steps=()
	while [ "$1" != -- ]; do
		steps+=("$1")
		shift
	done
	shift
	as_argv alice
	"$PTYRUN" "${steps[@]}" -- "${AS[@]}" TERM=vt100 "$@" | tr -d '\r'
}

@test "tty: run on a terminal gives the command a terminal of the container's own, its console" {
	run -0 onpty -- roost run --rootfs "$TBB" -- sh -c 'tty; stty size; test /dev/console -ef /dev/pts/0 && echo console'
	assert_output "/dev/pts/0
24 80
console
exit 0
termios: same"
	run -0 onpty -- roost run --uid 7 --rootfs "$TBB" -- sh -c 'stat -c %u $(tty)'
	assert_line "7"
}

@test "tty: job control inside: ^Z and ^C reach the container's foreground job, not roost" {
	run -0 onpty expect:'# ' send:'sleep 1000\r' sleep:500 send:'\x1a' \
	    expect:'Stopped' send:'jobs\r' expect:'sleep 1000' \
	    send:'fg\r' sleep:500 send:'\x03' send:'echo back $?\r' \
	    expect:'back 130' send:'exit\r' \
	    -- roost run --rootfs "$TBB" -- sh -i
	refute_output --partial "job control"
	assert_output --regexp 'Stopped +sleep 1000'
	assert_line "exit 0"
	assert_line "termios: same"
}

@test "tty: window size changes reach the container" {
	run -0 onpty expect:'# ' send:'stty size\r' expect:'24 80' \
	    resize:100x30 send:'stty size\r' expect:'30 100' send:'exit 3\r' \
	    -- roost run --rootfs "$TBB" -- sh -i
	assert_line "exit 3"
	assert_line "termios: same"
}

@test "tty: the exit status comes through, and the terminal is restored after a signal" {
	run -0 onpty -- roost run --rootfs "$TBB" -- sh -c 'exit 7'
	assert_line "exit 7"
	assert_line "termios: same"
	run -0 onpty -- timeout --foreground -s TERM 2 \
	    roost run --rootfs "$TBB" -- sleep 1000
	assert_line "exit 124"
	assert_line "termios: same"
}

@test "tty: -T keeps the caller's stdio, never its controlling terminal; a pipe gets no terminal" {
	ctty='if (exec </dev/tty) 2>/dev/null; then echo ctty; else echo no ctty; fi'
	run -0 onpty -- roost run --rootfs "$TBB" -- sh -c "$ctty"
	assert_line "ctty"
	run -0 onpty -- roost run -T --rootfs "$TBB" -- sh -c "$ctty"
	assert_line "no ctty"
	run -0 as alice sh -c "echo piped | roost run --rootfs $TBB -- sh -c 'cat; tty; :'"
	assert_output "piped
not a tty"
}

@test "tty: -t gives a terminal with no terminal outside; end of input is end of file" {
	run -0 as alice sh -c "printf 'one\ntwo\n' | roost run -t --rootfs $TBB -- sh -c 'cat; tty' | tr -d '\r'"
	assert_line "one"
	assert_line "two"
	assert_line "/dev/pts/0"
	run -2 as alice roost run -d -t --rootfs "$TBB" -- true
	assert_output --partial "a detached container has no terminal"
}

@test "tty: enter on a terminal gives the command a terminal of the container's own, owned by its user" {
	as alice roost run -d --name tty1 --rootfs "$TBB" -- sleep 1000 >/dev/null
	run -0 onpty expect:'# ' send:'tty; stty size\r' expect:'24 80' \
	    send:'sleep 1000\r' sleep:500 send:'\x1a' expect:'Stopped' \
	    send:'fg\r' sleep:500 send:'\x03' send:'echo back $?\r' \
	    expect:'back 130' send:'exit 5\r' \
	    -- roost enter tty1 -- sh -i
	assert_output --partial "/dev/pts/"
	assert_output --regexp 'Stopped +sleep 1000'
	refute_output --partial "job control"
	assert_line "exit 5"
	assert_line "termios: same"
	run -0 onpty -- roost enter --uid 7 tty1 -- sh -c 'stat -c %u $(tty)'
	assert_line "7"
	run -0 onpty -- roost enter -T tty1 -- sh -c 'tty; :'
	assert_line "not a tty"
}

@test "tty: in the background, roost takes no terminal; a writer left behind does not keep it" {
	run -0 onpty -- sh -c "roost run --rootfs $TBB -- sh -c 'tty; :' & wait"
	assert_line "not a tty"
	assert_line "termios: same"
	# No pid namespace: the writer outlives the command (killed below),
	# and opens the pty again after it hangs up.
	run -0 onpty -- timeout 10 roost run --ns user,mnt --rootfs "$TBB" -- \
	    sh -c '(trap "" HUP; while :; do echo roost-spam >/dev/pts/0; sleep 0.01; done) & echo started'
	pkill -KILL -f roost-spam || true
	assert_line "started"
	assert_line "exit 0"
	assert_line "termios: same"
}
