/*
 * The strict parser of roost-policy(5), and a caller's entitlement.  inih
 * is lenient where a policy must not be, so its reader lexes every raw
 * line first (SECURITY.md, invariant 5).
 */
#include <arpa/inet.h>
#include <ini.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "policy.h"

#define BLANKS		" \t"

struct parse_ctx {
	struct policy	*p;
	const char	*buf;
	size_t		 len;
	size_t		 pos;
	unsigned int	 line;
	char		 header[POLICY_MAX_LINE + 1];	/* "group:NAME" */
	const char	*name;
	char		*err;
	size_t		 errlen;
	int		 error;		/* errno of the error, or 0 */
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->error = EINVAL;
	n = snprintf(c->err, c->errlen, "%s:%u: ", c->name, c->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
nomem(struct parse_ctx *c)
{
	fail(c, "out of memory");
	c->error = ENOMEM;
	return -1;
}

/* Append N elements of SIZE at ADD to *LISTP, any T * (memcpy: a T **
 * cannot alias void **). */
static int
append(void *listp, size_t *nlist, const void *add, size_t n, size_t size)
{
	char	*list, *p;

	if (n == 0)
		return 0;
	memcpy(&list, listp, sizeof(list));
	if ((p = reallocarray(list, *nlist + n, size)) == NULL)
		return -1;
	memcpy(p + *nlist * size, add, n * size);
	memcpy(listp, &p, sizeof(p));
	*nlist += n;
	return 0;
}

/* The next raw line to STR: 1, 0 at the end, -1 on an error, which
 * includes bytes meaning something else to inih or a terminal. */
static int
next_line(struct parse_ctx *c, char *str, size_t size)
{
	const unsigned char *s = (const unsigned char *)c->buf + c->pos, *nl;
	size_t n, i;

	if (c->error != 0)
		return -1;
	if (c->pos >= c->len)
		return 0;
	nl = memchr(s, '\n', c->len - c->pos);
	n = nl != NULL ? (size_t)(nl - s) : c->len - c->pos;
	c->pos += n + (nl != NULL);
	c->line++;
	if (c->pos > POLICY_MAX_BYTES)
		return fail(c, "file too large");
	if (n > POLICY_MAX_LINE)
		return fail(c, "line too long");
	if (memchr(s, '\0', n) != NULL)
		return fail(c, "NUL byte");
	for (i = 0; i < n; i++)
		if (s[i] == 0x7f || (s[i] < ' ' && s[i] != '\t'))
			return fail(c, "control character");
	if (n >= size)		/* an inih built with a smaller INI_MAX_LINE */
		return fail(c, "line too long");
	memcpy(str, s, n);
	str[n] = '\0';
	return 1;
}

/* useradd(8)'s NAME_REGEX (and machine accounts' "$"), at most 32. */
static int
valid_name(const char *s)
{
	size_t n = strlen(s), m = n > 0 && s[n - 1] == '$' ? n - 1 : n;

	return m > 0 && n <= POLICY_NAMELEN &&
	    (s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") >= m;
}

/* "[user:NAME]" or "[group:NAME]", each once, then only a comment. */
static int
lex_header(struct parse_ctx *c, const char *s)
{
	struct policy *p = c->p;
	struct policy_section sec;
	const char *e = strchr(s, ']'), *h = c->header, *name = h + 5;
	enum policy_kind kind = POLICY_USER;
	size_t i, k;

	if (e == NULL)
		return fail(c, "syntax error");
	k = strspn(e + 1, BLANKS);
	if (e[1 + k] != '\0' && (e[1 + k] != ';' || k == 0))
		return fail(c, "syntax error");
	memcpy(c->header, s + 1, (size_t)(e - s) - 1);
	c->header[e - s - 1] = '\0';
	if (strncmp(h, "group:", 6) == 0) {
		kind = POLICY_GROUP;
		name = h + 6;
	} else if (strncmp(h, "user:", 5) != 0)
		return fail(c, "unknown section [%s]", h);
	if (!valid_name(name))
		return fail(c, "bad section name [%s]", h);
	for (i = 0; i < p->nsections; i++)
		if (p->sections[i].kind == kind &&
		    strcmp(p->sections[i].name, name) == 0)
			return fail(c, "duplicate section [%s] (first at line "
			    "%u)", h, p->sections[i].line);
	memset(&sec, 0, sizeof(sec));
	sec.kind = kind;
	strlcpy(sec.name, name, sizeof(sec.name));
	sec.line = c->line;
	return append(&p->sections, &p->nsections, &sec, 1,
	    sizeof(sec)) == -1 ? nomem(c) : 0;
}

/* "key = value [;comment]": [a-z-]+, then "=" (inih also takes ":"); the
 * value ends where inih ends it, at a ";" after a blank. */
static int
lex_key(struct parse_ctx *c, const char *s)
{
	size_t k, i;

	k = strspn(s, "abcdefghijklmnopqrstuvwxyz-");
	i = k + strspn(s + k, BLANKS);
	if (k == 0 || s[i] != '=')
		return fail(c, "syntax error");
	if (c->p->nsections == 0)
		return fail(c, "key outside a section");
	i += 1 + strspn(s + i + 1, BLANKS);
	if (s[i] == '\0' ||
	    (s[i] == ';' && (s[i - 1] == ' ' || s[i - 1] == '\t')))
		return fail(c, "empty value for \"%.*s\"", (int)k, s);
	return 0;
}

/* inih's ini_reader: NULL (the end) once anything is wrong. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	size_t i;

	if (next_line(c, str, num > 0 ? (size_t)num : 0) != 1)
		return NULL;
	i = strspn(str, BLANKS);
	if (str[i] == '\0' || str[i] == ';' || str[i] == '#')
		return str;
	if (i > 0)
		fail(c, "leading whitespace "
		    "(continuation lines are not allowed)");
	else if (str[0] == '[')
		lex_header(c, str);
	else
		lex_key(c, str);
	return c->error == 0 ? str : NULL;
}

static int
two_fields(const char *value, char buf[POLICY_MAX_LINE + 1], char **a,
    char **b)
{
	char *save = NULL;

	strlcpy(buf, value, POLICY_MAX_LINE + 1);
	*a = strtok_r(buf, BLANKS, &save);
	*b = strtok_r(NULL, BLANKS, &save);
	return *b != NULL && strtok_r(NULL, BLANKS, &save) == NULL ? 0 : -1;
}

static int
number(struct parse_ctx *c, const char *what, const char *s, uint32_t *out)
{
	if (policy_parse_u32(s, ID_INVALID, out) == 0)
		return 0;
	return fail(c, errno == ERANGE ? "%snumber out of range \"%s\"" :
	    "%smalformed number \"%s\"", what, s);
}

/* Never host root, nor (u32)-1 (no wrap), nor an id granted twice in the
 * file: two users could reach each other's files. */
static int
add_ids(struct parse_ctx *c, struct policy_section *sec, const char *key,
    const char *value)
{
	int u = strcmp(key, "uids") == 0;
	const char *what = u ? "uids: " : "gids: ";
	struct policy_grant r, *o, **list = u ? &sec->uids : &sec->gids;
	size_t i, j, n, *np = u ? &sec->nuids : &sec->ngids;
	char buf[POLICY_MAX_LINE + 1], *a, *b;

	if (two_fields(value, buf, &a, &b) == -1)
		return fail(c, "%swant START COUNT", what);
	if (number(c, what, a, &r.start) == -1 ||
	    number(c, what, b, &r.count) == -1)
		return -1;
	if (r.count == 0)
		return fail(c, "%scount must be at least 1", what);
	if (r.start == 0)
		return fail(c, "%srange includes host id 0", what);
	if ((uint64_t)r.start + r.count > ID_INVALID)
		return fail(c, "%srange wraps past 4294967294", what);
	for (i = 0; i < c->p->nsections; i++) {
		o = u ? c->p->sections[i].uids : c->p->sections[i].gids;
		n = u ? c->p->sections[i].nuids : c->p->sections[i].ngids;
		for (j = 0; j < n; j++)
			if (r.start < (uint64_t)o[j].start + o[j].count &&
			    o[j].start < (uint64_t)r.start + r.count)
				return fail(c, "%srange overlaps line %u",
				    what, o[j].line);
	}
	r.line = c->line;
	strlcpy(r.source, c->header, sizeof(r.source));
	return append(list, np, &r, 1, sizeof(r)) == -1 ? nomem(c) : 0;
}

int
policy_valid_ifname(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < IFNAMSIZ && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int
add_veth(struct parse_ctx *c, struct policy_section *sec, const char *value)
{
	char buf[POLICY_MAX_LINE + 1], *bridge, *count;
	struct policy_veth v;
	uint32_t n;
	size_t i;
	int r;

	if (two_fields(value, buf, &bridge, &count) == -1)
		return fail(c, "veth: want BRIDGE COUNT");
	if (!policy_valid_ifname(bridge))
		return fail(c, "veth: bad bridge name \"%s\"", bridge);
	for (i = 0; i < sec->nveths; i++)
		if (strcmp(sec->veths[i].bridge, bridge) == 0)
			return fail(c, "veth: duplicate bridge \"%s\" "
			    "(first at line %u)", bridge, sec->veths[i].line);
	r = policy_parse_u32(count, POLICY_MAX_VETH, &n);
	if (r == -1 && errno == EINVAL)
		return fail(c, "veth: malformed number \"%s\"", count);
	if (r == -1 || n == 0)
		return fail(c, "veth: count must be 1 to %d", POLICY_MAX_VETH);
	strlcpy(v.bridge, bridge, sizeof(v.bridge));
	v.count = n;
	v.line = c->line;
	strlcpy(v.source, c->header, sizeof(v.source));
	return append(&sec->veths, &sec->nveths, &v, 1, sizeof(v)) == -1 ?
	    nomem(c) : 0;
}

/* Do A and B agree in bits FROM to TO - 1, from the top of A[0]? */
static int
same_bits(const unsigned char *a, const unsigned char *b, unsigned int from,
    unsigned int to)
{
	for (; from < to; from++)
		if (((a[from / 8] ^ b[from / 8]) & (0x80 >> from % 8)) != 0)
			return 0;
	return 1;
}

int
policy_parse_addr(const char *s, struct policy_route *r)
{
	static const unsigned char zero[16];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	char addr[INET6_ADDRSTRLEN];
	uint32_t len;

	memset(r, 0, sizeof(*r));
	errno = EINVAL;
	if (n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, r->addr) == 1)
		r->family = AF_INET6;
	else
		return -1;
	len = r->family == AF_INET ? 32 : 128;
	if (slash != NULL && (policy_parse_u32(slash + 1, len, &len) == -1 ||
	    len == 0))
		return -1;
	r->len = len;
	errno = EDOM;
	return same_bits(r->addr, zero, len, 128) ? 0 : -1;
}

int
policy_route_overlap(const struct policy_route *a,
    const struct policy_route *b)
{
	return a->family == b->family && same_bits(a->addr, b->addr, 0,
	    a->len < b->len ? a->len : b->len);
}

/* Like ids, no address is granted twice. */
static int
add_route(struct parse_ctx *c, struct policy_section *sec, const char *value)
{
	const char *slash = strchr(value, '/');
	struct policy_route r, *o;
	size_t i, j;

	if (policy_parse_addr(value, &r) == -1) {
		if (errno == EDOM)
			return fail(c, "route: host bits set in \"%s\"", value);
		if (r.family != 0 && slash != NULL)
			return fail(c, "route: bad prefix length \"%s\"",
			    slash + 1);
		return fail(c, "route: bad address \"%.*s\"",
		    (int)strcspn(value, "/"), value);
	}
	for (i = 0; i < c->p->nsections; i++)
		for (j = 0; j < c->p->sections[i].nroutes; j++) {
			o = &c->p->sections[i].routes[j];
			if (policy_route_overlap(o, &r))
				return fail(c, "route: overlaps line %u",
				    o->line);
		}
	r.line = c->line;
	strlcpy(r.source, c->header, sizeof(r.source));
	return append(&sec->routes, &sec->nroutes, &r, 1, sizeof(r)) == -1 ?
	    nomem(c) : 0;
}

/* inih's ini_handler: nonzero on success. */
static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *c = user;
	struct policy_section *sec;

	/* Else the reader and inih disagree about what a line is. */
	if (strcmp(section, c->header) != 0 || c->p->nsections == 0)
		return fail(c, "syntax error") == 0;
	sec = &c->p->sections[c->p->nsections - 1];
	if (strcmp(key, "uids") == 0 || strcmp(key, "gids") == 0)
		return add_ids(c, sec, key, value) == 0;
	if (strcmp(key, "veth") == 0)
		return add_veth(c, sec, value) == 0;
	if (strcmp(key, "route") == 0)
		return add_route(c, sec, value) == 0;
	if (strcmp(key, "setgroups") != 0)
		return fail(c, "unknown key \"%s\" in [%s]", key, c->header) == 0;
	if (sec->setgroups_line != 0)
		return fail(c, "duplicate key \"%s\" (first at line %u)", key,
		    sec->setgroups_line) == 0;
	if (strcmp(value, "allow") != 0 && strcmp(value, "deny") != 0)
		return fail(c, "%s: want allow or deny", key) == 0;
	sec->setgroups = strcmp(value, "allow") == 0 ?
	    POLICY_SETGROUPS_ALLOW : POLICY_SETGROUPS_DENY;
	sec->setgroups_line = c->line;
	return 1;
}

int
policy_parse(struct policy *p, const char *buf, size_t len,
    const char *name, char *err, size_t errlen)
{
	struct parse_ctx c = { .p = p, .buf = buf, .len = len,
	    .name = name, .err = err, .errlen = errlen };
	int r;

	memset(p, 0, sizeof(*p));
	if (errlen > 0)
		err[0] = '\0';
	/* A UTF-8 byte order mark, which inih skips too. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		c.pos = 3;
	r = ini_parse_stream(reader, &c, handler, &c);
	if (c.error == 0 && r < 0)
		nomem(&c);
	else if (c.error == 0 && r > 0) {
		c.line = (unsigned int)r;
		fail(&c, "syntax error");
	}
	if (c.error == 0)
		return 0;
	policy_free(p);
	errno = c.error;
	return -1;
}

void
policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nsections; i++) {
		free(p->sections[i].uids);
		free(p->sections[i].gids);
		free(p->sections[i].veths);
		free(p->sections[i].routes);
	}
	free(p->sections);
	memset(p, 0, sizeof(*p));
}

/* Each section's veths stay apart: a group's is a quota its members
 * share.  setgroups deny wins: it protects negative group ACLs
 * (CVE-2018-7169). */
static int
grant_section(struct policy_entitlement *e, const struct policy *p,
    enum policy_kind kind, const char *name)
{
	const struct policy_section *s = NULL;
	size_t i;

	/* By index: NULL + 0 is undefined (found by tests/fuzz). */
	for (i = 0; i < p->nsections && s == NULL; i++)
		if (p->sections[i].kind == kind &&
		    strcmp(p->sections[i].name, name) == 0)
			s = &p->sections[i];
	if (s == NULL)
		return 0;
	if (append(&e->uids, &e->nuids, s->uids, s->nuids,
	    sizeof(*s->uids)) == -1 ||
	    append(&e->gids, &e->ngids, s->gids, s->ngids,
	    sizeof(*s->gids)) == -1 ||
	    append(&e->veths, &e->nveths, s->veths, s->nveths,
	    sizeof(*s->veths)) == -1 ||
	    append(&e->routes, &e->nroutes, s->routes, s->nroutes,
	    sizeof(*s->routes)) == -1)
		return -1;
	if (s->setgroups == POLICY_SETGROUPS_DENY ||
	    (s->setgroups == POLICY_SETGROUPS_ALLOW &&
	    e->setgroups != POLICY_SETGROUPS_DENY))
		e->setgroups = s->setgroups;
	return 0;
}

int
policy_entitle(const struct policy *p, const struct policy_user *u,
    struct policy_entitlement *e)
{
	struct policy_grant self[2] = { { u->uid, 1, 0, "self" },
	    { u->gid, 1, 0, "self" } };
	size_t i;
	int err;

	memset(e, 0, sizeof(*e));
	e->uid = u->uid;
	e->gid = u->gid;
	if (append(&e->uids, &e->nuids, &self[0], 1, sizeof(self[0])) == -1 ||
	    append(&e->gids, &e->ngids, &self[1], 1, sizeof(self[1])) == -1 ||
	    grant_section(e, p, POLICY_USER, u->name) == -1)
		goto undo;
	for (i = 0; i < u->ngroups; i++)
		if (grant_section(e, p, POLICY_GROUP, u->groups[i]) == -1)
			goto undo;
	return 0;
undo:
	err = errno;
	policy_entitlement_free(e);
	errno = err;
	return -1;
}

void
policy_entitlement_free(struct policy_entitlement *e)
{
	free(e->uids);
	free(e->gids);
	free(e->veths);
	free(e->routes);
	memset(e, 0, sizeof(*e));
}

/* Spans grants that merely touch.  No allocation, so always yes or no. */
int
policy_permits_ids(const struct policy_entitlement *e, char type,
    uint32_t start, uint32_t count)
{
	const struct policy_grant *g = type == 'u' ? e->uids : e->gids;
	size_t i, n = type == 'u' ? e->nuids : e->ngids;
	uint64_t next = start, end = (uint64_t)start + count;
	int moved = 1;

	if ((type != 'u' && type != 'g') || count == 0 || end > ID_INVALID)
		return 0;
	while (moved && next < end)
		for (moved = 0, i = 0; i < n && next < end; i++)
			if (g[i].start <= next &&
			    next < (uint64_t)g[i].start + g[i].count) {
				next = (uint64_t)g[i].start + g[i].count;
				moved = 1;
			}
	return next >= end;
}
