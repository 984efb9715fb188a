/*
 * ns.c: create the namespaces, have the ids mapped, release the child,
 * and wait for it; shared by run and unshare.
 *
 * The child is cloned fork-style into a new user namespace, and a new pid
 * namespace if asked (for that one the child must be cloned into it to be
 * its pid 1).  It may then prepare what needs no mapped id, and waits on a
 * socket until the parent has had its user namespace mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include "roost.h"

static sigset_t	 orig_mask;
static int	 blocked;

/*
 * Signals a waiting parent passes on.  SIGINT and SIGQUIT too, except those
 * the terminal sent: those reached the container's process group already.
 */
static const int forwarded[] = {
	SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT
};

void
ns_wait_set(sigset_t *set)
{
	size_t	 i;

	(void)sigemptyset(set);
	(void)sigaddset(set, SIGCHLD);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		(void)sigaddset(set, forwarded[i]);
}

/*
 * Block what ns_wait() takes with signalfd(), before the clone, so that
 * nothing arrives unhandled in between.  The child restores the mask.
 */
void
ns_block_signals(void)
{
	sigset_t	 set;

	ns_wait_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, &orig_mask) == -1)
		roost_err("sigprocmask");
	blocked = 1;
}

void
ns_restore_signals(void)
{
	if (blocked && sigprocmask(SIG_SETMASK, &orig_mask, NULL) == -1)
		roost_err("sigprocmask");
}

void
ns_saved_mask(sigset_t *mask)
{
	if (blocked)
		*mask = orig_mask;
	else
		(void)sigprocmask(SIG_BLOCK, NULL, mask);
}

/*
 * Returns 0 in the child, at once: it may prepare what needs no ids (see
 * mnt_prepare) while the parent has them mapped, then calls ns_await().
 * Returns the child's pid in the parent.  A raw clone (as bubblewrap
 * does) rather than the glibc wrapper: no separate stack, fork semantics.
 */
