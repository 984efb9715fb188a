/*
 * test_policy: the policy parser against every fixture, and the decisions
 * made from a parsed policy.  Run from the top of the source tree.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "unit.h"

#define FIXTURES	"tests/fixtures/policy"

static char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	FILE *f;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Load fixture NAME through policy_load_fd(), named by its basename. */
static int
load(struct policy *p, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		strlcpy(err, strerror(errno), errlen);
		return -1;
	}
	r = policy_load_fd(p, fd, name, err, errlen);
	close(fd);
	return r;
}

static int
is_empty(const struct policy *p)
{
	return p->sections == NULL && p->nsections == 0;
}

static void
check_bad(const char *name)
{
	char err[POLICY_ERRLEN], path[PATH_MAX], *want, *nl;
	struct policy p;
	size_t len;
	int r;

	r = load(&p, name, err, sizeof(err));
	CHECK(r == -1 && errno == EINVAL && is_empty(&p),
	    "%s: rejected with EINVAL, policy left empty", name);
	snprintf(path, sizeof(path), "%s/%.*s.err", FIXTURES,
	    (int)(strlen(name) - 4), name);
	if ((want = slurp(path, &len)) != NULL &&
	    (nl = strchr(want, '\n')) != NULL)
		*nl = '\0';
	CHECK_STR(r == -1 ? err : "(accepted)", want, name);
	free(want);
	policy_free(&p);
}

static void
test_fixtures(void)
{
	char err[POLICY_ERRLEN];
	struct dirent **ents;
	struct policy p;
	int i, n, nbad = 0, nok = 0;
	const char *name;

	n = scandir(FIXTURES, &ents, NULL, alphasort);
	CHECK(n > 0, "fixtures: %s is readable", FIXTURES);
	for (i = 0; i < n; i++) {
		name = ents[i]->d_name;
		if (strlen(name) < 5 || strcmp(name + strlen(name) - 4,
		    ".ini") != 0) {
			free(ents[i]);
			continue;
		}
		if (strncmp(name, "bad-", 4) == 0) {
			check_bad(name);
			nbad++;
		} else if (CHECK(strncmp(name, "ok-", 3) == 0 ||
		    strncmp(name, "deny-", 5) == 0,
		    "%s: named ok-, bad- or deny-", name)) {
			err[0] = '\0';
			CHECK(load(&p, name, err, sizeof(err)) == 0 &&
			    err[0] == '\0', "%s: parses %s", name, err);
			policy_free(&p);
			nok++;
		}
		free(ents[i]);
	}
	free(ents);
	CHECK(nbad >= 40 && nok >= 10, "fixtures: %d bad, %d ok or deny",
	    nbad, nok);
}

/* The shipped example must parse, and grant nothing (CVE-2024-56433:
 * default ranges shipped by a package collide with the site's own). */
static void
test_example(void)
{
	char err[POLICY_ERRLEN], *buf;
	struct policy p;
	size_t len = 0;

	buf = slurp("etc/policy.conf", &len);
	CHECK(buf != NULL && len > 0, "etc/policy.conf: exists");
	CHECK(buf != NULL && policy_parse(&p, buf, len, "policy.conf", err,
	    sizeof(err)) == 0 && is_empty(&p),
	    "etc/policy.conf: parses and grants nothing");
	policy_free(&p);
	free(buf);
}

static void
test_parse_values(void)
{
	char err[POLICY_ERRLEN];
	struct policy p;
	const struct policy_section *s;
	static const unsigned char v4[16] = { 192, 0, 2, 8 };

	CHECK(load(&p, "ok-routed.ini", err, sizeof(err)) == 0,
	    "parse: ok-routed.ini");
	s = &p.sections[0];
	CHECK(p.nsections == 2 && s->kind == POLICY_USER &&
	    strcmp(s->name, "carol") == 0 && s->line == 3,
	    "parse: section kind, name and line");
	CHECK(s->nuids == 1 && s->uids[0].start == 200000 &&
	    s->uids[0].count == 65536 && s->uids[0].line == 4,
	    "parse: uid range and its line");
	CHECK(s->nveths == 1 && strcmp(s->veths[0].bridge, "none") == 0 &&
	    s->veths[0].count == 4, "parse: veth none");
	CHECK(s->nroutes == 5 && s->routes[0].family == AF_INET &&
	    s->routes[0].len == 29 && memcmp(s->routes[0].addr, v4, 16) == 0,
	    "parse: IPv4 route with prefix");
	CHECK(s->routes[1].len == 32 && s->routes[3].family == AF_INET6 &&
	    s->routes[3].len == 128, "parse: default prefix lengths");
	CHECK(s->setgroups == POLICY_SETGROUPS_UNSET,
	    "parse: setgroups unset by default");
	policy_free(&p);
	CHECK(load(&p, "ok-edges.ini", err, sizeof(err)) == 0 &&
	    p.nsections == 3 && p.sections[2].nuids == 3 &&
	    p.sections[2].setgroups == POLICY_SETGROUPS_ALLOW &&
	    p.sections[2].veths[0].count == 4096,
	    "parse: empty sections kept, edge values taken");
	policy_free(&p);
}

