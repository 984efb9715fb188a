/*
 * state.c: one record per named container, in a directory only the
 * caller can write: $XDG_RUNTIME_DIR/roost, or /tmp/roost-UID.
 *
 * A record is written to a temporary file and linked into place, under an
 * flock(2) of the directory, so that readers never see half a record and
 * two runs cannot both take one name.  It holds the pid and the start
 * time of the container's first process: together they still name that
 * process after its pid is reused, so a record outliving its container
 * (roost was killed) is recognised as stale and removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

#define RECORD_MAX	2048

int
state_name_ok(const char *name)
{
	size_t	 i;

	for (i = 0; name[i] != '\0'; i++) {
		if ((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9'))
			continue;
		if (i == 0 || strchr("_.-", name[i]) == NULL)
			return 0;
	}
	return i >= 1 && i <= 64;
}

/*
 * Ours alone: a directory (O_NOFOLLOW: not a symlink to one), owned by the
 * caller, mode 0700.  Anyone else able to write it could forge records
 * and have roost signal or describe processes that are not containers.
 */
static int
state_check(int fd, const char *path)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		roost_err("%s", path);
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 07777) != 0700)
		roost_errx("%s: not a directory owned by you with mode 0700",
		    path);
	return fd;
}

static int
state_at(int parentfd, const char *parent, const char *name, int create)
{
	char	 path[PATH_MAX];
	int	 fd;

	(void)snprintf(path, sizeof(path), "%s/%s", parent, name);
	if (create && mkdirat(parentfd, name, 0700) == -1 && errno != EEXIST)
		roost_err("%s", path);
	fd = openat(parentfd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && !create)
		return -1;
	if (fd == -1 && (errno == ELOOP || errno == ENOTDIR))
		roost_errx("%s: not a directory owned by you with mode 0700",
		    path);
	if (fd == -1)
		roost_err("%s", path);
	return state_check(fd, path);
}

/*
 * The state directory's fd; with CREATE 0, -1 if there is none yet (so
 * there are no records).
 */
