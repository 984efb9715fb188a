/* The caller's name and groups from the files, never through NSS: no
 * module nsswitch.conf names, no network directory, in a setuid program. */
#include <grp.h>
#include <pwd.h>

#include "policy.h"

/* "+" and "-" are NIS compat entries; a longer name names no section. */
static int
usable_name(const char *s)
{
	return s[0] != '\0' && s[0] != '+' && s[0] != '-' &&
	    strlen(s) <= POLICY_NAMELEN;
}

static int
find_passwd(struct policy_user *u, uid_t uid, const char *path)
{
	struct passwd *pw;
	FILE *f;
	int e;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while ((pw = fgetpwent(f)) != NULL && pw->pw_uid != uid)
		continue;
	if (pw != NULL) {
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		if (usable_name(pw->pw_name))
			strlcpy(u->name, pw->pw_name, sizeof(u->name));
	}
	e = pw != NULL ? 0 : ferror(f) ? EIO : ENOENT;
	fclose(f);
	errno = e;
	return e == 0 ? 0 : -1;
}

static int
add_group(struct policy_user *u, const char *name)
{
	char (*g)[POLICY_NAMELEN + 1];
	size_t i;

	if (!usable_name(name))
		return 0;
	for (i = 0; i < u->ngroups; i++)
		if (strcmp(u->groups[i], name) == 0)
			return 0;
	if ((g = reallocarray(u->groups, u->ngroups + 1, sizeof(*g))) == NULL)
		return -1;
	u->groups = g;
	strlcpy(g[u->ngroups++], name, sizeof(*g));
	return 0;
}

/* The primary group first, then every group that lists the user. */
static int
find_groups(struct policy_user *u, const char *path)
{
	struct group *gr;
	char **m;
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while ((gr = fgetgrent(f)) != NULL && gr->gr_gid != u->gid)
		continue;
	if (gr != NULL)
		r = add_group(u, gr->gr_name);
	rewind(f);
	while (r == 0 && (gr = fgetgrent(f)) != NULL)
		for (m = gr->gr_mem; r == 0 && u->name[0] != '\0' &&
		    *m != NULL; m++)
			if (strcmp(*m, u->name) == 0)
				r = add_group(u, gr->gr_name);
	if (r == 0 && ferror(f)) {
		errno = EIO;
		r = -1;
	}
	fclose(f);
	return r;
}

int
policy_userdb_lookup(struct policy_user *u, uid_t uid,
    const char *passwd_path, const char *group_path)
{
	int e;

	memset(u, 0, sizeof(*u));
	if (find_passwd(u, uid, passwd_path) == -1)
		return -1;
	if (find_groups(u, group_path) == -1) {
		e = errno;
		policy_user_free(u);
		errno = e;
		return -1;
	}
	return 0;
}

void
policy_user_free(struct policy_user *u)
{
	free(u->groups);
	memset(u, 0, sizeof(*u));
}
