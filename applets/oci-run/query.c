/*
 * query.c - `oci-run state ID` and `oci-run list`: the OCI state of one
 * container (runtime.md "State"), and a table or JSON array of them all,
 * formatted as runc formats them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "io.h"
#include "json.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "state.h"
#include "state_list.h"

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

int cmd_list(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "format", 'f', OPT_ARG, L_FORMAT },
		{ "quiet", 'q', OPT_NOARG, L_QUIET },
		{ 0 },
	};
	struct list_opts o = { "table", 0 };
	struct state_rows rows = { 0 };
	struct err e = { 0 };
	char **pos, *text = NULL;
	int npos, rootfd, r = 0;

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
	if (rootfd >= 0 && (r = state_rows_load(rootfd, &rows)) < 0) {
		log_error("list: %s: %s", g->root, strerror(-r));
		goto out;
	}
	r = 0;
	state_rows_sort(&rows);
	text = state_rows_text(&rows, o.format, o.quiet, 0);
	if (text) {
		fputs(text, stdout);
	} else {
		log_error("list: out of memory");
		r = 1;
	}
out:
	free(text);
	state_rows_free(&rows);
	if (rootfd >= 0)
		close(rootfd);
	return r != 0;
}
