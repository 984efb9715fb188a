/*
 * util.c: messages, exit statuses and small I/O helpers.
 *
 * Every message is formatted first and written with one write(2), so that
 * lines from the parent, the container and roost-helper do not interleave
 * mid-line on a shared stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

const char	*roost_prog = "roost";
const char	*roost_verb;
int		 roost_err_fd = STDERR_FILENO;
int		 roost_fail_fd = -1;
void		(*roost_cleanup)(void);

static void
say(const char *fmt, va_list ap, const char *reason, const char *tail)
{
	char	 msg[1024], text[768];
	size_t	 n;

	(void)vsnprintf(text, sizeof(text), fmt, ap);
	(void)snprintf(msg, sizeof(msg), "%s: %s%s%s%s%s%s\n", roost_prog,
	    roost_verb != NULL ? roost_verb : "",
	    roost_verb != NULL ? ": " : "", text,
	    reason != NULL ? ": " : "", reason != NULL ? reason : "",
	    tail != NULL ? tail : "");
	n = strlen(msg);
	msg[n - 1] = '\n';	/* even when truncated */
	(void)roost_write_all(roost_err_fd, msg, n);
}

void
roost_fail(void)
{
	/* A detached start waits on this pipe to learn that set-up failed. */
	if (roost_fail_fd != -1)
		(void)roost_write_all(roost_fail_fd, "!", 1);
	if (roost_cleanup != NULL)
		roost_cleanup();
	_exit(1);
}

void
roost_err(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	say(fmt, ap, strerror(saved), NULL);
	va_end(ap);
	roost_fail();
}

void
roost_errx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(fmt, ap, NULL, NULL);
	va_end(ap);
	roost_fail();
}

void
roost_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(fmt, ap, NULL, NULL);
	va_end(ap);
}

void
roost_usage(const char *fmt, ...)
{
	char	 tail[64];
	va_list	 ap;

	if (roost_verb != NULL)
		(void)snprintf(tail, sizeof(tail), " (see roost %s --help)",
		    roost_verb);
	else
		(void)snprintf(tail, sizeof(tail), " (see roost --help)");
	va_start(ap, fmt);
	say(fmt, ap, NULL, tail);
	va_end(ap);
	exit(2);
}

/* Flush stdout (a detached start prints the name) and leave. */
void
roost_exit(int status)
{
	if (fflush(stdout) == EOF)
		_exit(1);
	_exit(status);
}

/* A wait status as a shell reports it: the code, or 128 + the signal. */
int
roost_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/*
 * A path naming an open fd.  mount(2) follows the magic link, so a target
 * resolved once with openat2() stays the target (runc does the same since
 * CVE-2019-19921).
 */
const char *
roost_fdpath(char *buf, size_t len, int fd)
{
	(void)snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

/*
 * Field 22 of /proc/PID/stat: the start time in clock ticks after boot.
 * With the pid it names a process for good, however pids are reused.
 * The command name (field 2) may hold spaces and parentheses, so count
 * from the last ')'.  A process that has exited (state Z or X, field 3)
 * fails with ESRCH: its parent may be slow to reap it.
 */
int
roost_proc_start(int procfd, unsigned long long *start)
{
	char	 buf[1024];

	if (roost_proc_stat(procfd, buf, sizeof(buf)) == -1)
		return -1;
	return roost_stat_start(buf, start);
}

/* PROCFD's stat, NUL-terminated in BUF (SIZE bytes); -1 if unreadable. */
int
roost_proc_stat(int procfd, char *buf, size_t size)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(procfd, "stat", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = roost_read_all(fd, buf, size - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The same from the text BUF of a stat file (tests/fuzz/fuzz_proc.c). */
int
roost_stat_start(const char *buf, unsigned long long *start)
{
	const char	*p;
	char		*end;
	int		 field;

	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	if (p[2] == 'Z' || p[2] == 'X') {
		errno = ESRCH;
		return -1;
	}
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return -1;
	errno = 0;
	*start = strtoull(p + 1, &end, 10);
	if (errno != 0 || end == p + 1)
		return -1;
	return 0;
}

ssize_t
roost_read_all(int fd, char *buf, size_t len)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

int
roost_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Send the byte B over SOCK, with FD (SCM_RIGHTS) unless it is -1. */
int
roost_send_fd(int sock, char b, int fd)
{
	char		 cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec	 iov = { &b, 1 };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr	*cm;

	if (fd != -1) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/*
 * Receive one byte, and into *FD the descriptor sent with it (close-on-
 * exec), or -1 if none.  Returns what recvmsg(2) did: 1, 0 at end of
 * file, or -1.  Room for one fd only: the kernel closes any more.
 */
ssize_t
roost_recv_fd(int sock, int flags, int *fd)
{
	char		 b, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec	 iov = { &b, 1 };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr	*cm;
	ssize_t		 n;

	*fd = -1;
	memset(cbuf, 0, sizeof(cbuf));
	while ((n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		continue;
	cm = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return n;
}

/* A uid or gid: strict decimal, and never (u32)-1, which means "none". */
int
roost_parse_id(const char *s, uint32_t *out)
{
	return policy_parse_u32(s, ID_INVALID - 1, out);
}

static int
int_cmp(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) -
	    (*(const int *)a < *(const int *)b);
}

/*
 * Close every descriptor above 2 except the N in KEEP (-1 entries are
 * ignored; KEEP is sorted here).
 */
void
roost_close_fds(int *keep, size_t n)
{
	unsigned int	 from = 3;
	size_t		 i;

	qsort(keep, n, sizeof(*keep), int_cmp);
	for (i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			(void)close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	(void)close_range(from, ~0U, 0);
}

/* getopt_long(3) returned ':' (missing argument) or '?' (unknown). */
void
roost_bad_option(int c, char **argv)
{
	if (c == ':')
		roost_usage("option '%s' needs an argument", argv[optind - 1]);
	if (optopt != 0)
		roost_usage("unknown option '-%c'", optopt);
	roost_usage("unknown option '%s'", argv[optind - 1]);
}

/*
 * Give up the caller's terminal as our controlling terminal (TIOCNOTTY),
 * before a container's code runs: TIOCSTI, which pushes input into a
 * terminal, works only on one's controlling terminal, so the container
 * could otherwise type into the caller's shell once we exit (bubblewrap
 * CVE-2017-5226).  Unlike setsid(2) this keeps us in the caller's
 * foreground process group, so ^C and ^Z still reach the container, and
 * works for a process group leader too.  No terminal: nothing to do.
 */
void
roost_drop_ctty(void)
{
	int	 fd;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return;
	if (ioctl(fd, TIOCNOTTY) == -1)
		roost_err("cannot give up the controlling terminal");
	(void)close(fd);
}

/*
 * Whether output to FD may be coloured: only a terminal, and never when
 * NO_COLOR is set to anything but the empty string (no-color.org).
 */
int
roost_colour(int fd)
{
	const char	*no = getenv("NO_COLOR");

	return isatty(fd) && (no == NULL || *no == '\0');
}
