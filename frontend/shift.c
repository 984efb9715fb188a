/*
 * shift.c: one inode of a tree whose owners move from one id range to
 * another, run as root of a user namespace whose maps cover both ranges
 * (cmd_shift.c); the walk that brings every entry here is shift_walk.c.
 *
 * No privilege of our own is used: the kernel lets root of that namespace
 * change an inode only if its current and new owner are both mapped
 * (capable_wrt_inode_uidgid), and the helper mapped only ids the caller is
 * entitled to.  The maps are the identity on both ranges, so ids read
 * inside are host ids and a v3 capability's rootid reads back as itself
 * (with inside 0 mapped, cap_inode_getsecurity would show v3 as v2).
 *
 * Every entry is named relative to its directory's fd and never followed:
 * a directory is opened O_NOFOLLOW and acted on by fd; anything else is
 * looked at with statx(2) and listxattrat(2) by name, AT_SYMLINK_NOFOLLOW,
 * and, if chown(2) would clear nothing of it and it has one link (most
 * files), chowned by name the same way: three system calls, no open.  A
 * rename racing the walk can then only make it act on another entry of
 * the same directory, which the kernel still limits to the caller's ids.
 * A file with something to keep (setuid/setgid bits, a capability, an
 * ACL, a mark) or more than one link is opened O_PATH | O_NOFOLLOW,
 * looked at again by fd, and changed by fd only.
 *
 * chown(2) clears setuid/setgid and security.capability.  Before it, the
 * mode and capability to restore are saved in a user.roost.shift xattr on
 * the inode, removed once restored; the top directory carries the same
 * name while a walk is under way, so a rerun after a kill knows to look.
 * Hard-linked inodes are changed under a lock chosen by inode number, and
 * looked at again under it: two workers reaching one inode by two names
 * change it once (the second finds it in TO: done).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shift.h"

/* linux/posix_acl.h, not in the uapi headers */
#define ACL_USER	0x02
#define ACL_GROUP	0x08

#define SHIFT_MARK	"user.roost.shift"
#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"
#define CAP_NAME	"security.capability"
#define ACL_SMALL	(sizeof(struct posix_acl_xattr_header) + \
			 32 * sizeof(struct posix_acl_xattr_entry))
#define MARK_VERSION	1
#define DIR_OPEN	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define STATX_WANT	(STATX_BASIC_STATS | STATX_MNT_ID)

/* Linux 6.13 (commit 6140be90ec70); the same number on every
 * architecture of the generic table.  glibc 2.36 has no wrappers. */
#ifndef SYS_getxattrat
#define SYS_getxattrat	464
#endif
#ifndef SYS_listxattrat
#define SYS_listxattrat	465
#endif

/* struct xattr_args, linux/xattr.h; read by the kernel only. */
struct xattr_args_v0 {
	/* cppcheck-suppress unusedStructMember */
	uint64_t	 value;
	/* cppcheck-suppress unusedStructMember */
	uint32_t	 size;
	/* cppcheck-suppress unusedStructMember */
	uint32_t	 flags;
};

enum { ID_OTHER, ID_FROM, ID_TO };