int
state_open(int create)
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	struct stat	 st;
	char		 name[32];
	int		 fd, dirfd;

	if (xdg != NULL && *xdg == '/' &&
	    (fd = open(xdg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		if (fstat(fd, &st) == 0 && st.st_uid == getuid()) {
			dirfd = state_at(fd, xdg, "roost", create);
			(void)close(fd);
			return dirfd;
		}
		(void)close(fd);
	}
	if ((fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		roost_err("/tmp");
	(void)snprintf(name, sizeof(name), "roost-%u", (unsigned int)getuid());
	dirfd = state_at(fd, "/tmp", name, create);
	(void)close(fd);
	return dirfd;
}

/* A record's text, BUF, into R (tests/fuzz/fuzz_proc.c too). */
int
state_parse(char *buf, struct record *r)
{
	char	*line, *save = NULL, *v;
	int	 seen = 0;

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((v = strchr(line, ' ')) == NULL)
			return -1;
		*v++ = '\0';
		if (strcmp(line, "pid") == 0) {
			r->pid = strtol(v, NULL, 10);
			seen |= 1;
		} else if (strcmp(line, "start") == 0) {
			r->start = strtoull(v, NULL, 10);
			seen |= 2;
		} else if (strcmp(line, "created") == 0)
			r->created = strtoll(v, NULL, 10);
		else if (strcmp(line, "command") == 0)
			(void)strlcpy(r->command, v, sizeof(r->command));
	}
	return seen == 3 && r->pid > 0 ? 0 : -1;
}

static int
record_read(int dirfd, const char *name, struct record *r)
{
	char	 buf[RECORD_MAX + 1];
	ssize_t	 n;
	int	 fd;

	memset(r, 0, sizeof(*r));
	(void)strlcpy(r->name, name, sizeof(r->name));
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = roost_read_all(fd, buf, RECORD_MAX);
	(void)close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return state_parse(buf, r);
}

/* Is the process the record names still the one it was? */
static int
record_live(const struct record *r)
{
	unsigned long long	 start;
	char			 path[32];
	int			 fd, live;

	(void)snprintf(path, sizeof(path), "/proc/%d", (int)r->pid);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	live = roost_proc_start(fd, &start) == 0 && start == r->start;
	(void)close(fd);
	return live;
}

/* The command, on one line: control characters would break the format. */
static void
record_command(char *buf, size_t len, char **argv)
{
	size_t	 i, at = 0;
	char	*p;

	buf[0] = '\0';
	for (i = 0; argv[i] != NULL && at + 1 < len; i++) {
		if (i > 0)
			buf[at++] = ' ';
		for (p = argv[i]; *p != '\0' && at + 1 < len; p++)
			buf[at++] = (unsigned char)*p < 0x20 || *p == 0x7f ?
			    '?' : *p;
	}
	buf[at] = '\0';
}

static int
record_write(int dirfd, const char *tmp, int procfd, pid_t pid, char **argv)
{
	unsigned long long	 start;
	char			 cmd[1024], buf[RECORD_MAX];
	int			 fd, n, rc;

	if (roost_proc_start(procfd, &start) == -1)
		return -1;
	record_command(cmd, sizeof(cmd), argv);
	n = snprintf(buf, sizeof(buf), "pid %d\nstart %llu\ncreated %lld\n"
	    "command %s\n", (int)pid, start, (long long)time(NULL), cmd);
	(void)unlinkat(dirfd, tmp, 0);	/* left by a killed roost */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	rc = roost_write_all(fd, buf, n);
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/* Returns 0, or -1 with errno (EEXIST: a live container has NAME). */
static int
record_link(int dirfd, const char *tmp, const char *name)
{
	struct record	 r;
	int		 tries;

	for (tries = 0; tries < 2; tries++) {
		if (linkat(dirfd, tmp, dirfd, name, 0) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		if (record_read(dirfd, name, &r) == 0 && record_live(&r)) {
			errno = EEXIST;
			return -1;
		}
		(void)unlinkat(dirfd, name, 0);	/* stale */
	}
	return -1;
}

/*
 * Record the container PID (whose /proc directory is PROCFD) as NAME.
 * Returns 0, or -1 after saying why.  Temporaries exist only under the
 * lock, so one seen by another holder of the lock is a killed roost's.
 */
int
state_claim(int dirfd, const char *name, int procfd, pid_t pid, char **argv)
{
	char	 tmp[32];
	int	 rc, e;

	(void)snprintf(tmp, sizeof(tmp), ".tmp.%d", (int)getpid());
	if (flock(dirfd, LOCK_EX) == -1) {
		roost_warnx("%s: cannot lock the state directory: %s", name,
		    strerror(errno));
		return -1;
	}
	rc = record_write(dirfd, tmp, procfd, pid, argv);
	if (rc == 0)
		rc = record_link(dirfd, tmp, name);
	e = errno;
	(void)unlinkat(dirfd, tmp, 0);
	(void)flock(dirfd, LOCK_UN);
	if (rc == -1 && e == EEXIST)
		roost_warnx("%s: name in use", name);
	else if (rc == -1)
		roost_warnx("%s: cannot record: %s", name, strerror(e));
	return rc;
}

/* Remove NAME if it is still PID's record. */
void
state_drop(int dirfd, const char *name, pid_t pid)
{
	struct record	 r;

	if (flock(dirfd, LOCK_EX) == -1)
		return;
	if (record_read(dirfd, name, &r) == 0 && r.pid == pid)
		(void)unlinkat(dirfd, name, 0);
	(void)flock(dirfd, LOCK_UN);
}

/*
 * NAME's record: 0, or -1.  A record is linked into place whole, so one
 * read needs no lock; whether it is still live is the caller's to check.
 */
int
state_get(int dirfd, const char *name, struct record *r)
{
	return state_name_ok(name) ? record_read(dirfd, name, r) : -1;
}

static int
record_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* The live records, sorted by name; stale ones are removed. */
int
state_list(int dirfd, struct record **out, size_t *n)
{
	struct record	*r = NULL, *nr;
	struct dirent	*de;
	DIR		*d;
	size_t		 cap = 0;
	int		 fd;

	*n = 0;
	if ((fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return -1;
	}
	(void)flock(dirfd, LOCK_EX);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".tmp.", 5) == 0)
			(void)unlinkat(dirfd, de->d_name, 0);
		if (!state_name_ok(de->d_name))
			continue;	/* ".", "..", temporaries */
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nr = reallocarray(r, cap, sizeof(*r))) == NULL)
				roost_err("cannot allocate");
			r = nr;
		}
		if (record_read(dirfd, de->d_name, &r[*n]) == 0 &&
		    record_live(&r[*n]))
			(*n)++;
		else
			(void)unlinkat(dirfd, de->d_name, 0);
	}
	(void)flock(dirfd, LOCK_UN);
	(void)closedir(d);
	if (*n > 0)
		qsort(r, *n, sizeof(*r), record_cmp);
	*out = r;
	return 0;
}