/*
 * Lines the fixtures do not spell out: where a value or a header ends,
 * which section a key may appear in, what overlaps.  NULL: accepted.
 */
static void
test_parse_edges(void)
{
	static const char *t[][2] = {
		{ "[user:a]\nuids =;x\n", "e:2: uids: want START COUNT" },
		{ "[user:a]\nuids = ;x\n", "e:2: empty value for \"uids\"" },
		{ "[user:a]\nuids = 1 1;x\n",
		    "e:2: uids: malformed number \"1;x\"" },
		{ "[user:a]\nuids = 100 1 ; c\ngids = 100 1\t;\n", NULL },
		{ "[user:a]\nuids = 100 1 ", NULL },
		{ "[user:a]\n  ; indented\n\t\n", NULL },
		{ "\xef\xbb\xbf\xef\xbb\xbf[user:a]\n", "e:1: syntax error" },
		{ "[user:a]\r\n", "e:1: control character" },
		{ "[user:a]\nuids = 1\x80 1\n",
		    "e:2: uids: malformed number \"1\x80\"" },
		{ "[user:a]]\n", "e:1: syntax error" },
		{ "[user:a];\n", "e:1: syntax error" },
		{ "[user:a] ;\n[group:a]\t; same name, other kind\n", NULL },
		{ "[user:a$]\n[user:a]\n", NULL },
		{ "[global]\nsubid-files = yes\n",
		    "e:1: unknown section [global]" },
		{ "[user:a]\nsubid-files = yes\n",
		    "e:2: unknown key \"subid-files\" in [user:a]" },
		{ "[user:a]\nuids = 10 5\nuids = 15 5\n"
		    "[group:g]\ngids = 10 5\n", NULL },
		{ "[user:a]\nuids = 10 5\n[group:g]\nuids = 14 1\n",
		    "e:4: uids: range overlaps line 2" },
		{ "[user:a]\nveth = br0 1\n[user:b]\nveth = br0 4096\n", NULL },
		{ "[user:a]\nveth = br0 4097\n",
		    "e:2: veth: count must be 1 to 4096" },
		{ "[user:a]\nveth = br0 01\n",
		    "e:2: veth: malformed number \"01\"" },
		{ "[user:a]\nroute = 10.0.0.0/8\nroute = ::a00:0/104\n", NULL },
		{ "[user:a]\nroute = 10.0.0.0/9\nroute = 10.128.0.0/9\n",
		    NULL },
		{ "[user:a]\nroute = 10.0.0.0/8\n"
		    "[user:b]\nroute = 10.1.0.0/16\n",
		    "e:4: route: overlaps line 2" },
		{ "[user:a]\nroute = 10.1.0.0/16\nroute = 0.0.0.0/1\n",
		    "e:3: route: overlaps line 2" },
		{ "[user:a]\nroute = 1.2.3.4/08\n",
		    "e:2: route: bad prefix length \"08\"" },
		{ "[user:a]\nroute = ::/129\n",
		    "e:2: route: bad prefix length \"129\"" },
		{ "[user:a]\nroute = 1111:2222:3333:4444:5555:6666:77.88.99.100"
		    "0/128\n", "e:2: route: bad address "
		    "\"1111:2222:3333:4444:5555:6666:77.88.99.1000\"" },
		{ "[user:a]\nsetgroups = deny\n[group:b]\nsetgroups = allow\n",
		    NULL },
		{ "[user:a]\nsetgroups = allow ; c\nsetgroups = deny\n",
		    "e:3: duplicate key \"setgroups\" (first at line 2)" },
	};
	char err[POLICY_ERRLEN];
	struct policy p;
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = 'x';
		r = policy_parse(&p, t[i][0], strlen(t[i][0]), "e", err,
		    sizeof(err));
		if (t[i][1] == NULL)
			CHECK(r == 0 && err[0] == '\0', "edges: case %zu "
			    "accepted %s", i, err);
		else
			CHECK_STR(r == -1 && errno == EINVAL ? err :
			    "(accepted)", t[i][1], "edges: message");
		policy_free(&p);
	}
}

