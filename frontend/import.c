/*
 * import.c: roost policy import, the migration from /etc/subuid,
 * /etc/subgid (subuid(5)) and LXC's /etc/lxc/lxc-usernet to a roost
 * policy, which is now the one source of rights.  What cannot be carried
 * over is said in a comment with its file and line, never dropped
 * silently: a range two owners share (the policy forbids that, since
 * they could reach each other's files), host id 0, a uid with no name, a
 * type other than veth, a malformed line.  The output is parsed again
 * before it is printed, so it always passes roost policy check.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roost.h"

struct imp_owner {
	enum policy_kind	 kind;
	char			 name[POLICY_NAMELEN + 1];
};

struct imp_grant {
	size_t			 owner;
	char			 key;		/* 'u', 'g' or 'v' (veth) */
	uint32_t		 start;
	uint32_t		 count;
	char			 bridge[IFNAMSIZ];
	const char		*file;
	unsigned int		 line;
};

struct imp {
	struct imp_owner	*owners;
	size_t			 nowners;
	struct imp_grant	*grants;
	size_t			 ngrants;
	char			*notes;		/* comment lines */
	size_t			 notelen;
	FILE			*nf;
	const char		*file;		/* being read */
	unsigned int		 line;
	char			 key;		/* 'u', 'g': which subid file */
};

/*
 * A comment line to F: at most POLICY_MAX_LINE bytes, and nothing but
 * printable ASCII, or the policy parser would reject it (and a terminal
 * would take escapes from a crafted line).
 */
static void ROOST_PRINTF(2, 0)
comment(FILE *f, const char *fmt, va_list ap)
{
	char	 buf[POLICY_MAX_LINE + 1];
	size_t	 i;

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < ' ' || (unsigned char)buf[i] > '~')
			buf[i] = '?';
	(void)fprintf(f, "%s\n", buf);
}

static void ROOST_PRINTF(2, 3)
say(FILE *f, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	comment(f, fmt, ap);
	va_end(ap);
}

/* What could not be carried over, and where it is. */
static void ROOST_PRINTF(2, 3)
note(struct imp *im, const char *fmt, ...)
{
	char	 buf[POLICY_MAX_LINE + 1];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say(im->nf, "; %s:%u: %s", im->file, im->line, buf);
}

/* The parser itself says whether NAME can head a section. */
static int
name_ok(enum policy_kind kind, const char *name)
{
	struct policy	 p;
	char		 buf[64], err[POLICY_ERRLEN];
	int		 n;

	n = snprintf(buf, sizeof(buf), "[%s:%s]\n",
	    kind == POLICY_USER ? "user" : "group", name);
	if (n < 0 || (size_t)n >= sizeof(buf) || strchr(name, ']') != NULL ||
	    policy_parse(&p, buf, (size_t)n, "-", err, sizeof(err)) == -1)
		return 0;
	policy_free(&p);
	return 1;
}

static const char *
owner_str(const struct imp *im, size_t o, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s:%s", im->owners[o].kind == POLICY_USER ?
	    "user" : "group", im->owners[o].name);
	return buf;
}

/* Add a grant of KEY to the section of KIND and NAME, made if new. */
static struct imp_grant *
add_grant(struct imp *im, enum policy_kind kind, const char *name, char key)
{
	struct imp_grant	*g;
	size_t			 o;

	for (o = 0; o < im->nowners; o++)
		if (im->owners[o].kind == kind &&
		    strcmp(im->owners[o].name, name) == 0)
			break;
	if (o == im->nowners) {
		im->owners = reallocarray(im->owners, o + 1,
		    sizeof(*im->owners));
		if (im->owners == NULL)
			roost_err("cannot allocate");
		im->owners[im->nowners].kind = kind;
		strlcpy(im->owners[im->nowners++].name, name, POLICY_NAMELEN + 1);
	}
	im->grants = reallocarray(im->grants, im->ngrants + 1,
	    sizeof(*im->grants));
	if (im->grants == NULL)
		roost_err("cannot allocate");
	g = memset(&im->grants[im->ngrants++], 0, sizeof(*g));
	g->owner = o;
	g->key = key;
	g->file = im->file;
	g->line = im->line;
	return g;
}

