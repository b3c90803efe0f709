/*
 * gc.c - `state gc`: what dead containers and dead creates left behind,
 * removed as `oci-run delete` removes it.  A create killed at any point
 * leaves at most: its state directory (with exec.fifo, cgroup.json, maybe
 * state.json), its cgroup directories, and an init that dies on its own
 * (PDEATHSIG before "ready", the sync socket's close after it).  Its
 * mounts are in the container's mount namespace, gone with its last
 * process.  Each directory is taken with state_dir_trylock(): a held lock
 * is a create in progress or a command at work, never collected.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "opt.h"
#include "state.h"
#include "statecmd.h"

struct gc {
	const char *root;
	int rootfd;
	int dry;
	int failed;
};

static void act(const struct gc *g, const char *id, const char *what,
		const char *arg)
{
	printf("%s: %s%s %s\n", id, g->dry ? "would " : "", what, arg);
}

/*
 * Kill what a stopped container left in its cgroup (kill), then remove
 * its directories.  A create that died has nothing but its dying init
 * in there, which cgroup_destroy() waits out; its cgroup is not killed,
 * in case cgroupsPath named one it shares.
 */
static int drop_cgroup(struct gc *g, const char *id, struct cgroup *cg,
		       int kill)
{
	struct err e = { 0 };
	struct stat sb;
	char buf[32];
	pid_t *pids = NULL;
	size_t i, n = 0;

	if (kill && cgroup_pids(cg, &pids, &n, &e) == 0 && n) {
		snprintf(buf, sizeof(buf), "%zu", n);
		act(g, id, "kill the processes left in its cgroup:", buf);
		if (!g->dry && cgroup_kill(cg, SIGKILL, &e) < 0)
			goto fail;
	}
	free(pids);
	for (i = 0; i < cg->n; i++)
		if (stat(cg->dirs[i].path, &sb) == 0)
			act(g, id, "remove cgroup", cg->dirs[i].path);
	if (!g->dry && cgroup_destroy(cg, &e) < 0)
		goto fail;
	return 0;
fail:
	log_error("gc %s: %s", id, e.msg);
	g->failed = 1;
	return -1;
}

static void collect(struct gc *g, const char *id)
{
	struct cgroup *cg = NULL;
	struct state st = { 0 };
	struct err e = { 0 };
	char path[4096];
	int fd, r, kill = 0;

	fd = state_dir_trylock(g->rootfd, id);
	if (fd == -EWOULDBLOCK) {
		printf("%s: locked (a create in progress, or a command at "
		       "work on it): left alone\n", id);
		return;
	}
	if (fd < 0) {
		/* Gone meanwhile, or not a container's directory. */
		if (fd != -ENOENT && fd != -ENOTDIR) {
			log_error("gc %s: open %s/%s: %s", id, g->root, id,
				  strerror(-fd));
			g->failed = 1;
		}
		return;
	}
	r = state_load(fd, id, &st, &e);
	if (r == -ENOENT) {
		printf("%s: its create died before it finished\n", id);
		r = state_load_cgroup(fd, &cg);
		if (r < 0 && r != -ENOENT) {
			log_error("gc %s: %s: %s", id, STATE_CGROUP,
				  strerror(-r));
			g->failed = 1;
			goto out;
		}
	} else if (r < 0) {
		log_error("gc %s: %s", id, e.msg);
		g->failed = 1;
		goto out;
	} else if (state_status(fd, &st) != STATE_STOPPED) {
		goto out;
	} else {
		printf("%s: stopped, its init %d is gone\n", id, (int)st.pid);
		cg = st.cgroup;
		st.cgroup = NULL;
		kill = 1;
	}
	/* The directory stays while its cgroup does: the next gc retries. */
	if (cg && drop_cgroup(g, id, cg, kill) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", g->root, id);
	act(g, id, "remove state directory", path);
	if (!g->dry && (r = state_dir_remove(g->rootfd, id, fd)) < 0) {
		log_error("gc %s: remove %s: %s", id, path, strerror(-r));
		g->failed = 1;
	}
out:
	cgroup_free(cg);
	state_release(&st);
	close(fd);
}

static void set_dry(int id, const char *arg, void *ctx)
{
	*(int *)ctx = 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *de)
{
	struct err e = { 0 };

	return state_id_check(de->d_name, &e) == 0;
}

int cmd_gc(const char *root, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "dry-run", 'n', OPT_NOARG, 1 },
		{ 0 },
	};
	struct gc g = { .root = root };
	struct dirent **names;
	struct err e = { 0 };
	char **pos;
	int npos, n, i;

	if (statecmd_options("gc", argc, argv, opts, set_dry, &g.dry, 0, 0,
			     &pos, &npos) < 0)
		return 1;
	g.rootfd = state_root_open(root, 0, &e);
	if (g.rootfd < 0) {
		if (e.no == ENOENT)
			return 0;
		log_error("gc: %s", e.msg);
		return 1;
	}
	n = scandir(root, &names, visible, by_name);
	if (n < 0) {
		log_error("gc: %s: %s", root, strerror(errno));
		close(g.rootfd);
		return 1;
	}
	for (i = 0; i < n; i++) {
		collect(&g, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	close(g.rootfd);
	return g.failed;
}
