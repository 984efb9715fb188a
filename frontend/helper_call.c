/*
 * helper_call.c: running roost-helper (roost-helper(8)).
 *
 * The helper is spawned with posix_spawn(3), which glibc implements with
 * CLONE_VM|CLONE_VFORK: no copy of our page tables on the path of every
 * container start.  Its environment is passed untouched (the helper clears
 * it itself); the target process is named only by an inherited directory
 * fd of /proc/PID, never by a pid the helper would have to look up again.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

/* Longest: "u:4294967295:4294967295:4294967295". */
#define EXTENT_ARGLEN	48

/* roost is not setuid, so the environment may choose the helper. */
const char *
helper_path(void)
{
	const char	*p = getenv("ROOST_HELPER");

	return p != NULL && *p != '\0' ? p : ROOST_HELPER_PATH;
}

/* What the helper gets of ours besides argv. */
struct spawn_fds {
	int	 keep[2];	/* inherited as they are, or -1 */
	int	 out;		/* its stdout, or -1: ours */
	int	 err;		/* its stderr, or -1: ours */
};

/*
 * Spawn the helper with ARGV and F.  An fd to keep is dup2'd onto itself,
 * which clears FD_CLOEXEC in the child only (POSIX 2024, glibc >= 2.29),
 * so no other child of ours can inherit it.  Returns the pid, or -1 with
 * errno set.
 */
static pid_t
helper_spawn(char **argv, const struct spawn_fds *f)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 mask;
	pid_t				 pid;
	int				 rc, i;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	for (i = 0; i < 2 && rc == 0; i++)
		if (f->keep[i] != -1)
			rc = posix_spawn_file_actions_adddup2(&fa, f->keep[i],
			    f->keep[i]);
	if (rc == 0 && f->out != -1)
		rc = posix_spawn_file_actions_adddup2(&fa, f->out,
		    STDOUT_FILENO);
	if (rc == 0 && f->err != -1)
		rc = posix_spawn_file_actions_adddup2(&fa, f->err,
		    STDERR_FILENO);
	if (rc == 0 && (rc = posix_spawnattr_init(&attr)) == 0) {
		ns_saved_mask(&mask);
		rc = posix_spawnattr_setsigmask(&attr, &mask);
		if (rc == 0)
			rc = posix_spawnattr_setflags(&attr,
			    POSIX_SPAWN_SETSIGMASK);
		if (rc == 0)
			rc = posix_spawn(&pid, helper_path(), &fa, &attr,
			    argv, environ);
		(void)posix_spawnattr_destroy(&attr);
	}
	(void)posix_spawn_file_actions_destroy(&fa);
out:
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

static int	helper_status(int);
static int	helper_why(pid_t, int, char *, size_t);
static int	helper_start(char **, struct spawn_fds *, struct helper_job *,
		    char *, size_t);

static int
helper_wait(pid_t pid)
{
	int	 st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return st;
}

/*
 * roost-helper map fd:N EXT..., started into J: the maps of two
 * namespaces can be written at once (idmap_begin).  helper_job_wait()
 * tells how it went.
 */
int
helper_map_start(int procfd, const struct map_plan *m, struct helper_job *j,
    char *why, size_t whylen)
{
	struct spawn_fds	 f = { { procfd, -1 }, -1, -1 };
	char			 arg0[] = "roost-helper", arg1[] = "map";
	char			 target[32], *buf, **argv;
	const struct idmap_extent *x;
	size_t			 i, n = m->nu + m->ng;
	int			 rc;

	argv = calloc(n + 4, sizeof(*argv));
	buf = calloc(n, EXTENT_ARGLEN);
	if (argv == NULL || buf == NULL)
		roost_err("cannot allocate");
	(void)snprintf(target, sizeof(target), "fd:%d", procfd);
	argv[0] = arg0;
	argv[1] = arg1;
	argv[2] = target;
	for (i = 0; i < n; i++) {
		x = i < m->nu ? &m->u[i] : &m->g[i - m->nu];
		argv[3 + i] = buf + i * EXTENT_ARGLEN;
		(void)snprintf(argv[3 + i], EXTENT_ARGLEN, "%c:%u:%u:%u",
		    x->type, x->inside, x->outside, x->count);
	}
	rc = helper_start(argv, &f, j, why, whylen);
	free(argv);
	free(buf);
	return rc;
}

/*
 * roost-helper map, waited for.  Returns 0 when the maps are written.  On
 * a refusal the helper has said why on stderr, or, with WHY, we have it
 * there; anything else is ours to say.
 */
int
helper_map(int procfd, const struct map_plan *m, char *why, size_t whylen)
{
	struct helper_job	 j;

	if (helper_map_start(procfd, m, &j, why, whylen) == -1)
		return -1;
	return helper_job_wait(&j, why, whylen);
}

/* Say why the helper failed, unless it is a refusal it has explained. */
static int
helper_status(int st)
{
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1)
		return -1;
	if (st != -1 && WIFSIGNALED(st))
		roost_warnx("%s: killed by signal %d", helper_path(),
		    WTERMSIG(st));
	else if (st != -1)
		roost_warnx("%s: exited with status %d", helper_path(),
		    WEXITSTATUS(st));
	return -1;
}

/*
 * Wait for PID, whose stderr is the pipe ERRFD: 0 if it succeeded, else
 * -1 with WHY the reason its one line gives ("roost-helper: OP: OBJECT:
 * REASON"), or what became of it.
 */