/* subuid(5): an owner is a login name, or a uid we must name. */
static int
subid_owner(struct imp *im, const char *owner, char *name)
{
	struct policy_user	 u;
	uint32_t		 uid;

	if (policy_parse_u32(owner, ID_INVALID - 1, &uid) == -1) {
		strlcpy(name, owner, POLICY_NAMELEN + 1);
		if (strlen(owner) <= POLICY_NAMELEN &&
		    name_ok(POLICY_USER, owner))
			return 0;
		note(im, "\"%.40s\" is not a user name a policy takes", owner);
		return -1;
	}
	if (policy_userdb_lookup(&u, uid, "/etc/passwd", "/etc/group") == -1) {
		note(im, "uid %u: %s", uid, errno == ENOENT ?
		    "not in /etc/passwd" : strerror(errno));
		return -1;
	}
	strlcpy(name, u.name, POLICY_NAMELEN + 1);
	policy_user_free(&u);
	if (name[0] != '\0' && name_ok(POLICY_USER, name))
		return 0;
	note(im, "uid %u: its name is not one a policy takes", uid);
	return -1;
}

/* The policy forbids any two uid (or gid) grants to overlap. */
static int
subid_overlap(struct imp *im, uint32_t start, uint32_t count)
{
	const struct imp_grant	*g;
	char			 o[POLICY_SOURCELEN];
	size_t			 i;

	for (i = 0; i < im->ngrants; i++) {
		g = &im->grants[i];
		if (g->key == im->key && start < (uint64_t)g->start + g->count &&
		    g->start < (uint64_t)start + count) {
			note(im, "range %u %u overlaps %s:%u (%s)", start,
			    count, g->file, g->line,
			    owner_str(im, g->owner, o, sizeof(o)));
			return 1;
		}
	}
	return 0;
}

/* OWNER:START:COUNT */
static void
subid_line(struct imp *im, char *s)
{
	char		*owner = strsep(&s, ":"), *start = strsep(&s, ":");
	char		*count = strsep(&s, ":"), name[POLICY_NAMELEN + 1];
	struct imp_grant *g;
	uint32_t	 a, n;

	if (count == NULL || s != NULL || *owner == '\0' ||
	    policy_parse_u32(start, ID_INVALID, &a) == -1 ||
	    policy_parse_u32(count, ID_INVALID, &n) == -1)
		note(im, "malformed line (want OWNER:START:COUNT)");
	else if (n == 0)
		note(im, "count is 0");
	else if (a == 0)
		note(im, "range includes host id 0, which roost never maps");
	else if ((uint64_t)a + n > ID_INVALID)
		note(im, "range wraps past 4294967294");
	else if (subid_owner(im, owner, name) == 0 &&
	    !subid_overlap(im, a, n)) {
		g = add_grant(im, POLICY_USER, name, im->key);
		g->start = a;
		g->count = n;
	}
}

/* A first veth grant on a bridge wins: the policy takes one per section. */
static int
usernet_dup(struct imp *im, enum policy_kind kind, const char *name,
    const char *bridge)
{
	const struct imp_grant	*g;
	size_t			 i;

	for (i = 0; i < im->ngrants; i++) {
		g = &im->grants[i];
		if (g->key == 'v' && strcmp(g->bridge, bridge) == 0 &&
		    im->owners[g->owner].kind == kind &&
		    strcmp(im->owners[g->owner].name, name) == 0) {
			note(im, "bridge %s already granted at %s:%u", bridge,
			    g->file, g->line);
			return 1;
		}
	}
	return 0;
}

/* USER TYPE BRIDGE COUNT, or @GROUP TYPE BRIDGE COUNT (lxc-usernet(5)). */
static void
usernet_line(struct imp *im, char *s)
{
	char			*f[5], *save = NULL, *name;
	enum policy_kind	 kind;
	struct imp_grant	*g;
	uint32_t		 n;
	size_t			 i;

	for (i = 0; i < 5; i++)
		f[i] = strtok_r(i == 0 ? s : NULL, " \t", &save);
	kind = f[0][0] == '@' ? POLICY_GROUP : POLICY_USER;
	name = f[0] + (kind == POLICY_GROUP);
	if (f[3] == NULL || f[4] != NULL)
		note(im, "malformed line (want USER|@GROUP TYPE BRIDGE COUNT)");
	else if (strcmp(f[1], "veth") != 0)
		note(im, "type %.20s: roost makes veths only", f[1]);
	else if (!policy_valid_ifname(f[2]))
		note(im, "bad bridge name \"%.20s\"", f[2]);
	else if (policy_parse_u32(f[3], POLICY_MAX_VETH, &n) == -1 || n == 0)
		note(im, "count %.20s: a policy takes 1 to %d", f[3],
		    POLICY_MAX_VETH);
	else if (strlen(name) > POLICY_NAMELEN || !name_ok(kind, name))
		note(im, "\"%.40s\" is not a %s name a policy takes", name,
		    kind == POLICY_USER ? "user" : "group");
	else if (!usernet_dup(im, kind, name, f[2])) {
		g = add_grant(im, kind, name, 'v');
		strlcpy(g->bridge, f[2], sizeof(g->bridge));
		g->count = n;
	}
}

