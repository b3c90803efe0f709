/*
 * main.c - the oci-run applet: runc's command line (global options, then a
 * command) over the commands in this folder.  runc(8) is the model: the
 * same flags, the same error phrases callers match on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "state.h"

const char oci_run_help[] =
"Usage: oci-run [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
"\n"
"Run OCI containers, as runc does: same commands, flags and state rules,\n"
"so containerd, podman or a shell script can call it in runc's place.\n"
"A bundle is a directory holding config.json and the root filesystem.\n"
"\n"
"Commands:\n"
"  create [-b BUNDLE] [--pid-file F] [--console-socket S] [--no-pivot]\n"
"         [--preserve-fds N] ID\n"
"                      set the container up; its process waits for start\n"
"                      (with process.terminal, the pty master goes to S)\n"
"  start ID            let a created container's process run\n"
"  run [-b BUNDLE] [-d] [--keep] [--pid-file F] [--console-socket S]\n"
"      [--no-pivot] ID\n"
"                      create and start; in the foreground it forwards\n"
"                      signals, exits with the process's status and\n"
"                      deletes the container (unless --keep); -d detaches;\n"
"                      with a terminal it is attached to the caller's\n"
"  exec [-d] [-t] [-e K=V] [--cwd D] [-u UID[:GID]] [-g GID] [-c CAP]\n"
"       [--no-new-privs] [--pid-file F] [--console-socket S]\n"
"       [--preserve-fds N] ID CMD [ARG...]\n"
"  exec [OPTIONS] -p PROCESS.json ID\n"
"                      run another process in the container; exits with\n"
"                      its status, or 255 when the runtime fails\n"
"  state ID            print the container's OCI state as JSON\n"
"  list [-f table|json] [-q]\n"
"                      list the containers under --root\n"
"  kill [-a] ID [SIGNAL]\n"
"                      send SIGNAL (TERM by default; KILL, SIGKILL, 9)\n"
"  delete [-f] ID      remove a stopped (or created) container; -f kills a\n"
"                      running one first and ignores a missing one\n"
"  spec [-b BUNDLE] [--rootless]\n"
"                      write a default config.json into BUNDLE\n"
"  features            what this runtime supports (runtime-spec features.md)\n"
"  update [-r FILE] [--memory N] [--memory-swap N] [--pids-limit N]\n"
"         [--cpu-shares N] [--cpu-quota N] [--cpu-period N]\n"
"         [--cpuset-cpus L] [--cpuset-mems L] [--blkio-weight N] ID\n"
"                      change a live container's resources; FILE ('-':\n"
"                      stdin) is a linux.resources object\n"
"  pause ID, resume ID freeze and thaw all the container's processes\n"
"  ps [-f table|json] ID [-- PS ARGS]\n"
"                      the container's processes (ps -ef rows, or pids)\n"
"\n"
"Global options:\n"
"  --root DIR          state directory (default " OCI_RUN_ROOT ", or\n"
"                      $XDG_RUNTIME_DIR/ocibox for a user other than root)\n"
"  --rootless B        accepted for runc compatibility (true, false, auto):\n"
"                      a user namespace is made whenever config.json asks\n"
"  --log FILE          messages go to FILE (errors to stderr as well)\n"
"  --log-format F      text or json (one {level,msg,time} object a line)\n"
"  --debug             log debug messages too\n"
"  --systemd-cgroup    accepted for runc compatibility; not used\n"
"\n"
"Example:\n"
"  mkdir -p b/rootfs && tar -C b/rootfs -xf rootfs.tar\n"
"  cd b && oci-run spec && cd ..\n"
"  oci-run run -b b demo                 # a shell in the container\n"
"  oci-run create -b b c1 && oci-run start c1 && oci-run state c1\n"
"  oci-run kill c1 KILL && oci-run delete c1\n";

static const struct {
	const char *name;
	int (*fn)(const struct oci_global *g, int argc, char **argv);
} cmds[] = {
	{ "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run },
	{ "state", cmd_state }, { "list", cmd_list }, { "kill", cmd_kill },
	{ "delete", cmd_delete }, { "spec", cmd_spec }, { "exec", cmd_exec },
	{ "features", cmd_features },
	{ "update", cmd_update }, { "pause", cmd_pause },
	{ "resume", cmd_resume }, { "ps", cmd_ps },
};

enum {
	G_ROOT = 1, G_LOG, G_LOGFMT, G_DEBUG, G_SYSTEMD, G_HELP, G_VERSION,
	G_CRIU, G_ROOTLESS,
};

static const struct opt global_opts[] = {
	{ "root", 0, OPT_ARG, G_ROOT },
	{ "log", 0, OPT_ARG, G_LOG },
	{ "log-format", 0, OPT_ARG, G_LOGFMT },
	{ "debug", 0, OPT_NOARG, G_DEBUG },
	{ "systemd-cgroup", 0, OPT_NOARG, G_SYSTEMD },
	{ "criu", 0, OPT_ARG, G_CRIU },
	{ "rootless", 0, OPT_ARG, G_ROOTLESS },
	{ "help", 'h', OPT_NOARG, G_HELP },
	{ "version", 'v', OPT_NOARG, G_VERSION },
	{ 0 },
};

/* --help is understood by every command without being in its table. */
int cmd_options(const char *cmd, int argc, char **argv, const struct opt *tab,
		void (*set)(int id, const char *arg, void *ctx), void *ctx,
		int min_pos, int max_pos, char ***pos, int *npos)
{
	struct err e = { 0 };
	int r = opt_command(argc, argv, tab, set, ctx, min_pos, max_pos,
			    "container ID", pos, npos, &e);

	if (r == OPT_HELP) {
		fputs(oci_run_help, stdout);
		exit(0);
	}
	if (r < 0)
		log_error("%s: %s", cmd, e.msg);
	return r;
}

