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
ssize_t	roost_read_all(int fd, char *buf, size_t len);
int	roost_write_all(int fd, const char *buf, size_t len);
int	roost_parse_id(const char *s, uint32_t *out);
void	roost_bad_option(int c, char **argv) ROOST_NORETURN;
void	roost_close_fds(int *keep, size_t n);

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
const char *helper_path(void);
int	helper_map(int procfd, const struct map_plan *m);
int	helper_net(const char *op, int procfd, const char *a, const char *b,
	    char *out, size_t outlen);
int	helper_check(struct policy_grant **u, size_t *nu,
	    struct policy_grant **g, size_t *ng);

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
void	ns_kill(struct ns_child *c);
void	ns_await(struct ns_child *c);
void	ns_become(uid_t uid, gid_t gid);
int	ns_lo_up(void);
int	ns_wait(pid_t pid, int statusfd);
int	ns_forward_ok(int code, pid_t target);

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
	int		 rootfd;	/* the rest is mnt_prepare's */
	int		 private;
	int		 procdone;
	int		 sysdone;
};

void	mnt_prepare(struct mnt_req *r);
void	mnt_setup(struct mnt_req *r);
int	mnt_point(int rootfd, const char *path, int isdir);
void	dev_setup(int rootfd, int console);

/* init.c: pid 1 of a new pid namespace. */
struct launch {
	char	**argv;
	char	**env;			/* NULL: keep environ */
	uid_t	  uid;
	gid_t	  gid;
	int	  setids;		/* change to uid/gid before exec */
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

/* cmd_*.c */
extern const char	run_usage[];
extern const char	unshare_usage[];
extern const char	ls_usage[];

int	cmd_run(int argc, char **argv);
int	cmd_unshare(int argc, char **argv);
int	cmd_ls(int argc, char **argv);

#endif
