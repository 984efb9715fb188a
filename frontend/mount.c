/*
 * mount.c: the container's root, /proc, /sys and bind mounts, then
 * pivot_root.  Runs in the child, as root of its own user and mount
 * namespaces, before anything of the container has run.
 *
 * Paths inside the new root are resolved with openat2(RESOLVE_IN_ROOT), so
 * a symlink in a rootfs means what it will mean to the container, not what
 * it means on the host; mounts then go onto the resolved fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "roost.h"

static int
open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how	 how;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC | flags;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	return syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Create what is missing of PATH, one component at a time. */
static int
mnt_create(int rootfd, const char *path, int isdir)
{
	char	 buf[PATH_MAX], *end, *name, save;
	int	 parent = rootfd, fd, last, rc;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (end = buf;;) {
		end += strspn(end, "/");
		end += strcspn(end, "/");
		last = end[strspn(end, "/")] == '\0';
		save = *end;
		*end = '\0';
		fd = open_in_root(rootfd, buf, 0);
		if (fd == -1 && errno == ENOENT) {
			name = strrchr(buf, '/') != NULL ?
			    strrchr(buf, '/') + 1 : buf;
			rc = last && !isdir ?
			    mknodat(parent, name, S_IFREG | 0644, 0) :
			    mkdirat(parent, name, 0755);
			if (rc == 0 || errno == EEXIST)
				fd = open_in_root(rootfd, buf, 0);
		}
		*end = save;
		if (parent != rootfd)
			(void)close(parent);
		if (fd == -1 || last)
			return fd;
		parent = fd;
	}
}

/*
 * An O_PATH fd of PATH in the new root, created (with missing parents,
 * 0755) as a directory or an empty file if it does not exist.
 */
int
mnt_point(int rootfd, const char *path, int isdir)
{
	int	 fd;

	fd = open_in_root(rootfd, path, 0);
	if (fd == -1 && errno == ENOENT)
		fd = mnt_create(rootfd, path, isdir);
	if (fd == -1)
		roost_err("%s: cannot create mount point", path);
	return fd;
}

/*
 * Recursively bind SRCFD onto TARGETFD.  Read-only with mount_setattr(2):
 * unlike a remount, it changes only that flag, so the flags the kernel
 * locks on mounts from a more privileged namespace (nosuid, nodev, ...)
 * need not be repeated, and it covers every submount.
 */
static int
mnt_rbind(int srcfd, int targetfd, int ro)
{
	struct mount_attr	 attr;
	int			 tree, rc;

	tree = open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree == -1)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_RDONLY;
	rc = 0;
	if (ro)
		rc = mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
		    &attr, sizeof(attr));
	if (rc == 0)
		rc = move_mount(tree, "", targetfd, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	(void)close(tree);
	return rc;
}

/*
 * TREE, the rootfs idmapped, or if -1 a bind of the rootfs, mounted onto
 * the rootfs itself (pivot_root needs a mount point), then made private.
 * A clone keeps the peer group of the mount it was cloned from: on a
 * systemd host / is shared, so the helper's idmapped clone is shared
 * whatever we made of our own /, and pivot_root(2) refuses a shared new
 * root with EINVAL.  The propagation can only be changed once the tree is
 * in our namespace: the helper's detached mount belongs to an anonymous
 * namespace of the host's user namespace (mount_setattr(2), EPERM).
 * Returns the fd of the new mount's root, or -1.
 */
