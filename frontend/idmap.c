/*
 * idmap.c: a rootfs owned by the caller's own uid (a tree unpacked as
 * plain files) shown to the container as root's, through an idmapped
 * mount that roost-helper idmount makes: nothing on disk is chowned, and
 * what the container's root creates lands on disk as the caller's.
 *
 * The mapping is the maps of a throwaway user namespace: INSIDE is the id
 * on disk, OUTSIDE the host id it shows as, which the container's own map
 * then turns into a container id.  It is the identity on every host id
 * the container maps, but for one swap: the caller's id shows as the host
 * id of the container's root, and that id as the caller's.  For alice
 * (1001, granted 100000+65536; the container maps 0-65535 to 100000 and
 * 65536 to 1001):
 *
 *	1001	100000	1	on disk 1001 is the container's 0
 *	100000	1001	1	100000 is its 65536 (alice's own)
 *	100001	100001	65535	100000+N is its N
 *
 * so a file that container uid 1000 writes lands on disk as 101000, as it
 * would without the idmapped mount, and nothing a container id can write
 * shows as another.  Every extent names only ids the container maps,
 * all granted to the caller, on both sides, as the helper requires.  The
 * mount holds its own reference to the namespace, so the process need
 * only live until the helper has answered.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost.h"

/* The host id that id 0 of the container is, or ID_INVALID. */
static uint32_t
idmap_root(const struct idmap_extent *x, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (x[i].inside == 0)
			return x[i].outside;
	return ID_INVALID;
}

/*
 * Identity extents of TYPE for the host ids [START, END) into VIA, less
 * the ids A and B.  -1 if they do not fit.
 */
static int
idmap_identity(struct idmap_extent *x, size_t *n, char type,
    uint64_t start, uint64_t end, uint32_t a, uint32_t b)
{
	uint64_t	 cut;

	while (start < end) {
		cut = end;
		if (a >= start && a < cut)
			cut = a;
		if (b >= start && b < cut)
			cut = b;
		if (cut > start) {
			if (*n == IDMAP_MAX_EXTENTS)
				return -1;
			x[(*n)++] = (struct idmap_extent){ type,
			    (uint32_t)start, (uint32_t)start,
			    (uint32_t)(cut - start) };
		}
		start = cut + 1;
	}
	return 0;
}

/*
 * One type of VIA for a container mapped by the NM extents M: the
 * caller's id SELF and the container root's ROOT swapped, every other
 * host id M names as itself.  -1 if there is nothing to map (the root is
 * not mapped, or is the caller) or it does not fit.
 */
static int
idmap_via_type(struct idmap_extent *x, size_t *n, char type,
    const struct idmap_extent *m, size_t nm, uint32_t self)
{
	uint32_t	 root = idmap_root(m, nm);
	size_t		 i;

	*n = 0;
	if (root == ID_INVALID || root == self)
		return -1;
	for (i = 0; i < nm; i++)
		if (idmap_identity(x, n, type, m[i].outside,
		    (uint64_t)m[i].outside + m[i].count, self, root) == -1)
			return -1;
	if (*n + 2 > IDMAP_MAX_EXTENTS)
		return -1;
	x[(*n)++] = (struct idmap_extent){ type, self, root, 1 };
	x[(*n)++] = (struct idmap_extent){ type, root, self, 1 };
	return 0;
}

/*
 * VIA, the throwaway namespace's map for a container mapped by M.  -1 if
 * there is nothing to map: the container's root is not mapped, or is the
 * caller (a single-id map, which needs no helper).
 */
static int
idmap_via(struct map_plan *via, const struct map_plan *m)
{
	memset(via, 0, sizeof(*via));
	if (!m->helper ||
	    idmap_via_type(via->u, &via->nu, 'u', m->u, m->nu,
	    getuid()) == -1 ||
	    idmap_via_type(via->g, &via->ng, 'g', m->g, m->ng,
	    getgid()) == -1)
		return -1;
	via->helper = 1;
	return 0;
}

/*
 * Begin ROOTFS's idmapped mount for a container mapped by M: the mapping's
 * namespace is made and roost-helper map started on it, to run while the
 * container's own maps are written (a helper's exec is most of the cost).
 * 0, or -1 for the plain bind, silently where there is nothing to map.
 */
int
idmap_begin(struct idmap_job *j, const char *rootfs, const struct map_plan *m)
{
	struct map_plan	 via;
	struct stat	 st;

	memset(j, 0, sizeof(*j));
	j->rootfs = rootfs;
	if (idmap_via(&via, m) == -1)
		return -1;
	/* Looked at again on the fd the helper gets: it may have changed. */
	if ((j->dirfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(j->dirfd, &st) == -1 || st.st_uid != getuid()) {
		(void)close(j->dirfd);
		return -1;
	}
	j->t = (struct ns_child){ -1, -1, -1 };
	if (ns_clone(0, &j->t) == 0) {
		(void)ns_await(&j->t);
		_exit(0);
	}
	j->failed = helper_map_start(j->t.procfd, &via, &j->map, j->why,
	    sizeof(j->why)) == -1;
	return 0;
}

/*
 * The mount idmap_begin() began, or -1 for the plain bind, with one line
 * saying why: the tree then shows as someone else's.  The mount holds its
 * own reference to the namespace, so the namespace's process goes now.
 */
int
idmap_end(struct idmap_job *j)
{
	int	 mfd = -1;

	if (!j->failed && helper_job_wait(&j->map, j->why,
	    sizeof(j->why)) == 0)
		mfd = helper_idmount(j->t.procfd, j->dirfd, j->why,
		    sizeof(j->why));
	ns_kill(&j->t);
	(void)close(j->t.procfd);
	(void)close(j->t.release);
	(void)close(j->dirfd);
	if (mfd == -1)
		roost_warnx("%s: not idmapped (%s); using it as it is",
		    j->rootfs, j->why);
	return mfd;
}
