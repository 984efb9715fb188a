/*
 * fsm CMD...: in a child, as root of a user namespace of its own (self
 * mapped to 0), make a tmpfs with fsopen/fsmount (a detached mount) and
 * send its fd to the parent, which keeps it as fd 5 and execs CMD in the
 * caller's namespaces.  A test tool for tests/900-attacks.bats (issue 15).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
wr(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY);
	if (fd == -1 || write(fd, s, strlen(s)) == -1)
		perror(p);
	close(fd);
}

int
main(int argc, char *argv[])
{
	char		 byte = 'm', cbuf[CMSG_SPACE(sizeof(int))], m[64];
	struct iovec	 iov = { &byte, 1 };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr	*cm;
	int		 sv[2], fs, mfd, st;
	uid_t		 u = getuid();
	gid_t		 g = getgid();

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if (fork() == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1) {
			perror("unshare");
			_exit(1);
		}
		snprintf(m, sizeof(m), "0 %u 1", u);
		wr("/proc/self/uid_map", m);
		wr("/proc/self/setgroups", "deny");
		snprintf(m, sizeof(m), "0 %u 1", g);
		wr("/proc/self/gid_map", m);
		fs = syscall(SYS_fsopen, "tmpfs", 0);
		if (fs == -1 || syscall(SYS_fsconfig, fs, 6, NULL, NULL, 0) == -1 ||
		    (mfd = syscall(SYS_fsmount, fs, 0, 0)) == -1) {
			perror("fsmount");
			_exit(1);
		}
		mkdirat(mfd, "sub", 0755);
		memset(cbuf, 0, sizeof(cbuf));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &mfd, sizeof(int));
		sendmsg(sv[1], &msg, 0);
		_exit(0);
	}
	if (recvmsg(sv[0], &msg, 0) != 1 || (cm = CMSG_FIRSTHDR(&msg)) == NULL)
		return 3;
	memcpy(&mfd, CMSG_DATA(cm), sizeof(int));
	wait(&st);
	close(sv[0]);
	close(sv[1]);
	dup2(mfd, 5);
	fcntl(5, F_SETFD, 0);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
