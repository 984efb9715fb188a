/*
 * Every decision goes to syslog (authpriv) with the caller's real uid; a
 * refusal also to stderr, "PROG: OP: OBJECT: REASON" (shadow's names:
 * "PROG: OBJECT: REASON").  Nothing else prints but an op's result.
 */
#include <stdarg.h>
#include <syslog.h>
#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include "helper.h"

static uid_t	 log_uid;	/* read once: network ops run as uid 0 */

static const char	*log_prog = "roost-helper";
static const char	*log_op;
static char		 log_usage[256];
static const char	*log_usage_object;

void
log_open(const char *prog, const char *op)
{
	log_uid = getuid();
	log_prog = prog;
	log_op = op;
	openlog(prog, LOG_PID, LOG_AUTHPRIV);
}

/* From argv: escaped, or a newline could forge a log line. */
static const char *
log_object(const char *s, char buf[OBJLEN])
{
	strnvis(buf, s, OBJLEN, VIS_SAFE | VIS_OCTAL | VIS_NL | VIS_TAB);
	return buf;
}

/* MSG too holds argv (idmount's DIR). */
void
log_granted(const char *target, const char *fmt, ...)
{
	char	 obj[OBJLEN], msg[512], vis[4 * sizeof(msg)];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strnvis(vis, msg, sizeof(vis), VIS_SAFE | VIS_OCTAL | VIS_NL | VIS_TAB);
	syslog(LOG_NOTICE, "uid %u: %s: granted: %s: %s", (unsigned)log_uid,
	    log_op, log_object(target, obj), vis);
}

static void
report(const char *object, const char *reason)
{
	const char	*op = log_op;
	char		 obj[OBJLEN], line[512];

	if (op == NULL || strcmp(log_prog, "roost-helper") != 0)
		op = "";
	snprintf(line, sizeof(line), "%s%s%s%s%s", op, *op ? ": " : "",
	    object ? log_object(object, obj) : "",
	    object ? ": " : "", reason);
	fprintf(stderr, "%s: %s\n", log_prog, line);
	syslog(LOG_WARNING, "uid %u: refused: %s", (unsigned)log_uid, line);
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
