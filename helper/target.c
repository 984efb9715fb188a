/*
 * The target: a process named by an inherited /proc/PID directory fd
 * ("fd:N") or by a pid resolved exactly once to such an fd, the only one
 * used after.  Its files are opened with the caller's ids, so the kernel
 * checks ptrace-read access (ns/user, ns/net) as for the caller.
 */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/capability.h>

#include <linux/magic.h>
#include <linux/nsfs.h>

#include <sched.h>
#include <time.h>

#include "config.h"
#include "helper.h"

int
target_open(const struct request *rq)
{
	struct stat	 st;
	struct statfs	 sf;
	char		 path[32];
	int		 fd = rq->target_fd;

	if (fd == -1) {
		snprintf(path, sizeof(path), "/proc/%d", (int)rq->target_pid);
		fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    fstatfs(fd, &sf) == -1 || sf.f_type != PROC_SUPER_MAGIC)
		return -1;
	return fd;
}

static int
same_inode(int fd, const char *path)
{
	struct stat	 a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * The user namespace of PROCFD's process, which OWNER must own and which
 * must be a child of the helper's (a map's outside ids are read in the
 * parent; the policy speaks of host ids).  "Can open ns/user" is not
 * ownership (lxc-user-nic CVE-2017-5985).
 */
int
target_verify_userns(const struct request *rq, int procfd, uid_t owner)
{
	struct statfs	 sf;
	uid_t		 uid;
	int		 fd, pfd = -1;

	fd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstatfs(fd, &sf) == -1 || sf.f_type != NSFS_MAGIC ||
	    ioctl(fd, NS_GET_OWNER_UID, &uid) == -1 || uid != owner ||
	    (pfd = ioctl(fd, NS_GET_PARENT)) == -1 ||
	    !same_inode(pfd, "/proc/self/ns/user"))
		die(rq->target, NOT_YOURS);
	close(pfd);
	return fd;
}

/*
 * The target's network namespace: not the host's, and owned by a user
 * namespace the caller owns (CVE-2017-5985 again).  fd:N may also be the
 * namespace itself, opened by the caller (LXC names one by path, with no
 * process in it).  Its fd is what the kernel gets (IFLA_NET_NS_FD): the
 * pid is never looked up again.
 */
static int
target_netns(const struct request *rq, const struct caller *c)
{
	struct statfs	 sf;
	uid_t		 uid;
	int		 procfd, fd = -1, ufd = -1;

	if (rq->target_fd != -1 && fstatfs(rq->target_fd, &sf) == 0 &&
	    sf.f_type == NSFS_MAGIC) {
		if (ioctl(rq->target_fd, NS_GET_NSTYPE) == CLONE_NEWNET)
			fd = fcntl(rq->target_fd, F_DUPFD_CLOEXEC, 3);
	} else if ((procfd = target_open(rq)) != -1) {
		/* As the caller, with no capability: euid 0 -> N clears the
		 * effective set, N -> 0 restores it from the permitted. */
		if (setresgid(-1, c->gid, -1) == -1 ||
		    setresuid(-1, c->uid, -1) == -1)
			die("privileges", "cannot become uid %u: %s",
			    (unsigned)c->uid, strerror(errno));
		fd = openat(procfd, "ns/net", O_RDONLY | O_CLOEXEC);
		if (setresuid(-1, 0, -1) == -1 || setresgid(-1, 0, -1) == -1)
			die("privileges", "cannot return to uid 0: %s",
			    strerror(errno));
		close(procfd);
	}
	if (fd != -1 && same_inode(fd, "/proc/self/ns/net"))
		die(rq->target, "the host network namespace is never a target");
	if (fd == -1 || fstatfs(fd, &sf) == -1 || sf.f_type != NSFS_MAGIC ||
	    (ufd = ioctl(fd, NS_GET_USERNS)) == -1 ||
	    ioctl(ufd, NS_GET_OWNER_UID, &uid) == -1 || uid != c->uid)
		die(rq->target, "not a process in a network namespace you own");
	close(ufd);
	return fd;
}

