#!/usr/bin/env bats
# roost enter, exec, stop, kill and the live columns of roost ls, end to
# end as unprivileged users, into containers started by roost run -d (and
# one by LXC).

load helpers

setup_file() {
	BBE=$ROOST_R/busybox-enter
	export BBE
	[ -d "$BBE" ] && return 0
	mkdir -p "$BBE/bin" "$BBE/proc" "$BBE/sys" "$BBE/dev" "$BBE/tmp" \
	    "$BBE/etc" "$BBE/root" "$BBE/home/user" "$BBE/mnt"
	cp /bin/busybox "$BBE/bin/"
	for c in sh id cat ls sleep env readlink pwd yes head hostname \
	    true printf sort tr; do
		ln -s busybox "$BBE/bin/$c"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
	    'user:x:1000:1000:a user:/home/user:/bin/sh' > "$BBE/etc/passwd"
	printf '%s\n' 'root:x:0:' 'wheel:x:10:user' 'user:x:1000:' \
	    'staff:x:50:other,user' > "$BBE/etc/group"
	echo busybox-enter > "$BBE/etc/marker"
	chown -R 101000:101000 "$BBE/home/user"
	install -d -m 0777 "$ROOST_R/enter-shared"
}

# start USER NAME [RUN-OPTION...] -- CMD...: a detached container.
start() {
	local u=$1 name=$2
	shift 2
	as "$u" roost run -d --name "$name" --rootfs "$BBE" "$@" >/dev/null
}

# The pid of USER's container NAME, from roost ls.
leader() {
	as "$1" roost ls | awk -v n="$2" '$1 == n { print $2 }'
}

# Each namespace of PID, "user:[...] mnt:[...] ...".
ns_of() {
	local n out=
	for n in user mnt pid ipc uts net cgroup time; do
		out+="$(readlink "/proc/$1/ns/$n") "
	done
	echo "$out"
}

NSLOOP='for n in user mnt pid ipc uts net cgroup time; do printf "%s " $(readlink /proc/self/ns/$n); done; echo'

@test "enter: every namespace of the command is the container's" {
	start alice c1 -- sleep 1000
	pid=$(leader alice c1)
	run -0 as alice roost enter c1 -- sh -c "$NSLOOP"
	assert_output "$(ns_of "$pid")"
	# By pid, the same.
	run -0 as alice roost enter "$pid" -- sh -c "$NSLOOP"
	assert_output "$(ns_of "$pid")"
}

@test "enter: a container without a pid namespace of its own" {
	start alice np --ns user,mnt,uts -- sleep 1000
	pid=$(leader alice np)
	run -0 as alice roost enter np -- sh -c "echo \$\$; $NSLOOP"
	assert_line --index 1 "$(ns_of "$pid")"
	# Not in a pid namespace of its own: a host pid, not 1 or 2.
	[ "${lines[0]}" -gt 2 ]
}

@test "enter: one setns on a pidfd, never asking for the shared time namespace" {
	command -v strace >/dev/null || skip "strace is not installed"
	start alice c1 -- sleep 1000
	assert_equal "$(readlink /proc/"$(leader alice c1)"/ns/time)" \
	    "$(readlink /proc/self/ns/time)"
	st=$ROOST_R/enter-shared/strace
	rm -f "$st"
	run -0 as alice strace -f -e trace=setns -o "$st" roost enter c1 -- true
	run -0 grep 'setns(' "$st"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp 'setns\([0-9]+, [A-Z_|]+\) = 0$'
	for f in NEWUSER NEWNS NEWPID NEWIPC NEWUTS NEWNET NEWCGROUP; do
		assert_output --partial "CLONE_$f"
	done
	refute_output --partial CLONE_NEWTIME
}

@test "enter: root of the container, its ids, groups, environment, root and cwd" {
	# The container's environment, from run and its shell (OLDPWD, SHLVL),
	# under login(1)'s variables.
	start alice c1 --env FOO=bar -- sh -c 'cd /home/user && exec sleep 1000'
	run -0 as alice roost enter c1 -- sh -c 'id -u; id -g; id -G; pwd; cat /etc/marker; env | sort'
	assert_output "0
0
0
/home/user
busybox-enter
FOO=bar
HOME=/root
LOGNAME=root
OLDPWD=/
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PWD=/home/user
SHELL=/bin/sh
SHLVL=2
USER=root
container=roost"
}

