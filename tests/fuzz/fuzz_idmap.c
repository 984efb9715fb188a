/*
 * libFuzzer target: map extents as roost-helper map and newuidmap take
 * them from argv ("u:INSIDE:OUTSIDE:COUNT", NUL- or newline-separated),
 * then the checks of a whole map, then formatting back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idmap_extent	 x[2 * IDMAP_MAX_EXTENTS + 2];
	char			*buf, *s, *arg, out[64];
	size_t			 n = 0, bad, other;
	uint32_t		 v;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (s = buf; (arg = strsep(&s, "\n")) != NULL &&
	    n < sizeof(x) / sizeof(x[0]);) {
		(void)policy_parse_u32(arg, UINT32_MAX, &v);
		if (idmap_parse(arg, &x[n]) == -1)
			continue;
		snprintf(out, sizeof(out), "%c:%u:%u:%u", x[n].type,
		    x[n].inside, x[n].outside, x[n].count);
		if (strcmp(out, arg) != 0)
			abort();	/* parse and format must round-trip */
		n++;
	}
	if (idmap_validate(x, n, &bad, &other) == -1 &&
	    (bad >= n || other >= n))
		abort();
	free(buf);
	return 0;
}
