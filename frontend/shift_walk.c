/*
 * shift_walk.c: the walk of roost shift (shift.c does each entry).
 *
 * Each worker walks depth first with one directory fd a level, read with
 * getdents64(2) into a buffer of that level's, so memory does not grow
 * with the number of files.  With more than one worker (--jobs), a worker
 * that finds a directory while the queue holds fewer directories than
 * there are workers hands it over instead of descending; a worker out of
 * work takes the oldest.  The queue is bounded (SHIFT_JOBS_MAX), and holds
 * an open fd and the head of the path (for messages) of each directory in
 * it.
 *
 * Hard links are why workers need no more than this: an inode is shifted
 * once because one in TO is done (the ranges are disjoint), and shift.c
 * changes a hard-linked inode under a lock of its inode number, looking
 * at it again once it holds it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "shift.h"

#define SHIFT_DENTS	32768	/* getdents64 buffer, as readdir(3) */
#define SHIFT_JOBS_AUTO	8	/* the default's ceiling */
#define SHIFT_DEPTH_STR	"256"	/* SHIFT_DEPTH */
#define SHIFT_QPATH	1024	/* a message shows at most 768 (util.c) */

struct level {
	int		 fd;
	char		*buf;
	size_t		 pos, len;
	size_t		 plen;		/* the path above it */
};

struct item {
	int		 fd;
	int		 depth;		/* the top's is 0 */
	char		 path[SHIFT_QPATH];	/* its head, for messages */
};

struct pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct item	 q[SHIFT_JOBS_MAX];
	size_t		 head, n;
	atomic_size_t	 qn;		/* n, read without the lock */
	int		 width;		/* workers asked for, fixed */
	int		 jobs;		/* workers running */
	int		 idle;
	int		 done;
};

struct worker {
	struct pool		*pool;
	struct shift_worker	 k;
	struct level		 lv[SHIFT_DEPTH + 1];
	pthread_t		 tid;
};

static void
walk_progress(struct shift_worker *k, int last)
{
	struct shift_walk	*w = k->w;
	struct timespec		 now;
	unsigned long long	 count;
	double			 t;

	count = atomic_fetch_add(&w->count, k->count) + k->count;
	k->count = 0;
	if (!w->p->progress || !k->first)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	t = (now.tv_sec - w->last.tv_sec) + (now.tv_nsec - w->last.tv_nsec) /
	    1e9;
	if (!last && t < 0.25)
		return;
	w->last = now;
	t = (now.tv_sec - w->start.tv_sec) + (now.tv_nsec - w->start.tv_nsec) /
	    1e9;
	(void)fprintf(stderr, "\rroost: shift: %llu entries, %.0f/s%s",
	    count, t > 0 ? count / t : 0.0, last ? "\n" : "");
}

/*
 * Append "/NAME" to the path for messages, cut at SHIFT_PATH_CAP - 1;
 * returns the old length.  Copied, not snprintf'd: the stdio machinery
 * was a fifth of the walk's own (user) time, once an entry (perf,
 * bench/README.md).
 */
static size_t
walk_push_name(struct shift_worker *k, const char *name)
{
	size_t	 old = k->plen, len, room;

	room = old < SHIFT_PATH_CAP - 1 ? SHIFT_PATH_CAP - 1 - old : 0;
	len = strlen(name) + 1;
	if (len > room)
		len = room;
	if (len == 0)
		return old;
	k->path[old] = '/';
	memcpy(k->path + old + 1, name, len - 1);
	k->plen = old + len;
	k->path[k->plen] = '\0';
	return old;
}

static void
walk_set_path(struct shift_worker *k, size_t len)
{
	k->path[k->plen = len] = '\0';
}

/* The next entry of level L, or NULL at its end (or an error, reported). */
static struct dirent64 *
level_next(struct shift_worker *k, struct level *l)
{
	struct dirent64	*de;
	ssize_t		 r;

	if (l->pos >= l->len) {
		if (l->buf == NULL && (l->buf = malloc(SHIFT_DENTS)) == NULL) {
			shift_report(k, "cannot allocate");
			return NULL;
		}
		if ((r = getdents64(l->fd, l->buf, SHIFT_DENTS)) <= 0) {
			if (r == -1)
				shift_report(k, "%s", strerror(errno));
			return NULL;
		}
		l->len = (size_t)r;
		l->pos = 0;
	}
	de = (struct dirent64 *)(void *)(l->buf + l->pos);
	l->pos += de->d_reclen;
	return de;
}

