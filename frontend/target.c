/*
 * target.c: the running container a command acts on (enter, exec, net,
 * stop, kill, ls), and the process of it to act through.
 *
 * A container is named by its roost record, by the pid of any process of
 * it, or by its LXC name (lxc-info).  Its first process, the leader, is
 * kept as a /proc directory fd checked against the recorded start time,
 * so a pid reused since is never taken for the container.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "roost.h"

/* Field 4 of PROCFD's stat, the parent's pid; -1 if unreadable. */
pid_t
proc_ppid(int procfd)
{
	char	 buf[1024];

	if (roost_proc_stat(procfd, buf, sizeof(buf)) == -1)
		return -1;
	return proc_stat_ppid(buf);
}

/* The same from the text BUF of a stat file (tests/fuzz/fuzz_proc.c). */
pid_t
proc_stat_ppid(const char *buf)
{
	const char	*p;

	/* The command name, field 2, may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) == NULL || strlen(p) < 5)
		return -1;
	return (pid_t)strtol(p + 4, NULL, 10);
}

/* Set T's leader to PID, if it is alive and (START not 0) still START. */
static int
target_leader(struct target *t, pid_t pid, unsigned long long start)
{
	unsigned long long	 now;
	char			 path[32];

	(void)snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	t->leader = pid;
	t->leaderfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t->procfd = t->userfd = -1;
	t->pid = -1;
	if (t->leaderfd == -1)
		return -1;
	if (roost_proc_start(t->leaderfd, &now) == 0 &&
	    (start == 0 || now == start)) {
		t->start = now;
		return 0;
	}
	(void)close(t->leaderfd);
	t->leaderfd = -1;
	return -1;
}

/* The container of record R: 0, or -1 if its leader is gone. */
int
target_open(struct target *t, const struct record *r)
{
	t->name = r->name;
	return target_leader(t, r->pid, r->start);
}

/* The same, refused if gone. */
void
target_record(struct target *t, const struct record *r)
{
	if (target_open(t, r) == -1)
		roost_errx("%s: no such container", r->name);
}

/* The caller's live records, sorted by name (state_list). */
struct record *
target_records(size_t *n)
{
	struct record	*r = NULL;
	int		 dirfd;

	*n = 0;
	if ((dirfd = state_open(0)) != -1 &&
	    state_list(dirfd, &r, n) == -1)
		roost_err("cannot read the state directory");
	if (dirfd != -1)
		(void)close(dirfd);
	return r;
}

/* NAME's record, if the caller has one: 0, or -1. */
static int
target_lookup(const char *name, struct record *r)
{
	int	 dirfd, rc = -1;

	if ((dirfd = state_open(0)) != -1) {
		rc = state_get(dirfd, name, r);
		(void)close(dirfd);
	}
	return rc;
}

/* The roost container recorded as NAME. */
void
target_named(struct target *t, const char *name)
{
	struct record	 r;

	if (!state_name_ok(name))
		roost_usage("%s: invalid container name", name);
	if (target_lookup(name, &r) == -1)
		roost_errx("%s: no such container", name);
	target_record(t, &r);
	t->name = name;
}

/*
 * LXC's pid for NAME, from lxc-info run as the caller (so in the caller's
 * lxcpath: another user's containers are not found); 0 if none.
 */
static pid_t
target_lxc(const char *name)
{
	static char			 a0[] = "lxc-info", a1[] = "-n",
					 a3[] = "-p", a4[] = "-H";
	posix_spawn_file_actions_t	 fa;
	char				*argv[6] = { a0, a1, NULL, a3, a4,
					    NULL };
	char				 buf[32];
	uint32_t			 pid = 0;
	ssize_t				 n = 0;
	pid_t				 cpid;
	int				 p[2], st;

	if ((argv[2] = strdup(name)) == NULL)
		roost_err("cannot allocate");
	if (pipe2(p, O_CLOEXEC) == -1)
		roost_err("pipe");
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
	    O_WRONLY, 0) != 0)
		roost_errx("cannot run lxc-info");
	if (posix_spawnp(&cpid, "lxc-info", &fa, NULL, argv, environ) == 0) {
		(void)close(p[1]);
		n = roost_read_all(p[0], buf, sizeof(buf) - 1);
		while (waitpid(cpid, &st, 0) == -1 && errno == EINTR)
			continue;
	} else
		(void)close(p[1]);
	(void)close(p[0]);
	posix_spawn_file_actions_destroy(&fa);
	free(argv[2]);
	buf[n < 0 ? 0 : n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (policy_parse_u32(buf, INT_MAX, &pid) == -1)
		return 0;
	return (pid_t)pid;
}

static int
all_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/*
 * ARG: a roost container's name, else a pid, else an LXC container's
 * name.  A pid or an LXC name may be anyone's: see target_mine().
 */
