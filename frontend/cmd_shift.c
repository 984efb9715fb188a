/*
 * cmd_shift.c: roost shift, a tree's owners moved between the caller's
 * own ids and granted ranges, without privilege of its own.
 *
 * The walk (shift.c) runs as root of a user namespace mapping each FROM
 * and each TO range onto itself, the maps written by roost-helper map.
 * The helper maps only ids the caller is entitled to, and the kernel lets
 * that namespace's root chown only inodes whose old and new owners are
 * both mapped: so the entitlement is enforced with no new privileged code,
 * and an inode of anybody else's is out of reach (and reported).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roost.h"

const char shift_usage[] =
"usage: roost shift DIR [--to auto|MAP]... [--reverse] [--jobs N] [--quiet]\n"
"  --to auto            your own uid and gid become the root of your\n"
"                       first granted range (the default)\n"
"  --to MAP             u:FROM:TO:COUNT or g:FROM:TO:COUNT, host ids:\n"
"                       what FROM.. owns becomes TO..'s; repeatable\n"
"  --reverse            swap FROM and TO\n"
"  -j, --jobs N         walk with N workers, 1 to 64 (default: one for\n"
"                       each CPU it may run on, at most 8)\n"
"  -q, --quiet          no progress on a terminal\n"
"  -h, --help           show this help\n";

enum {
	OPT_TO = 256, OPT_REVERSE
};

static const struct option shift_options[] = {
	{ "to",		required_argument,	NULL,	OPT_TO },
	{ "reverse",	no_argument,		NULL,	OPT_REVERSE },
	{ "jobs",	required_argument,	NULL,	'j' },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static struct ns_child	 child = { -1, -1, -1 };

static void
shift_abort(void)
{
	ns_kill(&child);
}

/* --to MAP[,MAP...]: TYPE:FROM:TO:COUNT, parsed as a map extent. */
static void
shift_add_maps(struct shift_plan *p, const char *arg)
{
	struct idmap_extent	 x;
	char			*copy, *s, *save = NULL;

	if ((copy = strdup(arg)) == NULL)
		roost_err("cannot allocate");
	if (*copy == '\0' || copy[strlen(copy) - 1] == ',')
		roost_usage("--to: bad map list '%s'", arg);
	for (s = strtok_r(copy, ",", &save); s != NULL;
	    s = strtok_r(NULL, ",", &save)) {
		if (idmap_parse(s, &x) == -1)
			roost_usage("--to: bad map '%s' (want "
			    "u|g:FROM:TO:COUNT)", s);
		if (p->n == SHIFT_MAX)
			roost_usage("--to: more than %d maps", SHIFT_MAX);
		p->r[p->n++] = (struct shift_range){ x.type, x.inside,
		    x.outside, x.count };
	}
	free(copy);
}

/*
 * --to auto: the caller's uid and gid become inside 0 of what
 * `roost run --map auto` maps, the start of the largest grant.
 */
static void
shift_auto(struct shift_plan *p)
{
	struct map_plan	 m;

	memset(&m, 0, sizeof(m));
	map_resolve(&m);
	if (!m.helper)
		roost_errx("--to auto: no id range is granted to you");
	p->r[p->n++] = (struct shift_range){ 'u', getuid(), m.u[0].outside,
	    1 };
	p->r[p->n++] = (struct shift_range){ 'g', getgid(), m.g[0].outside,
	    1 };
}

static int
overlap(uint32_t a, uint32_t acount, uint32_t b, uint32_t bcount)
{
	return (uint64_t)a < (uint64_t)b + bcount &&
	    (uint64_t)b < (uint64_t)a + acount;
}

static void
shift_check_overlap(const struct shift_plan *p)
{
	const struct shift_range	*a, *b;
	size_t				 i, j;

	for (i = 0; i < p->n; i++)
		for (j = 0; j < p->n; j++) {
			a = &p->r[i];
			b = &p->r[j];
			if (a->type != b->type ||
			    !overlap(a->from, a->count, b->to, b->count))
				continue;
			roost_usage("FROM and TO ranges overlap: "
			    "%c:%u:%u:%u", a->type, a->from, a->to,
			    a->count);
		}
}