/* "PATH: what", the path printable on one line. */
void
shift_report(struct shift_worker *k, const char *fmt, ...)
{
	char	 msg[256], *s;
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (s = k->path; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	roost_warnx("%s: %s", k->path, msg);
	atomic_store(&k->w->bad, 1);
}

static ssize_t
list_at(int dfd, const char *name, char *buf, size_t len)
{
	return syscall(SYS_listxattrat, dfd, name, AT_SYMLINK_NOFOLLOW, buf,
	    len);
}

static ssize_t
get_at(int dfd, const char *name, const char *attr, void *buf, size_t len)
{
	struct xattr_args_v0	 a = { (uintptr_t)buf, (uint32_t)len, 0 };

	return syscall(SYS_getxattrat, dfd, name, AT_SYMLINK_NOFOLLOW, attr,
	    &a, sizeof(a));
}

/*
 * 1 if listxattrat(2) answers (Linux 6.13), asked once of the top: a
 * kernel without it, or a seccomp filter refusing it, leaves every file
 * to the by-fd path, which reads xattrs through /proc/self/fd.
 */
int
shift_xattrat_probe(int fd)
{
	return list_at(fd, ".", NULL, 0) != -1 || errno == ENOTSUP;
}

static int
id_class(const struct shift_plan *p, char type, uint32_t id, uint32_t *to)
{
	size_t	 i;
	const struct shift_range *r;

	for (i = 0; i < p->n; i++) {
		r = &p->r[i];
		if (r->type != type)
			continue;
		if (id >= r->from && id - r->from < r->count) {
			*to = r->to + (id - r->from);
			return ID_FROM;
		}
		if (id >= r->to && id - r->to < r->count) {
			*to = id;
			return ID_TO;
		}
	}
	return ID_OTHER;
}

/* Read xattr NAME of the opened inode; 0 if it has none. */
static ssize_t
inode_get(const struct shift_inode *n, const char *name, void *buf,
    size_t len)
{
	ssize_t	 r;

	r = n->isdir ? fgetxattr(n->fd, name, buf, len) :
	    getxattr(n->proc, name, buf, len);
	if (r == -1 && (errno == ENODATA || errno == ENOTSUP))
		return 0;
	return r;
}

static int
inode_set(const struct shift_inode *n, const char *name, const void *buf,
    size_t len)
{
	return n->isdir ? fsetxattr(n->fd, name, buf, len, 0) :
	    setxattr(n->proc, name, buf, len, 0);
}

static int
inode_remove(const struct shift_inode *n, const char *name)
{
	int	 r;

	r = n->isdir ? fremovexattr(n->fd, name) : removexattr(n->proc, name);
	return r == -1 && errno == ENODATA ? 0 : r;
}

/*
 * Shift the ACL_USER and ACL_GROUP entries of an ACL xattr in place
 * (acl(5); the kernel shows them in our namespace's ids).  Returns 0, or
 * -1 if an entry names an id outside FROM and TO: it cannot be written
 * back from here.
 */
static int
acl_shift(const struct shift_plan *p, char *buf, ssize_t len)
{
	struct posix_acl_xattr_entry	 e;
	size_t				 off;
	uint32_t			 to;
	char				 type;

	if (len < (ssize_t)sizeof(struct posix_acl_xattr_header) ||
	    (len - sizeof(struct posix_acl_xattr_header)) % sizeof(e) != 0)
		return -1;
	for (off = sizeof(struct posix_acl_xattr_header);
	    off < (size_t)len; off += sizeof(e)) {
		memcpy(&e, buf + off, sizeof(e));
		if (le16toh(e.e_tag) == ACL_USER)
			type = 'u';
		else if (le16toh(e.e_tag) == ACL_GROUP)
			type = 'g';
		else
			continue;
		if (id_class(p, type, le32toh(e.e_id), &to) == ID_OTHER)
			return -1;
		e.e_id = htole32(to);
		memcpy(buf + off, &e, sizeof(e));
	}
	return 0;
}

/*
 * The capability to write after the chown: v3, rootid the TO range's root
 * (capabilities(7), "File capability extended attribute versioning").
 */
static int
cap_prepare(struct shift_worker *k, struct shift_inode *n)
{
	struct vfs_ns_cap_data	 c;
	ssize_t			 len;
	uint32_t		 rev;

	memset(&c, 0, sizeof(c));
	if ((len = inode_get(n, CAP_NAME, &c, sizeof(c))) == -1) {
		shift_report(k, "file capability: %s; left as is",
		    errno == EOVERFLOW ? "rootid outside FROM and TO" :
		    strerror(errno));
		return -1;
	}
	if (len == 0)
		return 0;
	rev = le32toh(c.magic_etc) & VFS_CAP_REVISION_MASK;
	if ((rev != VFS_CAP_REVISION_2 || len != XATTR_CAPS_SZ_2) &&
	    (rev != VFS_CAP_REVISION_3 || len != XATTR_CAPS_SZ_3)) {
		shift_report(k, "unknown file capability format; left as is");
		return -1;
	}
	c.magic_etc = htole32(VFS_CAP_REVISION_3 |
	    (le32toh(c.magic_etc) & VFS_CAP_FLAGS_EFFECTIVE));
	c.rootid = htole32(k->w->p->rootid);
	n->mark.cap = c;
	n->mark.caplen = XATTR_CAPS_SZ_3;
	return 0;
}

/* Read and shift both ACLs; nothing is written yet. */
static int
acl_prepare(struct shift_worker *k, struct shift_inode *n)
{
	static const char *const names[2] = { ACL_ACCESS, ACL_DEFAULT };
	int	 i;

	for (i = 0; i < 2; i++) {
		n->acllen[i] = 0;
		if (i == 1 && !n->isdir)
			break;
		/* The kernel zeroes a buffer of the size asked for: ask small
		 * first (bench/shift), the whole SHIFT_ACL_MAX only if long. */
		n->acllen[i] = inode_get(n, names[i], n->acl[i], ACL_SMALL);
		if (n->acllen[i] == -1 && errno == ERANGE)
			n->acllen[i] = inode_get(n, names[i], n->acl[i],
			    SHIFT_ACL_MAX);
		if (n->acllen[i] == -1) {
			shift_report(k, "cannot read its ACL: %s",
			    strerror(errno));
			return -1;
		}
		if (n->acllen[i] > 0 &&
		    acl_shift(k->w->p, n->acl[i], n->acllen[i]) == -1) {
			shift_report(k, "%s; left as is",
			    "ACL entry for an id outside FROM and TO");
			return -1;
		}
	}
	return 0;
}

/* After the chown: the mode and capability it cleared, then the mark. */
static int
inode_restore(struct shift_worker *k, struct shift_inode *n,
    const struct shift_mark *m)
{
	struct stat	 st;

	if (fstat(n->fd, &st) == -1)
		goto fail;
	if ((st.st_mode & 07777) != (m->mode & 07777) &&
	    chmod(n->proc, m->mode & 07777) == -1)
		goto fail;
	if (m->caplen == XATTR_CAPS_SZ_3 &&
	    inode_set(n, CAP_NAME, &m->cap, m->caplen) == -1)
		goto fail;
	if (S_ISREG(st.st_mode) && inode_remove(n, SHIFT_MARK) == -1)
		goto fail;
	return 0;
fail:
	shift_report(k, "cannot restore its mode or capability: %s",
	    strerror(errno));
	return -1;
}

/* A regular file, opened, left with a mark by a walk that was killed. */
static void
inode_resume(struct shift_worker *k, struct shift_inode *n)
{
	struct shift_mark	 m;
	ssize_t			 len;

	memset(&m, 0, sizeof(m));
	len = inode_get(n, SHIFT_MARK, &m, sizeof(m));
	if (len <= 0)
		return;
	if (len != sizeof(m) || m.version != MARK_VERSION ||
	    (m.caplen != 0 && m.caplen != XATTR_CAPS_SZ_3)) {
		shift_report(k, "bad user.roost.shift attribute");
		return;
	}
	/* The capability is rebuilt: a forged mark gets our rootid only. */
	m.cap.rootid = htole32(k->w->p->rootid);
	(void)inode_restore(k, n, &m);
}

static int
inode_write_acls(struct shift_worker *k, struct shift_inode *n)
{
	static const char *const names[2] = { ACL_ACCESS, ACL_DEFAULT };
	int	 i;

	for (i = 0; i < 2; i++)
		if (n->acllen[i] > 0 && inode_set(n, names[i], n->acl[i],
		    n->acllen[i]) == -1) {
			shift_report(k, "cannot write its ACL: %s",
			    strerror(errno));
			return -1;
		}
	return 0;
}

/*
 * Change an opened inode with an id in FROM: check everything, save what
 * the chown clears, shift the ACLs, chown, restore.
 */
static void
inode_change_fd(struct shift_worker *k, struct shift_inode *n, uint32_t uid,
    uint32_t gid)
{
	int	 reg = S_ISREG(n->st.stx_mode);
	int	 lnk = S_ISLNK(n->st.stx_mode);
	int	 bare;

	memset(&n->mark, 0, sizeof(n->mark));
	n->mark.version = MARK_VERSION;
	n->mark.mode = n->st.stx_mode & 07777;
	n->acllen[0] = n->acllen[1] = 0;
	/* Most files have no xattr at all: one listxattr then spares a
	 * getxattr each for the ACL and the capability (bench/shift). */
	bare = !lnk && (n->isdir ? flistxattr(n->fd, NULL, 0) :
	    listxattr(n->proc, NULL, 0)) == 0;
	if (!lnk && !bare && acl_prepare(k, n) == -1)
		return;
	if (reg && !bare && cap_prepare(k, n) == -1)
		return;
	if (reg && (n->mark.caplen != 0 || (n->mark.mode & 06000)) &&
	    inode_set(n, SHIFT_MARK, &n->mark, sizeof(n->mark)) == -1 &&
	    errno != ENOTSUP) {
		shift_report(k, "cannot save its mode: %s", strerror(errno));
		return;
	}
	if (inode_write_acls(k, n) == -1)
		return;
	if (fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH) == -1) {
		shift_report(k, "cannot change its owner: %s",
		    strerror(errno));
		return;
	}
	/* chown cleared only setuid/setgid bits and capabilities: a file
	 * with neither has nothing to restore and no mark to remove (most
	 * files; a removexattr each was a fifth of the walk, bench/shift). */
	if (!lnk && !n->isdir &&
	    (n->mark.caplen != 0 || (n->mark.mode & 06000) != 0))
		(void)inode_restore(k, n, &n->mark);
}