/* A message is cut to fit ERRLEN, and ERRLEN 0 leaves err alone. */
static void
test_short_err(void)
{
	char err[16] = "untouched";
	struct policy p;

	CHECK(policy_parse(&p, "[x]\n", 4, "e", err, 8) == -1 &&
	    strcmp(err, "e:1: un") == 0, "parse: message cut to errlen");
	CHECK(policy_parse(&p, "[x]\n", 4, "e", err + 8, 0) == -1 &&
	    strcmp(err, "e:1: un") == 0, "parse: errlen 0 writes nothing");
}

static void
test_too_large(void)
{
	char err[POLICY_ERRLEN], *buf;
	struct policy p;
	size_t i, len = POLICY_MAX_BYTES + 1;

	if ((buf = malloc(len)) == NULL)
		return;
	for (i = 0; i < len; i++)
		buf[i] = i % 64 == 63 ? '\n' : ';';
	CHECK(policy_parse(&p, buf, len - 1, "big.ini", err,
	    sizeof(err)) == 0, "parse: exactly %d bytes is accepted",
	    POLICY_MAX_BYTES);
	policy_free(&p);
	CHECK(policy_parse(&p, buf, len, "big.ini", err, sizeof(err)) == -1 &&
	    errno == EINVAL, "parse: one byte more is refused");
	CHECK_STR(err, "big.ini:16385: file too large", "parse: file too large");
	buf[len - 1] = '\r';
	CHECK(policy_parse(&p, buf, len, "big.ini", err, sizeof(err)) == -1,
	    "parse: too large and a bad byte");
	CHECK_STR(err, "big.ini:16385: file too large",
	    "parse: the size is checked first");
	free(buf);
}

static void
test_u32(void)
{
	static const struct {
		const char	*s;
		int		 r, e;
		uint32_t	 v;
	} t[] = {
		{ "0", 0, 0, 0 },
		{ "1", 0, 0, 1 },
		{ "4294967295", 0, 0, 4294967295U },
		{ "4294967296", -1, ERANGE, 0 },
		{ "99999999999999999999999", -1, ERANGE, 0 },
		{ "+1", -1, EINVAL, 0 },
		{ "-1", -1, EINVAL, 0 },
		{ "01", -1, EINVAL, 0 },
		{ "00", -1, EINVAL, 0 },
		{ "", -1, EINVAL, 0 },
		{ " 1", -1, EINVAL, 0 },
		{ "1 ", -1, EINVAL, 0 },
		{ "0x10", -1, EINVAL, 0 },
		{ "1e3", -1, EINVAL, 0 },
	};
	uint32_t v;
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 7;
		errno = 0;
		r = policy_parse_u32(t[i].s, UINT32_MAX, &v);
		CHECK(r == t[i].r && (r == 0 ? v == t[i].v : errno == t[i].e),
		    "u32: \"%s\"", t[i].s);
	}
	CHECK(policy_parse_u32("4096", 4096, &v) == 0 && v == 4096 &&
	    policy_parse_u32("4097", 4096, &v) == -1 && errno == ERANGE,
	    "u32: MAX is inclusive");
}

