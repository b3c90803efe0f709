/*
 * process.c - becoming the container's process (config.md "process"):
 * rlimits and oom score, user and groups, capabilities (capabilities(7)),
 * the cwd by handle, the executable found as execvp(3) would, and every
 * fd but the kept ones closed at exec.  The init of create and the child
 * of exec share it; each step returns 0 or -errno with e naming it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "io.h"
#include "oci-run.h"
#include "path.h"
#include "sys.h"

#define TRY(e, expr, ...)						\
	do {								\
		if ((expr) < 0)						\
			return err_sys(e, errno, __VA_ARGS__);		\
	} while (0)

int process_limits(const struct spec_process *p, int procfd, struct err *e)
{
	struct rlimit rl;
	char buf[16];
	size_t i;
	int r;

	for (i = 0; i < p->n_rlimits; i++) {
		rl.rlim_cur = p->rlimits[i].soft;
		rl.rlim_max = p->rlimits[i].hard;
		TRY(e, setrlimit(p->rlimits[i].resource, &rl),
		    "setrlimit %d", p->rlimits[i].resource);
	}
	if (p->has_oom_score_adj) {
		snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
		r = write_file_at(procfd, "self/oom_score_adj", buf);
		if (r < 0)
			return err_sys(e, -r, "write /proc/self/oom_score_adj");
	}
	return 0;
}

static int last_cap(int procfd)
{
	char *buf;
	int n;

	if (read_file_at(procfd, "sys/kernel/cap_last_cap", 16, &buf,
			 NULL) < 0)
		return 40;
	n = atoi(buf);
	free(buf);
	return n > 0 && n < 64 ? n : 40;
}

int process_identity(const struct spec_process *p, int procfd, int userns,
		     struct err *e)
{
	const struct spec_caps *c = &p->caps;
	int cap, last = last_cap(procfd), r;
	uint64_t mask = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	uint64_t ambient;

	/* No process.capabilities means no capabilities, as with runc. */
	for (cap = 0; cap <= last; cap++)
		if (!(c->bounding & (1ULL << cap)))
			TRY(e, prctl(PR_CAPBSET_DROP, cap, 0, 0, 0),
			    "drop capability %d", cap);
	TRY(e, prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "keep caps");
	/*
	 * A user namespace an unprivileged caller made has setgroups
	 * denied: then no supplementary groups is all there can be.
	 */
	if (setgroups(p->user.n_additional_gids, p->user.additional_gids) < 0 &&
	    !(errno == EPERM && !p->user.n_additional_gids && userns))
		return err_sys(e, errno, "setgroups");
	TRY(e, setresgid(p->user.gid, p->user.gid, p->user.gid),
	    "setgid %u", (unsigned)p->user.gid);
	TRY(e, setresuid(p->user.uid, p->user.uid, p->user.uid),
	    "setuid %u", (unsigned)p->user.uid);
	TRY(e, prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "keep caps");
	r = sys_capset(c->effective & mask, c->permitted & mask,
		       c->inheritable & mask);
	if (r < 0)
		return err_sys(e, -r, "capset");
	TRY(e, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0),
	    "clear ambient capabilities");
	/*
	 * The kernel keeps ambient within permitted and inheritable; runc's
	 * own spec lists ambient caps that are not inheritable and runc runs
	 * it, raising what can be raised.  So do we.
	 */
	ambient = c->ambient & c->permitted & c->inheritable & mask;
	for (cap = 0; cap <= last; cap++)
		if (ambient & (1ULL << cap))
			TRY(e, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap,
				     0, 0),
			    "raise ambient capability %d", cap);
	return 0;
}

static const char *env_path(const struct spec_process *p)
{
	char **e;

	for (e = p->env; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			return *e + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int process_find_exec(const struct spec_process *p, char *out, size_t len,
		      struct err *e)
{
	const char *arg0 = p->args[0], *dir, *end;
	int n;

	if (strchr(arg0, '/')) {
		TRY(e, faccessat(AT_FDCWD, arg0, X_OK, AT_EACCESS), "exec %s",
		    arg0);
		snprintf(out, len, "%s", arg0);
		return 0;
	}
	for (dir = env_path(p); ; dir = end + 1) {
		end = strchrnul(dir, ':');
		n = snprintf(out, len, "%.*s%s%s", (int)(end - dir), dir,
			     end > dir ? "/" : "", arg0);
		if (n < (int)len && faccessat(AT_FDCWD, out, X_OK,
					      AT_EACCESS) == 0)
			return 0;
		if (!*end)
			break;
	}
	return err_msg(e, ENOENT, "exec: \"%s\": executable file not found "
		       "in $PATH", arg0);
}

int process_open_cwd(const struct spec_process *p, struct err *e)
{
	int root, fd;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_sys(e, errno, "open /");
	fd = path_open_in_root(root, p->cwd, PATH_NOCREATE);
	close(root);
	if (fd < 0)
		return err_sys(e, -fd, "cwd %s", p->cwd);
	return fd;
}

int process_cloexec_from(int procfd, int first, struct err *e)
{
	struct dirent *de;
	DIR *d;
	int fd, dfd;

	if (sys_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	dfd = openat(procfd, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	TRY(e, dfd, "open /proc/self/fd");
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return err_sys(e, errno, "open /proc/self/fd");
	}
	while ((de = readdir(d))) {
		fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    fd < first || fd == dfd)
			continue;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			closedir(d);
			return err_sys(e, errno, "fd %d", fd);
		}
	}
	closedir(d);
	return 0;
}

int process_listen_fds(struct spec_process *p, struct err *e)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	char **env, buf[2][32];
	long n;
	size_t k;

	/* sd_listen_fds(3): meant for us only when LISTEN_PID says so. */
	if (!fds || !pid || atol(pid) != (long)getpid())
		return 0;
	n = atol(fds);
	if (n <= 0 || n > 4096)
		return 0;
	for (k = 0; p->env && p->env[k]; k++)
		;
	env = realloc(p->env, (k + 3) * sizeof(*env));
	if (!env)
		return err_sys(e, ENOMEM, "LISTEN_FDS");
	p->env = env;
	snprintf(buf[0], sizeof(buf[0]), "LISTEN_FDS=%ld", n);
	snprintf(buf[1], sizeof(buf[1]), "LISTEN_PID=1");
	env[k] = strdup(buf[0]);
	env[k + 1] = env[k] ? strdup(buf[1]) : NULL;
	env[k + 2] = NULL;
	if (!env[k + 1]) {
		free(env[k]);
		env[k] = NULL;
		return err_sys(e, ENOMEM, "LISTEN_FDS");
	}
	return n;
}
