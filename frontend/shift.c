/*
 * shift.c: move a tree's owners from one id range to another, run as
 * root of a user namespace whose maps cover both ranges (cmd_shift.c).
 *
 * No privilege of our own is used: the kernel lets root of that namespace
 * change an inode only if its current and new owner are both mapped
 * (capable_wrt_inode_uidgid), and the helper mapped only ids the caller is
 * entitled to.  The maps are the identity on both ranges, so ids read
 * inside are host ids and a v3 capability's rootid reads back as itself
 * (with inside 0 mapped, cap_inode_getsecurity would show v3 as v2).
 *
 * The walk is depth-first with one directory fd a level, every entry
 * opened O_NOFOLLOW and acted on by fd, so a symlink swapped in is never
 * followed and memory does not grow with the number of files.
 *
 * chown(2) clears setuid/setgid and security.capability.  Before it, the
 * mode and capability to restore are saved in a user.roost.shift xattr on
 * the inode, removed once restored; the top directory carries the same
 * name while a walk is under way, so a rerun after a kill knows to look.
 */
#include <linux/capability.h>
#include <linux/posix_acl_xattr.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

/* linux/posix_acl.h, not in the uapi headers */
#define ACL_USER	0x02
#define ACL_GROUP	0x08

#define SHIFT_MARK	"user.roost.shift"
#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"
#define CAP_NAME	"security.capability"
#define ACL_MAX		(sizeof(struct posix_acl_xattr_header) + \
			 1024 * sizeof(struct posix_acl_xattr_entry))
#define ACL_SMALL	(sizeof(struct posix_acl_xattr_header) + \
			 32 * sizeof(struct posix_acl_xattr_entry))
#define MARK_VERSION	1
#define SHIFT_DEPTH_STR	"256"	/* SHIFT_DEPTH */
#define PATH_CAP	(SHIFT_DEPTH * 256 + 4096)

enum { ID_OTHER, ID_FROM, ID_TO };

struct mark {
	uint32_t			 version;
	uint32_t			 mode;
	uint32_t			 caplen;
	struct vfs_ns_cap_data		 cap;
};

struct walk {
	const struct shift_plan	*p;
	dev_t			 dev;
	uint64_t		 mnt;
	int			 resume;	/* look for marks */
	int			 bad;		/* something reported */
	char			*path;
	size_t			 plen;
	unsigned long long	 count;
	struct timespec		 start, last;
};

struct inode {
	int		 fd;
	int		 isdir;
	struct statx	 st;
	char		 proc[32];	/* /proc/self/fd/N for xattrs */
	char		 acl[2][ACL_MAX];
	ssize_t		 acllen[2];
	struct mark	 mark;
};

