/*
 * cgroups.c - the commands that act on a live container's cgroup:
 * `update`, `pause`, `resume` and `ps`, as runc(8) has them (runc-update,
 * runc-pause, runc-resume, runc-ps): the same flags, status rules and
 * error phrases.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"
#include "json.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "spec_resources.h"

#define RESOURCES_FILE_MAX (1 << 20)

enum {
	U_RESOURCES = 1, U_MEMORY, U_SWAP, U_RESERVATION, U_PIDS, U_SHARES,
	U_QUOTA, U_PERIOD, U_CPUS, U_MEMS, U_BLKIO, U_COUNT
};

struct update {
	const char *file;
	const char *flag[U_COUNT];
	const char *bad;	/* the first flag whose value is not a number */
};

static void set_update(int id, const char *arg, void *ctx)
{
	struct update *u = ctx;

	if (id == U_RESOURCES)
		u->file = arg;
	else
		u->flag[id] = arg;
}

/* A size as runc's units.RAMInBytes reads it: 64m, 1g, 512k, or -1. */
static int parse_size(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int shift = 0;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (v < 0 && (v != -1 || shift)))
		return -1;
	*out = v << shift;
	return 0;
}

/* The individual flags into r; the name of a bad one, or NULL. */
static const char *flags_to_resources(const struct update *u,
				      struct spec_resources *r)
{
	static const char *const names[U_COUNT] = {
		[U_MEMORY] = "--memory", [U_SWAP] = "--memory-swap",
		[U_RESERVATION] = "--memory-reservation",
		[U_PIDS] = "--pids-limit", [U_SHARES] = "--cpu-shares",
		[U_QUOTA] = "--cpu-quota", [U_PERIOD] = "--cpu-period",
		[U_BLKIO] = "--blkio-weight",
	};
	int64_t v;
	int id;

	for (id = U_MEMORY; id < U_COUNT; id++) {
		if (!u->flag[id] || id == U_CPUS || id == U_MEMS)
			continue;
		if (parse_size(u->flag[id], &v) < 0 ||
		    (id >= U_SHARES && id != U_QUOTA && v < 0) ||
		    (id >= U_SHARES && strpbrk(u->flag[id], "kKmMgGbB")))
			return names[id];
		switch (id) {
		case U_MEMORY: r->memory.limit = v; break;
		case U_SWAP: r->memory.swap = v; break;
		case U_RESERVATION: r->memory.reservation = v; break;
		case U_PIDS: r->pids_limit = v ? v : -1; break;
		case U_SHARES: r->cpu.shares = v; break;
		case U_QUOTA: r->cpu.quota = v; break;
		case U_PERIOD: r->cpu.period = v; break;
		case U_BLKIO: r->blkio.weight = v; break;
		}
	}
	if (u->flag[U_CPUS] && !(r->cpu.cpus = strdup(u->flag[U_CPUS])))
		return "--cpuset-cpus";
	if (u->flag[U_MEMS] && !(r->cpu.mems = strdup(u->flag[U_MEMS])))
		return "--cpuset-mems";
	return NULL;
}

/* --resources FILE ('-': stdin), a LinuxResources object. */
static int load_resources(const char *file, struct spec_resources **out,
			  struct err *e)
{
	struct json_ctx c;
	cJSON *o = NULL;
	char *text;
	size_t len;
	int r;

	if (!strcmp(file, "-")) {
		r = read_file_at(AT_FDCWD, "/dev/stdin", RESOURCES_FILE_MAX,
				 &text, &len);
		if (r < 0)
			return err_sys(e, -r, "read stdin");
		r = json_parse(text, len, "stdin", &o, e);
		free(text);
	} else {
		r = json_load_file(AT_FDCWD, file, RESOURCES_FILE_MAX, file, &o,
				   e);
	}
	if (r < 0)
		return r;
	json_ctx_init(&c, strcmp(file, "-") ? file : "stdin", e);
	r = spec_resources_parse(&c, o, out);
	cJSON_Delete(o);
	return r;
}

static int live(const struct container *c, struct err *e)
{
	if (c->status == STATE_STOPPED || c->status == STATE_CREATING)
		return err_msg(e, ESRCH, "container not running");
	if (!c->st.cgroup)
		return err_msg(e, ENODEV, "container has no cgroup");
	return 0;
}

int cmd_update(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "resources", 'r', OPT_ARG, U_RESOURCES },
		{ "memory", 0, OPT_ARG, U_MEMORY },
		{ "memory-swap", 0, OPT_ARG, U_SWAP },
		{ "memory-reservation", 0, OPT_ARG, U_RESERVATION },
		{ "pids-limit", 0, OPT_ARG, U_PIDS },
		{ "cpu-share", 0, OPT_ARG, U_SHARES },
		{ "cpu-shares", 0, OPT_ARG, U_SHARES },
		{ "cpu-quota", 0, OPT_ARG, U_QUOTA },
		{ "cpu-period", 0, OPT_ARG, U_PERIOD },
		{ "cpuset-cpus", 0, OPT_ARG, U_CPUS },
		{ "cpuset-mems", 0, OPT_ARG, U_MEMS },
		{ "blkio-weight", 0, OPT_ARG, U_BLKIO },
		{ 0 },
	};
	struct update u = { 0 };
	struct spec_resources *r = NULL;
	struct container c;
	struct err e = { 0 };
	const char *bad;
	char **pos;
	int npos, ret = -1;

	if (cmd_options("update", argc, argv, opts, set_update, &u, 1, 1,
			&pos, &npos) < 0)
		return 1;
	if (u.file) {
		if (load_resources(u.file, &r, &e) < 0)
			goto out;
	}
	if (!r && !(r = calloc(1, sizeof(*r)))) {
		err_sys(&e, ENOMEM, "update");
		goto out;
	}
	/* runc: the flags win over the file. */
	bad = flags_to_resources(&u, r);
	if (bad) {
		err_msg(&e, EINVAL, "%s: invalid value", bad);
		goto out;
	}
	if (container_open(g, pos[0], 1, &c, &e) < 0)
		goto out;
	if (live(&c, &e) == 0 &&
	    cgroup_check(c.st.cgroup, r, "resources", &e) == 0 &&
	    cgroup_apply(c.st.cgroup, r, 0, &e) == 0)
		ret = 0;
	container_close(&c);
