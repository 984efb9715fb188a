/*
 * roost-helper idmount TARGET DIR: a detached clone of the directory DIR,
 * idmapped through TARGET's user namespace, sent back over stdout (a unix
 * socket, SCM_RIGHTS) for the front-end to move_mount(2): nothing on disk
 * is chowned.  In the maps INSIDE is the id on disk and OUTSIDE the id it
 * shows as; both must be the caller's, or the mount would hand the caller
 * another user's files, or show theirs as another's.
 *
 * Capabilities: CAP_SYS_ADMIN (as the caller).
 */
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/openat2.h>

#include <limits.h>
#include <sched.h>

#include "helper.h"

static int
idmount_parse(struct request *rq, int argc, char *argv[])
{
	if (argc != 3)
		return usage_set(NULL, "usage: roost-helper idmount TARGET "
		    "DIR");
	if (request_target(rq, argv[1]) == -1)
		return -1;
	rq->file = argv[2];
	if ((rq->dir_fd = request_fd(rq, argv[2])) == -1 && argv[2][0] != '/')
		return usage_set(argv[2], "bad directory (want fd:N or an "
		    "absolute path)");
	return 0;
}

/* Every "INSIDE OUTSIDE COUNT" line of the map on FD granted on both
 * sides, read whole (340 lines of "%10u %10u %10u\n"): a map checked in
 * part would be a map not checked. */
static void
idmount_map(const struct request *rq, const struct caller *c, int fd,
    char type)
{
	char		 buf[IDMAP_MAX_EXTENTS * 33 + 2], *line, *f;
	char		*save = NULL, *fs = NULL;
	uint32_t	 v[3];
	size_t		 len = 0;
	ssize_t		 n;
	int		 i, lines = 0;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	if (n == -1 || len == sizeof(buf) - 1)
		die(rq->target, "%cid_map: unreadable", type);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), lines++) {
		for (i = 0; i < 3; i++)
			if ((f = strtok_r(i == 0 ? line : NULL, " ", &fs)) ==
			    NULL || policy_parse_u32(f, ID_INVALID, &v[i]) == -1)
				die(rq->target, "%cid_map: unreadable", type);
		for (i = 0; i < 2; i++) {
			/* Even for root: a mount never shows host root's
			 * files as another id, nor another's as root's. */
			if (v[i] == 0)
				die(rq->target, "host %cid 0 is never mapped",
				    type);
			if (!policy_permits_ids(&c->ent, type, v[i], v[2]))
				die(rq->target, "%cids %u-%u not granted "
				    "to you", type, v[i], v[i] + v[2] - 1);
		}
	}
	if (lines == 0)
		die(rq->target, "id maps not written");
	close(fd);
}

static void
idmount_send(int mfd)
{
	char		 byte = 'm', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec	 iov = { &byte, 1 };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr	*cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &mfd, sizeof(int));
	if (sendmsg(STDOUT_FILENO, &msg, MSG_NOSIGNAL) != 1)
		die("stdout", "%s", strerror(errno));
}

/*
 * The mount, made so that its holder can never gain what the tree's own
 * mount denies.  The kernel locks a mount's flags (MNT_LOCK_READONLY,
 * _NODEV, _NOSUID, _NOEXEC, _ATIME) and the mounts below it (MNT_LOCKED:
 * never detached to show what they cover) only when it copies a mount
 * namespace for a less privileged user namespace (lock_mnt_tree()), and
 * every later clone keeps the MNT_LOCK_ flags.  A clone root makes in the
 * host's namespace has neither: whoever holds its fd could clear nodev
 * in a namespace of her own and open a device node through it, and a
 * clone left out the mounts below DIR, showing what they cover (issue
 * 15).  So, as for any unprivileged bind mount:
 *
 *  1. In a private copy of the helper's mount namespace (nothing done
 *     there shows anywhere else), TREE is all of DIR with every mount
 *     below it: made private first, for a recursive clone leaves out an
 *     unbindable mount, and would show what that one covers.  TREE is
 *     made nodev, idmapped while it is detached (the kernel's rule), and
 *     attached on "/"; the working directory is its root.
 *  2. The helper moves into the caller's user namespace, TARGET's, and
 *     copies that mount namespace: the kernel locks every flag TREE has,
 *     its own and those of the mount DIR was on, and every mount below.
 *  3. The fd handed out is a clone of the working directory there, not
 *     recursive: with a locked mount below DIR the kernel refuses it.
 *
 * caps: CAP_SYS_ADMIN, raised for step 1 only; from step 2 on the helper
 * holds no capability outside the caller's namespace.  undo: none; every
 * mount but the one sent goes with the helper's namespaces at exit.
 */
