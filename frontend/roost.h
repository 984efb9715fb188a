/*
 * roost.h: interfaces shared by the files of the unprivileged front-end.
 * Nothing here is privileged: the only privileged work (multi-range id
 * maps) is asked of roost-helper through its argv protocol.
 */
#ifndef ROOST_FRONTEND_H
#define ROOST_FRONTEND_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "policy.h"

#define ROOST_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define ROOST_NORETURN		__attribute__((noreturn))

/* util.c: messages are one line, "roost: VERB: reason". */
extern const char	*roost_prog;		/* "roost", or a personality */
extern const char	*roost_verb;
extern int		 roost_err_fd;		/* where messages go */
extern int		 roost_fail_fd;		/* -1, or told of a failure */
extern void		(*roost_cleanup)(void);	/* before exit 1 */

void	roost_err(const char *fmt, ...) ROOST_PRINTF(1, 2) ROOST_NORETURN;
void	roost_errx(const char *fmt, ...) ROOST_PRINTF(1, 2) ROOST_NORETURN;
void	roost_warnx(const char *fmt, ...) ROOST_PRINTF(1, 2);
void	roost_usage(const char *fmt, ...) ROOST_PRINTF(1, 2) ROOST_NORETURN;
void	roost_fail(void) ROOST_NORETURN;
void	roost_exit(int status) ROOST_NORETURN;
int	roost_status(int wstatus);
const char *roost_fdpath(char *buf, size_t len, int fd);
int	roost_proc_start(int procfd, unsigned long long *start);
int	roost_proc_stat(int procfd, char *buf, size_t size);
int	roost_stat_start(const char *buf, unsigned long long *start);
ssize_t	roost_read_all(int fd, char *buf, size_t len);
int	roost_colour(int fd);
void	roost_json_str(const char *s, size_t n);	/* cmd_exec.c */
int	roost_write_all(int fd, const char *buf, size_t len);
int	roost_send_fd(int sock, char b, int fd);
ssize_t	roost_recv_fd(int sock, int flags, int *fd);
int	roost_parse_id(const char *s, uint32_t *out);
void	roost_bad_option(int c, char **argv) ROOST_NORETURN;
void	roost_close_fds(int *keep, size_t n);
void	roost_drop_ctty(void);

/* map.c: which ids the container gets, and whether the helper writes them. */
struct map_plan {
	struct idmap_extent	 u[IDMAP_MAX_EXTENTS];
	size_t			 nu;
	struct idmap_extent	 g[IDMAP_MAX_EXTENTS];
	size_t			 ng;
	int			 helper;	/* 0: roost writes 1 id */
	int			 explicit;	/* --map MAP was given */
	int			 automatic;	/* --map auto was given */
};

void	map_add_arg(struct map_plan *m, const char *arg);
void	map_check(struct map_plan *m);
void	map_resolve(struct map_plan *m);
void	map_pack(struct idmap_extent *x, size_t *nx, char type,
	    const struct policy_grant *g, size_t ng);

/* helper_call.c */
struct helper_job {
	pid_t	 pid;
	int	 errfd;		/* its stderr, when started with WHY */
};

const char *helper_path(void);
int	helper_map(int procfd, const struct map_plan *m, char *why,
	    size_t whylen);
int	helper_map_start(int procfd, const struct map_plan *m,
	    struct helper_job *j, char *why, size_t whylen);
int	helper_job_wait(struct helper_job *j, char *why, size_t whylen);
int	helper_net(const char *op, int procfd, const char *a, const char *b,
	    char *out, size_t outlen);
int	helper_idmount(int procfd, int dirfd, char *why, size_t whylen);

/* ns.c: clone, map, release, wait. */
struct ns_child {
	pid_t	 pid;
	int	 procfd;		/* /proc/PID, O_DIRECTORY */
	int	 release;		/* write end the child waits on */
};

