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
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

/* Longest: "u:4294967295:4294967295:4294967295". */
#define EXTENT_ARGLEN	48
#define CHECK_MAX_BYTES	(256 * 1024)

/* roost is not setuid, so the environment may choose the helper. */
const char *
helper_path(void)
{
	const char	*p = getenv("ROOST_HELPER");

	return p != NULL && *p != '\0' ? p : ROOST_HELPER_PATH;
}

/*
 * Spawn the helper with ARGV.  KEEPFD, if not -1, is inherited: a dup2 of
 * an fd onto itself clears FD_CLOEXEC in the child only (POSIX 2024,
 * glibc >= 2.29), so no other child of ours can inherit it.  OUTFD, if not
 * -1, becomes its stdout.  Returns the pid, or -1 with errno set.
 */
static pid_t
helper_spawn(char **argv, int keepfd, int outfd)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 mask;
	pid_t				 pid;
	int				 rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	if (keepfd != -1)
		rc = posix_spawn_file_actions_adddup2(&fa, keepfd, keepfd);
	if (rc == 0 && outfd != -1)
		rc = posix_spawn_file_actions_adddup2(&fa, outfd,
		    STDOUT_FILENO);
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
 * roost-helper map fd:N EXT...  Returns 0 when the maps are written.  On a
 * refusal the helper has said why on stderr; anything else is ours to say.
 */
int
helper_map(int procfd, const struct map_plan *m)
{
	char			 arg0[] = "roost-helper", arg1[] = "map";
	char			 target[32], *buf, **argv;
	const struct idmap_extent *x;
	size_t			 i, n = m->nu + m->ng;
	int			 st;
	pid_t			 pid;

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
	if ((pid = helper_spawn(argv, procfd, -1)) == -1)
		roost_err("%s", helper_path());
	st = helper_wait(pid);
	free(argv);
	free(buf);
	return helper_status(st);
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
	if ((pid = helper_spawn(argv, procfd, p[1])) == -1)
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

/* "uids START COUNT SOURCE" or "gids ..."; other lines are not ours. */
static void
check_line(char *line, struct policy_grant *u, size_t *nu,
    struct policy_grant *g, size_t *ng)
{
	char			*kind, *start, *count, *save = NULL;
	struct policy_grant	*x;

	kind = strtok_r(line, " \t", &save);
	start = strtok_r(NULL, " \t", &save);
	count = strtok_r(NULL, " \t", &save);
	if (kind == NULL || start == NULL || count == NULL)
		return;
	if (strcmp(kind, "uids") == 0)
		x = &u[(*nu)++];
	else if (strcmp(kind, "gids") == 0)
		x = &g[(*ng)++];
	else
		return;
	memset(x, 0, sizeof(*x));
	if (policy_parse_u32(start, UINT32_MAX, &x->start) == -1 ||
	    policy_parse_u32(count, UINT32_MAX, &x->count) == -1 ||
	    x->count == 0)
		x->count = 0;	/* ignored: map_pack merges it away */
}

static int
check_parse(char *out, struct policy_grant **u, size_t *nu,
    struct policy_grant **g, size_t *ng)
{
	char	*line, *save = NULL;
	size_t	 lines = 1;

	for (line = out; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	*u = calloc(lines, sizeof(**u));
	*g = calloc(lines, sizeof(**g));
	if (*u == NULL || *g == NULL) {
		free(*u);
		free(*g);
		*u = *g = NULL;
		return -1;
	}
	*nu = *ng = 0;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		check_line(line, *u, nu, *g, ng);
	return 0;
}

/*
 * roost-helper check: the caller's entitlement, for when the policy file
 * is not readable by the caller.  Returns 0 with the grants, or -1.
 */
int
helper_check(struct policy_grant **u, size_t *nu, struct policy_grant **g,
    size_t *ng)
{
	char	 arg0[] = "roost-helper", arg1[] = "check", *argv[3], *out;
	char	 drain[4096];
	ssize_t	 n;
	pid_t	 pid;
	int	 p[2], st;

	argv[0] = arg0;
	argv[1] = arg1;
	argv[2] = NULL;
	if ((out = malloc(CHECK_MAX_BYTES + 1)) == NULL)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		free(out);
		return -1;
	}
	if ((pid = helper_spawn(argv, -1, p[1])) == -1) {
		(void)close(p[0]);
		(void)close(p[1]);
		free(out);
		return -1;
	}
	(void)close(p[1]);
	n = roost_read_all(p[0], out, CHECK_MAX_BYTES);
	while (n == CHECK_MAX_BYTES && read(p[0], drain, sizeof(drain)) > 0)
		continue;	/* let it finish; keep what fits */
	(void)close(p[0]);
	st = helper_wait(pid);
	if (n < 0 || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		free(out);
		return -1;
	}
	out[n] = '\0';
	n = check_parse(out, u, nu, g, ng);
	free(out);
	return n;
}