/* "PATH: what", the path printable on one line. */
static void ROOST_PRINTF(2, 3)
walk_report(struct walk *w, const char *fmt, ...)
{
	char	 msg[256], *s;
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (s = w->path; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	roost_warnx("%s: %s", w->path, msg);
	w->bad = 1;
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

/* Read xattr NAME of the inode; 0 if it has none. */
static ssize_t
inode_get(const struct inode *n, const char *name, void *buf, size_t len)
{
	ssize_t	 r;

	r = n->isdir ? fgetxattr(n->fd, name, buf, len) :
	    getxattr(n->proc, name, buf, len);
	if (r == -1 && (errno == ENODATA || errno == ENOTSUP))
		return 0;
	return r;
}

static int
inode_set(const struct inode *n, const char *name, const void *buf,
    size_t len)
{
	return n->isdir ? fsetxattr(n->fd, name, buf, len, 0) :
	    setxattr(n->proc, name, buf, len, 0);
}

static int
inode_remove(const struct inode *n, const char *name)
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
cap_prepare(struct walk *w, struct inode *n)
{
	struct vfs_ns_cap_data	 c;
	ssize_t			 len;
	uint32_t		 rev;

	memset(&c, 0, sizeof(c));
	if ((len = inode_get(n, CAP_NAME, &c, sizeof(c))) == -1) {
		walk_report(w, "file capability: %s; left as is",
		    errno == EOVERFLOW ? "rootid outside FROM and TO" :
		    strerror(errno));
		return -1;
	}
	if (len == 0)
		return 0;
	rev = le32toh(c.magic_etc) & VFS_CAP_REVISION_MASK;
	if ((rev != VFS_CAP_REVISION_2 || len != XATTR_CAPS_SZ_2) &&
	    (rev != VFS_CAP_REVISION_3 || len != XATTR_CAPS_SZ_3)) {
		walk_report(w, "unknown file capability format; left as is");
		return -1;
	}
	c.magic_etc = htole32(VFS_CAP_REVISION_3 |
	    (le32toh(c.magic_etc) & VFS_CAP_FLAGS_EFFECTIVE));
	c.rootid = htole32(w->p->rootid);
	n->mark.cap = c;
	n->mark.caplen = XATTR_CAPS_SZ_3;
	return 0;
}

/* Read and shift both ACLs; nothing is written yet. */
static int
acl_prepare(struct walk *w, struct inode *n)
{
	static const char *const names[2] = { ACL_ACCESS, ACL_DEFAULT };
	int	 i;

	for (i = 0; i < 2; i++) {
		n->acllen[i] = 0;
		if (i == 1 && !n->isdir)
			break;
		/* The kernel zeroes a buffer of the size asked for: ask small
		 * first (bench/shift), the whole ACL_MAX only if it is long. */
		n->acllen[i] = inode_get(n, names[i], n->acl[i], ACL_SMALL);
		if (n->acllen[i] == -1 && errno == ERANGE)
			n->acllen[i] = inode_get(n, names[i], n->acl[i],
			    ACL_MAX);
		if (n->acllen[i] == -1) {
			walk_report(w, "cannot read its ACL: %s",
			    strerror(errno));
			return -1;
		}
		if (n->acllen[i] > 0 &&
		    acl_shift(w->p, n->acl[i], n->acllen[i]) == -1) {
			walk_report(w, "%s; left as is",
			    "ACL entry for an id outside FROM and TO");
			return -1;
		}
	}
	return 0;
}

/* After the chown: the mode and capability it cleared, then the mark. */
static int
inode_restore(struct walk *w, struct inode *n, const struct mark *m)
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
	walk_report(w, "cannot restore its mode or capability: %s",
	    strerror(errno));
	return -1;
}

/* A regular file left with a mark by a walk that was killed. */
static void
inode_resume(struct walk *w, struct inode *n)
{
	struct mark	 m;
	ssize_t		 len;

	memset(&m, 0, sizeof(m));
	len = inode_get(n, SHIFT_MARK, &m, sizeof(m));
	if (len <= 0)
		return;
	if (len != sizeof(m) || m.version != MARK_VERSION ||
	    (m.caplen != 0 && m.caplen != XATTR_CAPS_SZ_3)) {
		walk_report(w, "bad user.roost.shift attribute");
		return;
	}
	/* The capability is rebuilt: a forged mark gets our rootid only. */
	m.cap.rootid = htole32(w->p->rootid);
	(void)inode_restore(w, n, &m);
}

static int
inode_write_acls(struct walk *w, struct inode *n)
{
	static const char *const names[2] = { ACL_ACCESS, ACL_DEFAULT };
	int	 i;

	for (i = 0; i < 2; i++)
		if (n->acllen[i] > 0 && inode_set(n, names[i], n->acl[i],
		    n->acllen[i]) == -1) {
			walk_report(w, "cannot write its ACL: %s",
			    strerror(errno));
			return -1;
		}
	return 0;
}

/*
 * Change an inode with an id in FROM: check everything, save what the
 * chown clears, shift the ACLs, chown, restore.
 */
static void
inode_change(struct walk *w, struct inode *n, uint32_t uid, uint32_t gid)
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
	if (!lnk && !bare && acl_prepare(w, n) == -1)
		return;
	if (reg && !bare && cap_prepare(w, n) == -1)
		return;
	if (reg && (n->mark.caplen != 0 || (n->mark.mode & 06000)) &&
	    inode_set(n, SHIFT_MARK, &n->mark, sizeof(n->mark)) == -1 &&
	    errno != ENOTSUP) {
		walk_report(w, "cannot save its mode: %s",
		    strerror(errno));
		return;
	}
	if (inode_write_acls(w, n) == -1)
		return;
	if (fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH) == -1) {
		walk_report(w, "cannot change its owner: %s",
		    strerror(errno));
		return;
	}
	/* chown cleared only setuid/setgid bits and capabilities: a file
	 * with neither has nothing to restore and no mark to remove (most
	 * files; a removexattr each was a fifth of the walk, bench/shift). */
	if (!lnk && !n->isdir &&
	    (n->mark.caplen != 0 || (n->mark.mode & 06000) != 0))
		(void)inode_restore(w, n, &n->mark);
}