/*
 * How long a net op waits for the lock before it gives up.  An op holds
 * it for milliseconds (a link dump, two or three netlink requests), so 50
 * concurrent requests clear in a second or two even on a busy host; past
 * 10 s the holder is stuck on something (frozen, starved), and its
 * waiters, which their callers cannot kill (uid 0, signals blocked), must
 * not be stuck with it, nor act long after their callers gave up
 * (issue 15).  Polled: with every signal blocked there is no alarm() to
 * interrupt a blocking flock(2).
 */
#define NET_LOCK_WAIT_S		10
#define NET_LOCK_POLL_NS	5000000L	/* 5 ms between tries */

static int	 net_lock_fd = -1;

/* 0 with the lock held, or -1 with errno (ETIMEDOUT: still held by
 * another request after NET_LOCK_WAIT_S). */
static int
net_lock_wait(int fd)
{
	const struct timespec	 nap = { 0, NET_LOCK_POLL_NS };
	struct timespec		 now, end;

	if (clock_gettime(CLOCK_MONOTONIC, &end) == -1)
		return -1;
	end.tv_sec += NET_LOCK_WAIT_S;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK ||
		    clock_gettime(CLOCK_MONOTONIC, &now) == -1)
			return -1;
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec &&
		    now.tv_nsec >= end.tv_nsec)) {
			errno = ETIMEDOUT;
			return -1;
		}
		(void)nanosleep(&nap, NULL);
	}
}

/* Makes count-then-create atomic; in a root-only directory, never a
 * caller-writable path (bubblewrap CVE-2019-12439). */
