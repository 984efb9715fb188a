/*
 * roost-helper map TARGET u|g:INSIDE:OUTSIDE:COUNT...: setgroups (when
 * denied), gid_map, then uid_map of an unmapped user namespace the caller
 * owns, each in one write(2), after every extent passed the entitlement.
 *
 * Capabilities: CAP_SETUID, CAP_SETGID, CAP_SETFCAP (as the caller; the
 * last only for a root caller mapping host 0).
 */
#include <linux/capability.h>

#include "helper.h"

#define MAP_TEXT_MAX	4095	/* map_write() takes < PAGE_SIZE at once */

struct map_plan {
	char	 text[2][MAP_TEXT_MAX + 1];	/* [0] gid_map, [1] uid_map */
	size_t	 len[2];
	int	 deny_setgroups;
	int	 maps_host_root;
};

static int
map_parse(struct request *rq, int argc, char *argv[])
{
	int	 i;

	if (argc < 3)
		return usage_set(NULL, "usage: roost-helper map TARGET "
		    "u|g:INSIDE:OUTSIDE:COUNT...");
	if (request_target(rq, argv[1]) == -1)
		return -1;
	if ((rq->ext = calloc((size_t)argc, sizeof(*rq->ext))) == NULL)
		return usage_set(NULL, "out of memory");
	for (i = 2; i < argc; i++)
		if (idmap_parse(argv[i], &rq->ext[i - 2]) == -1)
			return usage_set(argv[i], errno == ERANGE ?
			    "extent out of range" : "malformed extent "
			    "(want u|g:INSIDE:OUTSIDE:COUNT)");
	rq->next = (size_t)argc - 2;
	return 0;
}

static const char *
ext_str(const struct idmap_extent *x, char *buf, size_t len)
{
	idmap_format(x, buf, len);
	return buf;
}

/* Line "INSIDE OUTSIDE COUNT\n" appended to the map text of x's type. */
static void
plan_add(struct map_plan *pl, const struct idmap_extent *x)
{
	int	 t = x->type == 'u';
	int	 n;

	n = snprintf(pl->text[t] + pl->len[t], sizeof(pl->text[t]) -
	    pl->len[t], "%u %u %u\n", x->inside, x->outside, x->count);
	if (n < 0 || (size_t)n >= sizeof(pl->text[t]) - pl->len[t])
		die(NULL, "%cid map longer than the kernel takes "
		    "(%d bytes)", x->type, MAP_TEXT_MAX);
	pl->len[t] += (size_t)n;
}

/*
 * Everything is decided before anything is opened.  Without a setgroups
 * rule in the policy, shadow's holds: deny when only the caller's own gid
 * is mapped (CVE-2018-7169).
 */
static void
map_decide(const struct request *rq, const struct caller *c,
    struct map_plan *pl)
{
	const struct idmap_extent	*x;
	char				 a[48], b[48];
	size_t				 i, bad, other;
	int				 self_only = 1;

	if (idmap_validate(rq->ext, rq->next, &bad, &other) == -1) {
		x = &rq->ext[bad];
		if (errno == E2BIG)
			die(NULL, "more than %d %cid extents",
			    IDMAP_MAX_EXTENTS, x->type);
		die(ext_str(x, a, sizeof(a)), "overlaps %s",
		    ext_str(&rq->ext[other], b, sizeof(b)));
	}
	for (i = 0; i < rq->next; i++) {
		x = &rq->ext[i];
		ext_str(x, a, sizeof(a));
		if (x->outside == 0 && c->uid != 0)
			die(a, "host %cid 0 is never mapped", x->type);
		if (!policy_permits_ids(&c->ent, x->type, x->outside, x->count))
			die(a, "%cids %u-%u not granted to you", x->type,
			    x->outside, x->outside + x->count - 1);
		if (x->type == 'g' && !policy_self_only(&c->ent, 'g',
		    x->outside, x->count))
			self_only = 0;
		if (x->type == 'u' && x->outside == 0)
			pl->maps_host_root = 1;
		plan_add(pl, x);
	}
	pl->deny_setgroups = pl->len[0] > 0 &&
	    (c->ent.setgroups == POLICY_SETGROUPS_DENY ||
	    (c->ent.setgroups == POLICY_SETGROUPS_UNSET && self_only));
}

