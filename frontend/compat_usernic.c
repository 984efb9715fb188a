/*
 * compat_usernic.c: roost run as lxc-user-nic, LXC's protocol backed by
 * roost-helper and the roost policy (roost(1), LXC's lxc-user-nic(1)).
 *
 *   lxc-user-nic create LXCPATH NAME PID veth LINK [NICNAME]
 *   lxc-user-nic delete LXCPATH NAME NETNS veth LINK HOSTIF
 *
 * liblxc reads our stdout and stderr through one pipe and parses the first
 * read as "NICNAME:IFINDEX:HOSTIF:HOSTIFINDEX", so on success that line is
 * all we print.  LXCPATH and NAME are unused, as in LXC.  This file holds
 * no privilege: the caller owns the container's namespaces, so whatever
 * must be seen from inside them is done by a child of ours that joins
 * them (the agent), and the veth itself is the helper's work.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <linux/magic.h>
#include <linux/nsfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "roost.h"

#define USERNIC_USAGE "usage: lxc-user-nic create LXCPATH NAME PID veth " \
	"LINK [NICNAME] | delete LXCPATH NAME NETNS veth LINK HOSTIF"
#define AGENT_MSG	64

/*
 * A child of ours in the container's user and network namespaces.  It
 * answers what can only be seen from inside: which ethN is free, and a
 * device's ifindex there.  /sys/class/net cannot: it shows the network
 * namespace of whoever mounted sysfs.  For delete it is also the process
 * that names the namespace to the helper, whose protocol wants a /proc/PID.
 */
struct agent {
	pid_t	 pid;
	int	 sock;		/* SOCK_SEQPACKET: one message per question */
};

static void
agent_answer(const char *q, char *a, size_t len)
{
	char		 name[IF_NAMESIZE];
	unsigned int	 i, idx;

	*a = '\0';
	if (strcmp(q, "free") == 0) {
		/* LXC's own helper lets the kernel pick "eth%d" likewise. */
		for (i = 0; i < 10000; i++) {
			(void)snprintf(name, sizeof(name), "eth%u", i);
			if (if_nametoindex(name) == 0) {
				(void)strlcpy(a, name, len);
				return;
			}
		}
	} else if (strncmp(q, "index ", 6) == 0 &&
	    (idx = if_nametoindex(q + 6)) != 0)
		(void)snprintf(a, len, "%u", idx);
}

