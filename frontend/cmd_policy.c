/*
 * cmd_policy.c: roost policy check, explain and import (import.c): the
 * policy as an administrator and a user see it, without privilege, as
 * doas -C does.  The helper decides again, as root, from the same parser
 * (policy/), so what check accepts and explain shows is what it does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

#define CHECK_OUT_MAX	(256 * 1024)

const char policy_usage[] =
"usage: roost policy check [FILE]\n"
"       roost policy explain [USER] [--json]\n"
"       roost policy import [--subuid FILE] [--subgid FILE] [--usernet FILE]\n"
"  FILE                 check: a draft, read as you (default: the\n"
"                       installed policy, whose safety is checked too)\n"
"  USER                 a user name or uid (default: you)\n"
"  --json               print one JSON object\n"
"  --subuid FILE        import FILE, not /etc/subuid\n"
"  --subgid FILE        import FILE, not /etc/subgid\n"
"  --usernet FILE       import FILE, not /etc/lxc/lxc-usernet\n"
"  -h, --help           show this help\n";

/* A new zeroed element at the end of the array P of *N elements. */
static void *
grow(void *p, size_t *n, size_t size)
{
	char	*q;

	if ((q = reallocarray(p, *n + 1, size)) == NULL)
		roost_err("cannot allocate");
	memset(q + *n * size, 0, size);
	(*n)++;
	return q;
}

/*
 * roost-helper check, for a caller who may not read the policy: its
 * stdout, NUL-terminated, and its wait status.  The helper has said why
 * on stderr if it failed.
 */
static char *
check_by_helper(int *status)
{
	posix_spawn_file_actions_t	 fa;
	char				 a0[] = "roost-helper", a1[] = "check";
	char				*argv[] = { a0, a1, NULL }, *out;
	ssize_t				 n;
	pid_t				 pid;
	int				 p[2], rc;

	if ((out = malloc(CHECK_OUT_MAX + 1)) == NULL)
		roost_err("cannot allocate");
	if (pipe2(p, O_CLOEXEC) == -1)
		roost_err("pipe");
	if ((rc = posix_spawn_file_actions_init(&fa)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, p[1], 1)) == 0)
		rc = posix_spawn(&pid, helper_path(), &fa, NULL, argv,
		    environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)close(p[1]);
	out[0] = '\0';
	/* Said, not fatal: roost doctor goes on to its other checks. */
	*status = W_EXITCODE(1, 0);
	if (rc != 0) {
		roost_warnx("%s: %s", helper_path(), strerror(rc));
		(void)close(p[0]);
		return out;
	}
	n = roost_read_all(p[0], out, CHECK_OUT_MAX);
	(void)close(p[0]);
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			roost_err("waitpid");
	out[n < 0 ? 0 : n] = '\0';
	return out;
}

/* "uids START COUNT SOURCE", "gids ...", of `roost-helper check`. */
static void
helper_ids(struct policy_grant **list, size_t *n, char **t)
{
	struct policy_grant	*g;

	*list = grow(*list, n, sizeof(**list));
	g = &(*list)[*n - 1];
	(void)policy_parse_u32(t[1], ID_INVALID, &g->start);
	(void)policy_parse_u32(t[2], ID_INVALID, &g->count);
	strlcpy(g->source, t[3], sizeof(g->source));
}

/* "veth BRIDGE COUNT SOURCE" */
static void
helper_veth(struct policy_entitlement *e, char **t)
{
	struct policy_veth	*v;

	e->veths = grow(e->veths, &e->nveths, sizeof(*e->veths));
	v = &e->veths[e->nveths - 1];
	strlcpy(v->bridge, t[1], sizeof(v->bridge));
	(void)policy_parse_u32(t[2], POLICY_MAX_VETH, &v->count);
	strlcpy(v->source, t[3], sizeof(v->source));
}

/* "route ADDRESS/LENGTH SOURCE" */
static void
helper_route(struct policy_entitlement *e, char **t)
{
	struct policy_route	 r;

	if (policy_parse_addr(t[1], &r) == -1)
		return;
	strlcpy(r.source, t[2], sizeof(r.source));
	e->routes = grow(e->routes, &e->nroutes, sizeof(*e->routes));
	e->routes[e->nroutes - 1] = r;
}