/*
 * Hand the directory FD over to an idle worker, if the queue is short.
 * Returns 1 if it was taken (the queue owns FD then).
 */
static int
pool_offer(struct pool *pl, int fd, int depth, const char *path)
{
	struct item	*it;
	int		 taken = 0;

	if (pl->width < 2 || atomic_load_explicit(&pl->qn,
	    memory_order_relaxed) >= (size_t)pl->width)
		return 0;
	(void)pthread_mutex_lock(&pl->mu);
	if (pl->n < SHIFT_JOBS_MAX) {
		it = &pl->q[(pl->head + pl->n) % SHIFT_JOBS_MAX];
		(void)strlcpy(it->path, path, sizeof(it->path));
		it->fd = fd;
		it->depth = depth;
		atomic_store(&pl->qn, ++pl->n);
		(void)pthread_cond_signal(&pl->cv);
		taken = 1;
	}
	(void)pthread_mutex_unlock(&pl->mu);
	return taken;
}

/*
 * The next directory to walk, waiting for one while any worker is busy.
 * Returns 0 when every worker is idle and the queue empty: the end.
 */
static int
pool_take(struct pool *pl, struct item *it)
{
	int	 got = 0;

	(void)pthread_mutex_lock(&pl->mu);
	pl->idle++;
	while (pl->n == 0 && !pl->done) {
		if (pl->idle == pl->jobs) {
			pl->done = 1;
			(void)pthread_cond_broadcast(&pl->cv);
			break;
		}
		(void)pthread_cond_wait(&pl->cv, &pl->mu);
	}
	if (pl->n > 0) {
		*it = pl->q[pl->head];
		pl->head = (pl->head + 1) % SHIFT_JOBS_MAX;
		atomic_store(&pl->qn, --pl->n);
		pl->idle--;
		got = 1;
	}
	(void)pthread_mutex_unlock(&pl->mu);
	return got;
}

/*
 * The fd of the directory the entry just looked at is to be walked, or -1:
 * -1 too if it is too deep, or handed to another worker.
 */
static int
walk_keep(struct worker *x, int fd, int depth)
{
	if (fd == -1)
		return -1;
	if (depth > SHIFT_DEPTH) {
		shift_report(&x->k, "%s; not descended",
		    "more than " SHIFT_DEPTH_STR " levels deep");
		(void)close(fd);
		return -1;
	}
	if (pool_offer(x->pool, fd, depth, x->k.path))
		return -1;
	return fd;
}

