/*
 * unit.h: a tiny TAP producer for the C unit tests.  Each check prints
 * "ok N - name" or "not ok N - name"; unit_done() prints the plan and
 * returns the exit status (1 if anything failed).
 */
#ifndef ROOST_UNIT_H
#define ROOST_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int unit_count;
static int unit_failures;

static inline int	unit_check(int, const char *, int, const char *, ...)
			    __attribute__((format(printf, 4, 5)));

static inline int
unit_check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++unit_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok) {
		printf("#   failed at %s:%d\n", file, line);
		unit_failures++;
	}
	fflush(stdout);
	return ok;
}

static inline int
unit_check_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	if (!unit_check(ok, file, line, "%s", name)) {
		printf("#   got:  \"%s\"\n", got != NULL ? got : "(null)");
		printf("#   want: \"%s\"\n", want != NULL ? want : "(null)");
	}
	return ok;
}

static inline void
unit_skip(const char *name, const char *reason)
{
	printf("ok %d - %s # SKIP %s\n", ++unit_count, name, reason);
}

static inline int
unit_done(void)
{
	printf("1..%d\n", unit_count);
	if (unit_failures > 0)
		printf("# %d of %d failed\n", unit_failures, unit_count);
	return unit_failures > 0;
}

#define CHECK(cond, ...)	unit_check(!!(cond), __FILE__, __LINE__, \
				    __VA_ARGS__)
#define CHECK_STR(got, want, name) \
				unit_check_str((got), (want), __FILE__, \
				    __LINE__, (name))
#define SKIP(name, reason)	unit_skip((name), (reason))

#endif
