/*
 * libFuzzer target: the helper's parser of the kernel's route dump
 * (helper/nl.c nl_parse_route, an RTM_NEWROUTE message), which decides
 * whether an address asked for overlaps one routed to another user's veth
 * (helper/op_route.c), then that overlap test on what it parsed.
 */
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*want[] = { "192.0.2.0/24", "2001:db8:a::/64",
				    "0.0.0.0/1", "::/1", "10.0.0.1",
				    "2001:db8::1" };
	struct policy_route	 r, w;
	struct nlmsghdr		*nlh;
	uint8_t			*buf;
	size_t			 i;
	int			 oif;

	/*
	 * The kernel's length header is checked by mnl_cb_run before a
	 * message reaches the parser; keep it consistent here too.  libmnl
	 * rounds it up to 4 bytes (MNL_ALIGN), as the kernel pads its
	 * messages, and the helper reads into a 32 KiB buffer: pad here too.
	 */
	if (size < sizeof(*nlh) || (buf = calloc(1, size + 4)) == NULL)
		return 0;
	memcpy(buf, data, size);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)size;
	nlh->nlmsg_type = RTM_NEWROUTE;
	if (nl_parse_route(nlh, &r, &oif) == 0) {
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			if (policy_parse_addr(want[i], &w) == -1)
				abort();
			/* Overlap is symmetric. */
			if (policy_route_overlap(&r, &w) !=
			    policy_route_overlap(&w, &r))
				abort();
		}
	}
	free(buf);
	return 0;
}
