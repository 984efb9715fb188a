/* roost-helper: each op_<verb>.c parses its argv (pure), then runs. */
#ifndef ROOST_HELPER_H
#define ROOST_HELPER_H

#include <fcntl.h>
#include <unistd.h>

#include "policy.h"

#define HELPER_MAX_KEEP	2	/* inherited fds an op may name */
#define OBJLEN		80	/* longest object echoed in a message */
/* One message for every failure on a caller-named target (no oracle). */
#define NOT_YOURS	"not a process in a user namespace you own"

struct request {
	const char		*prog;		/* "roost-helper", "newuidmap" */
	const struct op		*op;
	const char		*target;	/* as given: "fd:N" or a pid */
	int			 target_fd;	/* N of fd:N, else -1 */
	pid_t			 target_pid;	/* the pid, else 0 */
	const char		*file;		/* idmount DIR */
	int			 dir_fd;	/* idmount fd:N, else -1 */
	struct idmap_extent	*ext;
	size_t			 next;
	const char		*ifa;		/* veth BRIDGE, else HOSTIF */
	const char		*ifb;		/* veth IFNAME */
	const char		*addr_arg;	/* route ADDR[/LEN] as given */
	struct policy_route	 addr;
	int			 keep[HELPER_MAX_KEEP];
	size_t			 nkeep;
};

struct caller {
	uid_t				 uid;	/* real ids: the only identity */
	gid_t				 gid;
	struct policy_user		 user;
	struct policy			 policy;
	struct policy_entitlement	 ent;
};

struct op {
	const char	*name;
	int		 needs_policy;
	int		(*parse)(struct request *, int, char **);
	void		(*run)(const struct request *, struct caller *);
};

extern const struct op	op_map, op_version;
extern const struct op	op_veth, op_unveth, op_route, op_unroute, op_idmount;

int	request_parse(struct request *, int, char **);
int	request_fd(struct request *, const char *);
int	request_target(struct request *, const char *);
int	request_net(struct request *, int, char **);

const char	*sanitize(const int *, size_t);

void	log_open(const char *, const char *);
void	log_granted(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	usage_set(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
__attribute__((noreturn)) void	die_usage(void);
__attribute__((noreturn, format(printf, 2, 3)))
void	die(const char *, const char *, ...);

void	caller_identify(struct caller *);
void	caller_load_policy(struct caller *);
void	caller_free(struct caller *);

#define CAPBIT(c)	(UINT64_C(1) << (c))
void	priv_drop(const struct caller *, const int *, size_t);
void	priv_raise(uint64_t);
#define priv_lower()	priv_raise(0)
void	priv_keep_root(const int *, size_t);

int	target_open(const struct request *);
int	target_verify_userns(const struct request *, int, uid_t);
int	net_enter(const struct request *, const struct caller *, int);
void	net_unlock(void);

/* nl.c: rtnetlink in the host's network namespace. */
#define ALIASLEN	128
#define NL_BUFSIZ	32768		/* the kernel's largest dump message */
struct nl_link {
	int		 index;
	unsigned int	 mtu;
	unsigned int	 master;		/* 0: none */
	int		 nsid;			/* the peer's netns, or -1 */
	char		 name[IFNAMSIZ];
	char		 kind[16];		/* "veth", "bridge", or "" */
	char		 alias[ALIASLEN];
};
struct nl_links {
	struct nl_link	*l;
	size_t		 n;
};
struct nlmsghdr;
int	nl_open(void);
struct nlmsghdr *nl_msg(void *, uint16_t, uint16_t, size_t);
int	nl_talk(struct nlmsghdr *, int (*)(const struct nlmsghdr *, void *),
	    void *);
int	nl_parse_link(const struct nlmsghdr *, struct nl_link *);
int	nl_parse_route(const struct nlmsghdr *, struct policy_route *, int *);
int	nl_link_get(const char *, struct nl_link *);
int	nl_links(struct nl_links *);
int	nl_link_del(const char *, int);
int	nl_nsid(int);

/* op_veth.c, op_unveth.c: the veths roost made, and whose they are. */
struct veth_tag {
	uid_t		 uid;
	char		 grant[POLICY_SOURCELEN];
	char		 bridge[IFNAMSIZ];
};
int	veth_tag_parse(const char *, struct veth_tag *);
void	veth_owned(const struct request *, const struct caller *, int,
	    struct nl_link *);
int	route_change(uint16_t, const struct policy_route *, int);

#endif
