/*
 * idmap.c: a rootfs owned by the caller's own uid (a tree unpacked as
 * plain files) shown to the container as root's, through an idmapped
 * mount that roost-helper idmount makes: nothing on disk is chowned, and
 * what the container's root creates lands on disk as the caller's.
 *
 * The mapping is the maps of a throwaway user namespace, "UID ROOT_U 1"
 * and "GID ROOT_G 1" (the id on disk, then the host id it shows as, which
 * the container's map turns into 0).  The mount holds its own reference
 * to the namespace, so the process need only live until the helper has
 * answered.
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

/* The mount of DIRFD mapped by VIA, or -1 with WHY. */
static int
idmap_make(int dirfd, const struct map_plan *via, char *why, size_t whylen)
{
	struct ns_child	 t = { -1, -1, -1 };
	int		 mfd = -1;

	if (ns_clone(0, &t) == 0) {
		(void)ns_await(&t);
		_exit(0);
	}
	if (helper_map(t.procfd, via, why, whylen) == 0)
		mfd = helper_idmount(t.procfd, dirfd, why, whylen);
	ns_kill(&t);
	(void)close(t.procfd);
	(void)close(t.release);
	return mfd;
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
	via->u[0] = (struct idmap_extent){ 'u', getuid(),
	    idmap_root(m->u, m->nu), 1 };
	via->g[0] = (struct idmap_extent){ 'g', getgid(),
	    idmap_root(m->g, m->ng), 1 };
	via->nu = via->ng = 1;
	if (!m->helper || via->u[0].outside == ID_INVALID ||
	    via->g[0].outside == ID_INVALID ||
	    via->u[0].outside == via->u[0].inside)
		return -1;
	return 0;
}

/*
 * ROOTFS as an idmapped mount for a container mapped by M, or -1 for the
 * plain bind: silently where there is nothing to map, with one line where
 * it was tried and failed, since the tree then shows as someone else's.
 */
int
idmap_rootfs(const char *rootfs, const struct map_plan *m)
{
	struct map_plan	 via;
	struct stat	 st;
	char		 why[256];
	int		 dirfd, mfd;

	if (idmap_via(&via, m) == -1)
		return -1;
	/* Looked at again on the fd the helper gets: it may have changed. */
	if ((dirfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(dirfd, &st) == -1 || st.st_uid != getuid()) {
		(void)close(dirfd);
		return -1;
	}
	mfd = idmap_make(dirfd, &via, why, sizeof(why));
	(void)close(dirfd);
	if (mfd == -1)
		roost_warnx("%s: not idmapped (%s); using it as it is", rootfs,
		    why);
	return mfd;
}