static int
helper_why(pid_t pid, int errfd, char *why, size_t whylen)
{
	char	 line[512], *p, *sep;
	ssize_t	 n;
	int	 st, i;

	n = roost_read_all(errfd, line, sizeof(line) - 1);
	(void)close(errfd);
	st = helper_wait(pid);
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	line[n < 0 ? 0 : n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	for (p = line, i = 0; i < 3 && (sep = strstr(p, ": ")) != NULL; i++)
		p = sep + 2;
	if (i < 3)
		p = line;
	if (*p != '\0')
		(void)strlcpy(why, p, whylen);
	else if (st != -1 && WIFSIGNALED(st))
		(void)snprintf(why, whylen, "%s: killed by signal %d",
		    helper_path(), WTERMSIG(st));
	else
		(void)snprintf(why, whylen, "%s: exited with status %d",
		    helper_path(), st == -1 ? -1 : WEXITSTATUS(st));
	return -1;
}

/*
 * Start the helper with ARGV and F into J.  With WHY, its stderr will be
 * read instead of shown (helper_job_wait); without, a failure to start is
 * fatal.  0, or -1 with WHY.
 */
static int
helper_start(char **argv, struct spawn_fds *f, struct helper_job *j,
    char *why, size_t whylen)
{
	int	 p[2] = { -1, -1 };

	if (why != NULL && pipe2(p, O_CLOEXEC) == -1) {
		(void)snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	f->err = p[1];
	j->pid = helper_spawn(argv, f);
	j->errfd = p[0];
	if (p[1] != -1)
		(void)close(p[1]);
	if (j->pid == -1 && why == NULL)
		roost_err("%s", helper_path());
	if (j->pid == -1) {
		(void)snprintf(why, whylen, "%s: %s", helper_path(),
		    strerror(errno));
		(void)close(p[0]);
		return -1;
	}
	return 0;
}

/*
 * Wait for J: 0 if it succeeded.  Without WHY, as helper_status; with
 * WHY (as J was started), the reason is put there.
 */
int
helper_job_wait(struct helper_job *j, char *why, size_t whylen)
{
	if (why == NULL)
		return helper_status(helper_wait(j->pid));
	return helper_why(j->pid, j->errfd, why, whylen);
}

static int
helper_run(char **argv, struct spawn_fds *f, char *why, size_t whylen)
{
	struct helper_job	 j;

	if (helper_start(argv, f, &j, why, whylen) == -1)
		return -1;
	return helper_job_wait(&j, why, whylen);
}

/*
 * roost-helper OP fd:PROCFD A [B]: veth (A = BRIDGE, B = IFNAME), unveth
 * (A = HOSTIF), route and unroute (A = HOSTIF, B = ADDR[/LEN]).  OUT, if
 * not NULL, receives the first line of the helper's stdout without its
 * newline (veth: the host-side name).  Returns 0, or -1 after the helper
 * (or we) said why on stderr.
 */
int
helper_net(const char *op, int procfd, const char *a, const char *b,
    char *out, size_t outlen)
{
	struct spawn_fds f = { { procfd, -1 }, -1, -1 };
	char	 arg0[] = "roost-helper", target[32], buf[256], *nl;
	char	*argv[6];
	ssize_t	 n = 0;
	pid_t	 pid;
	int	 p[2] = { -1, -1 }, st;

	(void)snprintf(target, sizeof(target), "fd:%d", procfd);
	argv[0] = arg0;
	argv[1] = (char *)(uintptr_t)op;
	argv[2] = target;
	argv[3] = (char *)(uintptr_t)a;
	argv[4] = (char *)(uintptr_t)b;
	argv[5] = NULL;
	if (out != NULL && pipe2(p, O_CLOEXEC) == -1)
		roost_err("pipe");
	f.out = p[1];
	if ((pid = helper_spawn(argv, &f)) == -1)
		roost_err("%s", helper_path());
	if (out != NULL) {
		(void)close(p[1]);
		n = roost_read_all(p[0], buf, sizeof(buf) - 1);
		(void)close(p[0]);
	}
	st = helper_wait(pid);
	if (helper_status(st) == -1)
		return -1;
	if (out != NULL) {
		buf[n < 0 ? 0 : n] = '\0';
		if ((nl = strchr(buf, '\n')) != NULL)
			*nl = '\0';
		if (n <= 0 || strlcpy(out, buf, outlen) >= outlen)
			roost_errx("%s %s: unexpected output", helper_path(),
			    op);
	}
	return 0;
}

/*
 * roost-helper idmount fd:PROCFD fd:DIRFD, its stdout a socket over which
 * it sends the mount.  Returns the mount's fd, or -1 with WHY.
 */
int
helper_idmount(int procfd, int dirfd, char *why, size_t whylen)
{
	struct spawn_fds f = { { procfd, dirfd }, -1, -1 };
	char	 arg0[] = "roost-helper", arg1[] = "idmount", target[32];
	char	 dir[32], *argv[] = { arg0, arg1, target, dir, NULL };
	int	 sv[2], mfd = -1;

	(void)snprintf(target, sizeof(target), "fd:%d", procfd);
	(void)snprintf(dir, sizeof(dir), "fd:%d", dirfd);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		(void)snprintf(why, whylen, "socketpair: %s", strerror(errno));
		return -1;
	}
	f.out = sv[1];
	/* It has exited: what it sent is there, or never will be. */
	if (helper_run(argv, &f, why, whylen) == 0 &&
	    roost_recv_fd(sv[0], MSG_DONTWAIT, &mfd) != 1)
		(void)snprintf(why, whylen, "%s: no mount received",
		    helper_path());
	(void)close(sv[0]);
	(void)close(sv[1]);
	return mfd;
}
