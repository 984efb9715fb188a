/*
 * cmd_doctor.c: roost doctor, why roost may not work here, one line per
 * check: "ok: ...", "warn: ..." or "FAIL: ... (fix: ...)".  Everything is
 * looked at as the caller; nothing is changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

#define USERNIC_PATH	"/usr/libexec/lxc/lxc-user-nic"

const char doctor_usage[] =
"usage: roost doctor\n"
"  -h, --help           show this help\n"
"  Checks user namespaces, the helper, the policy, your entitlement and\n"
"  bridges, and which newuidmap, newgidmap and lxc-user-nic are used.\n";

static int	doctor_failed;
static int	doctor_colour;

/*
 * "LEVEL: TEXT (fix: FIX)"; FIX may be NULL.  LEVEL is "ok", "warn" or
 * "FAIL", in green, yellow or red when stdout wants colour.
 */
static void ROOST_PRINTF(3, 4)
report(const char *level, const char *fix, const char *fmt, ...)
{
	char		 text[768];
	const char	*on = "", *off = "";
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (doctor_colour) {
		on = level[0] == 'o' ? "\033[32m" : level[0] == 'w' ?
		    "\033[33m" : "\033[1;31m";
		off = "\033[0m";
	}
	(void)printf("%s%s%s: %s", on, level, off, text);
	if (fix != NULL)
		(void)printf(" (fix: %s)", fix);
	(void)putchar('\n');
	if (strcmp(level, "FAIL") == 0)
		doctor_failed = 1;
}