/* Open a map file with the capability the kernel checks at open time. */
static int
open_map(int procfd, const char *name, uint64_t caps)
{
	int	 fd;

	priv_raise(caps);
	fd = openat(procfd, name, O_WRONLY | O_CLOEXEC);
	priv_lower();
	return fd;
}

static int
map_empty(int procfd, const char *name)
{
	char	 ch;
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(procfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, &ch, 1);
	close(fd);
	return n == 0 ? 1 : (n == 1 ? 0 : -1);
}

/* CAP_SETFCAP too for a root caller mapping host 0 (verify_root_map(),
 * Linux 5.12).  No undo: the first write comes after the last check. */
static void
map_write(const char *target, int fd, const char *name, const char *text,
    size_t len, uint64_t caps)
{
	ssize_t	 n;

	priv_raise(caps);
	n = write(fd, text, len);
	priv_lower();
	if (n != (ssize_t)len)
		die(target, "write %s: %s", name,
		    n == -1 ? strerror(errno) : "short write");
	if (close(fd) == -1)
		die(target, "close %s: %s", name, strerror(errno));
}

static void
map_act(const struct request *rq, const struct caller *c,
    const struct map_plan *pl)
{
	uint64_t	 ucaps = CAPBIT(CAP_SETUID), gcaps = CAPBIT(CAP_SETGID);
	int		 procfd, sfd = -1, gfd = -1, ufd = -1, nsfd;

	if (pl->maps_host_root)
		ucaps |= CAPBIT(CAP_SETFCAP);
	if ((procfd = target_open(rq)) == -1)
		die(rq->target, NOT_YOURS);
	/* Open, then verify: a map file is bound to the namespace its task
	 * had at open(2), and a task only moves on to descendants, which
	 * fail the check. */
	if (pl->len[0] > 0 && ((pl->deny_setgroups && (sfd = openat(procfd,
	    "setgroups", O_WRONLY | O_CLOEXEC)) == -1) ||
	    (gfd = open_map(procfd, "gid_map", gcaps)) == -1))
		die(rq->target, NOT_YOURS);
	if (pl->len[1] > 0 && (ufd = open_map(procfd, "uid_map", ucaps)) == -1)
		die(rq->target, NOT_YOURS);
	if ((nsfd = target_verify_userns(procfd, c->uid)) == -1)
		die(rq->target, NOT_YOURS);
	close(nsfd);
	/* Only the maps written need be empty (newuidmap writes one). */
	if ((ufd != -1 && map_empty(procfd, "uid_map") != 1) ||
	    (gfd != -1 && map_empty(procfd, "gid_map") != 1))
		die(rq->target, "id maps already written");
	if (sfd != -1)
		map_write(rq->target, sfd, "setgroups", "deny\n", 5, 0);
	if (gfd != -1)
		map_write(rq->target, gfd, "gid_map", pl->text[0], pl->len[0],
		    gcaps);
	if (ufd != -1)
		map_write(rq->target, ufd, "uid_map", pl->text[1], pl->len[1],
		    ucaps);
	close(procfd);
}

static void
map_run(const struct request *rq, struct caller *c)
{
	static const int	 caps[] = { CAP_SETUID, CAP_SETGID,
				    CAP_SETFCAP };
	struct map_plan		*pl;
	char			 list[512] = "", x[48];
	size_t			 i;

	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		die(NULL, "out of memory");
	map_decide(rq, c, pl);
	priv_drop(c, caps, pl->maps_host_root ? 3 : 2);
	map_act(rq, c, pl);
	for (i = 0; i < rq->next; i++) {
		strlcat(list, " ", sizeof(list));
		strlcat(list, ext_str(&rq->ext[i], x, sizeof(x)), sizeof(list));
	}
	log_granted(rq->target, "%s%s", list + 1,
	    pl->deny_setgroups ? " setgroups=deny" : "");
	free(pl);
}

const struct op	op_map = { "map", 1, map_parse, map_run };