void	ns_block_signals(void);
void	ns_restore_signals(void);
void	ns_saved_mask(sigset_t *mask);
pid_t	ns_clone(int flags, struct ns_child *c);
void	ns_map(struct ns_child *c, const struct map_plan *m);
void	ns_release(struct ns_child *c);
void	ns_release_fd(struct ns_child *c, int fd);
void	ns_kill(struct ns_child *c);
int	ns_await(struct ns_child *c);
void	ns_become(uid_t uid, gid_t gid);
int	ns_lo_up(void);
int	ns_wait(pid_t pid, int statusfd);
void	ns_wait_set(sigset_t *set);
struct signalfd_siginfo;
void	ns_on_signal(const struct signalfd_siginfo *si, pid_t pid,
	    int *status);
int	ns_forward_ok(int code, pid_t target);

/* pty.c: a terminal of the container's own for an interactive command. */
int	pty_wanted(int opt);
int	pty_open(int *slave);
void	pty_attach(int slave);
void	pty_restore(void);
int	pty_wait(pid_t pid, int statusfd, int sock);

/* idmap.c: a rootfs of the caller's own uid, as the container's root's. */
struct idmap_job {
	const char		*rootfs;
	int			 dirfd;
	struct ns_child		 t;	/* the namespace of the mapping */
	struct helper_job	 map;	/* its roost-helper map */
	int			 failed;
	char			 why[256];
};

int	idmap_begin(struct idmap_job *j, const char *rootfs,
	    const struct map_plan *m);
int	idmap_end(struct idmap_job *j);

/* nl.c: rtnetlink in the current network namespace (libmnl). */
struct nl;

struct nl_addr {
	int		 index;		/* the link, where it matters */
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned int	 prefixlen;
	unsigned char	 a[16];
};

struct nl_link {
	int		 index;
	int		 link;		/* IFLA_LINK: a veth's peer, or 0 */
	int		 netnsid;	/* the peer's netns, or -1: this one */
	int		 master;	/* a bridge port's bridge, or 0 */
	unsigned int	 flags;
	char		 name[16];
	char		 kind[16];	/* "veth", "bridge", ... */
};

struct nl *nl_open(void);
void	nl_close(struct nl *h);
int	nl_link_up(struct nl *h, int index);
int	nl_addr_add(struct nl *h, const struct nl_addr *a, int nodad);
int	nl_route_add(struct nl *h, int index, const struct nl_addr *dst,
	    const struct nl_addr *gw, int scope);
int	nl_link_dump(struct nl *h, struct nl_link **out, size_t *n);
int	nl_addr_dump(struct nl *h, struct nl_addr **out, size_t *n);
int	nl_nsid(struct nl *h, int nsfd, int *nsid);
/* The same parsers over one datagram of replies (tests/fuzz/fuzz_rtnl.c). */
int	nl_links_parse(const void *buf, size_t len, struct nl_link **out,
	    size_t *n);
int	nl_addrs_parse(const void *buf, size_t len, struct nl_addr **out,
	    size_t *n);
int	nl_nsid_parse(const void *buf, size_t len, int *nsid);

/* net.c: --net, and the container's end of its interfaces. */
#define NET_IFNAMSIZ	16
#define NET_MAX_ADDRS	16

enum net_mode { NET_DEFAULT, NET_NONE, NET_HOST, NET_VETH };

struct net_if {
	char		 name[NET_IFNAMSIZ];	/* inside; "" until named */
	char		 bridge[NET_IFNAMSIZ];	/* "none": routed */
	char		 host[NET_IFNAMSIZ];	/* the host end, the helper's */
	struct nl_addr	 addrs[NET_MAX_ADDRS];
	size_t		 naddrs;
	struct nl_addr	 gws[2];		/* bridge: gw=, one a family */
	size_t		 ngws;
};

struct net_plan {
	enum net_mode	 mode;
	struct net_if	*ifs;
	size_t		 nifs;
};

const char *net_ntop(const struct nl_addr *a, int withlen, char *buf,
	    size_t len);