pid_t
ns_clone(int flags, struct ns_child *c)
{
	char	 path[32];
	int	 p[2];
	pid_t	 pid;

	/* A socket, not a pipe: send(MSG_NOSIGNAL) to a dead child is EPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == -1)
		roost_err("socketpair");
	pid = syscall(SYS_clone, (unsigned long)(flags | CLONE_NEWUSER |
	    SIGCHLD), NULL, NULL, NULL, NULL);
	if (pid == -1)
		roost_err("cannot create namespaces");
	if (pid == 0) {
		roost_cleanup = NULL;
		(void)close(p[1]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		c->pid = 0;
		c->procfd = -1;
		c->release = p[0];
		return 0;
	}
	(void)close(p[0]);
	c->pid = pid;
	c->release = p[1];
	(void)snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	c->procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->procfd == -1) {
		ns_kill(c);
		roost_err("%s", path);
	}
	return pid;
}

/*
 * In the child: wait until the parent has mapped our ids.  Returns the fd
 * the parent sent with the go-ahead (ns_release_fd), or -1.
 */
int
ns_await(struct ns_child *c)
{
	int	 fd;

	/* End of file: the parent failed (and said so) or died. */
	if (roost_recv_fd(c->release, 0, &fd) != 1)
		_exit(1);
	(void)close(c->release);
	c->release = -1;
	return fd;
}

static void
write_map(int procfd, const char *file, const char *text)
{
	int	 fd;

	fd = openat(procfd, file, O_WRONLY | O_CLOEXEC);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		roost_err("cannot write %s", file);
	(void)close(fd);
}

/*
 * Map the child's user namespace.  A single id, our own, the kernel lets
 * us write ourselves (user_namespaces(7)), once setgroups is denied;
 * anything more is the helper's to judge.
 */
void
ns_map(struct ns_child *c, const struct map_plan *m)
{
	char	 line[64];

	if (m->helper) {
		if (helper_map(c->procfd, m, NULL, 0) == -1)
			roost_fail();
		return;
	}
	(void)snprintf(line, sizeof(line), "0 %u 1\n", m->u[0].outside);
	write_map(c->procfd, "uid_map", line);
	write_map(c->procfd, "setgroups", "deny");
	(void)snprintf(line, sizeof(line), "0 %u 1\n", m->g[0].outside);
	write_map(c->procfd, "gid_map", line);
}

/*
 * Let the child go on.  If it is gone already, it said why; its status
 * tells the rest.
 */
void
ns_release(struct ns_child *c)
{
	ns_release_fd(c, -1);
}

/* The same, handing the child FD (unless -1) with the go-ahead. */
void
ns_release_fd(struct ns_child *c, int fd)
{
	(void)roost_send_fd(c->release, 'g', fd);
	(void)close(c->release);
	c->release = -1;
}

/* Undo a half-made container: it has run nothing of the caller's yet. */
void
ns_kill(struct ns_child *c)
{
	if (c->pid <= 0)
		return;
	(void)kill(c->pid, SIGKILL);
	while (waitpid(c->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	c->pid = -1;
}

static int
setgroups_allowed(void)
{
	char	 buf[16];
	ssize_t	 n;
	int	 fd;

	if ((fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = roost_read_all(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	return n == 6 && memcmp(buf, "allow\n", 6) == 0;
}

/*
 * In the child: take UID and GID of the new user namespace, and drop the
 * caller's supplementary groups where the map lets us (they would show as
 * the overflow gid inside).
 */
void
ns_become(uid_t uid, gid_t gid)
{
	if (setresgid(gid, gid, gid) == -1)
		roost_err("cannot become gid %u", (unsigned int)gid);
	if (setgroups_allowed() && setgroups(0, NULL) == -1)
		roost_err("setgroups");
	if (setresuid(uid, uid, uid) == -1)
		roost_err("cannot become uid %u", (unsigned int)uid);
	/* A change of credentials clears the parent-death signal. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * In a new network namespace, lo exists but is down.  Needs no mapped id,
 * only CAP_NET_ADMIN over the namespace, which the child has from clone.
 */
int
ns_lo_up(void)
{
	struct ifreq	 ifr;
	int		 s, rc = -1;

	memset(&ifr, 0, sizeof(ifr));
	(void)strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	(void)close(s);
	return rc;
}

/*
 * Pass a signal on unless the kernel sent it to TARGET's process group
 * too (a terminal's ^C, ^\, hangup, window change): then it already has
 * it, and a second copy would make a shell see two interrupts.
 */
int
ns_forward_ok(int code, pid_t target)
{
	return !(code == SI_KERNEL && getpgid(target) == getpgrp());
}

/* One signal taken: pass it on, or set *status once PID is reaped. */
void
ns_on_signal(const struct signalfd_siginfo *si, pid_t pid, int *status)
{
	int	 st;

	if (si->ssi_signo != SIGCHLD) {
		if (ns_forward_ok(si->ssi_code, pid))
			(void)kill(pid, (int)si->ssi_signo);
	} else if (waitpid(pid, &st, WNOHANG) == pid)
		*status = roost_status(st);
}

/*
 * Wait for PID, passing signals on; returns its status as a shell would.
 * STATUSFD, if not -1, is where the container's pid 1 writes the status
 * before it exits: the kernel then still tears down its namespaces (a
 * large part of a short container's life), and we need not wait for that.
 */
int
ns_wait(pid_t pid, int statusfd)
{
	struct pollfd		 pfd[2];
	struct signalfd_siginfo	 si;
	sigset_t		 set;
	unsigned char		 b;
	int			 status = -1;

	ns_wait_set(&set);
	if ((pfd[0].fd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		roost_err("signalfd");
	pfd[0].events = pfd[1].events = POLLIN;
	pfd[1].fd = statusfd;
	while (status == -1) {
		if (poll(pfd, 2, -1) == -1)
			continue;
		if (pfd[1].revents != 0) {
			if (read(statusfd, &b, 1) == 1) {
				status = b;
				break;
			}
			pfd[1].fd = -1;	/* it died: wait for SIGCHLD */
		}
		if ((pfd[0].revents & POLLIN) &&
		    read(pfd[0].fd, &si, sizeof(si)) == sizeof(si))
			ns_on_signal(&si, pid, &status);
	}
	(void)close(pfd[0].fd);
	return status;
}