/* One line of `roost-helper check` (roost-helper(8)) into E. */
static void
helper_line(struct policy_entitlement *e, char *line)
{
	char	*t[4], *save = NULL;
	size_t	 i, n = 0;

	for (i = 0; i < 4; i++)
		if ((t[i] = strtok_r(i == 0 ? line : NULL, " ", &save)) != NULL)
			n++;
	if (n == 4 && strcmp(t[0], "uids") == 0)
		helper_ids(&e->uids, &e->nuids, t);
	else if (n == 4 && strcmp(t[0], "gids") == 0)
		helper_ids(&e->gids, &e->ngids, t);
	else if (n == 4 && strcmp(t[0], "veth") == 0)
		helper_veth(e, t);
	else if (n == 3 && strcmp(t[0], "route") == 0)
		helper_route(e, t);
	else if (n == 2 && strcmp(t[0], "setgroups") == 0)
		e->setgroups = strcmp(t[1], "allow") == 0 ?
		    POLICY_SETGROUPS_ALLOW : strcmp(t[1], "deny") == 0 ?
		    POLICY_SETGROUPS_DENY : POLICY_SETGROUPS_UNSET;
}

/* The caller's entitlement from the helper, which may read the policy. */
static int
explain_helper(struct explain *x)
{
	char	*out, *line, *save = NULL;
	int	 st;

	out = check_by_helper(&st);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		helper_line(&x->ent, line);
	free(out);
	x->helper = 1;
	return 0;
}

/*
 * What the installed policy grants UID, and which section grants it.
 * Returns 0, or -1 with a message in ERR ("" when roost-helper has
 * printed one).
 */
int
explain_load(struct explain *x, uid_t uid, char *err, size_t errlen)
{
	struct policy	 p;
	int		 fd, rc;

	memset(x, 0, sizeof(*x));
	err[0] = '\0';
	if (policy_userdb_lookup(&x->user, uid, "/etc/passwd",
	    "/etc/group") == -1) {
		(void)snprintf(err, errlen, "uid %u: not in the user database",
		    (unsigned)uid);
		return -1;
	}
	x->ent.uid = x->user.uid;
	x->ent.gid = x->user.gid;
	fd = policy_open(ROOST_POLICY_PATH, err, errlen);
	if (fd == -1 && errno == EACCES && uid == getuid()) {
		err[0] = '\0';
		rc = explain_helper(x);
	} else if (fd == -1 && errno == EACCES) {
		(void)snprintf(err, errlen, "%s: not readable by you, so only "
		    "your own entitlement can be shown", ROOST_POLICY_PATH);
		rc = -1;
	} else if (fd == -1)
		rc = -1;
	else if ((rc = policy_load_fd(&p, fd, ROOST_POLICY_PATH, err,
	    errlen)) == 0) {
		x->nsections = p.nsections;
		if ((rc = policy_entitle(&p, &x->user, &x->ent)) == -1)
			(void)snprintf(err, errlen, "%s", strerror(errno));
		policy_free(&p);
	}
	if (fd != -1)
		(void)close(fd);
	if (rc == -1)
		explain_free(x);
	return rc;
}

void
explain_free(struct explain *x)
{
	policy_user_free(&x->user);
	policy_entitlement_free(&x->ent);
}

static const char *
explain_setgroups(enum policy_setgroups sg)
{
	switch (sg) {
	case POLICY_SETGROUPS_ALLOW:
		return "allow";
	case POLICY_SETGROUPS_DENY:
		return "deny";
	case POLICY_SETGROUPS_UNSET:
		break;
	}
	return "default";
}

/* The lines of roost-helper(8) check, so that both read alike. */
static void
explain_print(const struct explain *x)
{
	const struct policy_entitlement	*e = &x->ent;
	char				 a[INET6_ADDRSTRLEN];
	size_t				 i;

	(void)printf("user %s uid %u gid %u\n", x->user.name,
	    (unsigned)e->uid, (unsigned)e->gid);
	for (i = 0; i < e->nuids; i++)
		(void)printf("uids %u %u %s\n", e->uids[i].start,
		    e->uids[i].count, e->uids[i].source);
	for (i = 0; i < e->ngids; i++)
		(void)printf("gids %u %u %s\n", e->gids[i].start,
		    e->gids[i].count, e->gids[i].source);
	for (i = 0; i < e->nveths; i++)
		(void)printf("veth %s %u %s\n", e->veths[i].bridge,
		    e->veths[i].count, e->veths[i].source);
	for (i = 0; i < e->nroutes; i++) {
		(void)inet_ntop(e->routes[i].family, e->routes[i].addr, a,
		    sizeof(a));
		(void)printf("route %s/%u %s\n", a, e->routes[i].len,
		    e->routes[i].source);
	}
	(void)printf("setgroups %s\n", explain_setgroups(e->setgroups));
}

/* A JSON string: a passwd name may hold any byte but ':' and newline. */
static void
json_str(const char *s)
{
	(void)putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			(void)printf("\\u%04x", (unsigned char)*s);
		else
			(void)putchar(*s);
	}
	(void)putchar('"');
}