static int
net_lock(void)
{
	struct stat	 st;
	int		 dfd, fd = -1;

	if ((mkdir(ROOST_RUNDIR, 0700) == -1 && errno != EEXIST) ||
	    (dfd = open(ROOST_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(dfd, &st) == 0 && st.st_uid == 0 && (st.st_mode & 022) == 0)
		fd = openat(dfd, "net.lock", O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	else
		errno = EPERM;
	close(dfd);
	if (fd != -1 && net_lock_wait(fd) == -1) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Released once the op's kernel objects are made and tagged, before any
 * output: a caller's stdout may block for as long as she likes (a pipe
 * nobody reads, a stopped terminal), and every other user's net op would
 * wait with it (issue 15).  The only reference, so closing it unlocks.
 */
void
net_unlock(void)
{
	if (net_lock_fd == -1)
		return;
	(void)flock(net_lock_fd, LOCK_UN);
	close(net_lock_fd);
	net_lock_fd = -1;
}

/*
 * The caller's nice value, scheduling policy and CPU affinity survive the
 * setuid exec.  A helper at nice 19 or SCHED_IDLE, or pinned to a CPU she
 * keeps busy, holding the lock runs only when her own processes leave it
 * a CPU, and every other user's net op waits for it (issue 15).  Reset
 * while the exec's full capability set still holds (lowering the nice
 * value takes CAP_SYS_NICE); the kernel narrows "every CPU" to the
 * cpuset's.  Her cgroup: net_leave_cgroup().
 */
static void
net_sched_reset(void)
{
	const struct sched_param	 sp = { .sched_priority = 0 };
	cpu_set_t			 every;
	int				 cpu;

	CPU_ZERO(&every);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &every);
	if (sched_setscheduler(0, SCHED_OTHER, &sp) == -1 ||
	    setpriority(PRIO_PROCESS, 0, 0) == -1 ||
	    sched_setaffinity(0, sizeof(every), &every) == -1)
		die("privileges", "cannot reset the scheduling priority: %s",
		    strerror(errno));
}

/*
 * The cgroup v2 hierarchy, where systemd mounts it: /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified in its hybrid layout.  -1 with ENOENT if neither
 * is cgroup2.  The mount table is root's: changing it takes a mount
 * namespace, so a user namespace, in which the setuid bit gives nothing.
 */
static int
cgroup2_open(void)
{
	struct statfs	 sf;
	int		 fd, ufd;

	fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 || fstatfs(fd, &sf) == -1)
		return -1;
	if (sf.f_type == CGROUP2_SUPER_MAGIC)
		return fd;
	ufd = openat(fd, "unified", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	close(fd);
	if (ufd == -1 || fstatfs(ufd, &sf) == -1)
		return -1;
	if (sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(ufd);
		errno = ENOENT;
		return -1;
	}
	return ufd;
}

/* 1 if /proc/self/cgroup puts this process at "/" of the v2 hierarchy,
 * 0 if elsewhere, -1 with errno. */
static int
cgroup2_at_root(void)
{
	FILE	*f;
	char	 buf[64];
	int	 bol = 1, atroot = 0, err;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (bol && strncmp(buf, "0::", 3) == 0)
			atroot = strcmp(buf, "0::/\n") == 0;
		bol = strchr(buf, '\n') != NULL;
	}
	err = ferror(f);
	fclose(f);
	if (err) {
		errno = EIO;
		return -1;
	}
	return atroot;
}

/*
 * uid 0 and blocked signals do not keep a net op from its caller's
 * cgroup: in a cgroup v2 subtree delegated to her (systemd's Delegate=,
 * user@UID.service), cgroup.freeze stops it holding the lock, cgroup.kill
 * ends it between making a veth and tagging it, cpu.max, memory.high and
 * memory.max slow or kill it (issue 15).  So it moves to the root cgroup
 * first: root's, with none of those files, exempt from the no internal
 * process rule (cgroup-v2.rst), and she cannot move it back (that takes
 * write access to the root's cgroup.procs).  The kernel checks only that
 * access, for the file's opener (kernel 1756d7994ad8): root's file, so uid
 * 0 needs no capability.  "/" is the root of the helper's cgroup
 * namespace, which only root can have made (a user namespace again): a
 * container's own cgroup.  Where "/" takes no process (such a container
 * with controllers enabled), or cgroup2 is read-only, the op refuses:
 * stuck in her cgroup, it is hers to stop.  With no cgroup2 mounted,
 * nothing of it can be delegated; cgroup v1 hierarchies are root's unless
 * an administrator chowned them.
 */
static void
net_leave_cgroup(void)
{
	int	 dfd, fd, atroot = -1;

	if ((dfd = cgroup2_open()) == -1) {
		if (errno == ENOENT)
			return;
		die("privileges", "cannot leave your cgroup: %s",
		    strerror(errno));
	}
	fd = openat(dfd, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || write(fd, "0", 1) != 1 ||
	    (atroot = cgroup2_at_root()) == -1)
		die("privileges", "cannot leave your cgroup: %s",
		    strerror(errno));
	if (!atroot)
		die("privileges", "cannot leave your cgroup: "
		    "the cgroup2 mount is not the hierarchy's root");
	close(fd);
	close(dfd);
}

/* CAP_SETUID and CAP_SETGID only to open the target's namespace as the
 * caller; then CAP_NET_ADMIN alone, out of the caller's cgroup, and the
 * lock if LOCK, until net_unlock() or exit. */
int
net_enter(const struct request *rq, const struct caller *c, int lock)
{
	static const int	 caps[] = { CAP_NET_ADMIN, CAP_SETUID,
				    CAP_SETGID };
	int			 fd;

	net_sched_reset();
	priv_keep_root(caps, 3);
	fd = target_netns(rq, c);
	priv_keep_root(caps, 1);
	net_leave_cgroup();
	if (nl_open() == -1)
		die("netlink", "%s", strerror(errno));
	if (lock && (net_lock_fd = net_lock()) == -1) {
		if (errno == ETIMEDOUT)
			die(ROOST_RUNDIR, "lock busy: gave up after %d s",
			    NET_LOCK_WAIT_S);
		die(ROOST_RUNDIR, "cannot lock: %s", strerror(errno));
	}
	return fd;
}