/* Returns 1 if the walk should descend into this inode. */
static int
inode_visit(struct walk *w, struct inode *n)
{
	uint32_t	 uid, gid;
	int		 cu, cg;

	if (n->st.stx_mnt_id != w->mnt || (dev_t)
	    makedev(n->st.stx_dev_major, n->st.stx_dev_minor) != w->dev) {
		walk_report(w, "another file system; not crossed");
		return 0;
	}
	cu = id_class(w->p, 'u', n->st.stx_uid, &uid);
	cg = id_class(w->p, 'g', n->st.stx_gid, &gid);
	if (cu == ID_OTHER || cg == ID_OTHER) {
		/* Unmapped ids read as the overflow id: no number to give. */
		walk_report(w, "owned by an id outside FROM and TO; left "
		    "as is");
		return 0;
	}
	(void)snprintf(n->proc, sizeof(n->proc), "/proc/self/fd/%d", n->fd);
	if (cu == ID_FROM || cg == ID_FROM)
		inode_change(w, n, uid, gid);
	else if (w->resume && S_ISREG(n->st.stx_mode))
		inode_resume(w, n);
	return n->isdir;
}

static int
inode_stat(struct inode *n)
{
	return statx(n->fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
	    STATX_BASIC_STATS | STATX_MNT_ID, &n->st);
}

/*
 * Open NAME in DFD without following it: a directory for reading, all
 * else O_PATH (never opened for I/O: a device or FIFO is not touched).
 */