static void
test_idmap_parse(void)
{
	static const char *bad[] = {
		"", "u", "u:", "u:0:100000", "u:0:100000:65536:1",
		"x:0:100000:65536", "U:0:100000:65536", "uu:0:1:1",
		"u:0:100000:0", "u:-1:100000:1", "u:0:+1:1", "u:00:1:1",
		"u: 0:1:1", "u:0:1:1 ", "u::1:1", "u:0:4294967295:1",
		"u:4294967295:0:1", "u:4294967294:0:2", "u:0:1:4294967295",
		"g:0:4294967296:1",
	};
	struct idmap_extent x;
	size_t i;

	CHECK(idmap_parse("u:0:100000:65536", &x) == 0 && x.type == 'u' &&
	    x.inside == 0 && x.outside == 100000 && x.count == 65536,
	    "idmap: parse u:0:100000:65536");
	CHECK(idmap_parse("g:4294967294:1:1", &x) == 0 &&
	    idmap_parse("u:0:0:4294967295", &x) == 0,
	    "idmap: extents that end at 4294967295 are taken");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(idmap_parse(bad[i], &x) == -1 &&
		    (errno == EINVAL || errno == ERANGE),
		    "idmap: refuses \"%s\"", bad[i]);
	CHECK(idmap_parse("u:4294967294:0:2", &x) == -1 && errno == ERANGE,
	    "idmap: wrap at 2^32 is ERANGE");
}

static void
test_idmap_validate(void)
{
	struct idmap_extent x[IDMAP_MAX_EXTENTS + 2];
	size_t i, bad = 99, other = 99;

	for (i = 0; i < IDMAP_MAX_EXTENTS; i++)
		x[i] = (struct idmap_extent){ 'u', (uint32_t)i * 2,
		    100000 + (uint32_t)i * 2, 2 };
	x[IDMAP_MAX_EXTENTS] = (struct idmap_extent){ 'g', 0, 0, 1 };
	CHECK(idmap_validate(x, IDMAP_MAX_EXTENTS + 1, &bad, &other) == 0,
	    "idmap: 340 uid extents and a gid extent are valid");
	x[IDMAP_MAX_EXTENTS + 1] = (struct idmap_extent){ 'u', 5000, 5000, 1 };
	CHECK(idmap_validate(x, IDMAP_MAX_EXTENTS + 2, &bad, &other) == -1 &&
	    errno == E2BIG && bad == IDMAP_MAX_EXTENTS + 1 && other == bad,
	    "idmap: the 341st uid extent is E2BIG");
	x[0] = (struct idmap_extent){ 'u', 0, 100000, 10 };
	x[1] = (struct idmap_extent){ 'u', 9, 200000, 1 };
	CHECK(idmap_validate(x, 2, &bad, &other) == -1 && errno == EEXIST &&
	    bad == 1 && other == 0, "idmap: overlapping inside is EEXIST");
	x[1] = (struct idmap_extent){ 'u', 10, 100009, 1 };
	CHECK(idmap_validate(x, 2, &bad, &other) == -1 && errno == EEXIST &&
	    bad == 1 && other == 0, "idmap: overlapping outside is EEXIST");
	x[1] = (struct idmap_extent){ 'u', 10, 100010, 5 };
	CHECK(idmap_validate(x, 2, &bad, &other) == 0,
	    "idmap: adjacent extents do not overlap");
	x[1] = (struct idmap_extent){ 'g', 0, 100000, 10 };
	CHECK(idmap_validate(x, 2, &bad, &other) == 0,
	    "idmap: u and g extents are not compared");
	x[2] = (struct idmap_extent){ 'g', 5, 300000, 1 };
	CHECK(idmap_validate(x, 3, &bad, &other) == -1 && errno == EEXIST &&
	    bad == 2 && other == 1, "idmap: later g overlaps earlier g");
	x[2] = (struct idmap_extent){ 'x', 500, 500, 1 };
	CHECK(idmap_validate(x, 3, &bad, &other) == -1 && errno == EINVAL &&
	    bad == 2 && other == 2, "idmap: validate refuses a bad type");
	x[2] = (struct idmap_extent){ 'g', 4294967295U, 1, 1 };
	CHECK(idmap_validate(x, 3, &bad, &other) == -1 && errno == EINVAL &&
	    bad == 2, "idmap: validate refuses an extent past 4294967295");
}

/* A user as the database would give them, without reading it. */
static void
fake_user(struct policy_user *u, const char *name, uid_t uid, gid_t gid,
    const char *g1, const char *g2)
{
	memset(u, 0, sizeof(*u));
	u->uid = uid;
	u->gid = gid;
	strlcpy(u->name, name, sizeof(u->name));
	u->groups = calloc(2, sizeof(*u->groups));
	if (u->groups == NULL)
		return;
	if (g1 != NULL)
		strlcpy(u->groups[u->ngroups++], g1, sizeof(*u->groups));
	if (g2 != NULL)
		strlcpy(u->groups[u->ngroups++], g2, sizeof(*u->groups));
}