void
target_find(struct target *t, const char *arg)
{
	struct record	 r;
	uint32_t	 pid;

	t->name = arg;
	if (all_digits(arg)) {
		if (policy_parse_u32(arg, INT_MAX, &pid) == -1 || pid == 0 ||
		    target_leader(t, (pid_t)pid, 0) == -1)
			roost_errx("%s: no such process", arg);
		return;
	}
	if (!state_name_ok(arg))
		roost_usage("%s: invalid container name", arg);
	if (target_lookup(arg, &r) == 0 &&
	    target_leader(t, r.pid, r.start) == 0)
		return;
	if ((pid = (uint32_t)target_lxc(arg)) == 0 ||
	    target_leader(t, (pid_t)pid, 0) == -1)
		roost_errx("%s: no such container", arg);
}

/*
 * PROCFD's user namespace, or -1 if we may not open its namespaces
 * (ptrace(2), "Ptrace access mode checking").
 */
static int
proc_userns(int procfd)
{
	return openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
}

/* A child of T's leader, checked to be its child now; -1 if none. */
static int
target_child(struct target *t)
{
	char		 path[64], buf[4096], *p, *save = NULL;
	uint32_t	 cpid;
	ssize_t		 n = -1;
	int		 fd;

	(void)snprintf(path, sizeof(path), "task/%d/children", (int)t->leader);
	if ((fd = openat(t->leaderfd, path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = roost_read_all(fd, buf, sizeof(buf) - 1);
		(void)close(fd);
	}
	buf[n < 0 ? 0 : n] = '\0';
	for (p = strtok_r(buf, " \n", &save); p != NULL;
	    p = strtok_r(NULL, " \n", &save)) {
		if (policy_parse_u32(p, INT_MAX, &cpid) == -1)
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%u", cpid);
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			continue;
		/* Still the leader's child: not a reuse of its pid. */
		if (proc_ppid(fd) == t->leader &&
		    (t->userfd = proc_userns(fd)) != -1) {
			t->pid = (pid_t)cpid;
			return t->procfd = fd;
		}
		(void)close(fd);
	}
	return -1;
}

/*
 * The process to act through: the leader if the caller may open its
 * namespaces.  roost's own pid 1 is not dumpable (init.c), and then only
 * the host's root may (ptrace(2), "Ptrace access mode checking"); so a
 * child of the leader instead, the command, made dumpable in the
 * container by its exec, and in the container's namespaces unless it
 * left them.  Returns 0 with its user namespace open, or -1 if there is
 * no such process.
 */
int
target_proc(struct target *t)
{
	if ((t->userfd = proc_userns(t->leaderfd)) != -1) {
		t->pid = t->leader;
		t->procfd = t->leaderfd;
		return 0;
	}
	return target_child(t) == -1 ? -1 : 0;
}

/* Are the namespaces of fds A and B one? */
int
proc_same_ns(int a, int b)
{
	struct stat	 sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Is USERFD's user namespace the caller's container: owned by the caller
 * and a child of the caller's own, or nested in one that is?  Walked up
 * with NS_GET_PARENT, which fails (EPERM) above the caller's namespace.
 */
static int
userns_mine(int userfd, int selffd)
{
	uid_t	 owner;
	int	 fd = userfd, parent, mine = 0;

	for (;;) {
		if ((parent = ioctl(fd, NS_GET_PARENT)) == -1)
			break;
		if (proc_same_ns(parent, selffd)) {
			mine = ioctl(fd, NS_GET_OWNER_UID, &owner) == 0 &&
			    owner == getuid();
			(void)close(parent);
			break;
		}
		if (fd != userfd)
			(void)close(fd);
		fd = parent;
	}
	if (fd != userfd)
		(void)close(fd);
	return mine;
}

/*
 * Pick the process to act through, and refuse what is not one of the
 * caller's containers: a process in the caller's own user namespace, or
 * in one the caller neither owns nor may open.
 */
void
target_mine(struct target *t)
{
	int	 selffd, same, mine;

	if (target_proc(t) == -1)
		roost_errx("%s: not your container", t->name);
	if ((selffd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC)) == -1)
		roost_err("/proc/self/ns/user");
	same = proc_same_ns(t->userfd, selffd);
	mine = !same && userns_mine(t->userfd, selffd);
	(void)close(selffd);
	if (same)
		roost_errx("%s: not a container", t->name);
	if (!mine)
		roost_errx("%s: not your container", t->name);
}

/* Is T's leader still the process it was when found? */
int
target_alive(const struct target *t)
{
	unsigned long long	 now;

	return roost_proc_start(t->leaderfd, &now) == 0 && now == t->start;
}

void
target_close(struct target *t)
{
	if (t->procfd != -1 && t->procfd != t->leaderfd)
		(void)close(t->procfd);
	if (t->userfd != -1)
		(void)close(t->userfd);
	if (t->leaderfd != -1)
		(void)close(t->leaderfd);
	t->procfd = t->leaderfd = t->userfd = -1;
}