static int
mnt_bind_root(int rootfsfd, int tree)
{
	struct mount_attr	 attr;
	int			 fd = tree;

	if (fd == -1)
		fd = open_tree(rootfsfd, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	memset(&attr, 0, sizeof(attr));
	attr.propagation = MS_PRIVATE;
	if (fd != -1 && (move_mount(fd, "", rootfsfd, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == -1 ||
	    mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
	    sizeof(attr)) == -1)) {
		(void)close(fd);
		fd = -1;
	}
	(void)close(rootfsfd);
	return fd;
}

/*
 * The root, if mnt_prepare could not make it.  A rootfs must be opened
 * here, in the child: a mount reached through an fd from before the clone
 * belongs to the caller's mount namespace, and open_tree(2) will not
 * clone it into ours.  TREE, the rootfs idmapped by roost-helper (or
 * -1), is a detached mount, in no namespace, which move_mount(2) may
 * attach wherever we are root.  Without a rootfs, a tmpfs staged on /tmp
 * (bind sources are open already, so covering /tmp hides none of them);
 * only once our ids are mapped, as its root belongs to whoever mounts it.
 */
static int
mnt_root(const char *rootfs, int tree)
{
	int	 fd;

	if (rootfs != NULL) {
		fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd == -1)
			roost_err("%s", rootfs);
		if ((fd = mnt_bind_root(fd, tree)) == -1)
			roost_err("cannot %s the root file system", tree != -1 ?
			    "attach the idmapped mount of" : "bind");
		return fd;
	}
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=0755") == -1)
		roost_err("cannot mount the root tmpfs");
	if ((fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		roost_err("/tmp");
	return fd;
}

/*
 * A new proc for a new pid namespace; else the host's, which is ours.
 * Closes FD.
 */
static int
mnt_proc(int fd, int newpid)
{
	char	 path[32];
	int	 src, rc;

	if (newpid)
		rc = mount("proc", roost_fdpath(path, sizeof(path), fd),
		    "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	else {
		src = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		rc = src == -1 ? -1 : mnt_rbind(src, fd, 0);
		(void)close(src);
	}
	(void)close(fd);
	return rc;
}

/*
 * /sys, read-only.  A new sysfs shows the new network namespace's devices;
 * without one, the kernel refuses a new sysfs, so bind the host's.
 * Closes FD.
 */
static int
mnt_sys(int fd, int newnet)
{
	char	 path[32];
	int	 src, rc;

	if (newnet)
		rc = mount("sysfs", roost_fdpath(path, sizeof(path), fd),
		    "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL);
	else {
		src = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
		rc = src == -1 ? -1 : mnt_rbind(src, fd, 1);
		(void)close(src);
	}
	(void)close(fd);
	return rc;
}

static void
mnt_open_binds(struct bind *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((b[i].srcfd = open(b[i].src, O_PATH | O_CLOEXEC)) == -1)
			roost_err("%s", b[i].src);
}

static void
mnt_binds(int rootfd, struct bind *b, size_t n)
{
	size_t	 i;
	int	 fd;

	for (i = 0; i < n; i++) {
		fd = mnt_point(rootfd, b[i].dst, b[i].isdir);
		if (mnt_rbind(b[i].srcfd, fd, b[i].ro) == -1)
			roost_err("%s: cannot bind-mount %s", b[i].dst,
			    b[i].src);
		(void)close(fd);
		(void)close(b[i].srcfd);
		b[i].srcfd = -1;
	}
}

/*
 * pivot_root(".", ".") stacks the old root under the new one; detaching
 * it leaves no path to the host's tree (pivot_root(2), "NOTES").
 */
static void
mnt_pivot(int rootfd)
{
	if (fchdir(rootfd) == -1)
		roost_err("cannot enter the new root");
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		roost_err("pivot_root");
	if (umount2(".", MNT_DETACH) == -1)
		roost_err("cannot detach the old root");
	if (chdir("/") == -1)
		roost_err("chdir /");
	(void)close(rootfd);
}

/*
 * Done while the parent has our ids mapped, as far as it goes: what needs
 * no mapped id (the child holds every capability over its namespaces from
 * the clone on) and creates no file.  Nothing fails here: what did not
 * work is done again by mnt_setup(), which reports the error.
 */
void
mnt_prepare(struct mnt_req *r)
{
	int	 fd;

	r->rootfd = -1;
	/* Nothing we mount may propagate back to the host's mounts. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return;
	r->private = 1;
	/* An idmapped root comes with the go-ahead: mnt_setup mounts it. */
	if (r->rootfs == NULL || r->idmap ||
	    (fd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (r->rootfd = mnt_bind_root(fd, -1)) == -1)
		return;
	if ((fd = open_in_root(r->rootfd, "/proc", O_DIRECTORY)) != -1)
		r->procdone = mnt_proc(fd, r->newpid) == 0;
	if ((fd = open_in_root(r->rootfd, "/sys", O_DIRECTORY)) != -1)
		r->sysdone = mnt_sys(fd, r->newnet) == 0;
}

/* The rest, as root of the container, then pivot_root. */
void
mnt_setup(struct mnt_req *r)
{
	if (!r->private &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		roost_err("cannot make / private");
	mnt_open_binds(r->binds, r->nbinds);
	if (r->rootfd == -1)
		r->rootfd = mnt_root(r->rootfs, r->treefd);
	if (!r->procdone &&
	    mnt_proc(mnt_point(r->rootfd, "/proc", 1), r->newpid) == -1)
		roost_err("/proc: cannot mount");
	if (!r->sysdone &&
	    mnt_sys(mnt_point(r->rootfd, "/sys", 1), r->newnet) == -1)
		roost_err("/sys: cannot mount");
	dev_setup(r->rootfd, r->console);
	/* Last, so that a bind may add to /dev or /sys. */
	mnt_binds(r->rootfd, r->binds, r->nbinds);
	mnt_pivot(r->rootfd);
}
