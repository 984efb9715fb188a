/*
 * map.c: the id map a container gets.
 *
 * --map auto (the default) maps everything the policy grants the caller:
 * the largest range at inside id 0, so that the usual 65536-id range gives
 * a complete container, and the other grants (the caller's own id among
 * them) packed after it.  The front-end evaluates the policy itself only
 * to choose what to ask for; roost-helper decides again, as root.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost.h"

struct span {
	uint64_t	 start;
	uint64_t	 end;		/* one past the last id */
};

static int
span_by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Largest first; equal sizes keep their order by start. */
static int
span_by_size(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	uint64_t sx = x->end - x->start, sy = y->end - y->start;

	if (sx != sy)
		return (sx < sy) - (sx > sy);
	return span_by_start(a, b);
}

/* Sort and merge overlapping or adjacent grants; returns the new count. */
static size_t
span_merge(struct span *s, size_t n)
{
	size_t	 i, out = 0;

	qsort(s, n, sizeof(*s), span_by_start);
	for (i = 0; i < n; i++) {
		if (out > 0 && s[i].start <= s[out - 1].end) {
			if (s[i].end > s[out - 1].end)
				s[out - 1].end = s[i].end;
			continue;
		}
		s[out++] = s[i];
	}
	return out;
}

/*
 * Pack grants of TYPE into extents at consecutive inside ids, largest
 * first.  The kernel takes at most IDMAP_MAX_EXTENTS; past that the
 * smallest grants are left out.
 */
void
map_pack(struct idmap_extent *x, size_t *nx, char type,
    const struct policy_grant *g, size_t ng)
{
	struct span	*s;
	uint64_t	 inside = 0;
	size_t		 i, n;

	if ((s = reallocarray(NULL, ng ? ng : 1, sizeof(*s))) == NULL)
		roost_err("cannot allocate");
	for (i = n = 0; i < ng; i++) {
		if (g[i].count == 0)
			continue;
		s[n].start = g[i].start;
		s[n++].end = (uint64_t)g[i].start + g[i].count;
	}
	n = span_merge(s, n);
	qsort(s, n, sizeof(*s), span_by_size);
	*nx = 0;
	for (i = 0; i < n && *nx < IDMAP_MAX_EXTENTS; i++) {
		if (inside + (s[i].end - s[i].start) > ID_INVALID ||
		    s[i].end > ID_INVALID)
			continue;
		x[*nx].type = type;
		x[*nx].inside = inside;
		x[*nx].outside = s[i].start;
		x[*nx].count = s[i].end - s[i].start;
		inside += x[*nx].count;
		(*nx)++;
	}
	free(s);
}

static void
map_single(struct map_plan *m)
{
	roost_warnx("no id ranges granted to you by policy; "
	    "mapping only your own uid and gid");
	m->u[0] = (struct idmap_extent){ 'u', 0, geteuid(), 1 };
	m->g[0] = (struct idmap_extent){ 'g', 0, getegid(), 1 };
	m->nu = m->ng = 1;
	m->helper = 0;
}

/*
 * A policy that cannot be used grants nothing, as no entitlement does; its
 * error is shown first, so that the single-id map is not a mystery.
 */
static void
map_auto(struct map_plan *m)
{
	struct explain	 x;
	char		 err[POLICY_ERRLEN];

	m->nu = m->ng = 0;
	if (explain_load(&x, getuid(), err, sizeof(err)) == 0) {
		map_pack(m->u, &m->nu, 'u', x.ent.uids, x.ent.nuids);
		map_pack(m->g, &m->ng, 'g', x.ent.gids, x.ent.ngids);
		explain_free(&x);
	} else
		roost_warnx("%s", err);
	/* Only the caller's own ids: the kernel lets us write that alone. */
	if (m->nu == 0 || m->ng == 0 ||
	    (m->nu == 1 && m->u[0].count == 1 &&
	    m->ng == 1 && m->g[0].count == 1))
		map_single(m);
	else
		m->helper = 1;
}

/* --map auto, or --map EXT[,EXT...]; may be repeated. */
void
map_add_arg(struct map_plan *m, const char *arg)
{
	struct idmap_extent	 x;
	char			*copy, *p, *save = NULL;

	if (strcmp(arg, "auto") == 0) {
		m->automatic = 1;
		return;
	}
	if ((copy = strdup(arg)) == NULL)
		roost_err("cannot allocate");
	if (*copy == '\0' || copy[strlen(copy) - 1] == ',')
		roost_usage("--map: bad extent list '%s'", arg);
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (idmap_parse(p, &x) == -1)
			roost_usage("--map: bad extent '%s'", p);
		if ((x.type == 'u' ? m->nu : m->ng) == IDMAP_MAX_EXTENTS)
			roost_usage("--map: more than %d %c: extents",
			    IDMAP_MAX_EXTENTS, x.type);
		if (x.type == 'u')
			m->u[m->nu++] = x;
		else
			m->g[m->ng++] = x;
	}
	m->explicit = 1;
	free(copy);
}

static void
map_check_type(const struct idmap_extent *x, size_t n, char type)
{
	size_t	 bad, other;

	if (n == 0)
		roost_usage("--map: no %c: extent given", type);
	if (idmap_validate(x, n, &bad, &other) == -1)
		roost_usage("--map: %c:%u:%u:%u overlaps %c:%u:%u:%u", type,
		    x[bad].inside, x[bad].outside, x[bad].count, type,
		    x[other].inside, x[other].outside, x[other].count);
}

/* After option parsing: die with a usage error if --map makes no sense. */
void
map_check(struct map_plan *m)
{
	if (m->explicit && m->automatic)
		roost_usage("--map: auto and explicit extents are exclusive");
	if (!m->explicit)
		return;
	map_check_type(m->u, m->nu, 'u');
	map_check_type(m->g, m->ng, 'g');
	m->helper = 1;
}

/*
 * Decide the map.  Called after the clone, so that reading the policy
 * overlaps with the child's preparations.
 */
void
map_resolve(struct map_plan *m)
{
	if (!m->explicit)
		map_auto(m);
}