static int
idmount_make(const struct request *rq, int dirfd, int usernsfd)
{
	struct mount_attr	 nodev = { .attr_set = MOUNT_ATTR_NODEV };
	struct mount_attr	 idmap = { .attr_set = MOUNT_ATTR_IDMAP,
	    .userns_fd = (uint64_t)usernsfd };
	char			 cwd[PATH_MAX];
	int			 tree = -1, mfd, e = 0;

	priv_raise(CAPBIT(CAP_SYS_ADMIN));
	/* DIR, entered as the caller, is the working directory in the
	 * copy: only if it is a mount of the helper's namespace, under its
	 * root (not another namespace's, nor a detached one). */
	if (fchdir(dirfd) == -1 || unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		e = errno;
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		e = -2;
	else if ((tree = open_tree(AT_FDCWD, "", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH)) == -1 ||
	    fchdir(tree) == -1 ||
	    mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &nodev,
	    sizeof(nodev)) == -1)
		e = errno;
	else if (mount_setattr(tree, "", AT_EMPTY_PATH, &idmap,
	    sizeof(idmap)) == -1)
		e = errno == EINVAL ? -1 : errno;
	else if (move_mount(tree, "", AT_FDCWD, "/",
	    MOVE_MOUNT_F_EMPTY_PATH) == -1)
		e = errno;
	priv_lower();
	if (e == -1)
		die(rq->file, "file system cannot be idmapped");
	if (e == -2)
		die(rq->file, "not a directory you own");
	if (e != 0)
		die(rq->file, "cannot make the mount: %s", strerror(e));
	close(tree);
	/* Setting a user namespace gives a new credential: dumpable again
	 * if fs.suid_dumpable says so. */
	if (setns(usernsfd, CLONE_NEWUSER) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    unshare(CLONE_NEWNS) == -1)
		die(rq->file, "cannot lock the mount: %s", strerror(errno));
	mfd = open_tree(AT_FDCWD, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_EMPTY_PATH);
	if (mfd == -1 && errno == EINVAL)
		die(rq->file, "has mounts below it");
	if (mfd == -1)
		die(rq->file, "cannot lock the mount: %s", strerror(errno));
	return mfd;
}

/*
 * pre: argv parsed; then as the caller, with CAP_SYS_ADMIN permitted:
 * the target's maps checked whole, the directory opened and its owner
 * checked, the decision logged, then idmount_make().
 */
static void
idmount_run(const struct request *rq, struct caller *c)
{
	static const int	 caps[] = { CAP_SYS_ADMIN };
	struct open_how		 how = { .flags = O_PATH | O_DIRECTORY |
	    O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	struct stat		 st;
	int			 procfd, ufd, gfd, usernsfd, mfd;
	int			 dirfd = rq->dir_fd;

	priv_drop(c, caps, 1);
	if (fstat(STDOUT_FILENO, &st) == -1 || !S_ISSOCK(st.st_mode))
		die("stdout", "not a unix socket");
	/* The maps are opened before the namespace is verified, as in map. */
	if ((procfd = target_open(rq)) == -1 ||
	    (ufd = openat(procfd, "uid_map", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (gfd = openat(procfd, "gid_map", O_RDONLY | O_CLOEXEC)) == -1)
		die(rq->target, NOT_YOURS);
	usernsfd = target_verify_userns(rq, procfd, c->uid);
	close(procfd);
	idmount_map(rq, c, ufd, 'u');
	idmount_map(rq, c, gfd, 'g');
	/* As the caller, following no symlink, and owned by granted ids. */
	if (dirfd == -1)
		dirfd = (int)syscall(SYS_openat2, AT_FDCWD, rq->file, &how,
		    sizeof(how));
	if (dirfd == -1 || fstat(dirfd, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    !policy_permits_ids(&c->ent, 'u', st.st_uid, 1) ||
	    !policy_permits_ids(&c->ent, 'g', st.st_gid, 1))
		die(rq->file, "not a directory you own");
	/* Logged before it is made: a caller who kills the helper (it runs
	 * as her uid) gets a logged grant or nothing. */
	log_granted(rq->target, "%s", rq->file);
	mfd = idmount_make(rq, dirfd, usernsfd);
	close(dirfd);
	close(usernsfd);
	idmount_send(mfd);
}

const struct op	op_idmount = { "idmount", 1, idmount_parse, idmount_run };
