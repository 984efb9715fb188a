/*
 * roost-helper unroute TARGET HOSTIF ADDR[/LEN]: remove a route that
 * `route` made to a veth of the caller's.  The gateway address stays: it
 * goes with the veth.
 */
#include <linux/rtnetlink.h>
#include <errno.h>
#include <string.h>

#include "helper.h"

static void
unroute_run(const struct request *rq, struct caller *c)
{
	struct nl_link	 l;
	char		 obj[OBJLEN];
	int		 netfd;

	netfd = net_enter(rq, c);
	if (veth_owned(c, netfd, rq->ifa, &l) == -1)
		die(1, rq->ifa, "not a veth of yours in that network namespace");
	/* The kernel matches destination, length and device exactly. */
	if (route_change(RTM_DELROUTE, &rq->addr, l.index) == -1) {
		if (errno == ESRCH || errno == ENOENT)
			die(1, rq->addr_arg, "not routed to %s", rq->ifa);
		die(1, rq->addr_arg, "cannot unroute: %s", strerror(errno));
	}
	log_granted("%s: %s from %s", log_object(rq->target, obj,
	    sizeof(obj)), rq->addr_arg, rq->ifa);
}

const struct op	op_unroute = { "unroute", 1, request_net, unroute_run };
