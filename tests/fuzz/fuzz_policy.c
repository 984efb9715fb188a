/*
 * libFuzzer target: the policy parser, and the decisions taken from a
 * policy it accepts.  `make fuzz` builds and runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
decide(const struct policy *p, const uint8_t *data, size_t size)
{
	static char			 groups[2][POLICY_NAMELEN + 1] =
					    { "alice", "builders" };
	struct policy_user		 u = { 1001, 1001, "alice", groups, 2 };
	struct policy_entitlement	 e;
	uint32_t			 start = 0, count = 1;

	if (policy_entitle(p, &u, &e) == -1)
		return;
	if (size >= 8) {
		memcpy(&start, data + size - 8, 4);
		memcpy(&count, data + size - 4, 4);
	}
	(void)policy_permits_ids(&e, 'u', start, count);
	(void)policy_permits_ids(&e, 'g', start, count);
	policy_entitlement_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy	 p;
	char		 err[POLICY_ERRLEN], *buf;

	/* policy_parse takes a length; a copy without slack catches reads
	 * past it. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (policy_parse(&p, buf, size, "fuzz", err, sizeof(err)) == 0) {
		decide(&p, data, size);
		policy_free(&p);
	} else if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	free(buf);
	return 0;
}
