/*
 * libFuzzer target: roost's lxc-user-nic personality's argv parser
 * (frontend/compat_usernic.c usernic_parse), checked against LXC's
 * protocol as roost(1) states it:
 *
 *   lxc-user-nic create LXCPATH NAME PID veth LINK [NICNAME]
 *   lxc-user-nic delete LXCPATH NAME NETNS veth LINK HOSTIF
 *
 * The input is the arguments after argv[0], NUL-separated.
 */
#include <limits.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roost.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Decimal, no sign, no leading zero, 1 to INT_MAX: a pid. */
static int
pid_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > 10 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return strtoull(s, NULL, 10) <= INT_MAX;
}

static void
check(int argc, char **argv)
{
	struct usernic_req	 rq;
	int			 rc, create, delete;

	rc = usernic_parse(argc, argv, &rq);
	if (argc < 7 || argc > 8) {
		if (rc != -1 || rq.why != NULL)
			abort();
		return;
	}
	create = strcmp(argv[1], "create") == 0;
	delete = strcmp(argv[1], "delete") == 0;
	if ((create || delete) && strcmp(argv[5], "veth") != 0) {
		if (rc != -1 || rq.bad != argv[5] || rq.why == NULL)
			abort();
	} else if (create && !pid_ok(argv[4])) {
		if (rc != -1 || rq.bad != argv[4] || rq.why == NULL)
			abort();
	} else if (create && argc == 8 && strlen(argv[7]) >= IF_NAMESIZE) {
		if (rc != -1 || rq.bad != argv[7] || rq.why == NULL)
			abort();
	} else if (create) {
		if (rc != 0 || rq.op != USERNIC_CREATE || rq.link != argv[6] ||
		    rq.pid != strtoul(argv[4], NULL, 10) ||
		    rq.nic != (argc == 8 ? argv[7] : NULL))
			abort();
	} else if (delete && argc == 8) {
		if (rc != 0 || rq.op != USERNIC_DELETE || rq.link != argv[6] ||
		    rq.netns != argv[4] || rq.hostif != argv[7])
			abort();
	} else if (rc != -1 || rq.why != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf, *argv[16];
	size_t	 i;
	int	 argc = 1;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "lxc-user-nic";
	for (i = 0; i < size + 1 && argc < 15; i++)
		if (i == 0 || buf[i - 1] == '\0')
			argv[argc++] = buf + i;
	argv[argc] = NULL;
	check(argc, argv);
	free(buf);
	return 0;
}
