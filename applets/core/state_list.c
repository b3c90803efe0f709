/* state_list.c - a root's containers as runc lists them; see state_list.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "json.h"
#include "state_list.h"

/* Room for want rows in all; -ENOMEM. */
static int rows_reserve(struct state_rows *rows, size_t want)
{
	struct state_row *nv;
	size_t cap = rows->cap ? rows->cap : 16;

	if (want <= rows->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	nv = realloc(rows->v, cap * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	rows->v = nv;
	rows->cap = cap;
	return 0;
}

struct state_row *state_rows_add(struct state_rows *rows)
{
	if (rows_reserve(rows, rows->n + 1) < 0)
		return NULL;
	memset(&rows->v[rows->n], 0, sizeof(rows->v[0]));
	return &rows->v[rows->n];
}

void state_owner_name(uid_t uid, char *buf, size_t len)
{
	/* One lookup for a root whose containers are all one user's. */
	static char last[64];
	static uid_t last_uid = (uid_t)-1;
	struct passwd *pw;

	if (uid != last_uid) {
		pw = getpwuid(uid);
		if (pw)
			snprintf(last, sizeof(last), "%s", pw->pw_name);
		else
			snprintf(last, sizeof(last), "#%u", (unsigned)uid);
		last_uid = uid;
	}
	snprintf(buf, len, "%s", last);
}

/*
 * A list's work for one container is some seven system calls (state.json,
 * /proc/PID/stat, exec.fifo or the directory; the freezer of a container
 * that may be paused), none waiting on another container's: a root of
 * many is shared out among a thread per CPU, a chunk of rows at a time.
 */
#define LIST_THREADS_MAX 4
#define LIST_CHUNK 16
#define LIST_PER_THREAD 64	/* rows a thread must have to be worth it */

struct list_job {
	int rootfd;
	struct state_row *v;	/* the rows being loaded */
	const char *names;	/* their ids, each after the last's NUL */
	const size_t *off;	/* where each id starts in names */
	unsigned char *ok;	/* 1: loaded, listed */
	size_t n, next;
};

static void load_row(struct list_job *job, size_t k)
{
	struct err e = { 0 };
	const char *id = job->names + job->off[k];
	struct state_row *row = &job->v[k];

	/*
	 * By the root's fd, never opening the container's directory.  One
	 * deleted meanwhile or without state.json (being created, not
	 * listed, as runc does) is skipped.
	 */
	if (state_load_at(job->rootfd, id, &row->st, &e) < 0)
		return;
	row->status = state_status_at(job->rootfd, id, &row->st, &row->uid);
	job->ok[k] = 1;
}

static void *list_worker(void *arg)
{
	struct list_job *job = arg;
	size_t k, end;

	for (;;) {
		k = __atomic_fetch_add(&job->next, LIST_CHUNK,
				       __ATOMIC_RELAXED);
		if (k >= job->n)
			return NULL;
		end = k + LIST_CHUNK < job->n ? k + LIST_CHUNK : job->n;
		for (; k < end; k++)
			load_row(job, k);
	}
}

static int list_threads(size_t n)
{
	cpu_set_t set;
	int cpus = 1;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		cpus = CPU_COUNT(&set);
	if ((size_t)cpus > n / LIST_PER_THREAD)
		cpus = n / LIST_PER_THREAD;
	if (cpus > LIST_THREADS_MAX)
		cpus = LIST_THREADS_MAX;
	return cpus < 1 ? 1 : cpus;
}

/* Run job on nthreads threads, this one among them. */
static void list_run(struct list_job *job, int nthreads)
{
	pthread_t tid[LIST_THREADS_MAX];
	int started = 0, i;

	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&tid[started], NULL, list_worker, job))
			break;	/* fewer threads do the same work */
		started++;
	}
	list_worker(job);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

/* The names of rootfd's entries, but dot files; -errno. */
static int read_names(int rootfd, char **names, size_t **off, size_t *n)
{
	size_t len = 0, cap = 0, ncap = 0, l;
	struct dirent *de;
	int fd, r = 0;
	void *nv;
	DIR *d;

	fd = dup(rootfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		l = strlen(de->d_name) + 1;
		if (len + l > cap) {
			cap = cap ? cap * 2 : 4096;
			cap = cap < len + l ? len + l : cap;
			nv = realloc(*names, cap);
			if (!nv)
				goto nomem;
			*names = nv;
		}
		if (*n == ncap) {
			ncap = ncap ? ncap * 2 : 64;
			nv = realloc(*off, ncap * sizeof(**off));
			if (!nv)
				goto nomem;
			*off = nv;
		}
		memcpy(*names + len, de->d_name, l);
		(*off)[(*n)++] = len;
		len += l;
	}
	closedir(d);
	return 0;
nomem:
	closedir(d);
	return -ENOMEM;
}