@test "enter: --uid by name takes its group and groups from the container's files" {
	start alice c1 --env FOO=bar -- sleep 1000
	run -0 as alice roost enter c1 --uid user -- sh -c 'id -u; id -g; id -G; echo $HOME $USER $LOGNAME $SHELL $PATH $FOO'
	assert_output "1000
1000
1000 10 50
/home/user user user /bin/sh /usr/local/bin:/usr/bin:/bin bar"
	run -0 as alice roost enter c1 --uid 1000 --gid 10 -- sh -c 'id -u; id -g'
	assert_output "1000
10"
	run -0 as alice roost enter c1 --uid 4242 -- sh -c 'id -u; id -g; echo $HOME $SHELL'
	assert_output "4242
4242
/ /bin/sh"
}

@test "enter: --cwd, --env and --clear-env" {
	start alice c1 --env FOO=bar -- sleep 1000
	run -0 as alice roost enter c1 --cwd /tmp --env FOO=baz --env X=1 -- sh -c 'pwd; echo $FOO $X $container'
	assert_output "/tmp
baz 1 roost"
	run -0 as alice roost enter --clear-env c1 -- env
	refute_line FOO=bar
	refute_line container=roost
	assert_line HOME=/root
	run -1 as alice roost enter c1 --cwd /nowhere -- true
	assert_output "roost: enter: /nowhere: No such file or directory"
}

@test "enter: no command runs the user's login shell" {
	start alice c1 -- sleep 1000
	run -0 as alice roost enter c1 <<< 'echo $0; id -u'
	assert_output "-sh
0"
}

@test "enter: the exit status of the command is roost's" {
	start alice c1 -- sleep 1000
	run -7 as alice roost enter c1 -- sh -c 'exit 7'
	run -143 as alice roost enter c1 -- sh -c 'kill -TERM $$'
	run -127 as alice roost enter c1 -- /no/such/command
	assert_output "roost: enter: /no/such/command: No such file or directory"
}

@test "enter: the command holds no fd of the host's, only stdio" {
	start alice c1 -- sleep 1000
	# ls's own fds: stdio and the directory it is reading (fd 3); a shell
	# pipeline would race with the shell closing its pipe ends.
	run -0 as alice roost enter c1 -- ls /proc/self/fd
	assert_output "0
1
2
3"
}

@test "enter: setgroups denied (bob's policy): the caller's groups are kept" {
	start bob b1 -- sleep 1000
	pid=$(leader bob b1)
	run -0 as bob roost enter b1 -- sh -c "cat /proc/self/setgroups; id -u; id -g; id -G; $NSLOOP"
	assert_line --index 0 deny
	assert_line --index 1 0
	assert_line --index 2 0
	assert_line --index 3 "0 65536"
	assert_line --index 4 "$(ns_of "$pid")"
	run -0 as bob roost enter b1 --uid user -- sh -c 'id -u; id -G'
	assert_output "1000
1000 65536"
}

@test "enter: refuses another user's container, a dead pid and a process that is no container" {
	start bob b1 -- sleep 1000
	bpid=$(leader bob b1)
	run -1 as alice roost enter "$bpid" -- true
	assert_output "roost: enter: $bpid: not your container"
	run -1 as alice roost enter b1 -- true
	assert_output "roost: enter: b1: no such container"
	fpid=$(foreign_userns_target)
	run -1 as alice roost enter "$fpid" -- true
	assert_output "roost: enter: $fpid: not your container"
	hpid=$(host_target alice)
	run -1 as alice roost enter "$hpid" -- true
	assert_output "roost: enter: $hpid: not a container"
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	run -1 as alice roost enter "$dead" -- true
	assert_output "roost: enter: $dead: no such process"
}

@test "enter: an unprivileged LXC busybox container, by name" {
	command -v lxc-start >/dev/null || skip "lxc is not installed"
	chmod 0711 /home/alice
	as alice sh -c 'mkdir -p ~/.config/lxc ~/.local/share/lxc &&
	    chmod 0711 ~/.local ~/.local/share && cat > ~/.config/lxc/default.conf' <<-'EOF'
	lxc.include = /etc/lxc/default.conf
	lxc.idmap = u 0 100000 65536
	lxc.idmap = g 0 100000 65536
	lxc.apparmor.profile = unconfined
	lxc.net.0.type = empty
	EOF
	run -0 as alice lxc-create -t busybox -n roost-enter
	run -0 as alice lxc-start -n roost-enter -d
	run -0 as alice lxc-wait -n roost-enter -s RUNNING -t 10
	pid=$(as alice lxc-info -n roost-enter -p -H)
	want=$(ns_of "$pid")
	run as alice roost enter roost-enter -- sh -c "cat /proc/self/uid_map; id -u; $NSLOOP"
	as alice lxc-stop -n roost-enter -k || true
	as alice lxc-destroy -n roost-enter || true
	assert_success
	assert_line --index 0 --regexp '^ +0 +100000 +65536$'
	assert_line --index 1 0
	assert_line --index 2 "$want"
}