/*
 * The walker's namespace: each range onto itself, so that ids inside are
 * host ids.  Overlapping FROM or TO ranges are caught here.
 */
static void
shift_map_plan(const struct shift_plan *p, struct map_plan *m)
{
	struct idmap_extent	*x;
	size_t			 i, k, *n, bad, other;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < p->n; i++)
		for (k = 0; k < 2; k++) {
			x = p->r[i].type == 'u' ? m->u : m->g;
			n = p->r[i].type == 'u' ? &m->nu : &m->ng;
			x[*n].type = p->r[i].type;
			x[*n].inside = x[*n].outside = k == 0 ?
			    p->r[i].from : p->r[i].to;
			x[(*n)++].count = p->r[i].count;
		}
	if (m->nu == 0 || m->ng == 0)
		roost_usage("no %s: map given", m->nu == 0 ? "u" : "g");
	if (idmap_validate(m->u, m->nu, &bad, &other) == -1 ||
	    idmap_validate(m->g, m->ng, &bad, &other) == -1)
		roost_usage("FROM or TO ranges overlap each other");
	m->helper = 1;
}

/* --jobs N: decimal, 1 to SHIFT_JOBS_MAX. */
static int
shift_jobs(const char *arg)
{
	const char	*err = NULL;
	long long	 n;

	n = strtonum(arg, 1, SHIFT_JOBS_MAX, &err);
	if (err != NULL)
		roost_usage("--jobs: '%s' is %s (want 1 to %d)", arg, err,
		    SHIFT_JOBS_MAX);
	return (int)n;
}

static void
shift_reverse(struct shift_plan *p)
{
	size_t		 i;
	uint32_t	 t;

	for (i = 0; i < p->n; i++) {
		t = p->r[i].from;
		p->r[i].from = p->r[i].to;
		p->r[i].to = t;
	}
}

/*
 * Check P, then walk the tree at FD in a namespace of its own.  Returns
 * the walker's status: 0, or 1 after it reported something.
 */
int
shift_run(struct shift_plan *p, int fd)
{
	struct map_plan	 m;
	size_t		 i;
	int		 st;

	shift_check_overlap(p);
	shift_map_plan(p, &m);
	for (i = 0; i < p->n && p->r[i].type != 'u'; i++)
		continue;
	p->rootid = p->r[i].to;
	ns_block_signals();
	if (ns_clone(0, &child) == 0) {
		ns_await(&child);
		roost_exit(shift_tree(p, fd));
	}
	roost_cleanup = shift_abort;
	ns_map(&child, &m);
	(void)close(child.procfd);
	ns_release(&child);
	st = ns_wait(child.pid, -1);
	roost_cleanup = NULL;
	child.pid = -1;
	ns_restore_signals();
	return st;
}

/* --to auto unless maps were given, reversed if asked. */
void
shift_plan_auto(struct shift_plan *p, int reverse)
{
	if (p->n == 0)
		shift_auto(p);
	if (reverse)
		shift_reverse(p);
}

int
cmd_shift(int argc, char **argv)
{
	struct shift_plan	 p;
	int			 c, fd, reverse = 0, quiet = 0, automatic = 0;

	memset(&p, 0, sizeof(p));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:qh", shift_options,
	    NULL)) != -1) {
		if (c == OPT_TO && strcmp(optarg, "auto") == 0)
			automatic = 1;
		else if (c == OPT_TO)
			shift_add_maps(&p, optarg);
		else if (c == OPT_REVERSE)
			reverse = 1;
		else if (c == 'j')
			p.jobs = shift_jobs(optarg);
		else if (c == 'q')
			quiet = 1;
		else if (c == 'h') {
			(void)fputs(shift_usage, stdout);
			return 0;
		} else
			roost_bad_option(c, argv);
	}
	if (optind >= argc)
		roost_usage("no directory given");
	if (optind + 1 < argc)
		roost_usage("unexpected argument '%s'", argv[optind + 1]);
	if (automatic && p.n > 0)
		roost_usage("--to: auto and maps are exclusive");
	p.top = argv[optind];
	p.progress = !quiet && isatty(STDERR_FILENO);
	if ((fd = open(p.top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		roost_err("%s", p.top);
	shift_plan_auto(&p, reverse);
	return shift_run(&p, fd);
}
