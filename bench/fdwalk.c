/*
 * fdwalk.c: the floor, the ceiling and the stopwatch of bench/shift (see
 * bench/README.md).  Built by bench/shift into its scratch directory;
 * never installed.
 *
 *   fdwalk walk DIR
 *	The bare fd-relative walk that any tree walker pays, changing
 *	nothing: depth first, one directory fd a level, every entry
 *	fstatat(AT_SYMLINK_NOFOLLOW), every directory openat(O_RDONLY |
 *	O_DIRECTORY | O_NOFOLLOW) and read.  Never leaves DIR's file system.
 *	Prints "walk ENTRIES" (DIR itself not counted, as roost shift counts).
 *
 *   fdwalk bound DIR UID:GID
 *	The ceiling: every entry of DIR, and DIR, chowned to UID:GID with
 *	only the system calls any correct shift must make (bench/README.md,
 *	"The ceiling"), in the pattern roost shift makes them, and no code
 *	between them.  A directory: openat(O_NOFOLLOW | O_DIRECTORY), statx,
 *	flistxattr and fchown by its fd, getdents64 into a 32 KiB buffer
 *	until the end, close.  Any other entry: statx (its owner, read before
 *	the chown changes it), listxattrat (Linux 6.13; not of a symlink:
 *	a capability the chown clears, an ACL it leaves unshifted, must be
 *	seen first) and fchownat, by name, AT_SYMLINK_NOFOLLOW.  Trusts
 *	d_type; never leaves DIR's file system.  Prints "bound ENTRIES".
 *
 *   fdwalk time CMD [ARG...]
 *	Runs CMD (fork + execvp + wait) and prints
 *	"time MS MAXRSS_KB STATUS": wall time from fork to reaped, the largest
 *	resident set of CMD and every descendant it waited for
 *	(getrusage(RUSAGE_CHILDREN).ru_maxrss), and CMD's exit status.  Exits
 *	with CMD's status.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXDEPTH	512
#define DENTS_BUF	32768
#define XLIST_BUF	4096
#define STATX_WANT	(STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | \
			    STATX_GID | STATX_INO)

#ifndef SYS_listxattrat
#define SYS_listxattrat	465
#endif

struct dent64 {				/* getdents64(2) */
	unsigned long long	 d_ino;
	long long		 d_off;
	unsigned short		 d_reclen;
	unsigned char		 d_type;
	char			 d_name[];
};

static unsigned long long	 entries;
static dev_t			 topdev;

static int
walk(int dfd, int depth)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd, bad = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		perror("fdwalk: fdopendir");
		(void)close(dfd);
		return 1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				perror("fdwalk: readdir");
				bad = 1;
			}
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		entries++;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			perror(de->d_name);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode) || st.st_dev != topdev)
			continue;
		if (depth >= MAXDEPTH) {
			(void)fprintf(stderr, "fdwalk: %s: too deep\n",
			    de->d_name);
			bad = 1;
			continue;
		}
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1) {
			perror(de->d_name);
			bad = 1;
			continue;
		}
		bad |= walk(fd, depth + 1);
	}
	(void)closedir(d);
	return bad;
}