/*
 * Each line of PATH to FN; blank lines and '#' comments are skipped.  A
 * default path that does not exist is an empty file; a given one is not.
 */
static void
read_lines(struct imp *im, const char *path, int given,
    void (*fn)(struct imp *, char *))
{
	char	*buf, *s, *nl, *end;
	ssize_t	 len;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1) {
		if (!given && errno == ENOENT)
			return;
		roost_err("%s", path);
	}
	/* One byte more than a policy may hold, to tell a larger file. */
	if ((buf = malloc(POLICY_MAX_BYTES + 2)) == NULL ||
	    (len = roost_read_all(fd, buf, POLICY_MAX_BYTES + 1)) == -1)
		roost_err("%s", path);
	(void)close(fd);
	if (len > POLICY_MAX_BYTES)
		roost_errx("%s: file too large", path);
	im->file = path;
	im->line = 0;
	buf[len] = '\0';
	for (s = buf, end = buf + len; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		*nl = '\0';
		im->line++;
		if (strlen(s) != (size_t)(nl - s))
			note(im, "malformed line (NUL byte)");
		else if (s[strspn(s, " \t")] != '\0' &&
		    s[strspn(s, " \t")] != '#')
			fn(im, s);
	}
	free(buf);
}

static void
print_section(FILE *f, const struct imp *im, size_t o)
{
	const struct imp_grant	*g;
	char			 name[POLICY_SOURCELEN];
	size_t			 i;
	const char		*k;

	(void)fprintf(f, "\n[%s]\n", owner_str(im, o, name, sizeof(name)));
	for (k = "ugv"; *k != '\0'; k++)
		for (i = 0; i < im->ngrants; i++) {
			g = &im->grants[i];
			if (g->owner != o || g->key != *k)
				continue;
			if (*k == 'v')
				(void)fprintf(f, "veth = %s %u\n", g->bridge,
				    g->count);
			else
				(void)fprintf(f, "%s = %u %u\n", *k == 'u' ?
				    "uids" : "gids", g->start, g->count);
		}
}

/* The policy, parsed again first: what we print always passes. */
static void
print_policy(struct imp *im, const char *const paths[3])
{
	struct policy	 p;
	char		 err[POLICY_ERRLEN], *buf = NULL;
	size_t		 i, len = 0;
	FILE		*f;

	if (im->nowners == 0 && im->notelen == 0)
		return;
	if ((f = open_memstream(&buf, &len)) == NULL)
		roost_err("cannot allocate");
	say(f, "; Made by roost policy import from:");
	for (i = 0; i < 3; i++)
		say(f, ";   %s", paths[i]);
	say(f, "; Check it with roost policy check FILE before installing it.");
	if (im->notelen > 0)
		(void)fprintf(f, ";\n; Not carried over:\n%s", im->notes);
	for (i = 0; i < im->nowners; i++)
		print_section(f, im, i);
	if (fclose(f) == EOF)
		roost_err("cannot allocate");
	if (policy_parse(&p, buf, len, "import", err, sizeof(err)) == -1)
		roost_errx("bug: the import does not parse: %s", err);
	policy_free(&p);
	if (fwrite(buf, 1, len, stdout) != len)
		roost_err("stdout");
	free(buf);
}

int
import_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subuid",	required_argument,	NULL,	0 },
		{ "subgid",	required_argument,	NULL,	1 },
		{ "usernet",	required_argument,	NULL,	2 },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	const char	*paths[3] = { "/etc/subuid", "/etc/subgid",
			    "/etc/lxc/lxc-usernet" };
	int		 given[3] = { 0, 0, 0 }, c;
	struct imp	 im;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c >= 0 && c <= 2) {
			paths[c] = optarg;
			given[c] = 1;
		} else if (c == 'h') {
			(void)fputs(policy_usage, stdout);
			return 0;
		} else
			roost_bad_option(c, argv);
	}
	if (optind < argc)
		roost_usage("import: unexpected argument '%s'", argv[optind]);
	memset(&im, 0, sizeof(im));
	if ((im.nf = open_memstream(&im.notes, &im.notelen)) == NULL)
		roost_err("cannot allocate");
	im.key = 'u';
	read_lines(&im, paths[0], given[0], subid_line);
	im.key = 'g';
	read_lines(&im, paths[1], given[1], subid_line);
	read_lines(&im, paths[2], given[2], usernet_line);
	if (fclose(im.nf) == EOF)
		roost_err("cannot allocate");
	print_policy(&im, paths);
	free(im.notes);
	free(im.owners);
	free(im.grants);
	return 0;
}