out:
	spec_resources_free(r);
	if (ret < 0)
		log_error("update %s: %s", pos[0], e.msg);
	return ret < 0;
}

static int freeze_cmd(const struct oci_global *g, const char *cmd, int argc,
		      char **argv, int frozen)
{
	static const struct opt none[] = { { 0 } };
	struct container c;
	struct err e = { 0 };
	char **pos;
	int npos, r = -1;

	if (cmd_options(cmd, argc, argv, none, NULL, NULL, 1, 1, &pos,
			&npos) < 0)
		return 1;
	if (container_open(g, pos[0], 1, &c, &e) < 0)
		goto out;
	if (frozen && c.status != STATE_RUNNING && c.status != STATE_CREATED)
		err_msg(&e, ESRCH, "container not running");
	else if (!frozen && c.status != STATE_PAUSED)
		err_msg(&e, EINVAL, "container not paused");
	else if (!c.st.cgroup)
		err_msg(&e, ENODEV, "container has no cgroup");
	else
		r = cgroup_freeze(c.st.cgroup, frozen, &e);
	container_close(&c);
out:
	if (r < 0)
		log_error("%s %s: %s", cmd, pos[0], e.msg);
	return r < 0;
}

int cmd_pause(const struct oci_global *g, int argc, char **argv)
{
	return freeze_cmd(g, "pause", argc, argv, 1);
}

int cmd_resume(const struct oci_global *g, int argc, char **argv)
{
	return freeze_cmd(g, "resume", argc, argv, 0);
}

static int has_pid(const pid_t *pids, size_t n, long pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/*
 * runc's table: ps(1) with the arguments given (-ef by default), its
 * header, and the rows whose PID column is one of the container's.
 */
static int ps_table(char **args, int nargs, const pid_t *pids, size_t n,
		    struct err *e)
{
	char *argv[64], *buf = NULL, *line, *next, *tok, *save, *copy;
	int fd[2], status, col = -1, i, k, r = 0;
	size_t len = 0, cap = 0;
	ssize_t got;
	pid_t child;

	if (nargs > 62)
		return err_msg(e, E2BIG, "too many ps arguments");
	argv[0] = "ps";
	for (i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (!nargs)
		argv[++nargs] = "-ef";
	argv[nargs + 1] = NULL;
	if (pipe2(fd, O_CLOEXEC) < 0)
		return err_sys(e, errno, "pipe");
	child = fork();
	if (child < 0) {
		close(fd[0]);
		close(fd[1]);
		return err_sys(e, errno, "fork");
	}
	if (!child) {
		dup2(fd[1], 1);
		execvp("ps", argv);
		dprintf(2, "oci-run: ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				r = err_sys(e, ENOMEM, "ps");
				break;
			}
			buf = nb;
		}
		got = read(fd[0], buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	close(fd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!r && (!WIFEXITED(status) || WEXITSTATUS(status)))
		r = err_msg(e, EIO, "ps %s: exit status %d", argv[1],
			    WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	if (r)
		goto out;
	buf[len] = 0;
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		copy = strdup(line);
		if (!copy) {
			r = err_sys(e, ENOMEM, "ps");
			break;
		}
		tok = strtok_r(copy, " \t", &save);
		for (k = 0; tok; k++, tok = strtok_r(NULL, " \t", &save)) {
			if (col < 0 && !strcmp(tok, "PID"))
				col = k;
			if (line != buf && k == col)
				break;
		}
		if (line == buf && col < 0) {
			free(copy);
			r = err_msg(e, EINVAL, "couldn't find PID field in ps "
				    "output");
			break;
		}
		if (line == buf || (tok && has_pid(pids, n, atol(tok))))
			printf("%s\n", line);
		free(copy);
	}
out:
	free(buf);
	return r;
}

static void set_format(int id, const char *arg, void *ctx)
{
	*(const char **)ctx = arg;
}

int cmd_ps(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "format", 'f', OPT_ARG, 1 },
		{ 0 },
	};
	const char *format = "table";
	struct container c;
	struct err e = { 0 };
	pid_t *pids = NULL;
	size_t n = 0, i;
	char **pos;
	int npos, r = -1;

	if (cmd_options("ps", argc, argv, opts, set_format, &format, 1, 64,
			&pos, &npos) < 0)
		return 1;
	if (strcmp(format, "table") && strcmp(format, "json")) {
		log_error("ps %s: invalid format option", pos[0]);
		return 1;
	}
	if (container_open(g, pos[0], 1, &c, &e) < 0)
		goto out;
	if (c.status == STATE_STOPPED || c.status == STATE_CREATING)
		err_msg(&e, ESRCH, "container not running");
	else if (!c.st.cgroup)
		err_msg(&e, ENODEV, "container has no cgroup");
	else
		r = cgroup_pids(c.st.cgroup, &pids, &n, &e);
	container_close(&c);
	if (r < 0)
		goto out;
	if (!strcmp(format, "json")) {
		putchar('[');
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		puts("]");
	} else {
		r = ps_table(pos + 1, npos - 1, pids, n, &e);
	}
	free(pids);
out:
	if (r < 0)
		log_error("ps %s: %s", pos[0], e.msg);
	return r < 0;
}
