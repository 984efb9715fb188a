/*
 * libFuzzer target: the front-end's parsers of text a container (or the
 * kernel, about a container's processes) controls.  The first byte picks
 * one; the rest is the text:
 *
 *   0  /proc/PID/stat, its start time (util.c roost_stat_start): field 2,
 *      the command name, is the process's to choose
 *   1  /proc/PID/stat, its parent (target.c proc_stat_ppid)
 *   2  /proc/PID/cgroup, the cgroup2 path (cmd_enter.c enter_cgroup2): a
 *      delegated cgroup's root names its own sub-cgroups
 *   3  /proc/PID/environ (cmd_enter.c enter_environ), roost enter's
 *      starting environment
 *   4  a state record (state.c state_parse), in the caller's run dir
 *   5  roost exec --json's escaping of a container's output line
 *      (cmd_exec.c roost_json_str)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roost.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
cgroup(char *text, size_t len)
{
	char	*p = enter_cgroup2(text);

	if (p != NULL && (p < text || p >= text + len || *p != '/' ||
	    strchr(p, '\n') != NULL || (p != text + 3 && p[-4] != '\n')))
		abort();
}

static void
environ_(char *text, size_t len)
{
	struct enter_env	 e = { NULL, 0, 0 };
	size_t			 i, j, k;

	enter_environ(&e, text, len);
	for (i = 0; i < e.n; i++) {
		if (e.v[i] < text || e.v[i] >= text + len || *e.v[i] == '=' ||
		    strchr(e.v[i], '=') == NULL)
			abort();
		k = strcspn(e.v[i], "=") + 1;
		for (j = 0; j < i; j++)	/* one entry a key */
			if (strncmp(e.v[i], e.v[j], k) == 0)
				abort();
	}
	if (e.n > 0 && e.v[e.n] != NULL)
		abort();
	free(e.v);
}

/* Well-formed UTF-8 (Unicode 15, table 3-7), written apart from cmd_exec.c. */
static size_t
utf8_ok(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* roost_json_str writes to stdout: catch it, then check it is JSON. */
static void
json(const char *text, size_t len)
{
	FILE		*saved = stdout, *f;
	char		*out = NULL;
	size_t		 n = 0, i, k;
	const unsigned char *o;

	if ((f = open_memstream(&out, &n)) == NULL)
		return;
	stdout = f;
	roost_json_str(text, len);
	stdout = saved;
	if (fclose(f) != 0)
		abort();
	o = (const unsigned char *)out;
	if (n < 2 || o[0] != '"' || o[n - 1] != '"')
		abort();
	for (i = 1; i < n - 1; i += k) {
		if (o[i] == '\\') {
			if (strchr("\"\\ntru", o[i + 1]) == NULL)
				abort();
			k = o[i + 1] == 'u' ? 6 : 2;
		} else if (o[i] == '"' || o[i] < 0x20 || o[i] == 0x7f ||
		    (k = utf8_ok(o + i, n - 1 - i)) == 0)
			abort();
		if (i + k > n - 1)
			abort();
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long	 start;
	struct record		 r;
	char			*text;
	size_t			 len;

	if (size == 0)
		return 0;
	len = size - 1;
	/* Every caller reads the file whole and puts a NUL after it. */
	if ((text = malloc(len + 1)) == NULL)
		return 0;
	memcpy(text, data + 1, len);
	text[len] = '\0';
	switch (data[0] % 6) {
	case 0:
		(void)roost_stat_start(text, &start);
		break;
	case 1:
		(void)proc_stat_ppid(text);
		break;
	case 2:
		cgroup(text, len);
		break;
	case 3:
		environ_(text, len);
		break;
	case 4:
		memset(&r, 0, sizeof(r));
		if (state_parse(text, &r) == 0 && (r.pid <= 0 ||
		    strnlen(r.command, sizeof(r.command)) == sizeof(r.command)))
			abort();
		break;
	default:
		json(text, len);
	}
	free(text);
	return 0;
}