/* Walk the directory IT, depth first; what it finds may be handed on. */
static void
walk_item(struct worker *x, const struct item *it)
{
	struct shift_worker	*k = &x->k;
	struct dirent64		*de;
	struct level		*l;
	size_t			 old;
	int			 top = 0, fd;

	walk_set_path(k, strlcpy(k->path, it->path, SHIFT_PATH_CAP));
	if (k->plen >= SHIFT_PATH_CAP)
		walk_set_path(k, SHIFT_PATH_CAP - 1);
	x->lv[0] = (struct level){ it->fd, x->lv[0].buf, 0, 0, k->plen };
	while (top >= 0) {
		l = &x->lv[top];
		if ((de = level_next(k, l)) == NULL) {
			(void)close(l->fd);
			walk_set_path(k, l->plen);
			top--;
			continue;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		old = walk_push_name(k, de->d_name);
		fd = shift_entry(k, l->fd, de->d_name, de->d_type);
		if (++k->count >= 1024)
			walk_progress(k, 0);
		if ((fd = walk_keep(x, fd, it->depth + top + 1)) == -1) {
			walk_set_path(k, old);
			continue;
		}
		top++;
		x->lv[top] = (struct level){ fd, x->lv[top].buf, 0, 0, old };
	}
}

static void *
worker_run(void *arg)
{
	struct worker	*x = arg;
	struct item	 it;

	while (pool_take(x->pool, &it))
		walk_item(x, &it);
	walk_progress(&x->k, 0);
	return NULL;
}

/*
 * How many workers: as asked, or as many as the CPUs this process may run
 * on (so that taskset -c 0 makes one), at most SHIFT_JOBS_AUTO; then no
 * more than the open-file limit allows, one directory fd a level each.
 */
static int
walk_jobs(int asked)
{
	struct rlimit	 rl;
	cpu_set_t	 set;
	rlim_t		 need, fit;
	int		 jobs = asked;

	if (jobs <= 0) {
		jobs = 1;
		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			jobs = CPU_COUNT(&set);
		if (jobs > SHIFT_JOBS_AUTO)
			jobs = SHIFT_JOBS_AUTO;
		if (jobs < 1)
			jobs = 1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1;
	need = (rlim_t)jobs * (SHIFT_DEPTH + 2) + SHIFT_JOBS_MAX + 32;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	fit = rl.rlim_cur > SHIFT_JOBS_MAX + 32 + SHIFT_DEPTH + 2 ?
	    (rl.rlim_cur - SHIFT_JOBS_MAX - 32) / (SHIFT_DEPTH + 2) : 1;
	return (rlim_t)jobs > fit ? (int)fit : jobs;
}

static struct worker *
walk_workers(struct shift_walk *w, struct pool *pl, int jobs)
{
	struct worker	*x;
	int		 i;

	if ((x = calloc((size_t)jobs, sizeof(*x))) == NULL)
		roost_err("cannot allocate");
	for (i = 0; i < jobs; i++) {
		x[i].pool = pl;
		x[i].k.w = w;
		x[i].k.first = i == 0;
		x[i].k.n.fd = -1;
		if ((x[i].k.path = malloc(SHIFT_PATH_CAP)) == NULL)
			roost_err("cannot allocate");
	}
	return x;
}

static void
walk_free(struct worker *x, int jobs)
{
	int	 i, j;

	for (i = 0; i < jobs; i++) {
		for (j = 0; j <= SHIFT_DEPTH; j++)
			free(x[i].lv[j].buf);
		free(x[i].k.path);
	}
	free(x);
}

/*
 * Run the workers from the queue's one item, the top; this thread is
 * worker 0.  A worker that cannot be started leaves the others its share.
 */
static void
walk_run(struct pool *pl, struct worker *x, int jobs)
{
	int	 i, started = 1;

	for (i = 1; i < jobs; i++) {
		if (pthread_create(&x[i].tid, NULL, worker_run, &x[i]) != 0)
			break;
		started++;
	}
	if (started < jobs) {
		(void)pthread_mutex_lock(&pl->mu);
		pl->jobs = started;
		(void)pthread_cond_broadcast(&pl->cv);
		(void)pthread_mutex_unlock(&pl->mu);
	}
	(void)worker_run(&x[0]);
	for (i = 1; i < started; i++)
		(void)pthread_join(x[i].tid, NULL);
}

static void
walk_init(struct shift_walk *w, const struct shift_plan *p, int jobs)
{
	int	 i;

	memset(w, 0, sizeof(*w));
	w->p = p;
	w->jobs = jobs;
	atomic_init(&w->bad, 0);
	atomic_init(&w->count, 0);
	for (i = 0; i < SHIFT_LOCKS; i++)
		(void)pthread_mutex_init(&w->links[i], NULL);
	(void)clock_gettime(CLOCK_MONOTONIC, &w->start);
	w->last = w->start;
}

/*
 * Shift the tree at directory FD, in a user namespace mapping exactly the
 * FROM and TO ranges of P onto themselves.  Returns 0, or 1 if anything
 * was reported.
 */
int
shift_tree(const struct shift_plan *p, int fd)
{
	struct shift_walk	 w;
	struct pool		 pl;
	struct worker		*x;
	int			 jobs, dfd;

	jobs = walk_jobs(p->jobs);
	walk_init(&w, p, jobs);
	memset(&pl, 0, sizeof(pl));
	(void)pthread_mutex_init(&pl.mu, NULL);
	(void)pthread_cond_init(&pl.cv, NULL);
	pl.width = pl.jobs = jobs;
	x = walk_workers(&w, &pl, jobs);
	x[0].k.plen = strlcpy(x[0].k.path, p->top, SHIFT_PATH_CAP);
	while (x[0].k.plen > 1 && x[0].k.path[x[0].k.plen - 1] == '/')
		x[0].k.path[--x[0].k.plen] = '\0';
	if (shift_top(&x[0].k, fd)) {
		if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
			roost_err("%s", p->top);
		pl.q[0].fd = dfd;
		pl.q[0].depth = 0;
		(void)strlcpy(pl.q[0].path, x[0].k.path, sizeof(pl.q[0].path));
		pl.n = 1;
		atomic_init(&pl.qn, 1);
		walk_run(&pl, x, jobs);
	}
	walk_progress(&x[0].k, 1);
	shift_unmark_top(fd);
	walk_free(x, jobs);
	return atomic_load(&w.bad);
}