static int
entitle(const char *fixture, struct policy_user *u,
    struct policy_entitlement *e)
{
	char err[POLICY_ERRLEN];
	struct policy p;
	int r;

	if (load(&p, fixture, err, sizeof(err)) == -1)
		return -1;
	r = policy_entitle(&p, u, e);
	policy_free(&p);
	return r;
}

static void
test_entitle_union(void)
{
	struct policy_entitlement e;
	struct policy_user u;

	fake_user(&u, "alice", 1000, 1000, "alice", "builders");
	CHECK(entitle("deny-outside.ini", &u, &e) == 0, "entitle: alice");
	CHECK(e.nuids == 3 && e.uids[0].start == 1000 &&
	    e.uids[0].count == 1 && strcmp(e.uids[0].source, "self") == 0,
	    "entitle: own uid first, source self");
	CHECK(e.ngids == 3 && e.gids[0].start == 1000 &&
	    strcmp(e.gids[0].source, "self") == 0,
	    "entitle: own gid first, source self");
	CHECK(strcmp(e.uids[1].source, "user:alice") == 0 &&
	    strcmp(e.uids[2].source, "group:builders") == 0 &&
	    e.uids[2].start == 165536, "entitle: user and group grants");
	CHECK(e.nveths == 3 && strcmp(e.veths[0].source, "user:alice") == 0 &&
	    e.veths[0].count == 2 && strcmp(e.veths[1].bridge, "br0") == 0 &&
	    strcmp(e.veths[1].source, "group:builders") == 0 &&
	    e.veths[1].count == 8 && strcmp(e.veths[2].bridge, "none") == 0,
	    "entitle: one veth allotment per section and bridge");
	CHECK(e.nroutes == 2 && e.routes[0].family == AF_INET &&
	    e.routes[1].family == AF_INET6 && e.routes[1].len == 64 &&
	    strcmp(e.routes[1].source, "group:builders") == 0,
	    "entitle: routes from both sections");
	CHECK(e.setgroups == POLICY_SETGROUPS_UNSET, "entitle: setgroups unset");
	policy_entitlement_free(&e);
	policy_user_free(&u);
}

static void
test_permits(void)
{
	struct policy_entitlement e;
	struct policy_user u;

	fake_user(&u, "alice", 1000, 1000, "builders", NULL);
	if (!CHECK(entitle("deny-outside.ini", &u, &e) == 0, "permits: load"))
		return;
	CHECK(policy_permits_ids(&e, 'u', 100000, 65536),
	    "permits: the user's own grant");
	CHECK(policy_permits_ids(&e, 'u', 100000, 131072),
	    "permits: spans adjacent user and group grants");
	CHECK(policy_permits_ids(&e, 'u', 165535, 2),
	    "permits: a range across the seam");
	CHECK(!policy_permits_ids(&e, 'u', 99999, 2),
	    "permits: refuses one id below");
	CHECK(!policy_permits_ids(&e, 'u', 100000, 131073),
	    "permits: refuses one id above");
	CHECK(!policy_permits_ids(&e, 'u', 231072, 1),
	    "permits: refuses the id just past the union");
	CHECK(!policy_permits_ids(&e, 'g', 100000, 65536),
	    "permits: refuses a range across a gap");
	CHECK(policy_permits_ids(&e, 'g', 100000, 1000) &&
	    policy_permits_ids(&e, 'g', 101001, 64535) &&
	    !policy_permits_ids(&e, 'g', 101000, 1),
	    "permits: both sides of the gap, not the gap");
	CHECK(!policy_permits_ids(&e, 'u', 300000, 1),
	    "permits: refuses another user's range");
	CHECK(policy_permits_ids(&e, 'u', 1000, 1) &&
	    !policy_permits_ids(&e, 'u', 1000, 2) &&
	    !policy_permits_ids(&e, 'u', 100000, 0) &&
	    !policy_permits_ids(&e, 'x', 100000, 1),
	    "permits: self, but no more; zero count and bad type refused");
	policy_entitlement_free(&e);
	policy_user_free(&u);
}

