/*
 * main.c - the state applet: list, show and garbage-collect the
 * containers of an ocibox state root (DESIGN §1).  `list` prints what
 * runc list (runc(8)) prints, and with --all-runtimes runc's and crun's
 * containers beside ours, read only; `show` is runc state plus what
 * ocibox knows of the container; `gc` removes what dead containers and
 * creates that died half-way left behind, as `oci-run delete` would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "statecmd.h"

const char state_help[] =
"Usage: state [--root DIR] COMMAND [OPTIONS]\n"
"\n"
"List, inspect and clean up the containers under oci-run's state root\n"
"(--root, default " STATE_ROOT ", or $XDG_RUNTIME_DIR/ocibox for a user\n"
"other than root), one <root>/<id>/state.json each.\n"
"\n"
"  list [-f table|json] [-q] [-a] [--runc-root DIR] [--crun-root DIR]\n"
"      ID, PID (0 once stopped), STATUS (created, running, paused,\n"
"      stopped), BUNDLE, CREATED, OWNER, as runc list prints them; one\n"
"      being created is not listed.  -q: ids only.  -a, --all-runtimes:\n"
"      runc's and crun's too, read only, in a RUNTIME column (\"runtime\"\n"
"      in JSON); their roots /run/runc and /run/crun ($XDG_RUNTIME_DIR/..\n"
"      for a user), or as given (which implies -a)\n"
"  show ID\n"
"      the OCI state (as runc state) and an \"ocibox\" object: stateDir,\n"
"      cgroupPaths (\"\" is cgroup v2), namespaces by inode and those\n"
"      shared with the caller, mounts (the container's mount table: it\n"
"      has no mounts on the host), collectable and why\n"
"  gc [-n|--dry-run]\n"
"      for each container whose init is gone, and each create that died\n"
"      half-way (no state.json, lock free): kill what is left in its\n"
"      cgroup (stopped ones), remove its cgroup and state directory,\n"
"      printing each action; -n only prints.  Live containers and any\n"
"      directory whose lock is held (a create in progress) are left\n"
"      alone.  Poststop hooks are not run (oci-run delete runs them); no\n"
"      netsetup leases or layer-link references exist to release yet.\n"
"\n"
"Exit status 1 on a usage error, a missing container, or a failed gc\n"
"action.\n"
"\n"
"Examples:\n"
"  state list -a -f json | jq -r '.[] | select(.status==\"stopped\").id'\n"
"  state show c1 | jq .ocibox.namespaces\n"
"  state gc --dry-run && state gc\n";

int statecmd_options(const char *cmd, int argc, char **argv,
		     const struct opt *tab,
		     void (*set)(int id, const char *arg, void *ctx),
		     void *ctx, int min_pos, int max_pos, char ***pos,
		     int *npos)
{
	struct err e = { 0 };
	int r = opt_command(argc, argv, tab, set, ctx, min_pos, max_pos,
			    "container ID", pos, npos, &e);

	if (r == OPT_HELP) {
		fputs(state_help, stdout);
		exit(0);
	}
	if (r < 0)
		log_error("%s: %s", cmd, e.msg);
	return r;
}

enum { L_FORMAT = 1, L_QUIET, L_ALL, L_RUNC, L_CRUN };

struct list_opts {
	const char *format;
	const char *runc_root;
	const char *crun_root;
	int quiet;
	int all;
};

static void set_list_opt(int id, const char *arg, void *ctx)
{
	struct list_opts *o = ctx;

	switch (id) {
	case L_FORMAT: o->format = arg; break;
	case L_QUIET: o->quiet = 1; break;
	case L_ALL: o->all = 1; break;
	case L_RUNC: o->runc_root = arg; o->all = 1; break;
	case L_CRUN: o->crun_root = arg; o->all = 1; break;
	default: break;
	}
}

/* Where runc and crun keep their state for this user (their defaults). */
static char *peer_root(const char *given, const char *name)
{
	return given ? strdup(given) : state_default_root(name);
}

static int load_peers(const struct list_opts *o, struct state_rows *rows)
{
	char *runc = peer_root(o->runc_root, "runc");
	char *crun = peer_root(o->crun_root, "crun");
	int r = -ENOMEM;

	if (runc && crun) {
		r = foreign_load_runc(runc, rows);
		if (r < 0)
			log_error("list: %s: %s", runc, strerror(-r));
		else if ((r = foreign_load_crun(crun, rows)) < 0)
			log_error("list: %s: %s", crun, strerror(-r));
	} else {
		log_error("list: out of memory");
	}
	free(runc);
	free(crun);
	return r;
}

static int cmd_list(const char *root, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "format", 'f', OPT_ARG, L_FORMAT },
		{ "quiet", 'q', OPT_NOARG, L_QUIET },
		{ "all-runtimes", 'a', OPT_NOARG, L_ALL },
		{ "runc-root", 0, OPT_ARG, L_RUNC },
		{ "crun-root", 0, OPT_ARG, L_CRUN },
		{ 0 },
	};
	struct list_opts o = { .format = "table" };
	struct state_rows rows = { 0 };
	struct err e = { 0 };
	char **pos, *text = NULL;
	int npos, rootfd, r = 1;
	size_t k;

	if (statecmd_options("list", argc, argv, opts, set_list_opt, &o, 0, 0,
			     &pos, &npos) < 0)
		return 1;
	if (strcmp(o.format, "table") && strcmp(o.format, "json")) {
		log_error("list: --format: \"%s\": expected table or json",
			  o.format);
		return 1;
	}
	/* A root nobody made yet holds no containers: list only reads. */
	rootfd = state_root_open(root, 0, &e);
	if (rootfd < 0 && e.no != ENOENT) {
		log_error("list: %s", e.msg);
		return 1;
	}
	if (rootfd >= 0 && (r = state_rows_load(rootfd, &rows)) < 0) {
		log_error("list: %s: %s", root, strerror(-r));
		goto out;
	}
	for (k = 0; o.all && k < rows.n; k++)
		rows.v[k].runtime = "ocibox";
	if (o.all && load_peers(&o, &rows) < 0)
		goto out;
	state_rows_sort(&rows);
	r = 0;
	text = state_rows_text(&rows, o.format, o.quiet, o.all);
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

static const struct opt global_opts[] = {
	{ "root", 0, OPT_ARG, 1 },
	{ "help", 'h', OPT_NOARG, 2 },
	{ 0 },
};

int state_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const char *root, int argc, char **argv);
	} cmds[] = {
		{ "list", cmd_list }, { "ls", cmd_list }, { "show", cmd_show },
		{ "gc", cmd_gc },
	};
	char **rest, *own = state_default_root("ocibox");
	const char *root = own ? own : STATE_ROOT;
	struct opt_iter it;
	struct err e = { 0 };
	int id, ncmd, r;
	size_t i;

	log_init("state");
	opt_start(&it, argc - 1, argv + 1, OPT_STOP);
	while ((id = opt_next(&it, global_opts, &e)) != 0) {
		if (id == 1) {
			root = it.arg;
		} else if (id == 2) {
			fputs(state_help, stdout);
			return 0;
		} else {
			xdie(1, "%s (see state --help)", e.msg);
		}
	}
	rest = opt_rest(&it, &ncmd);
	if (!ncmd) {
		fputs(state_help, stderr);
		return 1;
	}
	if (!strcmp(rest[0], "help")) {
		fputs(state_help, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(rest[0], cmds[i].name)) {
			r = cmds[i].fn(root, ncmd - 1, rest + 1);
			free(own);
			return r;
		}
	log_error("unknown command \"%s\" (see state --help)", rest[0]);
	free(own);
	return 1;
}
