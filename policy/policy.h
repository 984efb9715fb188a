/*
 * policy: roost-policy(5) and the pure decisions made from it, in both
 * programs.  Nothing prints or exits; only policy_open() and
 * policy_userdb_lookup() open a path.  0, or -1 with errno (and, given
 * err, "FILE:LINE: reason").
 */
#ifndef ROOST_POLICY_H
#define ROOST_POLICY_H

#include <sys/types.h>
#include <net/if.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_ERRLEN		256
#define POLICY_NAMELEN		32	/* longest user or group name */
#define POLICY_SOURCELEN	48	/* "user:NAME", "group:NAME", "self" */
#define POLICY_MAX_BYTES	(1024 * 1024)
#define POLICY_MAX_LINE		199	/* inih's line buffer, less the NUL */
#define POLICY_MAX_VETH		4096
#define IDMAP_MAX_EXTENTS	340	/* kernel/user_namespace.c */
#define ID_INVALID		UINT32_C(4294967295)	/* (u32)-1 */

enum policy_kind {
	POLICY_USER = 1,
	POLICY_GROUP
};

enum policy_setgroups {
	POLICY_SETGROUPS_UNSET = 0,	/* shadow's rule (op_map.c) */
	POLICY_SETGROUPS_ALLOW,
	POLICY_SETGROUPS_DENY
};

/* A right, with its line and section ("user:NAME", "group:NAME", "self"). */
struct policy_grant {				/* uids, gids */
	uint32_t	 start;
	uint32_t	 count;
	unsigned int	 line;
	char		 source[POLICY_SOURCELEN];
};

struct policy_veth {
	char		 bridge[IFNAMSIZ];	/* an ifname, or "none" */
	unsigned int	 count;			/* a quota allotment */
	unsigned int	 line;
	char		 source[POLICY_SOURCELEN];
};

struct policy_route {
	int		 family;		/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];		/* host bits are zero */
	unsigned int	 len;			/* prefix length */
	unsigned int	 line;
	char		 source[POLICY_SOURCELEN];
};

struct policy_section {
	enum policy_kind	 kind;
	char			 name[POLICY_NAMELEN + 1];
	unsigned int		 line;
	struct policy_grant	*uids;
	size_t			 nuids;
	struct policy_grant	*gids;
	size_t			 ngids;
	struct policy_veth	*veths;
	size_t			 nveths;
	struct policy_route	*routes;
	size_t			 nroutes;
	enum policy_setgroups	 setgroups;
	unsigned int		 setgroups_line;
};

struct policy {
	struct policy_section	*sections;
	size_t			 nsections;
};

int	policy_open(const char *path, char *err, size_t errlen);

/* The first error rejects the whole file and leaves *p empty. */
int	policy_parse(struct policy *p, const char *buf, size_t len,
	    const char *name, char *err, size_t errlen);
int	policy_load_fd(struct policy *p, int fd, const char *name,
	    char *err, size_t errlen);
void	policy_free(struct policy *p);

struct policy_user {
	uid_t		 uid;
	gid_t		 gid;			/* primary gid from passwd */
	char		 name[POLICY_NAMELEN + 1];
	char		(*groups)[POLICY_NAMELEN + 1];	/* names, primary first */
	size_t		 ngroups;
};

int	policy_userdb_lookup(struct policy_user *u, uid_t uid,
	    const char *passwd_path, const char *group_path);
void	policy_user_free(struct policy_user *u);

struct policy_entitlement {
	uid_t			 uid;
	gid_t			 gid;
	struct policy_grant	*uids;		/* "self" first: uid, 1 */
	size_t			 nuids;
	struct policy_grant	*gids;		/* "self" first: gid, 1 */
	size_t			 ngids;
	struct policy_veth	*veths;
	size_t			 nveths;
	struct policy_route	*routes;
	size_t			 nroutes;
	enum policy_setgroups	 setgroups;	/* DENY wins over ALLOW */
};

/* U's [user:NAME], each [group:G] of U's, and U's own uid and gid. */
int	policy_entitle(const struct policy *p, const struct policy_user *u,
	    struct policy_entitlement *e);
void	policy_entitlement_free(struct policy_entitlement *e);

/* 1 if [START, START+COUNT) of type 'u' or 'g' is wholly granted; else 0. */
int	policy_permits_ids(const struct policy_entitlement *e, char type,
	    uint32_t start, uint32_t count);

int	policy_parse_u32(const char *s, uint32_t max, uint32_t *out);

/* An interface name the kernel (dev_valid_name() in net/core/dev.c) and a
 * terminal take as is: 1-15 of [A-Za-z0-9_.-], not "." or "..". */
int	policy_valid_ifname(const char *s);

/* ADDR[/LEN], v4 or v6; -1 with EINVAL, or EDOM for host bits set.
 * Prefixes overlap when the shorter contains the other. */
int	policy_parse_addr(const char *s, struct policy_route *r);
int	policy_route_overlap(const struct policy_route *a,
	    const struct policy_route *b);

/* One extent of a uid_map or gid_map: "u:INSIDE:OUTSIDE:COUNT". */
struct idmap_extent {
	char		 type;		/* 'u' or 'g' */
	uint32_t	 inside;
	uint32_t	 outside;
	uint32_t	 count;
};

/* idmap_validate(): E2BIG or EEXIST with the culprits' indices in *bad
 * and *other (*other == *bad for a count problem). */
int	idmap_parse(const char *s, struct idmap_extent *x);
int	idmap_validate(const struct idmap_extent *x, size_t n,
	    size_t *bad, size_t *other);

#endif