int state_rows_load(int rootfd, struct state_rows *rows)
{
	struct list_job job = { .rootfd = rootfd };
	struct state_row *row;
	char *names = NULL;
	size_t *off = NULL, n = 0, k, base = rows->n;
	int r;

	r = read_names(rootfd, &names, &off, &n);
	if (r < 0 || !n)
		goto out;
	/* Room for every row at once: the threads fill them in place. */
	r = rows_reserve(rows, base + n);
	job.ok = r < 0 ? NULL : calloc(n, 1);
	if (!job.ok) {
		r = -ENOMEM;
		goto out;
	}
	memset(&rows->v[base], 0, n * sizeof(rows->v[0]));
	job.v = &rows->v[base];
	job.names = names;
	job.off = off;
	job.n = n;
	json_scratch_hooks(1);
	list_run(&job, list_threads(n));
	json_scratch_hooks(0);
	/* Those listed, in order, named here: getpwuid() is not MT-safe. */
	for (k = 0; k < n; k++) {
		if (!job.ok[k])
			continue;
		row = &rows->v[rows->n++];
		*row = job.v[k];
		if (row->uid == (uid_t)-1)
			snprintf(row->owner, sizeof(row->owner), "?");
		else
			state_owner_name(row->uid, row->owner,
					 sizeof(row->owner));
	}
	free(job.ok);
out:
	free(names);
	free(off);
	return r;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct state_row *x = a, *y = b;
	int r = strcmp(x->st.id, y->st.id);

	if (r || !x->runtime || !y->runtime)
		return r;
	return strcmp(x->runtime, y->runtime);
}

void state_rows_sort(struct state_rows *rows)
{
	if (rows->n)
		qsort(rows->v, rows->n, sizeof(rows->v[0]), cmp_rows);
}

void state_rows_free(struct state_rows *rows)
{
	size_t k;

	for (k = 0; k < rows->n; k++)
		state_release(&rows->v[k].st);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

#define NCOL 7

/* The table's columns of one row; pid is the buffer for its number. */
static void row_cols(const struct state_row *r, char pid[16],
		     const char *col[NCOL])
{
	snprintf(pid, 16, "%d",
		 r->status == STATE_STOPPED ? 0 : (int)r->st.pid);
	col[0] = r->st.id;
	col[1] = pid;
	col[2] = state_status_name(r->status);
	col[3] = r->st.bundle;
	col[4] = r->st.created;
	col[5] = r->owner;
	col[6] = r->runtime ? r->runtime : "";
}

/* text/tabwriter with minwidth 12, padding 3, as runc prints it. */
char *state_rows_table(const struct state_rows *rows, int runtime_col)
{
	static const char *const head[NCOL] = { "ID", "PID", "STATUS",
						"BUNDLE", "CREATED", "OWNER",
						"RUNTIME" };
	int ncol = runtime_col ? NCOL : NCOL - 1, w[NCOL], i;
	const char *col[NCOL];
	char pid[16], *text, *p;
	size_t k, len = 0;

	for (i = 0; i < ncol; i++)
		w[i] = strlen(head[i]);
	for (k = 0; k < rows->n; k++) {
		row_cols(&rows->v[k], pid, col);
		for (i = 0; i < ncol; i++)
			if ((int)strlen(col[i]) > w[i])
				w[i] = strlen(col[i]);
	}
	for (i = 0; i < ncol; i++)
		w[i] = w[i] + 3 < 12 ? 12 : w[i] + 3;
	/* Every column but the last is padded to its width exactly. */
	for (k = 0; k <= rows->n; k++) {
		if (k == 0)
			memcpy(col, head, sizeof(col));
		else
			row_cols(&rows->v[k - 1], pid, col);
		for (i = 0; i < ncol - 1; i++)
			len += w[i];
		len += strlen(col[ncol - 1]) + 1;
	}
	text = p = malloc(len + 1);
	for (k = 0; text && k <= rows->n; k++) {
		if (k == 0)
			memcpy(col, head, sizeof(col));
		else
			row_cols(&rows->v[k - 1], pid, col);
		for (i = 0; i < ncol - 1; i++)
			p += sprintf(p, "%-*s", w[i], col[i]);
		p += sprintf(p, "%s\n", col[ncol - 1]);
	}
	return text;
}

char *state_rows_json(const struct state_rows *rows, int runtime_key)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	const struct state_row *r;
	char *text, *nl;
	size_t k;

	for (k = 0; arr && k < rows->n; k++) {
		r = &rows->v[k];
		o = state_oci_object(&r->st, r->status);
		if (!o) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_ReplaceItemInObject(o, "owner",
					  cJSON_CreateString(r->owner));
		if (runtime_key && r->runtime)
			cJSON_AddStringToObject(o, "runtime", r->runtime);
		cJSON_AddItemToArray(arr, o);
	}
	text = arr ? cJSON_PrintUnformatted(arr) : NULL;
	cJSON_Delete(arr);
	if (!text)
		return NULL;
	nl = realloc(text, strlen(text) + 2);
	if (!nl) {
		free(text);
		return NULL;
	}
	strcat(nl, "\n");
	return nl;
}

char *state_rows_text(const struct state_rows *rows, const char *format,
		      int quiet, int runtime)
{
	size_t k, len = 1;
	char *text;

	if (!quiet)
		return !strcmp(format, "json") ?
		       state_rows_json(rows, runtime) :
		       state_rows_table(rows, runtime);
	for (k = 0; k < rows->n; k++)
		len += strlen(rows->v[k].st.id) + 1;
	text = malloc(len);
	if (!text)
		return NULL;
	*text = 0;
	for (k = 0, len = 0; k < rows->n; k++)
		len += sprintf(text + len, "%s\n", rows->v[k].st.id);
	return text;
}