static int
inode_open(struct inode *n, int dfd, const char *name, unsigned char type)
{
	int	 fd;

	n->fd = -1;
	if (type == DT_DIR || type == DT_UNKNOWN)
		n->fd = openat(dfd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	if (n->fd == -1)
		n->fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (n->fd == -1 || inode_stat(n) == -1)
		return -1;
	n->isdir = S_ISDIR(n->st.stx_mode);
	if (n->isdir && (fcntl(n->fd, F_GETFL) & O_PATH)) {
		/* Became a directory since readdir: reopen the same inode. */
		fd = openat(n->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		(void)close(n->fd);
		if ((n->fd = fd) == -1 || inode_stat(n) == -1)
			/* cppcheck-suppress resourceLeak ; fd is n->fd */
			return -1;
	}
	return 0;
}

static void
walk_progress(struct walk *w, int last)
{
	struct timespec	 now;
	double		 t;

	if (!w->p->progress || (!last && (w->count & 1023) != 0))
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	t = (now.tv_sec - w->last.tv_sec) + (now.tv_nsec - w->last.tv_nsec) /
	    1e9;
	if (!last && t < 0.25)
		return;
	w->last = now;
	t = (now.tv_sec - w->start.tv_sec) + (now.tv_nsec - w->start.tv_nsec) /
	    1e9;
	(void)fprintf(stderr, "\rroost: shift: %llu entries, %.0f/s%s",
	    w->count, t > 0 ? w->count / t : 0.0, last ? "\n" : "");
}

/* Append NAME to the path for messages; returns the old length. */
static size_t
walk_push_name(struct walk *w, const char *name)
{
	size_t	 old = w->plen;

	w->plen += snprintf(w->path + w->plen, PATH_CAP - w->plen, "/%s",
	    name);
	if (w->plen >= PATH_CAP)
		w->plen = PATH_CAP - 1;
	return old;
}

/* One entry of a directory; returns a DIR to descend into, or NULL. */
static DIR *
walk_entry(struct walk *w, int dfd, const struct dirent *de, int depth)
{
	struct inode	 n;
	DIR		*d = NULL;
	int		 descend;

	w->count++;
	walk_progress(w, 0);
	if (inode_open(&n, dfd, de->d_name, de->d_type) == -1) {
		walk_report(w, "%s", strerror(errno));
		if (n.fd != -1)
			(void)close(n.fd);
		return NULL;
	}
	descend = inode_visit(w, &n);
	if (descend && depth > SHIFT_DEPTH) {
		walk_report(w, "%s; not descended",
		    "more than " SHIFT_DEPTH_STR " levels deep");
		descend = 0;
	}
	if (descend && (d = fdopendir(n.fd)) == NULL)
		walk_report(w, "%s", strerror(errno));
	if (d == NULL)
		(void)close(n.fd);
	return d;
}

/*
 * The top directory's mark says a walk is under way: present at the
 * start, the last one was killed, and files may hold marks of their own.
 * Where it cannot be set, every file is looked at.
 */
static void
walk_mark_top(struct walk *w, int fd)
{
	char	 b;

	if (fgetxattr(fd, SHIFT_MARK, &b, 1) != -1 || errno != ENODATA)
		w->resume = 1;
	else if (fsetxattr(fd, SHIFT_MARK, "1", 1, 0) == -1)
		w->resume = 1;
}

static int
walk_init(struct walk *w, const struct shift_plan *p, struct inode *top)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	if ((w->path = malloc(PATH_CAP)) == NULL)
		roost_err("cannot allocate");
	w->plen = strlcpy(w->path, p->top, PATH_CAP);
	while (w->plen > 1 && w->path[w->plen - 1] == '/')
		w->path[--w->plen] = '\0';
	if (inode_stat(top) == -1)
		roost_err("%s", p->top);
	top->isdir = 1;
	w->dev = makedev(top->st.stx_dev_major, top->st.stx_dev_minor);
	w->mnt = top->st.stx_mnt_id;
	(void)clock_gettime(CLOCK_MONOTONIC, &w->start);
	w->last = w->start;
	walk_mark_top(w, top->fd);
	return inode_visit(w, top);
}

/*
 * Shift the tree at directory FD, in a user namespace mapping exactly the
 * FROM and TO ranges of P onto themselves.  Returns 0, or 1 if anything
 * was reported.
 */
int
shift_tree(const struct shift_plan *p, int fd)
{
	struct level { DIR *d; size_t plen; } st[SHIFT_DEPTH + 1];
	struct inode	 top;
	struct walk	 w;
	struct dirent	*de;
	DIR		*d;
	size_t		 old;
	int		 depth = 0;

	top.fd = fd;
	if (!walk_init(&w, p, &top) ||
	    (st[0].d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3))) == NULL)
		depth = -1;
	st[0].plen = w.plen;
	while (depth >= 0) {
		errno = 0;
		if ((de = readdir(st[depth].d)) == NULL) {
			w.path[w.plen = st[depth].plen] = '\0';
			if (errno != 0)
				walk_report(&w, "%s", strerror(errno));
			(void)closedir(st[depth--].d);
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		old = walk_push_name(&w, de->d_name);
		d = walk_entry(&w, dirfd(st[depth].d), de, depth + 1);
		if (d != NULL) {
			st[++depth].d = d;
			st[depth].plen = old;
		} else
			w.path[w.plen = old] = '\0';
	}
	walk_progress(&w, 1);
	(void)fremovexattr(fd, SHIFT_MARK);
	free(w.path);
	return w.bad;
}