/* A sysctl as a number, or -1 if this kernel has none of that name. */
static long
sysctl_get(const char *name)
{
	char	 path[128], buf[32], *p;
	ssize_t	 n;
	int	 fd;

	(void)snprintf(path, sizeof(path), "/proc/sys/%s", name);
	for (p = path + strlen("/proc/sys/"); *p != '\0'; p++)
		if (*p == '.')
			*p = '/';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = roost_read_all(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Report sysctl NAME, which must not be BAD. */
static void
sysctl_check(const char *name, long bad, const char *why, const char *fix)
{
	long	 v = sysctl_get(name);

	if (v == -1)
		return;
	if (v == bad)
		report("FAIL", fix, "%s = %ld: %s", name, v, why);
	else
		report("ok", NULL, "%s = %ld", name, v);
}

/*
 * The proof: a child makes a user namespace and maps its own uid, which
 * AppArmor's restriction (Ubuntu 23.10 and later) forbids even where
 * unshare(2) itself succeeds.
 */
static int
userns_probe(void)
{
	char	 map[64];
	pid_t	 pid;
	int	 fd, st, n;

	if ((pid = fork()) == -1)
		return errno;
	if (pid == 0) {
		n = snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getuid());
		if (unshare(CLONE_NEWUSER) == -1)
			_exit(errno);
		if ((fd = open("/proc/self/uid_map", O_WRONLY)) == -1 ||
		    write(fd, map, (size_t)n) != n)
			_exit(errno);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

static void
doctor_userns(void)
{
	int	 e;

	sysctl_check("kernel.unprivileged_userns_clone", 0,
	    "unprivileged user namespaces are disabled",
	    "sysctl -w kernel.unprivileged_userns_clone=1");
	sysctl_check("user.max_user_namespaces", 0,
	    "no user namespaces may be made",
	    "sysctl -w user.max_user_namespaces=65536");
	sysctl_check("kernel.apparmor_restrict_unprivileged_userns", 1,
	    "AppArmor gives unprivileged user namespaces no capabilities",
	    "an AppArmor profile allowing userns for roost, or "
	    "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
	if ((e = userns_probe()) == 0)
		report("ok", NULL, "user namespaces: you can make one and map "
		    "your uid in it");
	else
		report("FAIL", "allow unprivileged user namespaces (see the "
		    "lines above; a container or seccomp filter may forbid "
		    "them)", "user namespaces: you cannot make one: %s",
		    strerror(e));
}

/* Installed root, setuid, and where setuid works. */
static void
doctor_helper(void)
{
	const char	*path = helper_path();
	char		 fix[PATH_MAX + 64];
	struct statvfs	 sv;
	struct stat	 st;

	(void)snprintf(fix, sizeof(fix), "chown root:root %s && "
	    "chmod 4755 %s", path, path);
	if (stat(path, &st) == -1)
		report("FAIL", "make install, or set ROOST_HELPER to it",
		    "helper %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		report("FAIL", fix, "helper %s: not a regular file", path);
	else if (st.st_uid != 0)
		report("FAIL", fix, "helper %s: not owned by root", path);
	else if ((st.st_mode & S_ISUID) == 0)
		report("FAIL", fix, "helper %s: not setuid", path);
	else if ((st.st_mode & 022) != 0)
		report("FAIL", fix, "helper %s: group or world writable", path);
	else if (access(path, X_OK) == -1)
		report("FAIL", fix, "helper %s: not executable by you", path);
	else if (statvfs(path, &sv) == 0 && (sv.f_flag & ST_NOSUID) != 0)
		report("FAIL", "install it on a file system mounted without "
		    "nosuid", "helper %s: on a nosuid mount, so it runs "
		    "without privilege", path);
	else
		report("ok", NULL, "helper %s: setuid root", path);
}

/* Present, safe, readable by all (roost-policy(5)) and valid. */
static int
doctor_policy(void)
{
	struct policy	 p;
	char		 err[POLICY_ERRLEN];
	int		 fd;

	if ((fd = explain_open(err, sizeof(err))) == -1 && errno == EACCES)
		report("FAIL", "chmod 0644 " ROOST_POLICY_PATH, "policy %s",
		    err);
	else if (fd == -1 && errno == ENOENT)
		report("FAIL", "write one (roost-policy(5)); roost policy "
		    "import converts /etc/subuid", "policy %s", err);
	else if (fd == -1)
		report("FAIL", "chown root:root and chmod go-w it and every "
		    "directory above it", "policy %s", err);
	else if (policy_load_fd(&p, fd, ROOST_POLICY_PATH, err,
	    sizeof(err)) == -1)
		report("FAIL", "correct that line; roost policy check FILE "
		    "tests a draft", "policy %s", err);
	else {
		report("ok", NULL, "policy %s: safe and valid, %zu sections",
		    ROOST_POLICY_PATH, p.nsections);
		policy_free(&p);
	}
	if (fd != -1)
		(void)close(fd);
	return fd == -1 ? -1 : 0;
}

/* "uids 100000 65536 (user:alice), ...": what is more than one's own. */
static size_t
grants_text(char *buf, size_t len, const struct policy_entitlement *e)
{
	size_t	 i, n = 0;

	buf[0] = '\0';
	for (i = 1; i < e->nuids; i++, n++)
		(void)snprintf(buf + strlen(buf), len - strlen(buf),
		    "%suids %u %u (%s)", n ? ", " : "", e->uids[i].start,
		    e->uids[i].count, e->uids[i].source);
	for (i = 1; i < e->ngids; i++, n++)
		(void)snprintf(buf + strlen(buf), len - strlen(buf),
		    "%sgids %u %u (%s)", n ? ", " : "", e->gids[i].start,
		    e->gids[i].count, e->gids[i].source);
	for (i = 0; i < e->nveths; i++, n++)
		(void)snprintf(buf + strlen(buf), len - strlen(buf),
		    "%sveth %s %u (%s)", n ? ", " : "", e->veths[i].bridge,
		    e->veths[i].count, e->veths[i].source);
	if (e->nroutes > 0)
		(void)snprintf(buf + strlen(buf), len - strlen(buf),
		    "%s%zu routes", n++ ? ", " : "", e->nroutes);
	return n;
}

static void
doctor_entitlement(const struct explain *x)
{
	char	 buf[512];

	if (grants_text(buf, sizeof(buf), &x->ent) == 0)
		report("warn", NULL, "entitlement: none: ask your admin to "
		    "add [user:%s] to %s", x->user.name, ROOST_POLICY_PATH);
	else
		report("ok", NULL, "entitlement: %s", buf);
}

static void
bridge_report(const char *name, const struct nl_link *l)
{
	char	 fix[64];

	(void)snprintf(fix, sizeof(fix), "ip link set %s up", name);
	if (l == NULL)
		report("FAIL", "ip link add NAME type bridge, or correct the "
		    "policy", "bridge %s: no such interface", name);
	else if (strcmp(l->kind, "bridge") != 0)
		report("FAIL", "correct the policy", "bridge %s: not a bridge "
		    "(%s)", name, l->kind[0] != '\0' ? l->kind : "no kind");
	else if ((l->flags & IFF_UP) == 0)
		report("FAIL", fix, "bridge %s: down", name);
	else
		report("ok", NULL, "bridge %s: up", name);
}

/*
 * The bridges of the caller's veth grants, as the kernel of our network
 * namespace (the helper's) says over netlink; sysfs would show the
 * namespace of whoever mounted it.
 */
static void
doctor_bridges(const struct policy_entitlement *e)
{
	struct nl_link	*links = NULL;
	struct nl	*h;
	size_t		 i, j, k, n = 0;

	if ((h = nl_open()) == NULL || nl_link_dump(h, &links, &n) == -1) {
		report("warn", NULL, "bridges: cannot list interfaces: %s",
		    strerror(errno));
		nl_close(h);
		return;
	}
	for (i = 0; i < e->nveths; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(e->veths[j].bridge, e->veths[i].bridge) == 0)
				break;
		if (j < i || strcmp(e->veths[i].bridge, "none") == 0)
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(links[k].name, e->veths[i].bridge) == 0)
				break;
		bridge_report(e->veths[i].bridge, k < n ? &links[k] : NULL);
	}
	free(links);
	nl_close(h);
}

/*
 * Is PATH the file that REF is?  By inode, not by name: an admin may
 * link, divert or bind-mount roost's binaries into place.
 */
static int
same_file(const char *path, const char *ref)
{
	struct stat	 a, b;

	return stat(path, &a) == 0 && stat(ref, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The first NAME in PATH, as a shell would run it: roost's? */
static void
doctor_first_in_path(const char *name)
{
	const char	*path = getenv("PATH");
	char		 dirs[4096], *d, *save = NULL, cand[PATH_MAX];
	char		 compat[PATH_MAX], fix[PATH_MAX + 64];
	int		 found = 0;

	strlcpy(dirs, path != NULL ? path : "/usr/bin:/bin", sizeof(dirs));
	for (d = strtok_r(dirs, ":", &save); d != NULL && !found;
	    d = strtok_r(NULL, ":", &save))
		found = snprintf(cand, sizeof(cand), "%s/%s", d, name) <
		    (int)sizeof(cand) && access(cand, X_OK) == 0;
	strlcpy(compat, helper_path(), sizeof(compat));
	if (strrchr(compat, '/') != NULL)
		*strrchr(compat, '/') = '\0';
	(void)snprintf(fix, sizeof(fix), "put %s/compat first in PATH",
	    compat);
	if (!found)
		report("warn", fix, "%s: not in PATH", name);
	else if (same_file(cand, helper_path()))
		report("ok", NULL, "%s: %s is roost's", name, cand);
	else
		report("warn", fix, "%s: %s is not roost's, and tools that "
		    "run it do not use the roost policy", name, cand);
}

/* LXC runs its helper by a fixed path, which an admin diverts to us. */
static void
doctor_usernic(void)
{
	if (access(USERNIC_PATH, F_OK) == -1 && errno == ENOENT)
		report("ok", NULL, "lxc-user-nic: %s: not installed",
		    USERNIC_PATH);
	else if (same_file(USERNIC_PATH, "/proc/self/exe"))
		report("ok", NULL, "lxc-user-nic: %s is roost's", USERNIC_PATH);
	else
		report("warn", "divert it to roost's, as in roost(1) EXAMPLES",
		    "lxc-user-nic: %s is not roost's, so LXC uses "
		    "/etc/lxc/lxc-usernet", USERNIC_PATH);
}

int
cmd_doctor(int argc, char **argv)
{
	struct explain	 x;
	char		 err[POLICY_ERRLEN];

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		(void)fputs(doctor_usage, stdout);
		return 0;
	}
	if (argc > 1)
		roost_usage("unexpected argument '%s'", argv[1]);
	doctor_colour = roost_colour(STDOUT_FILENO);
	doctor_userns();
	doctor_helper();
	if (doctor_policy() == -1)
		report("warn", NULL, "entitlement: unknown, as the policy "
		    "cannot be used");
	else if (explain_load(&x, getuid(), err, sizeof(err)) == -1)
		report("FAIL", "see the line above", "entitlement: %s", err);
	else {
		doctor_entitlement(&x);
		doctor_bridges(&x.ent);
		explain_free(&x);
	}
	doctor_first_in_path("newuidmap");
	doctor_first_in_path("newgidmap");
	doctor_usernic();
	return doctor_failed;
}
