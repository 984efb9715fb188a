/*
 * shift.h: between shift.c (what is done to one inode) and shift_walk.c
 * (the walk: one worker, or several sharing a queue of directories).
 * Private to those two files.
 */
#ifndef ROOST_SHIFT_H
#define ROOST_SHIFT_H

#include <linux/capability.h>
#include <linux/posix_acl_xattr.h>

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "roost.h"

#define SHIFT_ACL_MAX	(sizeof(struct posix_acl_xattr_header) + \
			 1024 * sizeof(struct posix_acl_xattr_entry))
#define SHIFT_LIST	256	/* a listxattr answer read at once */
#define SHIFT_LOCKS	64	/* hard-linked inodes, by inode number */
#define SHIFT_PATH_CAP	(SHIFT_DEPTH * 256 + 4096)

struct shift_mark {
	uint32_t			 version;
	uint32_t			 mode;
	uint32_t			 caplen;
	struct vfs_ns_cap_data		 cap;
};

/* What every worker shares; set before the workers start. */
struct shift_walk {
	const struct shift_plan	*p;
	dev_t			 dev;
	uint64_t		 mnt;
	int			 resume;	/* look for marks */
	int			 xattrat;	/* listxattrat(2) works */
	int			 jobs;
	atomic_int		 bad;		/* something reported */
	atomic_ullong		 count;		/* entries so far */
	pthread_mutex_t		 links[SHIFT_LOCKS];
	struct timespec		 start, last;
};

/* The entry being looked at: NAME in DFD, and FD once opened. */
struct shift_inode {
	int			 dfd;
	const char		*name;		/* NULL: the top */
	int			 fd;		/* -1: not opened */
	int			 isdir;
	int			 openerr;	/* a directory's open */
	struct statx		 st;
	char			 proc[32];	/* /proc/self/fd/N */
	char			 acl[2][SHIFT_ACL_MAX];
	ssize_t			 acllen[2];
	struct shift_mark	 mark;
};

/* One worker's own. */
struct shift_worker {
	struct shift_walk	*w;
	char			*path;		/* for messages */
	size_t			 plen;
	unsigned long long	 count;		/* not yet in w */
	int			 first;		/* worker 0 */
	struct shift_inode	 n;
	char			 list[SHIFT_LIST];
};

void	shift_report(struct shift_worker *k, const char *fmt, ...)
	    ROOST_PRINTF(2, 3);
int	shift_xattrat_probe(int fd);
int	shift_entry(struct shift_worker *k, int dfd, const char *name,
	    unsigned char type);
int	shift_top(struct shift_worker *k, int fd);
void	shift_unmark_top(int fd);

#endif