/*
 * Where the inode's owner and group are: -1 reported (left as is), 0 in
 * TO (done), 1 to change to *UID, *GID.
 */
static int
inode_class(struct shift_worker *k, const struct shift_inode *n,
    uint32_t *uid, uint32_t *gid)
{
	const struct shift_walk	*w = k->w;
	int			 cu, cg;

	if (n->st.stx_mnt_id != w->mnt || (dev_t)
	    makedev(n->st.stx_dev_major, n->st.stx_dev_minor) != w->dev) {
		shift_report(k, "another file system; not crossed");
		return -1;
	}
	cu = id_class(w->p, 'u', n->st.stx_uid, uid);
	cg = id_class(w->p, 'g', n->st.stx_gid, gid);
	if (cu == ID_OTHER || cg == ID_OTHER) {
		/* Unmapped ids read as the overflow id: no number to give. */
		shift_report(k, "owned by an id outside FROM and TO; left "
		    "as is");
		return -1;
	}
	return cu == ID_FROM || cg == ID_FROM;
}

static int
stat_fd(struct shift_inode *n)
{
	return statx(n->fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
	    STATX_WANT, &n->st);
}

static int
stat_name(struct shift_inode *n)
{
	return statx(n->dfd, n->name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
	    AT_STATX_DONT_SYNC, STATX_WANT, &n->st);
}