@test "exec: 20 containers writing 1 MiB each to stdout and stderr, every line whole and prefixed" {
	for i in $(seq -w 1 20); do
		start alice "c$i" -- sleep 1000
	done
	a=$(printf 'A%.0s' $(seq 63))
	b=$(printf 'B%.0s' $(seq 63))
	# 16384 lines of 64 bytes: 1 MiB on each stream, written at once.
	run -0 --separate-stderr timeout 120 \
	    setpriv --reuid=1001 --regid=1001 --init-groups -- \
	    env -i PATH="$ROOST_PREFIX/bin:/usr/bin:/bin" \
	    XDG_RUNTIME_DIR="$ROOST_R/run-1001" \
	    roost exec --all -- sh -c "yes $a | head -n 16384 & yes $b | head -n 16384 >&2; wait"
	assert_equal "$(echo "$output" | wc -l)" 655360
	assert_equal "$(echo "$output" | grep -c -E "^c[0-9]{2}\| $a\$")" 327680
	assert_equal "$(echo "$output" | grep -c -E "^c[0-9]{2}\|! $b\$")" 327680
	# 20 containers, each with 32768 lines.
	assert_equal "$(echo "$output" | awk -F'|' '{ n[$1]++ }
	    END { for (c in n) if (n[c] != 32768) bad++; print length(n), bad + 0 }')" "20 0"
	assert_equal "$(echo "$stderr" | head -n 1)" "NAME  STATUS"
	assert_equal "$(echo "$stderr" | grep -c -E '^c[0-9]{2}   0$')" 20
}

@test "exec: failing and timed-out containers are reported, and roost exec fails" {
	start alice ok1 -- sleep 1000
	start alice bad -- sleep 1000
	start alice slow -- sleep 1000
	SECONDS=0
	run -1 --separate-stderr as alice roost exec --timeout 2 ok1 bad slow -- \
	    sh -c 'case $(hostname) in bad) echo failing >&2; exit 3;; slow) echo sleeping; exec sleep 100;; esac; echo fine'
	[ "$SECONDS" -lt 10 ] || fail "took ${SECONDS}s"
	assert_equal "$(echo "$output" | sort)" "bad|! failing
ok1| fine
slow| sleeping"
	assert_equal "$stderr" "NAME  STATUS
ok1   0
bad   3
slow  timeout"
}

@test "exec: the failing container's stderr is a marked line" {
	start alice bad -- sleep 1000
	run -1 --separate-stderr as alice roost exec bad nosuch -- sh -c 'echo failing >&2; exit 3'
	assert_line "bad|! failing"
	assert_line "nosuch|! roost: exec: nosuch: no such container"
	assert_equal "$stderr" "NAME    STATUS
bad     3
nosuch  1"
}

@test "exec: --json escapes, a final line without newline, an over-long line cut and said" {
	start alice j1 -- sleep 1000
	run -0 --separate-stderr as alice roost exec --json j1 -- sh -c 'printf "a \"q\" \\\\ \t\001\n"; printf "\303\251\377\n" >&2; printf last'
	assert_line --index 0 '{"name":"j1","stream":"stdout","line":"a \"q\" \\ \t\u0001"}'
	assert_line '{"name":"j1","stream":"stderr","line":"é\ufffd"}'
	assert_line '{"name":"j1","stream":"stdout","line":"last"}'
	assert_line '{"name":"j1","exit":0,"timeout":false}'
	echo "$output" | jq -e . >/dev/null
	run -0 --separate-stderr as alice roost exec j1 -- sh -c 'yes x | head -c 200000 | tr -d "\n"; echo; echo next'
	note=" [roost: line cut, 34464 more bytes]"
	assert_equal "$(echo "$output" | head -n 1 | wc -c)" \
	    "$((4 + 65536 + ${#note} + 1))"
	assert_line --index 0 --regexp '^j1\| xxxx.* \[roost: line cut, 34464 more bytes\]$'
	assert_line --index 1 "j1| next"
}

@test "exec: --jobs 1 runs one container at a time" {
	for n in s1 s2 s3; do
		start alice "$n" -- sleep 1000
	done
	run -0 --separate-stderr as alice roost exec --jobs 1 s1 s2 s3 -- \
	    sh -c 'echo start; sleep 0.3; echo end'
	assert_output "s1| start
s1| end
s2| start
s2| end
s3| start
s3| end"
}

