/*
 * idmap.c: strict numbers, and the "u:INSIDE:OUTSIDE:COUNT" extents of a
 * uid_map or gid_map as the kernel will take them (user_namespaces(7)).
 */

#include "policy.h"

/* Digits only, no leading zero, at most MAX: strtoul(3) would take " +1",
 * "-1" and "0x10", leniency through which newuidmap mis-parsed maps. */
static int
parse_u32n(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	errno = EINVAL;
	if (len == 0 || (s[0] == '0' && len > 1) ||
	    strspn(s, "0123456789") < len)
		return -1;
	for (i = 0; i < len && v <= max; i++)	/* so v stays below 2^36 */
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
policy_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	return parse_u32n(s, strlen(s), max, out);
}

/* A count of at least one, ending at or before (u32)-1, the invalid id. */
static int
extent_ok(uint32_t inside, uint32_t outside, uint32_t count)
{
	return count >= 1 && (uint64_t)inside + count <= ID_INVALID &&
	    (uint64_t)outside + count <= ID_INVALID;
}

int
idmap_parse(const char *s, struct idmap_extent *x)
{
	const char *f, *end;
	uint32_t v[3];
	int i;

	errno = EINVAL;
	if ((s[0] != 'u' && s[0] != 'g') || s[1] != ':')
		return -1;
	for (i = 0, f = s + 2; i < 3; i++, f = end + 1) {
		end = i < 2 ? strchr(f, ':') : f + strlen(f);
		if (end == NULL || parse_u32n(f, (size_t)(end - f), ID_INVALID,
		    &v[i]) == -1)
			return -1;
	}
	if (!extent_ok(v[0], v[1], v[2])) {
		errno = v[2] == 0 ? EINVAL : ERANGE;
		return -1;
	}
	x->type = s[0];
	x->inside = v[0];
	x->outside = v[1];
	x->count = v[2];
	return 0;
}

/* The first extent before X[I] of its type that it overlaps, or I. */
static size_t
overlapped(const struct idmap_extent *x, size_t i)
{
	const struct idmap_extent *a = &x[i], *b;

	for (b = x; b < a; b++)
		if (b->type == a->type &&
		    ((a->inside < (uint64_t)b->inside + b->count &&
		    b->inside < (uint64_t)a->inside + a->count) ||
		    (a->outside < (uint64_t)b->outside + b->count &&
		    b->outside < (uint64_t)a->outside + a->count)))
			return (size_t)(b - x);
	return i;
}

/* Refused before the kernel would (commit 6397fac4915a, mappings_overlap()),
 * so that no request is half-written. */
int
idmap_validate(const struct idmap_extent *x, size_t n, size_t *bad,
    size_t *other)
{
	size_t i, nu = 0, ng = 0;

	for (i = 0; i < n; i++) {
		*bad = *other = i;
		if (x[i].type != 'u' && x[i].type != 'g')
			errno = EINVAL;
		else if ((x[i].type == 'u' ? ++nu : ++ng) > IDMAP_MAX_EXTENTS)
			errno = E2BIG;
		else if (!extent_ok(x[i].inside, x[i].outside, x[i].count))
			errno = EINVAL;
		else if ((*other = overlapped(x, i)) != i)
			errno = EEXIST;
		else
			continue;
		return -1;
	}
	return 0;
}