/* Any name in a listxattr answer that the shift reads or writes. */
static int
list_has_ours(const char *list, ssize_t len)
{
	static const char *const ours[] = {
		ACL_ACCESS, ACL_DEFAULT, CAP_NAME, SHIFT_MARK
	};
	const char	*s, *end = list + len;
	size_t		 i;

	if (len > 0 && list[len - 1] != '\0')
		return 1;		/* not as documented: look by fd */
	for (s = list; s < end; s += strlen(s) + 1)
		for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (strcmp(s, ours[i]) == 0)
				return 1;
	return 0;
}

/*
 * 1 if the non-directory N can be chowned by name: one link, no
 * setuid/setgid bit, and no xattr the shift keeps or shifts.
 */
static int
inode_plain(struct shift_worker *k, const struct shift_inode *n)
{
	ssize_t	 len;

	if (S_ISLNK(n->st.stx_mode))
		return 1;		/* no ACL, no capability */
	if (!k->w->xattrat || n->st.stx_nlink > 1 ||
	    (S_ISREG(n->st.stx_mode) && (n->st.stx_mode & 06000)))
		return 0;
	len = list_at(n->dfd, n->name, k->list, sizeof(k->list));
	if (len == -1)
		return errno == ENOTSUP;	/* ERANGE: many; look by fd */
	return !list_has_ours(k->list, len);
}

/* 1 if the regular file N may hold a mark of a killed walk. */
static int
inode_marked(struct shift_worker *k, const struct shift_inode *n)
{
	char	 b = 0;

	if (!k->w->xattrat)
		return 1;
	return get_at(n->dfd, n->name, SHIFT_MARK, &b, sizeof(b)) != -1 ||
	    (errno != ENODATA && errno != ENOTSUP);
}

/*
 * A non-directory with something to keep, or hard-linked: opened O_PATH,
 * looked at again by fd, and changed (or resumed) by fd only.  Under the
 * lock of its inode number when other workers may reach it by another
 * name: the second to come finds it in TO, done.
 */
