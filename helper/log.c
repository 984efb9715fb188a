/*
 * Every decision goes to syslog (authpriv) with the caller's real uid; a
 * refusal also to stderr, "PROG: OP: OBJECT: REASON" (shadow's names:
 * "PROG: OBJECT: REASON").  Nothing else prints but an op's result.
 */
#include <stdarg.h>
#include <syslog.h>

#include "helper.h"

#define MSGLEN		512			/* an op's part of a grant line */
#define LINELEN		(MSGLEN + OBJLEN + 64)	/* a line, before escaping */
#define ESCLEN		(4 * LINELEN + 1)	/* each byte at most \ooo */
#define PROGLEN		16			/* "roost-helper: " */

static uid_t	 log_uid;	/* read once: network ops run as uid 0 */

static const char	*log_prog = "roost-helper";
static const char	*log_op;
static char		 log_usage[256];
static const char	*log_usage_object;

/*
 * The socket is opened now (LOG_NDELAY), before anything else takes an
 * fd: opened lazily, at the first syslog(3), it found none left under a
 * caller's RLIMIT_NOFILE of 5-7, and refusals went unlogged (issue 15).
 */
void
log_open(const char *prog, const char *op)
{
	log_uid = getuid();
	log_prog = prog;
	log_op = op;
	openlog(prog, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

/*
 * S as plain text into DST: printable ASCII passes, a backslash doubles,
 * and every other byte (control bytes, DEL, any byte of UTF-8 or of junk)
 * becomes \ooo.  So no CR, BS, BEL or escape sequence from argv or from
 * a kernel name reaches a log reader's terminal, or can pose as a line of
 * its own (vis(3)'s VIS_SAFE passes CR, BS and BEL: issue 15).  An escape
 * that does not fit in SIZE ends the text; none is cut in half.  Returns
 * the length written.
 */
static size_t
log_escape(char *dst, size_t size, const char *s)
{
	const unsigned char	*p;
	size_t			 n = 0;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\\') {
			if (n + 2 >= size)
				break;
			dst[n++] = '\\';
			dst[n++] = '\\';
		} else if (*p >= 0x20 && *p <= 0x7e) {
			if (n + 1 >= size)
				break;
			dst[n++] = (char)*p;
		} else {
			if (n + 4 >= size)
				break;
			dst[n++] = '\\';
			dst[n++] = (char)('0' + (*p >> 6));
			dst[n++] = (char)('0' + ((*p >> 3) & 7));
			dst[n++] = (char)('0' + (*p & 7));
		}
	}
	dst[n] = '\0';
	return n;
}

/*
 * Called before the grant is carried out: a caller who kills or stalls the
 * helper after this line gets nothing unlogged.  The whole line is
 * escaped: TARGET and MSG hold argv (idmount's DIR).
 */
void
log_granted(const char *target, const char *fmt, ...)
{
	char	 msg[MSGLEN], line[LINELEN], esc[ESCLEN];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: granted: %.*s: %s", log_op,
	    OBJLEN - 1, target, msg);
	log_escape(esc, sizeof(esc), line);
	syslog(LOG_NOTICE, "uid %u: %s", (unsigned)log_uid, esc);
}

/* The log line first, then stderr, with nothing held; die() exits right
 * after, and needs no fd but 2. */
static void
report(const char *object, const char *reason)
{
	const char	*op = log_op;
	char		 line[LINELEN], out[PROGLEN + ESCLEN + 1];
	size_t		 pre, len;

	if (op == NULL || strcmp(log_prog, "roost-helper") != 0)
		op = "";
	snprintf(line, sizeof(line), "%s%s%.*s%s%s", op, *op ? ": " : "",
	    OBJLEN - 1, object ? object : "", object ? ": " : "", reason);
	/* OUT is "PROG: LINE\n", LINE escaped; syslog takes LINE. */
	snprintf(out, PROGLEN, "%s: ", log_prog);
	pre = strlen(out);
	len = pre + log_escape(out + pre, ESCLEN, line);
	syslog(LOG_WARNING, "uid %u: refused: %s", (unsigned)log_uid,
	    out + pre);
	/* A caller's full stderr pipe must never stall the helper while it
	 * holds the net lock (or a netlink socket, or a namespace). */
	closelog();
	(void)close_range(3, ~0U, 0);
	out[len++] = '\n';
	/* One write(2), not stdio: for an unbuffered stream that takes
	 * 8 KiB of stack, more than a caller's tiny RLIMIT_STACK may leave
	 * (one the helper could not raise).  If it fails, the line is
	 * logged all the same. */
	if (write(STDERR_FILENO, out, len) != (ssize_t)len)
		return;
}

int
usage_set(const char *object, const char *fmt, ...)
{
	va_list	 ap;

	log_usage_object = object;
	va_start(ap, fmt);
	vsnprintf(log_usage, sizeof(log_usage), fmt, ap);
	va_end(ap);
	return -1;
}

/* Status 2, but 1 under shadow's names, as shadow's. */
void
die_usage(void)
{
	report(log_usage_object, log_usage);
	exit(strcmp(log_prog, "roost-helper") == 0 ? 2 : 1);
}

void
die(const char *object, const char *fmt, ...)
{
	char	 reason[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	report(object, reason);
	exit(1);
}