int container_open(const struct oci_global *g, const char *id, int lock,
		   struct container *c, struct err *e)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->rootfd = c->dirfd = -1;
	if (state_id_check(id, e) < 0)
		return -e->no;
	c->rootfd = state_root_open(g->root, 0, e);
	if (c->rootfd < 0) {
		if (e->no == ENOENT)
			err_msg(e, ENOENT, "container does not exist");
		return -e->no;
	}
	c->dirfd = state_dir_open(c->rootfd, id, lock, e);
	if (c->dirfd < 0)
		goto out_root;
	r = state_load(c->dirfd, id, &c->st, e);
	if (r == -ENOENT) {
		c->st.id = strdup(id);
		c->status = STATE_CREATING;
		return 0;
	}
	if (r < 0)
		goto out_dir;
	c->status = state_status(c->dirfd, &c->st);
	return 0;
out_dir:
	close(c->dirfd);
out_root:
	close(c->rootfd);
	c->rootfd = c->dirfd = -1;
	return -e->no;
}

void container_close(struct container *c)
{
	state_release(&c->st);
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->rootfd >= 0)
		close(c->rootfd);
}

int oci_run_main(int argc, char **argv)
{
	struct oci_global g = { .root = OCI_RUN_ROOT };
	struct opt_iter it;
	struct err e = { 0 };
	int id, r, ncmd;
	size_t i;
	char **rest, *root = state_default_root("ocibox");

	log_init("oci-run");
	if (root)
		g.root = root;
	opt_start(&it, argc - 1, argv + 1, OPT_STOP);
	while ((id = opt_next(&it, global_opts, &e)) != 0) {
		switch (id) {
		case G_ROOT: g.root = it.arg; break;
		case G_LOG: g.log = it.arg; break;
		case G_LOGFMT: g.log_format = it.arg; break;
		case G_DEBUG: g.debug = 1; break;
		case G_SYSTEMD:
			log_warn("--systemd-cgroup: not used, cgroups are "
				 "managed directly");
			break;
		case G_CRIU: break;
		case G_ROOTLESS:
			/* What it would force follows from the ids anyway. */
			if (strcmp(it.arg, "true") && strcmp(it.arg, "false") &&
			    strcmp(it.arg, "auto"))
				xdie(1, "--rootless: \"%s\": expected true, "
				     "false or auto", it.arg);
			break;
		case G_HELP:
			fputs(oci_run_help, stdout);
			return 0;
		case G_VERSION:
			printf("oci-run version %s (ocibox)\nspec: %s\n",
			       OCIBOX_VERSION, STATE_OCI_VERSION);
			return 0;
		default:
			xdie(1, "%s", e.msg);
		}
	}
	if (g.log_format && strcmp(g.log_format, "text") &&
	    strcmp(g.log_format, "json"))
		xdie(1, "--log-format: unknown format \"%s\" (text or json)",
		     g.log_format);
	if (g.log && (r = log_open(g.log, g.log_format &&
				   !strcmp(g.log_format, "json"))) < 0)
		xdie(1, "--log %s: %s", g.log, strerror(-r));
	log_set_debug(g.debug);
	rest = opt_rest(&it, &ncmd);
	if (!ncmd) {
		fputs(oci_run_help, stderr);
		return 1;
	}
	/* Those that leave our code running inside a container. */
	if ((!strcmp(rest[0], "create") || !strcmp(rest[0], "run") ||
	     !strcmp(rest[0], "exec")) && sealed_reexec(argv, environ, &e) < 0)
		xdie(1, "%s: %s", rest[0], e.msg);
	if (!strcmp(rest[0], "help")) {
		fputs(oci_run_help, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(rest[0], cmds[i].name)) {
			r = cmds[i].fn(&g, ncmd - 1, rest + 1);
			free(root);
			return r;
		}
	log_error("unknown command \"%s\" (see oci-run --help)", rest[0]);
	free(root);
	return 1;
}
