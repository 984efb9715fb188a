/*
 * libFuzzer target: the helper's parsers of kernel replies (helper/nl.c
 * nl_parse_link, an RTM_NEWLINK message) and of the ifalias tag it trusts
 * for quotas and ownership (helper/op_veth.c veth_tag_parse).  The first
 * byte picks the parser; the rest is the input.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_link(const uint8_t *data, size_t size)
{
	struct nl_link		 l;
	struct nlmsghdr		*nlh;
	uint8_t			*buf;

	/* The kernel's length header is checked by mnl_cb_run before a
	 * message reaches the parser; keep it consistent here too, and pad
	 * as the kernel does (libmnl rounds lengths up to 4, MNL_ALIGN; the
	 * helper reads into a 32 KiB buffer), as fuzz_route.c does. */
	if (size < sizeof(*nlh) || (buf = calloc(1, size + 4)) == NULL)
		return;
	memcpy(buf, data, size);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)size;
	nlh->nlmsg_type = RTM_NEWLINK;
	if (nl_parse_link(nlh, &l) == 0 &&
	    (strnlen(l.name, sizeof(l.name)) == sizeof(l.name) ||
	    strnlen(l.kind, sizeof(l.kind)) == sizeof(l.kind) ||
	    strnlen(l.alias, sizeof(l.alias)) == sizeof(l.alias)))
		abort();
	free(buf);
}

static void
fuzz_tag(const uint8_t *data, size_t size)
{
	struct veth_tag	 t;
	char		*s;

	if ((s = strndup((const char *)data, size)) == NULL)
		return;
	if (veth_tag_parse(s, &t) == 0 &&
	    (!policy_valid_ifname(t.bridge) || t.uid == ID_INVALID ||
	    strnlen(t.grant, sizeof(t.grant)) == sizeof(t.grant)))
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_link(data + 1, size - 1);
	else
		fuzz_tag(data + 1, size - 1);
	return 0;
}
