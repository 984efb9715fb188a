/*
 * mountfd HELPER TARGET DIR [ARG...]: run `HELPER idmount TARGET DIR`
 * with a unix socket as its stdout, take the mount fd it sends, and print
 * "PATH UID GID" for the mount's root (".") and for each ARG that is a
 * PATH under it, as seen through the mount.  Exits with the helper's
 * status if it fails.  An ARG may instead be an attack on the mount, each
 * printing one line (tests/900-attacks.bats, issue 15):
 *
 *	clear:FLAG	in a user and mount namespace of its own, where it
 *			holds every capability, clear FLAG (nodev, nosuid,
 *			noexec or ro) with mount_setattr(2): "clear FLAG: ok"
 *			or the error
 *	open:PATH	open PATH through the mount, read-only: "open PATH: ok"
 *	create:PATH	create PATH through the mount
 *	exec:PATH	run PATH through the mount (execveat(2)); its output
 *
 * A test tool for tests/420-idmount.bats and tests/900-attacks.bats.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
recv_fd(int sock)
{
	char		 byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec	 iov = { &byte, 1 };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr	*cm;
	int		 fd;

	if (recvmsg(sock, &msg, 0) != 1 || (cm = CMSG_FIRSTHDR(&msg)) == NULL ||
	    cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

static const struct {
	const char	*name;
	uint64_t	 attr;
} flags[] = {
	{ "nodev", MOUNT_ATTR_NODEV }, { "nosuid", MOUNT_ATTR_NOSUID },
	{ "noexec", MOUNT_ATTR_NOEXEC }, { "ro", MOUNT_ATTR_RDONLY },
};

/* In a child, as root of a user namespace of its own: the issue's
 * attack (its maps need not be written to hold the capability). */
static void
clear(int mfd, const char *name)
{
	struct mount_attr	 attr = { 0 };
	size_t			 i;
	pid_t			 pid;
	int			 st;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(flags[i].name, name) == 0)
			attr.attr_clr = flags[i].attr;
	if (attr.attr_clr == 0) {
		printf("clear %s: no such flag\n", name);
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1)
			printf("clear %s: unshare: %s\n", name, strerror(errno));
		else if (syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH,
		    &attr, sizeof(attr)) == -1)
			printf("clear %s: %s\n", name, strerror(errno));
		else
			printf("clear %s: ok\n", name);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

static void
attack(int mfd, const char *arg)
{
	const char	*p = strchr(arg, ':') + 1;
	char		*av[] = { (char *)p, NULL };
	pid_t		 pid;
	int		 fd, st;

	if (strncmp(arg, "clear:", 6) == 0) {
		clear(mfd, p);
		return;
	}
	if (strncmp(arg, "exec:", 5) == 0) {
		fflush(stdout);
		if ((pid = fork()) == 0) {
			syscall(SYS_execveat, mfd, p, av, NULL, 0);
			printf("exec %s: %s\n", p, strerror(errno));
			fflush(stdout);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		return;
	}
	fd = strncmp(arg, "open:", 5) == 0 ? openat(mfd, p, O_RDONLY) :
	    openat(mfd, p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	printf("%.*s %s: %s\n", (int)(p - arg - 1), arg, p,
	    fd == -1 ? strerror(errno) : "ok");
	if (fd != -1)
		close(fd);
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	pid_t		 pid;
	int		 sv[2], st_, mfd, i;

	if (argc < 4 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 2;
	if ((pid = fork()) == 0) {
		dup2(sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		execl(argv[1], "roost-helper", "idmount", argv[2], argv[3],
		    (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	mfd = recv_fd(sv[0]);
	waitpid(pid, &st_, 0);
	if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0 || mfd == -1)
		return WIFEXITED(st_) && WEXITSTATUS(st_) != 0 ?
		    WEXITSTATUS(st_) : 3;
	for (i = 3; i < argc; i++) {
		const char *p = i == 3 ? "" : argv[i];
		if (i > 3 && strchr(p, ':') != NULL) {
			attack(mfd, p);
			continue;
		}
		if (fstatat(mfd, p, &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)
		    == -1) {
			perror(p);
			return 4;
		}
		printf("%s %u %u\n", i == 3 ? "." : p, (unsigned)st.st_uid,
		    (unsigned)st.st_gid);
	}
	return 0;
}
