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

enum { SETGROUPS, GID_MAP, UID_MAP, NFILES };	/* the order written */
static const char *const map_name[NFILES] = { "setgroups", "gid_map",
    "uid_map" };

struct map_plan {
	char	 text[NFILES][MAP_TEXT_MAX + 1];
	size_t	 len[NFILES];			/* 0: not written */
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
	snprintf(buf, len, "%c:%u:%u:%u", x->type, x->inside, x->outside,
	    x->count);
	return buf;
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
	size_t				 i, bad, other, t;
	int				 n, self_only = 1;

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
		if (x->type == 'g' && (x->outside != c->ent.gid ||
		    x->count != 1))
			self_only = 0;
		if (x->type == 'u' && x->outside == 0)
			pl->maps_host_root = 1;
		t = x->type == 'u' ? UID_MAP : GID_MAP;
		n = snprintf(pl->text[t] + pl->len[t], sizeof(pl->text[t]) -
		    pl->len[t], "%u %u %u\n", x->inside, x->outside, x->count);
		if (n < 0 || (size_t)n >= sizeof(pl->text[t]) - pl->len[t])
			die(NULL, "%cid map longer than the kernel takes "
			    "(%d bytes)", x->type, MAP_TEXT_MAX);
		pl->len[t] += (size_t)n;
	}
	if (pl->len[GID_MAP] > 0 &&
	    (c->ent.setgroups == POLICY_SETGROUPS_DENY ||
	    (c->ent.setgroups == POLICY_SETGROUPS_UNSET && self_only)))
		pl->len[SETGROUPS] = strlcpy(pl->text[SETGROUPS], "deny\n",
		    sizeof(pl->text[SETGROUPS]));
}

/* What the kernel checks for file I, at its open(2) and its write(2)
 * (CAP_SETFCAP: verify_root_map(), Linux 5.12). */
static uint64_t
map_caps(const struct map_plan *pl, int i)
{
	if (i == GID_MAP)
		return CAPBIT(CAP_SETGID);
	if (i == UID_MAP)
		return CAPBIT(CAP_SETUID) |
		    (pl->maps_host_root ? CAPBIT(CAP_SETFCAP) : 0);
	return 0;
}

/*
 * pre: map_decide(); caps: each file's own, raised around its open(2),
 * where the kernel checks them; undo: none, nothing is written yet.
 * FD[i] is the open file i, or -1 when it is not to be written.
 */
static void
map_open(const struct request *rq, const struct caller *c,
    const struct map_plan *pl, int fd[NFILES])
{
	char	 ch;
	int	 procfd, rfd, i;

	if ((procfd = target_open(rq)) == -1)
		die(rq->target, NOT_YOURS);
	/* Open, then verify: a map file is bound to the namespace its task
	 * had at open(2), and a task only moves on to descendants, which
	 * fail the check. */
	for (i = 0; i < NFILES; i++) {
		fd[i] = -1;
		if (pl->len[i] == 0)
			continue;
		priv_raise(map_caps(pl, i));
		fd[i] = openat(procfd, map_name[i], O_WRONLY | O_CLOEXEC);
		priv_lower();
		if (fd[i] == -1)
			die(rq->target, NOT_YOURS);
	}
	close(target_verify_userns(rq, procfd, c->uid));
	/* Only the maps written need be empty (newuidmap writes one). */
	for (i = GID_MAP; i < NFILES; i++) {
		if (fd[i] == -1)
			continue;
		if ((rfd = openat(procfd, map_name[i], O_RDONLY | O_CLOEXEC)) ==
		    -1 || read(rfd, &ch, 1) != 0)
			die(rq->target, "id maps already written");
		close(rfd);
	}
	close(procfd);
}

/*
 * pre: map_open(), and the grant logged; caps: each file's own, raised
 * around its write(2); undo: none, the first write comes after the last
 * check.
 */
static void
map_write(const struct request *rq, const struct map_plan *pl,
    const int fd[NFILES])
{
	ssize_t	 n;
	int	 i;

	for (i = 0; i < NFILES; i++) {
		if (fd[i] == -1)
			continue;
		priv_raise(map_caps(pl, i));
		n = write(fd[i], pl->text[i], pl->len[i]);
		priv_lower();
		if (n != (ssize_t)pl->len[i])
			die(rq->target, "write %s: %s", map_name[i],
			    n == -1 ? strerror(errno) : "short write");
		if (close(fd[i]) == -1)
			die(rq->target, "close %s: %s", map_name[i],
			    strerror(errno));
	}
}

static void
map_log(const struct request *rq, const struct map_plan *pl)
{
	char	 list[512] = "", x[48];
	size_t	 i;

	for (i = 0; i < rq->next; i++) {
		strlcat(list, " ", sizeof(list));
		strlcat(list, ext_str(&rq->ext[i], x, sizeof(x)), sizeof(list));
	}
	log_granted(rq->target, "%s%s", list + 1,
	    pl->len[SETGROUPS] > 0 ? " setgroups=deny" : "");
}

/*
 * The grant is logged after the last check and before the first write:
 * map runs as the caller, who may SIGKILL it at any point, and a grant
 * logged after the writes could be cut off from its log line (issue 15).
 * A write that fails after it is logged as a refusal of its own.
 */
static void
map_run(const struct request *rq, struct caller *c)
{
	static const int	 caps[] = { CAP_SETUID, CAP_SETGID,
				    CAP_SETFCAP };
	struct map_plan		 pl;
	int			 fd[NFILES];

	memset(&pl, 0, sizeof(pl));
	map_decide(rq, c, &pl);
	priv_drop(c, caps, pl.maps_host_root ? 3 : 2);
	map_open(rq, c, &pl, fd);
	map_log(rq, &pl);
	map_write(rq, &pl, fd);
}

const struct op	op_map = { "map", 1, map_parse, map_run };
