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
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roost.h"

const char policy_usage[] =
"usage: roost policy check [--strict] [FILE]\n"
"       roost policy explain [USER] [--json]\n"
"       roost policy import [--subuid FILE] [--subgid FILE] [--usernet FILE]\n"
"  FILE                 check: a draft, read as you (default: the\n"
"                       installed policy, whose safety is checked too)\n"
"  --strict             check: a section naming no user or group of\n"
"                       /etc/passwd or /etc/group fails the check\n"
"  USER                 a user name or uid (default: you)\n"
"  --json               print one JSON object\n"
"  --subuid FILE        import FILE, not /etc/subuid\n"
"  --subgid FILE        import FILE, not /etc/subgid\n"
"  --usernet FILE       import FILE, not /etc/lxc/lxc-usernet\n"
"  -h, --help           show this help\n";

/*
 * The installed policy, opened as the caller: like /etc/subuid it says who
 * may map which ids and is no secret, so roost-policy(5) has it 0644 and
 * nothing that only reads it needs roost-helper.  Returns the fd, or -1
 * with errno and ERR set.
 */
int
explain_open(char *err, size_t errlen)
{
	int	 fd, e;

	if ((fd = policy_open(ROOST_POLICY_PATH, err, errlen)) == -1 &&
	    (e = errno) == EACCES) {
		(void)snprintf(err, errlen, "%s: not readable by you; "
		    "roost-policy(5) wants it mode 0644, owned by root",
		    ROOST_POLICY_PATH);
		errno = e;
	}
	return fd;
}

/*
 * What the installed policy grants UID, and which section grants it.
 * Returns 0, or -1 with a message in ERR.
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
	if ((fd = explain_open(err, errlen)) == -1)
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

/* One right per line, as roost(1) shows them. */
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
 * Whether /etc/passwd (USER) or /etc/group names NAME: the files the
 * helper reads, never NSS (SECURITY.md, invariant 1), so a user only a
 * directory service knows is no user to the policy.
 */
static int
check_known(enum policy_kind kind, const char *name)
{
	struct passwd	*pw;
	struct group	*gr;
	FILE		*f;
	int		 found = 0;

	if ((f = fopen(kind == POLICY_USER ? "/etc/passwd" : "/etc/group",
	    "re")) == NULL)
		return 1;	/* nothing to compare with: no warning */
	if (kind == POLICY_USER) {
		while (!found && (pw = fgetpwent(f)) != NULL)
			found = strcmp(pw->pw_name, name) == 0;
	} else {
		while (!found && (gr = fgetgrent(f)) != NULL)
			found = strcmp(gr->gr_name, name) == 0;
	}
	(void)fclose(f);
	return found;
}

/*
 * A section for a name the user database does not have grants nothing,
 * and is most often a typo: said on stderr; the number of them.
 */
static int
check_names(const struct policy *p, const char *file)
{
	const struct policy_section	*s;
	size_t				 i;
	int				 n = 0;

	for (i = 0; i < p->nsections; i++) {
		s = &p->sections[i];
		if (check_known(s->kind, s->name))
			continue;
		roost_warnx("%s:%u: no %s %s in %s: the section grants nothing",
		    file, s->line, s->kind == POLICY_USER ? "user" : "group",
		    s->name, s->kind == POLICY_USER ? "/etc/passwd" :
		    "/etc/group");
		n++;
	}
	return n;
}

/*
 * A FILE is a draft, read as the caller with no safety checks (the helper
 * reads no policy but the installed one); the installed policy must also
 * be safe.
 */
static int
policy_check(int argc, char **argv)
{
	const char	*name;
	struct policy	 p;
	char		 err[POLICY_ERRLEN];
	int		 fd, strict = 0, unknown;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		(void)fputs(policy_usage, stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--strict") == 0) {
		strict = 1;
		argc--;
		argv++;
	}
	name = argc > 1 ? argv[1] : ROOST_POLICY_PATH;
	if (argc > 2)
		roost_usage("check: unexpected argument '%s'", argv[2]);
	if (argc > 1) {
		if ((fd = open(name, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
			roost_err("%s", name);
	} else if ((fd = explain_open(err, sizeof(err))) == -1)
		roost_errx("%s", err);
	if (policy_load_fd(&p, fd, name, err, sizeof(err)) == -1)
		roost_errx("%s", err);
	unknown = check_names(&p, name);
	policy_free(&p);
	(void)close(fd);
	if (strict && unknown > 0)
		return 1;
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
