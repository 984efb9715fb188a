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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/openat2.h>

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
		for (i = 0; i < 2; i++)
			if (!policy_permits_ids(&c->ent, type, v[i], v[2]))
				die(rq->target, "%cids %u-%u not granted "
				    "to you", type, v[i], v[i] + v[2] - 1);
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
 * pre: argv parsed; caps: CAP_SYS_ADMIN, raised only around open_tree(2)
 * and mount_setattr(2); undo: none, the mount is detached and vanishes with
 * its last fd.  Not recursive: mounts under DIR, which may be anyone's,
 * are not part of the clone.  nodev: no device node of the tree is usable
 * through it.
 */
static void
idmount_run(const struct request *rq, struct caller *c)
{
	static const int	 caps[] = { CAP_SYS_ADMIN };
	struct open_how		 how = { .flags = O_PATH | O_DIRECTORY |
	    O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	struct mount_attr	 attr = { .attr_set = MOUNT_ATTR_IDMAP |
	    MOUNT_ATTR_NODEV };
	struct stat		 st;
	int			 procfd, ufd, gfd, dirfd = rq->dir_fd, mfd, e;

	priv_drop(c, caps, 1);
	if (fstat(STDOUT_FILENO, &st) == -1 || !S_ISSOCK(st.st_mode))
		die("stdout", "not a unix socket");
	/* The maps are opened before the namespace is verified, as in map. */
	if ((procfd = target_open(rq)) == -1 ||
	    (ufd = openat(procfd, "uid_map", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (gfd = openat(procfd, "gid_map", O_RDONLY | O_CLOEXEC)) == -1)
		die(rq->target, NOT_YOURS);
	attr.userns_fd = (uint64_t)target_verify_userns(rq, procfd, c->uid);
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
	priv_raise(CAPBIT(CAP_SYS_ADMIN));
	mfd = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_EMPTY_PATH);
	e = mfd == -1 ? errno : 0;
	if (mfd != -1 && mount_setattr(mfd, "", AT_EMPTY_PATH, &attr,
	    sizeof(attr)) == -1)
		e = errno;
	priv_lower();
	if (e == EINVAL)
		die(rq->file, "file system cannot be idmapped");
	if (e != 0)
		die(rq->file, "cannot make the mount: %s", strerror(e));
	idmount_send(mfd);
	log_granted(rq->target, "%s", rq->file);
}

const struct op	op_idmount = { "idmount", 1, idmount_parse, idmount_run };