@test "stop: SIGTERM to pid 1, and it is gone" {
	start alice st1 -- sleep 1000
	pid=$(leader alice st1)
	run -0 as alice roost stop st1
	assert_output ""
	[ ! -d "/proc/$pid" ] || [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = Z ]
	run -0 as alice roost ls
	refute_output --partial st1
	run -1 as alice roost stop st1
	assert_output "roost: stop: st1: no such container"
}

@test "stop: a command ignoring SIGTERM is killed after --timeout" {
	start alice st2 -- sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	SECONDS=0
	run -0 as alice roost stop st2 --timeout 1
	assert_output "roost: stop: st2: still running after 1s: killing it"
	[ "$SECONDS" -lt 5 ]
	run -0 as alice roost ls
	refute_output --partial st2
}

@test "kill: a signal by name reaches the command; the default is KILL" {
	start alice k1 --bind "$ROOST_R/enter-shared:/mnt" -- sh -c 'trap "echo usr1 > /mnt/k1" USR1; while :; do sleep 0.1; done'
	rm -f "$ROOST_R/enter-shared/k1"
	run -0 as alice roost kill k1 USR1
	for i in $(seq 50); do
		[ -e "$ROOST_R/enter-shared/k1" ] && break
		sleep 0.1
	done
	assert_equal "$(cat "$ROOST_R/enter-shared/k1")" usr1
	run -0 as alice roost kill k1
	sleep 0.5
	run -0 as alice roost ls
	refute_output --partial k1
}

@test "ls: state, pid, network and uptime, read live" {
	policy "$FIX/etc/policy-net.conf"
	ip link add br0 type bridge
	ip link set br0 up
	start alice n0 -- sleep 1000
	start alice nh --net host -- sleep 1000
	start alice n2 --net bridge:br0 --net bridge:br0 -- sleep 1000
	run -0 as alice roost ls
	ip link del br0
	assert_line --index 0 --regexp '^NAME +PID +STATE +NETWORK +UPTIME +COMMAND$'
	assert_line --index 1 --regexp '^n0 +[0-9]+ +running +none +[0-9]+s +sleep 1000$'
	assert_line --index 2 --regexp '^n2 +[0-9]+ +running +2 +[0-9]+s +sleep 1000$'
	assert_line --index 3 --regexp '^nh +[0-9]+ +running +host +[0-9]+s +sleep 1000$'
	kill -STOP "$(leader alice n0)"
	run -0 as alice roost ls
	kill -CONT "$(leader alice n0)"
	assert_line --index 1 --regexp '^n0 +[0-9]+ +stopped +none '
}

@test "enter, exec, stop, kill: usage errors exit 2 with one line" {
	run -2 as alice roost enter
	assert_output "roost: enter: no container given (see roost enter --help)"
	run -2 as alice roost enter --frob c1 -- true
	assert_output "roost: enter: unknown option '--frob' (see roost enter --help)"
	run -2 as alice roost enter c1 --env novalue -- true
	assert_output "roost: enter: --env: KEY=VALUE expected, got 'novalue' (see roost enter --help)"
	run -2 as alice roost enter 'bad/name' -- true
	assert_output "roost: enter: bad/name: invalid container name (see roost enter --help)"
	run -2 as alice roost exec -- true
	assert_output "roost: exec: no container given (see roost exec --help)"
	run -0 as dave roost exec --all -- true
	assert_output "roost: exec: --all: no running container"
	run -2 as alice roost exec c1
	assert_output "roost: exec: no command given (see roost exec --help)"
	run -2 as alice roost exec --all c1 -- true
	assert_output "roost: exec: --all: no NAME expected with it, got 'c1' (see roost exec --help)"
	run -2 as alice roost exec --jobs 0 --all -- true
	assert_output "roost: exec: --jobs: a number from 1 to 1024 expected, got '0' (see roost exec --help)"
	run -2 as alice roost stop
	assert_output "roost: stop: no container given (see roost stop --help)"
	run -2 as alice roost stop c1 --timeout x
	assert_output "roost: stop: --timeout: bad number of seconds 'x' (see roost stop --help)"
	run -2 as alice roost kill c1 FROB
	assert_output "roost: kill: FROB: unknown signal (see roost kill --help)"
	run -1 as alice roost kill nosuch TERM
	assert_output "roost: kill: nosuch: no such container"
}

@test "roost: every option of enter, exec, stop and kill is in roost(1)" {
	page=$(mandoc -Tascii "$ROOST_TOP/man/roost.1" | col -b)
	for verb in enter exec stop kill; do
		run -0 as alice roost $verb --help
		for opt in $(echo "$output" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -e "$opt" <<< "$page" ||
			    fail "roost $verb: $opt is not in man/roost.1"
		done
		grep -q -e "roost $verb" <<< "$page" ||
		    fail "roost $verb is not in man/roost.1"
	done
}