int	net_parse_if(struct net_if *i, const char *what, const char *spec);
void	net_parse(struct net_plan *p, const char *spec);
void	net_autoname(struct net_if *i, const char *const *names, size_t n);
void	net_check(struct net_plan *p, int *nsflags);
void	net_ready(const struct net_plan *p, int sock, int ok);
int	net_attach_if(struct net_if *i, int procfd);
void	net_attach(struct net_plan *p, const struct ns_child *c);
void	net_configure_if(struct nl *h, const struct net_if *i, int index);
int	net_find(const struct nl_link *links, size_t n, const char *name);
void	net_configure(const struct net_plan *p);

/* mount.c, dev.c: the container's file system, run in the child. */
struct bind {
	const char	*src;
	const char	*dst;
	int		 srcfd;		/* O_PATH, in the child */
	int		 isdir;
	int		 ro;
};

struct mnt_req {
	const char	*rootfs;	/* NULL for a tmpfs */
	struct bind	*binds;
	size_t		 nbinds;
	int		 newpid;
	int		 newnet;
	int		 console;	/* stdin's tty as console */
	int		 idmap;		/* treefd may come: wait for it */
	int		 treefd;	/* rootfs idmapped, or -1: bind it */
	int		 rootfd;	/* the rest is mnt_prepare's */
	int		 private;
	int		 procdone;
	int		 sysdone;
};

void	mnt_prepare(struct mnt_req *r);
void	mnt_setup(struct mnt_req *r);
int	mnt_point(int rootfd, const char *path, int isdir);
void	dev_setup(int rootfd, int console);
void	dev_console_pty(unsigned int n);

/* init.c: pid 1 of a new pid namespace. */
struct launch {
	char	**argv;
	char	**env;			/* NULL: keep environ */
	uid_t	  uid;
	gid_t	  gid;
	int	  setids;		/* change to uid/gid before exec */
	int	  pty;			/* > 2: the pty's slave (pty.c) */
};

void	launch_exec(const struct launch *l) ROOST_NORETURN;
void	init_run(const struct launch *l, int statusfd) ROOST_NORETURN;

/* state.c: records of named containers. */
struct record {
	char			 name[65];
	pid_t			 pid;
	unsigned long long	 start;
	long long		 created;
	char			 command[1024];
};

int	state_name_ok(const char *name);
int	state_open(int create);
int	state_claim(int dirfd, const char *name, int procfd, pid_t pid,
	    char **argv);
void	state_drop(int dirfd, const char *name, pid_t pid);
int	state_list(int dirfd, struct record **out, size_t *n);
int	state_get(int dirfd, const char *name, struct record *r);
int	state_parse(char *buf, struct record *r);

/* target.c: a running container, and the process of it to act through. */
struct target {
	const char		*name;		/* as the caller gave it */
	pid_t			 leader;	/* its first process */
	unsigned long long	 start;		/* the leader's start time */
	int			 leaderfd;	/* /proc/LEADER */
	pid_t			 pid;		/* see target_proc */
	int			 procfd;	/* /proc/PID */
	int			 userfd;	/* its ns/user */
};

pid_t	proc_ppid(int procfd);
pid_t	proc_stat_ppid(const char *buf);
int	proc_same_ns(int a, int b);
struct record *target_records(size_t *n);
int	target_open(struct target *t, const struct record *r);
void	target_record(struct target *t, const struct record *r);
void	target_named(struct target *t, const char *name);
void	target_find(struct target *t, const char *arg);
int	target_proc(struct target *t);
void	target_mine(struct target *t);
int	target_alive(const struct target *t);
void	target_close(struct target *t);

/* cmd_enter.c: a command in a running container; roost exec's too. */
struct enter_opts {
	const char	 *uid;		/* NULL: 0 */
	const char	 *gid;		/* NULL: the uid's group */
	const char	 *cwd;		/* NULL: the container's */
	char		**envadd;
	size_t		  nenvadd;
	int		  clear_env;
	int		  ttyopt;	/* -t 1, -T -1, else 0 */
	int		  pty;		/* the command gets a pty (pty.c) */
	char		**argv;		/* empty: the login shell */
};

int	enter_run(struct target *t, const struct enter_opts *o);

