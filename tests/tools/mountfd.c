/*
 * mountfd HELPER TARGET DIR [PATH...]: run `HELPER idmount TARGET DIR`
 * with a unix socket as its stdout, take the mount fd it sends, and print
 * "PATH UID GID" for the mount's root (".") and each PATH under it, as
 * seen through the mount.  Exits with the helper's status if it fails.
 * A test tool for tests/420-idmount.bats.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
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