/* fdwalk bound: DFD's directory, already chowned, and all below it. */
static int
bound_walk(int dfd, int depth, uid_t uid, gid_t gid)
{
	struct statx	 stx;
	struct dent64	*de;
	const char	*why = NULL;	/* or errno's */
	char		*buf, list[XLIST_BUF];
	long		 n, off;
	int		 fd, bad;

	if ((buf = malloc(DENTS_BUF)) == NULL) {
		perror("fdwalk: malloc");
		return 1;
	}
	while ((n = syscall(SYS_getdents64, dfd, buf, DENTS_BUF)) > 0)
		for (off = 0; off < n; off += de->d_reclen) {
			de = (struct dent64 *)(buf + off);
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			entries++;
			if (de->d_type == DT_UNKNOWN) {
				why = "no d_type";
				goto fail;
			}
			if (de->d_type != DT_DIR) {
				if (statx(dfd, de->d_name, AT_SYMLINK_NOFOLLOW |
				    AT_STATX_DONT_SYNC, STATX_WANT, &stx) == -1 ||
				    (de->d_type != DT_LNK &&
				    syscall(SYS_listxattrat, dfd, de->d_name,
				    AT_SYMLINK_NOFOLLOW, list, sizeof(list)) == -1) ||
				    fchownat(dfd, de->d_name, uid, gid,
				    AT_SYMLINK_NOFOLLOW) == -1)
					goto fail;
				continue;
			}
			if (depth >= MAXDEPTH) {
				why = "too deep";
				goto fail;
			}
			fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd == -1 || statx(fd, "", AT_EMPTY_PATH |
			    AT_STATX_DONT_SYNC, STATX_WANT, &stx) == -1)
				goto fail;
			if (makedev(stx.stx_dev_major, stx.stx_dev_minor) !=
			    topdev) {
				(void)close(fd);
				continue;
			}
			if (flistxattr(fd, list, sizeof(list)) == -1 ||
			    fchown(fd, uid, gid) == -1)
				goto fail;
			bad = bound_walk(fd, depth + 1, uid, gid);
			(void)close(fd);
			if (bad) {		/* it said why */
				free(buf);
				return 1;
			}
		}
	free(buf);
	if (n == 0)
		return 0;
	perror("fdwalk: getdents64");
	return 1;
fail:
	(void)fprintf(stderr, "fdwalk: %s: %s\n", de->d_name,
	    why != NULL ? why : strerror(errno));
	free(buf);
	return 1;
}

static int
cmd_bound(const char *top, const char *ids)
{
	unsigned long	 u, g;
	struct stat	 st;
	char		 list[XLIST_BUF], end;
	int		 fd, bad;

	if (sscanf(ids, "%lu:%lu%c", &u, &g, &end) != 2 || u > 0xfffffffe ||
	    g > 0xfffffffe) {
		(void)fprintf(stderr, "fdwalk: %s: not UID:GID\n", ids);
		return 2;
	}
	fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1 ||
	    flistxattr(fd, list, sizeof(list)) == -1 ||
	    fchown(fd, (uid_t)u, (gid_t)g) == -1) {
		perror(top);
		return 1;
	}
	topdev = st.st_dev;
	bad = bound_walk(fd, 0, (uid_t)u, (gid_t)g);
	(void)close(fd);
	(void)printf("bound %llu\n", entries);
	return bad;
}

static int
cmd_walk(const char *top)
{
	struct stat	 st;
	int		 fd, bad;

	fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		perror(top);
		return 1;
	}
	topdev = st.st_dev;
	bad = walk(fd, 0);
	(void)printf("walk %llu\n", entries);
	return bad;
}

static int
cmd_time(char **argv)
{
	struct timespec	 a, b;
	struct rusage	 ru;
	pid_t		 pid;
	int		 st, code;

	(void)fflush(stdout);
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == -1) {
		perror("fdwalk: fork");
		return 1;
	}
	if (pid == 0) {
		(void)execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			perror("fdwalk: waitpid");
			return 1;
		}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	(void)getrusage(RUSAGE_CHILDREN, &ru);
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	(void)printf("time %.3f %ld %d\n", (b.tv_sec - a.tv_sec) * 1e3 +
	    (b.tv_nsec - a.tv_nsec) / 1e6, ru.ru_maxrss, code);
	return code;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "walk") == 0)
		return cmd_walk(argv[2]);
	if (argc == 4 && strcmp(argv[1], "bound") == 0)
		return cmd_bound(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "time") == 0)
		return cmd_time(argv + 2);
	(void)fprintf(stderr, "usage: fdwalk walk DIR | fdwalk bound DIR "
	    "UID:GID | fdwalk time CMD...\n");
	return 2;
}