/* Parsers of what the container controls (tests/fuzz/fuzz_proc.c). */
struct enter_env {
	char	**v;		/* NULL-terminated once n > 0 */
	size_t	  n;
	size_t	  cap;
};

char	*enter_cgroup2(char *text);
void	enter_environ(struct enter_env *e, char *env, size_t len);

/* cmd_*.c */
extern const char	run_usage[];
extern const char	unshare_usage[];
extern const char	ls_usage[];
extern const char	net_usage[];
extern const char	lxchook_usage[];
extern const char	enter_usage[];
extern const char	exec_usage[];
extern const char	stop_usage[];
extern const char	kill_usage[];
extern const char	policy_usage[];
extern const char	doctor_usage[];

int	cmd_run(int argc, char **argv);
int	cmd_unshare(int argc, char **argv);
int	cmd_ls(int argc, char **argv);
int	cmd_net(int argc, char **argv);
int	cmd_lxchook(int argc, char **argv);
int	cmd_enter(int argc, char **argv);
int	cmd_exec(int argc, char **argv);
int	cmd_stop(int argc, char **argv);
int	cmd_kill(int argc, char **argv);
int	cmd_policy(int argc, char **argv);
int	cmd_doctor(int argc, char **argv);

/* cmd_policy.c: what the installed policy grants a user, and which
 * section grants it; roost doctor's too. */
struct explain {
	struct policy_user		 user;
	struct policy_entitlement	 ent;
	size_t				 nsections;
};

int	explain_open(char *err, size_t errlen);
int	explain_load(struct explain *x, uid_t uid, char *err, size_t errlen);
void	explain_free(struct explain *x);

/* import.c: roost policy import. */
int	import_run(int argc, char **argv);

/* shift.c, cmd_shift.c: a tree's owners moved from FROM to TO ranges. */
#define SHIFT_MAX	64		/* --to maps */
#define SHIFT_DEPTH	256		/* levels: one open directory each */
#define SHIFT_JOBS_MAX	64		/* --jobs */

struct shift_range {
	char		 type;		/* 'u' or 'g' */
	uint32_t	 from;
	uint32_t	 to;
	uint32_t	 count;
};

struct shift_plan {
	struct shift_range	 r[SHIFT_MAX];
	size_t			 n;
	uint32_t		 rootid;	/* v3 capabilities' */
	int			 progress;	/* entries/s on stderr */
	int			 jobs;		/* workers; 0: one a CPU */
	const char		*top;		/* DIR, for messages */
};

int	shift_tree(const struct shift_plan *p, int fd);
int	shift_run(struct shift_plan *p, int fd);
void	shift_plan_auto(struct shift_plan *p, int reverse);

/* store.c, cmd_create.c, cmd_destroy.c: stored containers. */
int	store_open(int create);
char	*store_rootfs(const char *name);
void	store_start(char **argv, int cwdfd, int infd, int fd3);
int	store_wait(void);
int	store_remove(int base, const char *name);
void	store_ls(int json);

extern const char	shift_usage[];
extern const char	create_usage[];
extern const char	destroy_usage[];

int	cmd_shift(int argc, char **argv);
int	cmd_create(int argc, char **argv);
int	cmd_destroy(int argc, char **argv);

/* compat_usernic.c: argv[0] is lxc-user-nic. */
enum usernic_op { USERNIC_CREATE, USERNIC_DELETE };

struct usernic_req {
	enum usernic_op	 op;
	uint32_t	 pid;		/* create: PID, 1 to INT_MAX */
	const char	*link;		/* LINK, for the helper to judge */
	const char	*nic;		/* create: NICNAME, or NULL: a free ethN */
	const char	*netns;		/* delete: NETNS */
	const char	*hostif;	/* delete: HOSTIF */
	const char	*bad;		/* on error: the argument */
	const char	*why;		/* on error: what is wrong; NULL: usage */
};

int	usernic_parse(int argc, char **argv, struct usernic_req *rq);
int	compat_usernic(int argc, char **argv);

#endif
