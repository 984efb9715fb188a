/*
 * libFuzzer target: the front-end's parsers of rtnetlink replies
 * (frontend/nl.c): a link dump (nl_link_cb: name, kind, peer, bridge,
 * peer netns id), an address dump (nl_addr_cb) and RTM_GETNSID's answer
 * (nl_nsid_cb), each over one datagram as mnl_cb_run hands them over.
 * roost reads these in network namespaces its containers' root controls.
 * The first byte picks the parser; the rest is the datagram.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "roost.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
links(const void *buf, size_t len)
{
	struct nl_link	*l;
	size_t		 n, i;

	if (nl_links_parse(buf, len, &l, &n) == -1) {
		if (l != NULL || n != 0)
			abort();
		return;
	}
	for (i = 0; i < n; i++)
		if (strnlen(l[i].name, sizeof(l[i].name)) == sizeof(l[i].name) ||
		    strnlen(l[i].kind, sizeof(l[i].kind)) == sizeof(l[i].kind))
			abort();
	free(l);
}

static void
addrs(const void *buf, size_t len)
{
	struct nl_addr	*a;
	size_t		 n, i;

	if (nl_addrs_parse(buf, len, &a, &n) == -1) {
		if (a != NULL || n != 0)
			abort();
		return;
	}
	for (i = 0; i < n; i++)
		if (a[i].family != AF_INET && a[i].family != AF_INET6)
			abort();
	free(a);
}

/*
 * The framing is the kernel's: in a datagram from nl_pid 0 (nl_recv
 * takes no other) every nlmsg_len is at most what is left.  libmnl 1.0.4
 * trusts that: mnl_nlmsg_ok compares (int)nlmsg_len, so a length past
 * 2^31 reads far outside the buffer (found by this target at once).
 * Keep the lengths the fuzzer picks within the datagram.
 */
static void
frame(uint8_t *buf, size_t len)
{
	struct nlmsghdr	 h;
	size_t		 off = 0;

	while (len - off >= sizeof(h)) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h))
			return;
		if (h.nlmsg_len > len - off) {
			h.nlmsg_len = (uint32_t)(len - off);
			memcpy(buf + off, &h, sizeof(h));
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
		if (off > len)
			return;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*buf;
	size_t	 len;
	int	 nsid;

	/*
	 * A datagram lands in roost's aligned 32 KiB receive buffer, and a
	 * kernel's is a whole number of 4-byte units (NLMSG_ALIGN): libmnl
	 * reads a message's attributes up to its aligned end.
	 */
	if (size == 0 || size - 1 > 32768)
		return 0;
	len = NLMSG_ALIGN(size - 1);
	if ((buf = calloc(1, len + 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	frame(buf, len);
	switch (data[0] % 3) {
	case 0:
		links(buf, len);
		break;
	case 1:
		addrs(buf, len);
		break;
	default:
		(void)nl_nsid_parse(buf, len, &nsid);
	}
	free(buf);
	return 0;
}
