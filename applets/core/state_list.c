/* state_list.c - a root's containers as runc lists them; see state_list.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "state_list.h"

struct state_row *state_rows_add(struct state_rows *rows)
{
	struct state_row *nv;
	size_t cap;

	if (rows->n == rows->cap) {
		cap = rows->cap ? rows->cap * 2 : 16;
		nv = realloc(rows->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		rows->v = nv;
		rows->cap = cap;
	}
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

int state_rows_load(int rootfd, struct state_rows *rows)
{
	struct err e = { 0 };
	struct state_row *row;
	struct dirent *de;
	struct stat sb;
	int fd, r = 0;
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
		row = state_rows_add(rows);
		if (!row) {
			r = -ENOMEM;
			break;
		}
		/*
		 * By the root's fd, never opening the container's directory:
		 * two system calls fewer of some fifteen a container.  One
		 * deleted meanwhile or without state.json (being created, not
		 * listed, as runc does) is skipped.
		 */
		if (state_load_at(rootfd, de->d_name, &row->st, &e) < 0)
			continue;
		row->status = state_status_at(rootfd, de->d_name, &row->st);
		if (fstatat(rootfd, de->d_name, &sb, 0) < 0)
			snprintf(row->owner, sizeof(row->owner), "?");
		else
			state_owner_name(sb.st_uid, row->owner,
					 sizeof(row->owner));
		rows->n++;
	}
	closedir(d);
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