static void
inode_by_fd(struct shift_worker *k, struct shift_inode *n)
{
	pthread_mutex_t	*lk = NULL;
	uint32_t	 uid, gid;
	int		 c;

	if (n->st.stx_nlink > 1 && k->w->jobs > 1) {
		lk = &k->w->links[n->st.stx_ino % SHIFT_LOCKS];
		(void)pthread_mutex_lock(lk);
	}
	n->fd = openat(n->dfd, n->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (n->fd == -1 || stat_fd(n) == -1)
		shift_report(k, "%s", strerror(errno));
	else if (S_ISDIR(n->st.stx_mode))
		shift_report(k, "became a directory; left as is");
	else if ((c = inode_class(k, n, &uid, &gid)) != -1) {
		(void)snprintf(n->proc, sizeof(n->proc), "/proc/self/fd/%d",
		    n->fd);
		if (c == 1)
			inode_change_fd(k, n, uid, gid);
		else if (k->w->resume && S_ISREG(n->st.stx_mode))
			inode_resume(k, n);
	}
	if (n->fd != -1)
		(void)close(n->fd);
	n->fd = -1;
	if (lk != NULL)
		(void)pthread_mutex_unlock(lk);
}

/* Returns 1 if the walk should descend into this inode. */
static int
inode_visit(struct shift_worker *k, struct shift_inode *n)
{
	uint32_t	 uid, gid;
	int		 c;

	if ((c = inode_class(k, n, &uid, &gid)) == -1)
		return 0;
	if (n->isdir && n->fd == -1) {
		shift_report(k, "%s", strerror(n->openerr));
		return 0;
	}
	if (n->isdir && c == 1)
		inode_change_fd(k, n, uid, gid);
	else if (n->isdir)
		return 1;
	else if (c == 1 && inode_plain(k, n)) {
		if (fchownat(n->dfd, n->name, uid, gid,
		    AT_SYMLINK_NOFOLLOW) == -1)
			shift_report(k, "cannot change its owner: %s",
			    strerror(errno));
	} else if (c == 1 || (k->w->resume && S_ISREG(n->st.stx_mode) &&
	    inode_marked(k, n)))
		inode_by_fd(k, n);
	return n->isdir;
}

/*
 * Look at NAME: a directory is opened (it is read and descended into) and
 * looked at by fd; anything else by name.  d_type says which to try
 * first; a directory that would not open is reported by inode_visit, once
 * its owner is known.
 */
static int
inode_open(struct shift_inode *n, unsigned char type)
{
	n->fd = -1;
	n->openerr = 0;
	if (type == DT_DIR && (n->fd = openat(n->dfd, n->name,
	    DIR_OPEN)) == -1)
		n->openerr = errno;
	if (n->fd == -1) {
		if (stat_name(n) == -1)
			return -1;
		/* d_type unknown, or it became a directory since readdir. */
		if (S_ISDIR(n->st.stx_mode) && n->openerr == 0 &&
		    (n->fd = openat(n->dfd, n->name, DIR_OPEN)) == -1)
			n->openerr = errno;
	}
	if (n->fd != -1 && stat_fd(n) == -1)
		return -1;
	n->isdir = S_ISDIR(n->st.stx_mode);
	return 0;
}

/*
 * The entry NAME of the directory DFD, of readdir type TYPE: shifted.
 * Returns the fd of a directory to descend into, or -1.
 */
int
shift_entry(struct shift_worker *k, int dfd, const char *name,
    unsigned char type)
{
	struct shift_inode	*n = &k->n;

	n->dfd = dfd;
	n->name = name;
	if (inode_open(n, type) == -1)
		shift_report(k, "%s", strerror(errno));
	else if (inode_visit(k, n))
		return n->fd;
	if (n->fd != -1)
		(void)close(n->fd);
	return -1;
}

/*
 * The top directory's mark says a walk is under way: present at the
 * start, the last one was killed, and files may hold marks of their own.
 * Where it cannot be set, every file is looked at.
 */
static void
walk_mark_top(struct shift_walk *w, int fd)
{
	char	 b;

	if (fgetxattr(fd, SHIFT_MARK, &b, 1) != -1 || errno != ENODATA)
		w->resume = 1;
	else if (fsetxattr(fd, SHIFT_MARK, "1", 1, 0) == -1)
		w->resume = 1;
}

/*
 * The top directory FD: its file system is the walk's, its mark set, and
 * itself shifted.  Returns 1 if the walk should descend into it.
 */
int
shift_top(struct shift_worker *k, int fd)
{
	struct shift_inode	*n = &k->n;

	n->fd = fd;
	n->dfd = -1;
	n->name = NULL;
	n->isdir = 1;
	if (stat_fd(n) == -1)
		roost_err("%s", k->w->p->top);
	k->w->dev = makedev(n->st.stx_dev_major, n->st.stx_dev_minor);
	k->w->mnt = n->st.stx_mnt_id;
	k->w->xattrat = shift_xattrat_probe(fd);
	walk_mark_top(k->w, fd);
	return inode_visit(k, n);
}

/* The walk is over: no rerun needs to look for marks. */
void
shift_unmark_top(int fd)
{
	(void)fremovexattr(fd, SHIFT_MARK);
}