static void
test_setgroups(void)
{
	struct policy_entitlement e;
	struct policy_user u;

	fake_user(&u, "alice", 1000, 1000, "staff", "builders");
	CHECK(entitle("deny-setgroups.ini", &u, &e) == 0 &&
	    e.setgroups == POLICY_SETGROUPS_DENY,
	    "setgroups: deny from a group wins over allow from the user");
	policy_entitlement_free(&e);
	policy_user_free(&u);
	fake_user(&u, "alice", 1000, 1000, "staff", NULL);
	CHECK(entitle("deny-setgroups.ini", &u, &e) == 0 &&
	    e.setgroups == POLICY_SETGROUPS_ALLOW,
	    "setgroups: allow when no applicable section denies");
	policy_entitlement_free(&e);
	policy_user_free(&u);
	fake_user(&u, "alice", 1000, 1000, NULL, NULL);
	CHECK(entitle("deny-unlisted.ini", &u, &e) == 0 &&
	    e.setgroups == POLICY_SETGROUPS_UNSET && e.nuids == 1 &&
	    e.ngids == 1 && e.nveths == 0 && e.nroutes == 0,
	    "entitle: an unlisted user gets self only, setgroups unset");
	CHECK(policy_permits_ids(&e, 'u', 1000, 1) &&
	    !policy_permits_ids(&e, 'u', 300000, 1) &&
	    !policy_permits_ids(&e, 'u', 400000, 1),
	    "permits: an unlisted user may map only themselves");
	policy_entitlement_free(&e);
	policy_user_free(&u);
}

static void
test_userdb(void)
{
	struct policy_user u;

	CHECK(policy_userdb_lookup(&u, 1000, FIXTURES "/passwd",
	    FIXTURES "/group") == 0 && strcmp(u.name, "alice") == 0 &&
	    u.gid == 1000 && u.ngroups == 3 &&
	    strcmp(u.groups[0], "alice") == 0 &&
	    strcmp(u.groups[1], "builders") == 0 &&
	    strcmp(u.groups[2], "staff") == 0,
	    "userdb: primary group first, members once, long names skipped");
	policy_user_free(&u);
	CHECK(policy_userdb_lookup(&u, 1002, FIXTURES "/passwd",
	    FIXTURES "/group") == 0 && u.ngroups == 1 &&
	    strcmp(u.groups[0], "users") == 0, "userdb: shared primary group");
	policy_user_free(&u);
	CHECK(policy_userdb_lookup(&u, 1003, FIXTURES "/passwd",
	    FIXTURES "/group") == 0 && u.name[0] == '\0' && u.ngroups == 0,
	    "userdb: a name too long for a section is left empty");
	policy_user_free(&u);
	CHECK(policy_userdb_lookup(&u, 4242, FIXTURES "/passwd",
	    FIXTURES "/group") == -1 && errno == ENOENT && u.groups == NULL,
	    "userdb: unknown uid is ENOENT");
	CHECK(policy_userdb_lookup(&u, 1000, FIXTURES "/nonexistent",
	    FIXTURES "/group") == -1 && errno == ENOENT,
	    "userdb: missing passwd file");
	CHECK(policy_userdb_lookup(&u, 1000, FIXTURES "/passwd",
	    FIXTURES "/nonexistent") == -1 && errno == ENOENT &&
	    u.groups == NULL, "userdb: missing group file");
}

static int
mkfile(const char *path, mode_t mode, uid_t owner)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (write(fd, "; x\n", 4) != 4 || fchown(fd, owner, 0) == -1 ||
	    fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Open D/REL with policy_open(); WANT is the message after "D/", or NULL
 * if the open must succeed. */
static void
check_open(const char *d, const char *rel, const char *want)
{
	char err[POLICY_ERRLEN] = "", path[PATH_MAX], msg[PATH_MAX + 64];
	struct policy p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d, rel);
	fd = policy_open(path, err, sizeof(err));
	if (want == NULL) {
		CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0 &&
		    (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0 &&
		    policy_load_fd(&p, fd, rel, err, sizeof(err)) == 0,
		    "open: %s opens and loads %s", rel, err);
		policy_free(&p);
	} else {
		snprintf(msg, sizeof(msg), "%s/%s", d, want);
		CHECK(fd == -1, "open: refuses %s", rel);
		CHECK_STR(err, msg, want);
	}
	if (fd >= 0)
		close(fd);
}

static int
mkdirat_owned(const char *d, const char *rel, mode_t mode, uid_t owner)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d, rel);
	if (mkdir(path, 0700) == -1 || chown(path, owner, 0) == -1)
		return -1;
	return chmod(path, mode);
}