/* The child: join, say whether that worked, then answer until EOF. */
static void ROOST_NORETURN
agent_serve(int sock, int userfd, int netfd)
{
	char	 q[AGENT_MSG], a[AGENT_MSG];
	ssize_t	 n;
	int	 null;

	/* LXC's pipe is our stdout and stderr: the agent must not hold it. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(null, STDOUT_FILENO) == -1 || dup2(null, STDERR_FILENO) == -1)
		_exit(1);
	/* Not for the container's root to trace once we are in its user
	 * namespace (runc CVE-2019-5736): we still hold host fds. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		_exit(1);
	if (setns(userfd, CLONE_NEWUSER) == -1 ||
	    setns(netfd, CLONE_NEWNET) == -1)
		(void)strlcpy(a, "no", sizeof(a));
	else
		(void)strlcpy(a, "ok", sizeof(a));
	if (send(sock, a, strlen(a), MSG_NOSIGNAL) == -1 || *a != 'o')
		_exit(1);
	while ((n = recv(sock, q, sizeof(q) - 1, 0)) > 0) {
		q[n] = '\0';
		agent_answer(q, a, sizeof(a));
		if (send(sock, a, strlen(a), MSG_NOSIGNAL) == -1)
			_exit(1);
	}
	_exit(0);
}

/* Ask Q; the answer, or "" when there is none. */
static void
agent_ask(struct agent *ag, const char *q, char *a, size_t len)
{
	ssize_t	 n;

	*a = '\0';
	if (send(ag->sock, q, strlen(q), MSG_NOSIGNAL) == -1)
		return;
	while ((n = recv(ag->sock, a, len - 1, 0)) == -1 && errno == EINTR)
		continue;
	a[n < 0 ? 0 : n] = '\0';
}

/* Returns 0 once the agent is in the namespaces, -1 if it cannot join. */
static int
agent_start(struct agent *ag, int userfd, int netfd)
{
	char	 a[AGENT_MSG];
	ssize_t	 n;
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		roost_err("socketpair");
	if ((ag->pid = fork()) == -1)
		roost_err("fork");
	if (ag->pid == 0) {
		(void)close(sv[0]);
		agent_serve(sv[1], userfd, netfd);
	}
	(void)close(sv[1]);
	ag->sock = sv[0];
	while ((n = recv(ag->sock, a, sizeof(a) - 1, 0)) == -1 &&
	    errno == EINTR)
		continue;
	a[n < 0 ? 0 : n] = '\0';
	return strcmp(a, "ok") == 0 ? 0 : -1;
}

static void
agent_stop(struct agent *ag)
{
	(void)close(ag->sock);
	while (waitpid(ag->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
}

static void ROOST_NORETURN
usernic_usage(void)
{
	roost_errx(USERNIC_USAGE);
}

/*
 * create: the helper makes the pair with its peer in PID's network
 * namespace; the agent names it first and reads its index after.
 */
static int
usernic_create(const struct usernic_req *rq, const char *pidarg)
{
	char		 nic[IF_NAMESIZE], hostif[IF_NAMESIZE], q[AGENT_MSG];
	char		 idx[AGENT_MSG];
	struct agent	 ag;
	unsigned int	 hostidx;
	int		 procfd, userfd = -1, netfd = -1;

	/* One /proc/PID, opened once: the helper gets this same directory. */
	(void)snprintf(q, sizeof(q), "/proc/%u", rq->pid);
	if ((procfd = open(q, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (userfd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (netfd = openat(procfd, "ns/net", O_RDONLY | O_CLOEXEC)) == -1 ||
	    agent_start(&ag, userfd, netfd) == -1)
		roost_errx("%s: not a process in a network namespace you own",
		    pidarg);
	(void)close(userfd);
	(void)close(netfd);
	if (rq->nic != NULL)
		(void)strlcpy(nic, rq->nic, sizeof(nic));
	else
		agent_ask(&ag, "free", nic, sizeof(nic));
	if (*nic == '\0')
		roost_errx("%s: no free ethN name", pidarg);
	if (helper_net("veth", procfd, rq->link, nic, hostif,
	    sizeof(hostif)) == -1)
		roost_fail();
	(void)snprintf(q, sizeof(q), "index %s", nic);
	agent_ask(&ag, q, idx, sizeof(idx));
	agent_stop(&ag);
	if (*idx == '\0' || (hostidx = if_nametoindex(hostif)) == 0) {
		/* Renamed or gone already: do not leave half a result. */
		(void)helper_net("unveth", procfd, hostif, NULL, NULL, 0);
		roost_errx("%s: %s: vanished after creation", pidarg, nic);
	}
	(void)printf("%s:%s:%s:%u\n", nic, idx, hostif, hostidx);
	return 0;
}

/*
 * NETNS (liblxc passes /proc/MONITOR/fd/N), opened as the caller; its
 * owning user namespace in *userfd.  Every failure says the same.
 */
static int
usernic_netns(const char *path, int *userfd)
{
	struct statfs	 sf;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	if (fstatfs(fd, &sf) == -1 || sf.f_type != NSFS_MAGIC ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET ||
	    (*userfd = ioctl(fd, NS_GET_USERNS)) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * delete: roost-helper unveth with NETNS itself as the target; the helper
 * checks that HOSTIF is the caller's veth with its peer there.  A HOSTIF
 * that is gone (its namespace died) is success.
 */
static int
usernic_delete(const struct usernic_req *rq)
{
	int	 netfd, userfd = -1;

	if (if_nametoindex(rq->hostif) == 0)
		return 0;
	if ((netfd = usernic_netns(rq->netns, &userfd)) == -1)
		roost_errx("%s: not a network namespace you own", rq->netns);
	(void)close(userfd);
	if (helper_net("unveth", netfd, rq->hostif, NULL, NULL, 0) == -1)
		roost_fail();
	return 0;
}

/*
 * LXC's argv, checked before anything is opened: no I/O, no exit (the
 * fuzz target tests/fuzz/fuzz_usernic.c calls it).  Returns 0, or -1
 * with RQ->why naming what is wrong with RQ->bad (NULL: usage).
 */
int
usernic_parse(int argc, char **argv, struct usernic_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	if (argc < 7 || argc > 8)
		return -1;
	if (strcmp(argv[5], "veth") != 0 && (strcmp(argv[1], "create") == 0 ||
	    strcmp(argv[1], "delete") == 0)) {
		rq->bad = argv[5];
		rq->why = "only veth is supported";
		return -1;
	}
	rq->link = argv[6];
	if (strcmp(argv[1], "create") == 0) {
		rq->op = USERNIC_CREATE;
		rq->bad = argv[4];
		rq->why = "bad pid";
		if (policy_parse_u32(argv[4], INT_MAX, &rq->pid) == -1 ||
		    rq->pid == 0)
			return -1;
		rq->nic = argc == 8 ? argv[7] : NULL;
		rq->bad = rq->nic;
		rq->why = "bad interface name";
		if (rq->nic != NULL && strlen(rq->nic) >= IF_NAMESIZE)
			return -1;
	} else if (strcmp(argv[1], "delete") == 0 && argc == 8) {
		rq->op = USERNIC_DELETE;
		rq->netns = argv[4];
		rq->hostif = argv[7];
	} else
		return -1;
	rq->bad = rq->why = NULL;
	return 0;
}

int
compat_usernic(int argc, char **argv)
{
	struct usernic_req	 rq;

	roost_prog = "lxc-user-nic";
	roost_verb = NULL;
	if (usernic_parse(argc, argv, &rq) == -1) {
		if (rq.why == NULL)
			usernic_usage();
		roost_errx("%s: %s", rq.bad, rq.why);
	}
	if (rq.op == USERNIC_CREATE)
		return usernic_create(&rq, argv[4]);
	return usernic_delete(&rq);
}