static void
json_ids(const char *key, const struct policy_grant *g, size_t n)
{
	size_t	 i;

	(void)printf(",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		(void)printf("%s{\"start\":%u,\"count\":%u,\"source\":",
		    i > 0 ? "," : "", g[i].start, g[i].count);
		json_str(g[i].source);
		(void)putchar('}');
	}
	(void)putchar(']');
}

static void
explain_json(const struct explain *x)
{
	const struct policy_entitlement	*e = &x->ent;
	char				 a[INET6_ADDRSTRLEN];
	size_t				 i;

	(void)printf("{\"user\":");
	json_str(x->user.name);
	(void)printf(",\"uid\":%u,\"gid\":%u", (unsigned)e->uid,
	    (unsigned)e->gid);
	json_ids("uids", e->uids, e->nuids);
	json_ids("gids", e->gids, e->ngids);
	(void)printf(",\"veth\":[");
	for (i = 0; i < e->nveths; i++) {
		(void)printf("%s{\"bridge\":", i > 0 ? "," : "");
		json_str(e->veths[i].bridge);
		(void)printf(",\"count\":%u,\"source\":", e->veths[i].count);
		json_str(e->veths[i].source);
		(void)putchar('}');
	}
	(void)printf("],\"route\":[");
	for (i = 0; i < e->nroutes; i++) {
		(void)inet_ntop(e->routes[i].family, e->routes[i].addr, a,
		    sizeof(a));
		(void)printf("%s{\"prefix\":\"%s/%u\",\"source\":",
		    i > 0 ? "," : "", a, e->routes[i].len);
		json_str(e->routes[i].source);
		(void)putchar('}');
	}
	(void)printf("],\"setgroups\":\"%s\"}\n",
	    explain_setgroups(e->setgroups));
}

/* USER: a uid, or a name in /etc/passwd (read as a file, as the helper
 * does: never through NSS). */
static uid_t
explain_user(const char *arg)
{
	struct passwd	*pw;
	uint32_t	 uid;
	FILE		*f;

	if (roost_parse_id(arg, &uid) == 0)
		return uid;
	if ((f = fopen("/etc/passwd", "re")) == NULL)
		roost_err("/etc/passwd");
	while ((pw = fgetpwent(f)) != NULL && strcmp(pw->pw_name, arg) != 0)
		continue;
	if (pw != NULL)
		uid = pw->pw_uid;
	(void)fclose(f);
	if (pw == NULL)
		roost_errx("%s: no such user", arg);
	return uid;
}

static int
policy_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	struct explain	 x;
	char		 err[POLICY_ERRLEN];
	int		 c, json = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			(void)fputs(policy_usage, stdout);
			return 0;
		} else
			roost_bad_option(c, argv);
	}
	if (argc - optind > 1)
		roost_usage("explain: unexpected argument '%s'",
		    argv[optind + 1]);
	if (explain_load(&x, optind < argc ? explain_user(argv[optind]) :
	    getuid(), err, sizeof(err)) == -1) {
		if (err[0] != '\0')
			roost_errx("%s", err);
		return 1;
	}
	if (json)
		explain_json(&x);
	else
		explain_print(&x);
	explain_free(&x);
	return 0;
}

/*
 * A FILE is a draft, read as the caller with no safety checks (the helper
 * reads no policy but the installed one); the installed policy must also
 * be safe.
 */
static int
policy_check(int argc, char **argv)
{
	const char	*name = argc > 1 ? argv[1] : ROOST_POLICY_PATH;
	struct policy	 p;
	char		 err[POLICY_ERRLEN];
	int		 fd, st;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		(void)fputs(policy_usage, stdout);
		return 0;
	}
	if (argc > 2)
		roost_usage("check: unexpected argument '%s'", argv[2]);
	if (argc > 1) {
		if ((fd = open(name, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
			roost_err("%s", name);
	} else if ((fd = policy_open(name, err, sizeof(err))) == -1 &&
	    errno != EACCES)
		roost_errx("%s", err);
	if (fd == -1) {
		/* Not readable by us: the helper can, and says why not. */
		free(check_by_helper(&st));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 1;
	} else if (policy_load_fd(&p, fd, name, err, sizeof(err)) == -1)
		roost_errx("%s", err);
	else {
		policy_free(&p);
		(void)close(fd);
	}
	(void)printf("%s: ok\n", name);
	return 0;
}

int
cmd_policy(int argc, char **argv)
{
	if (argc < 2)
		roost_usage("no subcommand given");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		(void)fputs(policy_usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return policy_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return policy_explain(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return import_run(argc - 1, argv + 1);
	roost_usage("%s: unknown subcommand", argv[1]);
}
