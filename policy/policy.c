/*
 * policy.c: the strict parser of roost-policy(5).
 *
 * inih does the INI parsing proper, but it is lenient where a privilege
 * policy must not be: it takes "key: value", joins indented lines onto the
 * previous value, ignores junk after "]", and never reports a section
 * with no keys.  So the reader that feeds it one line at a time lexes every
 * raw line first, and knows the line number (Debian builds inih with
 * INI_HANDLER_LINENO=0).  Any error rejects the whole file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Record the error, as "NAME:LINE: reason"; parsing stops at the first. */
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

/*
 * Copy the next raw line, without its newline, to STR (SIZE bytes) and
 * return 1; 0 at the end of the buffer; -1 on an error, which includes
 * bytes that would make a line mean something else to inih or a terminal.
 */
static int
next_line(struct parse_ctx *c, char *str, size_t size)
{
	const unsigned char *s = (const unsigned char *)c->buf + c->pos;
	const unsigned char *nl;
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

/* useradd(8)'s default NAME_REGEX, with the trailing "$" of machine
 * accounts; at most 32 characters, like utmp and shadow. */
static int
valid_name(const char *s)
{
	size_t n = strlen(s), m = n > 0 && s[n - 1] == '$' ? n - 1 : n;

	return m > 0 && n <= POLICY_NAMELEN &&
	    (s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") >= m;
}

/* [user:NAME] or [group:NAME], held in c->header: each at most once. */
static int
open_section(struct parse_ctx *c)
{
	struct policy *p = c->p;
	struct policy_section *sec;
	const char *h = c->header, *name = h + 5;
	enum policy_kind kind = POLICY_USER;
	size_t i;

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
	if ((sec = reallocarray(p->sections, p->nsections + 1,
	    sizeof(*sec))) == NULL)
		return nomem(c);
	p->sections = sec;
	sec = memset(&sec[p->nsections++], 0, sizeof(*sec));
	sec->kind = kind;
	strlcpy(sec->name, name, sizeof(sec->name));
	sec->line = c->line;
	return 0;
}

/* "[" NAME "]", then nothing but blanks and a ";" comment. */
static int
lex_header(struct parse_ctx *c, const char *s)
{
	const char *e = strchr(s, ']');
	size_t k;

	if (e == NULL)
		return fail(c, "syntax error");
	k = strspn(e + 1, BLANKS);
	if (e[1 + k] != '\0' && (e[1 + k] != ';' || k == 0))
		return fail(c, "syntax error");
	memcpy(c->header, s + 1, (size_t)(e - s) - 1);
	c->header[e - s - 1] = '\0';
	return open_section(c);
}

/*
 * "key = value [;comment]": the key is [a-z-]+ and the first separator
 * "=" (inih would also split at ":").  The value ends where inih ends it:
 * at a ";" after a blank.
 */
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

/* inih's ini_reader: one checked and lexed line at a time; NULL (end of
 * input) once anything is wrong. */
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

/* Exactly two blank-separated fields; BUF holds them. */
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

/*
 * Host ids START..START+COUNT-1: never host root, and never reaching
 * (u32)-1, which the kernel reserves as the invalid id (so no wrap).
 */
static int
host_range(struct parse_ctx *c, const char *what, const char *start,
    const char *count, struct policy_grant *r)
{
	if (number(c, what, start, &r->start) == -1 ||
	    number(c, what, count, &r->count) == -1)
		return -1;
	if (r->count == 0)
		return fail(c, "%scount must be at least 1", what);
	if (r->start == 0)
		return fail(c, "%srange includes host id 0", what);
	if ((uint64_t)r->start + r->count > ID_INVALID)
		return fail(c, "%srange wraps past 4294967294", what);
	r->line = c->line;
	strlcpy(r->source, c->header, sizeof(r->source));
	return 0;
}

/*
 * uids or gids.  Overlapping grants would let two users (or a user and a
 * group) reach each other's files through their namespaces, so no host
 * id may be granted twice anywhere in the file.
 */
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
	if (host_range(c, what, a, b, &r) == -1)
		return -1;
	for (i = 0; i < c->p->nsections; i++) {
		o = u ? c->p->sections[i].uids : c->p->sections[i].gids;
		n = u ? c->p->sections[i].nuids : c->p->sections[i].ngids;
		for (j = 0; j < n; j++)
			if (r.start < (uint64_t)o[j].start + o[j].count &&
			    o[j].start < (uint64_t)r.start + r.count)
				return fail(c, "%srange overlaps line %u",
				    what, o[j].line);
	}
	if ((o = reallocarray(*list, *np + 1, sizeof(*o))) == NULL)
		return nomem(c);
	*list = o;
	o[(*np)++] = r;
	return 0;
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
add_veth(struct parse_ctx *c, struct policy_section *sec, const char *key,
    const char *value)
{
	char buf[POLICY_MAX_LINE + 1], *bridge, *count;
	struct policy_veth *v;
	uint32_t n;
	size_t i;
	int r;

	(void)key;
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
	if ((v = reallocarray(sec->veths, sec->nveths + 1, sizeof(*v))) == NULL)
		return nomem(c);
	sec->veths = v;
	v = &v[sec->nveths++];
	strlcpy(v->bridge, bridge, sizeof(v->bridge));
	v->count = n;
	v->line = c->line;
	strlcpy(v->source, c->header, sizeof(v->source));
	return 0;
}

/* Do A and B agree in bits FROM to TO - 1, counted from the top of A[0]? */
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

int
policy_route_within(const struct policy_route *r,
    const struct policy_route *g)
{
	return r->len >= g->len && policy_route_overlap(r, g);
}

static int
parse_route(struct parse_ctx *c, const char *value, struct policy_route *r)
{
	if (policy_parse_addr(value, r) == 0) {
		r->line = c->line;
		strlcpy(r->source, c->header, sizeof(r->source));
		return 0;
	}
	if (errno == EDOM)
		return fail(c, "route: host bits set in \"%s\"", value);
	if (r->family != 0 && strchr(value, '/') != NULL)
		return fail(c, "route: bad prefix length \"%s\"",
		    strchr(value, '/') + 1);
	return fail(c, "route: bad address \"%.*s\"",
	    (int)strcspn(value, "/"), value);
}

/* Like ids, no address may be granted twice anywhere in the file. */
static int
add_route(struct parse_ctx *c, struct policy_section *sec, const char *key,
    const char *value)
{
	struct policy_route r, *o;
	size_t i, j;

	(void)key;
	if (parse_route(c, value, &r) == -1)
		return -1;
	for (i = 0; i < c->p->nsections; i++)
		for (j = 0; j < c->p->sections[i].nroutes; j++) {
			o = &c->p->sections[i].routes[j];
			if (policy_route_overlap(o, &r))
				return fail(c, "route: overlaps line %u",
				    o->line);
		}
	if ((o = reallocarray(sec->routes, sec->nroutes + 1,
	    sizeof(*o))) == NULL)
		return nomem(c);
	sec->routes = o;
	o[sec->nroutes++] = r;
	return 0;
}

/* setgroups: once per section, allow or deny. */
static int
set_setgroups(struct parse_ctx *c, struct policy_section *sec,
    const char *key, const char *value)
{
	if (sec->setgroups_line != 0)
		return fail(c, "duplicate key \"%s\" (first at line %u)", key,
		    sec->setgroups_line);
	if (strcmp(value, "allow") != 0 && strcmp(value, "deny") != 0)
		return fail(c, "%s: want allow or deny", key);
	sec->setgroups = strcmp(value, "allow") == 0 ?
	    POLICY_SETGROUPS_ALLOW : POLICY_SETGROUPS_DENY;
	sec->setgroups_line = c->line;
	return 0;
}

static const struct key {
	const char	*name;
	int		(*set)(struct parse_ctx *, struct policy_section *,
			    const char *, const char *);
} keys[] = {
	{ "uids",	add_ids },
	{ "gids",	add_ids },
	{ "veth",	add_veth },
	{ "route",	add_route },
	{ "setgroups",	set_setgroups },
};

/* inih's ini_handler: nonzero on success. */
static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *c = user;
	struct policy_section *sec;
	size_t i;

	/* The reader saw the header inih is reporting; anything else means
	 * the two disagree about what a line is. */
	if (strcmp(section, c->header) != 0 || c->p->nsections == 0)
		return fail(c, "syntax error") == 0;
	sec = &c->p->sections[c->p->nsections - 1];
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, key) == 0)
			return keys[i].set(c, sec, key, value) == 0;
	return fail(c, "unknown key \"%s\" in [%s]", key, c->header) == 0;
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
	/* A UTF-8 byte order mark, as some editors write; inih skips it too. */
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