static int
mkfileat(const char *d, const char *rel, mode_t mode, uid_t owner)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d, rel);
	return mkfile(path, mode, owner);
}

/* Unsafe variants of a policy file, made as root under D. */
static int
make_tree(const char *d)
{
	int fd;

	if ((fd = open(d, O_PATH | O_DIRECTORY)) == -1)
		return -1;
	if (mkfileat(d, "gw.conf", 0664, 0) == -1 ||
	    mkfileat(d, "ww.conf", 0646, 0) == -1 ||
	    mkfileat(d, "user.conf", 0644, 1) == -1 ||
	    symlinkat("ok.conf", fd, "link.conf") == -1 ||
	    mkfifoat(fd, "fifo.conf", 0644) == -1 ||
	    mkdirat_owned(d, "sub", 0755, 0) == -1 ||
	    mkfileat(d, "sub/ok.conf", 0644, 0) == -1 ||
	    symlinkat("sub", fd, "linkdir") == -1 ||
	    mkdirat_owned(d, "tmp", 01777, 0) == -1 ||
	    mkfileat(d, "tmp/ok.conf", 0644, 0) == -1 ||
	    mkdirat_owned(d, "gw", 0775, 0) == -1 ||
	    mkfileat(d, "gw/ok.conf", 0644, 0) == -1 ||
	    mkdirat_owned(d, "home", 0755, 1) == -1 ||
	    mkfileat(d, "home/ok.conf", 0644, 0) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
open_cases(const char *d)
{
	if (!CHECK(make_tree(d) == 0, "open: make unsafe variants"))
		return;
	check_open(d, "sub/ok.conf", NULL);
	check_open(d, "sub//ok.conf", NULL);
	check_open(d, "gw.conf", "gw.conf: group or world writable");
	check_open(d, "ww.conf", "ww.conf: group or world writable");
	check_open(d, "user.conf", "user.conf: not owned by root");
	check_open(d, "link.conf", "link.conf: is a symbolic link");
	check_open(d, "linkdir/ok.conf", "linkdir: is a symbolic link");
	check_open(d, "fifo.conf", "fifo.conf: not a regular file");
	check_open(d, "sub", "sub: not a regular file");
	check_open(d, "tmp/ok.conf", "tmp: group or world writable");
	check_open(d, "gw/ok.conf", "gw: group or world writable");
	check_open(d, "home/ok.conf", "home: not owned by root");
	check_open(d, "nope.conf", "nope.conf: No such file or directory");
	check_open(d, "ok.conf/x", "ok.conf: Not a directory");
	check_open(d, "sub/../ok.conf", "sub/..: bad path component");
	check_open(d, "./ok.conf", ".: bad path component");
}

static void
test_open(void)
{
	char tmpl[] = "tests/.tmp/policy.XXXXXX", d[PATH_MAX];
	char err[POLICY_ERRLEN], path[PATH_MAX + 16];
	int fd = -1;

	mkdir("tests/.tmp", 0755);
	if (mkdtemp(tmpl) == NULL || realpath(tmpl, d) == NULL ||
	    chmod(d, 0755) == -1) {
		SKIP("open", "cannot make a temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/ok.conf", d);
	if (geteuid() != 0 || mkfile(path, 0644, 0) == -1 ||
	    (fd = policy_open(path, err, sizeof(err))) == -1)
		SKIP("open", "needs root and a root-owned source tree");
	else {
		close(fd);
		open_cases(d);
	}
	fd = policy_open("tests/fixtures/policy/ok-empty.ini", err,
	    sizeof(err));
	CHECK(fd == -1 && errno == EINVAL, "open: refuses a relative path");
	CHECK_STR(err, "tests/fixtures/policy/ok-empty.ini: not an absolute "
	    "file path", "open: relative path message");
	CHECK(policy_open("/etc/", err, sizeof(err)) == -1,
	    "open: refuses a trailing slash");
	nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	test_fixtures();
	test_example();
	test_parse_values();
	test_parse_edges();
	test_short_err();
	test_too_large();
	test_u32();
	test_idmap_parse();
	test_idmap_validate();
	test_entitle_union();
	test_permits();
	test_setgroups();
	test_userdb();
	test_open();
	return unit_done();
}
