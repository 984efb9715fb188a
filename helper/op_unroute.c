/*
 * roost-helper unroute TARGET HOSTIF ADDR[/LEN]: remove a route that
 * `route` made to a veth of the caller's.  The gateway address stays: it
 * goes with the veth.
 *
 * Capabilities: CAP_NET_ADMIN, CAP_SETUID, CAP_SETGID (see net_enter()).
 */
#include <linux/rtnetlink.h>

#include "helper.h"

static void
unroute_run(const struct request *rq, struct caller *c)
{
	struct nl_link	 l;

	veth_owned(rq, c, net_enter(rq, c, 0), &l);
	/* Logged before the change: a grant is never made unlogged.  A route
	 * that is not there is then refused on a line of its own. */
	log_granted(rq->target, "%s from %s", rq->addr_arg, rq->ifa);
	/* The kernel matches destination, length and device exactly. */
	if (route_change(RTM_DELROUTE, &rq->addr, l.index) == -1) {
		if (errno == ESRCH || errno == ENOENT)
			die(rq->addr_arg, "not routed to %s", rq->ifa);
		die(rq->addr_arg, "cannot unroute: %s", strerror(errno));
	}
}

const struct op	op_unroute = { "unroute", 1, request_net, unroute_run };
