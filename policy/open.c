/* The policy, opened so that only root can have written it, and read
 * through that one fd (as doas fstat(2)s the fd it parses). */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

static int
bad_path(const char *path, const char *why, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", path, why);
	errno = e;
	return -1;
}

/* NAME under DFD (closed here): root-owned and not group- or
 * world-writable, or whoever can write it could grant themselves ids. */
static int
open_step(int dfd, const char *name, const char *path, int last,
    char *err, size_t errlen)
{
	const char *why = NULL;
	struct stat st;
	int fd, e = EPERM;

	/* O_NONBLOCK: a FIFO planted at the path must not hang the helper
	 * before fstat(2) can refuse it. */
	fd = openat(dfd, name, O_NOFOLLOW | O_CLOEXEC | (last ?
	    O_RDONLY | O_NONBLOCK : O_PATH | O_DIRECTORY));
	if (fd == -1) {
		e = errno;
		why = strerror(e);
		/* ELOOP (ENOTDIR with O_DIRECTORY): say if a symlink. */
		if ((e == ELOOP || e == ENOTDIR) && fstatat(dfd, name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			why = "is a symbolic link";
	} else if (fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (last && !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != 0)
		why = "not owned by root";
	else if ((st.st_mode & 022) != 0)
		why = "group or world writable";
	else if (last && fcntl(fd, F_SETFL, 0) == -1) {
		e = errno;
		why = strerror(e);
	}
	if (dfd != AT_FDCWD)
		close(dfd);
	if (why == NULL)
		return fd;
	if (fd != -1)
		close(fd);
	return bad_path(path, why, e, err, errlen);
}

/* One component at a time from "/", never following a symlink, so each
 * directory checked is the one the next step opens from. */
int
policy_open(const char *path, char *err, size_t errlen)
{
	char sofar[PATH_MAX] = "", name[NAME_MAX + 1];
	const char *s = path;
	size_t n, len = strlen(path);
	int fd, last = 0;

	if (path[0] != '/' || path[len - 1] == '/' || len >= sizeof(sofar))
		return bad_path(path, "not an absolute file path", EINVAL,
		    err, errlen);
	fd = open_step(AT_FDCWD, "/", "/", 0, err, errlen);
	while (fd != -1 && !last) {
		s += strspn(s, "/");
		n = strcspn(s, "/");
		last = s[n + strspn(s + n, "/")] == '\0';
		strlcat(sofar, "/", sizeof(sofar));
		strncat(sofar, s, n);
		/* too long, or "." or ".." */
		if (n > NAME_MAX || strncmp(s, "..", n) == 0) {
			close(fd);
			return bad_path(sofar, "bad path component", EINVAL,
			    err, errlen);
		}
		memcpy(name, s, n);
		name[n] = '\0';
		fd = open_step(fd, name, sofar, last, err, errlen);
		s += n;
	}
	return fd;
}

/* One byte more than POLICY_MAX_BYTES: the parser tells a larger file. */
int
policy_load_fd(struct policy *p, int fd, const char *name, char *err,
    size_t errlen)
{
	char *buf;
	size_t len = 0;
	ssize_t r = 1;
	int e, rc;

	memset(p, 0, sizeof(*p));
	if ((buf = malloc(POLICY_MAX_BYTES + 1)) == NULL)
		return bad_path(name, strerror(errno), errno, err, errlen);
	while (len <= POLICY_MAX_BYTES && r != 0) {
		r = read(fd, buf + len, POLICY_MAX_BYTES + 1 - len);
		if (r == -1 && errno != EINTR)
			break;
		len += r > 0 ? (size_t)r : 0;
	}
	if (r == -1)
		rc = bad_path(name, strerror(errno), errno, err, errlen);
	else
		rc = policy_parse(p, buf, len, name, err, errlen);
	e = errno;
	free(buf);
	errno = e;
	return rc;
}
