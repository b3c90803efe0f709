/*
 * query.c - `oci-run state ID` and `oci-run list`: the OCI state of one
 * container (runtime.md "State"), and a table or JSON array of them all,
 * formatted as runc formats them.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "io.h"
#include "json.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "state.h"

int cmd_state(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt none[] = { { 0 } };
	struct container c;
	struct err e = { 0 };
	char **pos, *text;
	int npos;

	if (cmd_options("state", argc, argv, none, NULL, NULL, 1, 1, &pos,
			&npos) < 0)
		return 1;
	if (container_open(g, pos[0], 0, &c, &e) < 0) {
		log_error("state %s: %s", pos[0], e.msg);
		return 1;
	}
	text = state_oci_json(&c.st, c.status, 1);
	container_close(&c);
	if (!text) {
		log_error("state %s: out of memory", pos[0]);
		return 1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

enum { L_FORMAT = 1, L_QUIET };

struct list_opts {
	const char *format;
	int quiet;
};

static void set_list_opt(int id, const char *arg, void *ctx)
{
	struct list_opts *o = ctx;

	if (id == L_FORMAT)
		o->format = arg;
	else
		o->quiet = 1;
}

/* What list shows of one container: runc shows the owner by name. */
struct row {
	struct state st;
	enum state_status status;
	char owner[64];
};

static void owner_of(int dirfd, struct row *r)
{
	struct passwd *pw;
	struct stat sb;

	if (fstat(dirfd, &sb) < 0)
		snprintf(r->owner, sizeof(r->owner), "?");
	else if ((pw = getpwuid(sb.st_uid)))
		snprintf(r->owner, sizeof(r->owner), "%s", pw->pw_name);
	else
		snprintf(r->owner, sizeof(r->owner), "#%u",
			 (unsigned)sb.st_uid);
}

/* Every container of the root with its state; -errno on failure. */
static int load_rows(int rootfd, struct row **out, size_t *n)
{
	struct row *rows = NULL, *nr;
	struct err e = { 0 };
	struct dirent *de;
	size_t cap = 0;
	int fd, dirfd, r = 0;
	DIR *d;

	*n = 0;
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
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nr = realloc(rows, cap * sizeof(*rows));
			if (!nr) {
				r = -ENOMEM;
				break;
			}
			rows = nr;
		}
		dirfd = state_dir_open(rootfd, de->d_name, 0, &e);
		if (dirfd < 0)
			continue;	/* deleted meanwhile */
		/* Without state.json yet: being created, not listed (as runc). */
		if (state_load(dirfd, de->d_name, &rows[*n].st, &e) == 0) {
			rows[*n].status = state_status(dirfd, &rows[*n].st);
			owner_of(dirfd, &rows[*n]);
			(*n)++;
		}
		close(dirfd);
	}
	closedir(d);
	*out = rows;
	return r;
}

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->st.id,
		      ((const struct row *)b)->st.id);
}

/* The table's columns of one row; pid is the buffer for its number. */
static void row_cols(const struct row *r, char pid[16], const char *col[6])
{
	snprintf(pid, 16, "%d", r->status == STATE_STOPPED ? 0 : (int)r->st.pid);
	col[0] = r->st.id;
	col[1] = pid;
	col[2] = state_status_name(r->status);
	col[3] = r->st.bundle;
	col[4] = r->st.created;
	col[5] = r->owner;
}

/* text/tabwriter with minwidth 12, padding 3, as runc prints it. */
static void print_table(const struct row *rows, size_t n)
{
	static const char *const head[6] = { "ID", "PID", "STATUS", "BUNDLE",
					     "CREATED", "OWNER" };
	const char *col[6];
	char pid[16];
	int w[6], i;
	size_t k;

	for (i = 0; i < 6; i++)
		w[i] = strlen(head[i]);
	for (k = 0; k < n; k++) {
		row_cols(&rows[k], pid, col);
		for (i = 0; i < 6; i++)
			if ((int)strlen(col[i]) > w[i])
				w[i] = strlen(col[i]);
	}
	for (i = 0; i < 6; i++)
		w[i] = w[i] + 3 < 12 ? 12 : w[i] + 3;
	for (k = 0; k <= n; k++) {
		if (k == 0)
			memcpy(col, head, sizeof(col));
		else
			row_cols(&rows[k - 1], pid, col);
		printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], col[0], w[1], col[1],
		       w[2], col[2], w[3], col[3], w[4], col[4], col[5]);
	}
}

static int print_json(const struct row *rows, size_t n)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char *text;
	size_t k;

	for (k = 0; arr && k < n; k++) {
		o = state_oci_object(&rows[k].st, rows[k].status);
		if (!o) {
			cJSON_Delete(arr);
			return -1;
		}
		cJSON_ReplaceItemInObject(o, "owner",
					  cJSON_CreateString(rows[k].owner));
		cJSON_AddItemToArray(arr, o);
	}
	text = arr ? cJSON_PrintUnformatted(arr) : NULL;
	cJSON_Delete(arr);
	if (!text)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

int cmd_list(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "format", 'f', OPT_ARG, L_FORMAT },
		{ "quiet", 'q', OPT_NOARG, L_QUIET },
		{ 0 },
	};
	struct list_opts o = { "table", 0 };
	struct err e = { 0 };
	struct row *rows = NULL;
	char **pos;
	int npos, rootfd, r = 0;
	size_t n = 0, k;

	if (cmd_options("list", argc, argv, opts, set_list_opt, &o, 0, 0,
			&pos, &npos) < 0)
		return 1;
	if (strcmp(o.format, "table") && strcmp(o.format, "json")) {
		log_error("list: invalid format option \"%s\"", o.format);
		return 1;
	}
	/* A root nobody created yet holds no containers: list reads only. */
	rootfd = state_root_open(g->root, 0, &e);
	if (rootfd < 0 && e.no != ENOENT) {
		log_error("list: %s", e.msg);
		return 1;
	}
	if (rootfd >= 0 && (r = load_rows(rootfd, &rows, &n)) < 0) {
		log_error("list: %s: %s", g->root, strerror(-r));
		goto out;
	}
	r = 0;
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	if (o.quiet)
		for (k = 0; k < n; k++)
			printf("%s\n", rows[k].st.id);
	else if (!strcmp(o.format, "json"))
		r = print_json(rows, n) < 0;
	else
		print_table(rows, n);
	if (r)
		log_error("list: out of memory");
out:
	for (k = 0; k < n; k++)
		state_release(&rows[k].st);
	free(rows);
	if (rootfd >= 0)
		close(rootfd);
	return r != 0;
}
