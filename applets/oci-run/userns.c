/*
 * userns.c - the id maps of a new user namespace (user_namespaces(7),
 * config-linux.md "User namespace mappings"), written by the parent once
 * the init exists.  Root writes any map itself.  An unprivileged caller may
 * write only its own uid and gid, and its gid only after "deny" in
 * setgroups; larger maps (the caller's /etc/subuid and /etc/subgid ranges)
 * go through the setuid helpers newuidmap(1) and newgidmap(1), as runc and
 * podman do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "oci-run.h"

/* "c h s\n" per range, the format of /proc/PID/uid_map. */
static int map_text(const struct spec_idmap *m, size_t n, char *buf,
		    size_t cap)
{
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		len += snprintf(buf + len, cap - len, "%u %u %u\n",
				m[i].container_id, m[i].host_id, m[i].size);
		if (len >= cap)
			return -E2BIG;
	}
	return 0;
}

/* The caller's own id, mapped once: what the kernel lets anyone write. */
static int only_self(const struct spec_idmap *m, size_t n, unsigned id)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == id;
}

/*
 * newuidmap PID c h s [c h s ...]; the helper checks /etc/subuid.  Its
 * complaint (last line of stderr) becomes the error.
 */
static int run_helper(const char *helper, pid_t pid,
		      const struct spec_idmap *m, size_t n, struct err *e)
{
	char **argv, *nums, said[256] = "", *nl;
	size_t i, k = 0;
	ssize_t got, len = 0;
	pid_t child;
	int status, r = 0, p[2];

	argv = calloc(3 * n + 3, sizeof(*argv));
	nums = malloc((3 * n + 2) * 12);
	if (!argv || !nums) {
		r = err_sys(e, ENOMEM, "%s", helper);
		goto out;
	}
	argv[k++] = (char *)helper;
	argv[k++] = nums;
	snprintf(nums, 12, "%d", (int)pid);
	for (i = 0; i < n; i++) {
		const uint32_t v[3] = { m[i].container_id, m[i].host_id,
					m[i].size };
		int j;

		for (j = 0; j < 3; j++) {
			argv[k] = nums + k * 12;
			snprintf(argv[k++], 12, "%u", v[j]);
		}
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = err_sys(e, errno, "%s", helper);
		goto out;
	}
	child = fork();
	if (child < 0) {
		r = err_sys(e, errno, "%s", helper);
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (child == 0) {
		dup2(p[1], 2);
		execvp(helper, argv);
		_exit(127);
	}
	close(p[1]);
	while ((got = read(p[0], said + len, sizeof(said) - 1 - len)) > 0 ||
	       (got < 0 && errno == EINTR))
		if (got > 0 && (len += got) == (ssize_t)sizeof(said) - 1)
			len = 0;	/* keep reading; the end is what counts */
	close(p[0]);
	said[len] = 0;
	while ((nl = strrchr(said, '\n')) && !nl[1])
		*nl = 0;
	nl = strrchr(said, '\n');
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		r = err_msg(e, ENOENT, "%s: not found (package uidmap); "
			    "without it only the caller's own id can be "
			    "mapped", helper);
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		r = err_msg(e, EPERM, "%s %d: %s (the ranges must be the "
			    "caller's in /etc/sub%cid)", helper, (int)pid,
			    *said ? (nl ? nl + 1 : said) : "failed",
			    helper[3] == 'u' ? 'u' : 'g');
out:
	free(argv);
	free(nums);
	return r;
}

static int write_map(int procfd, const char *file, const struct spec_idmap *m,
		     size_t n, struct err *e)
{
	char buf[340 * 36];
	int r;

	r = map_text(m, n, buf, sizeof(buf));
	if (r == 0)
		r = write_file_at(procfd, file, buf);
	if (r < 0)
		return err_sys(e, -r, "write %s", file);
	return 0;
}

int userns_write_maps(pid_t pid, const struct spec *s, struct err *e)
{
	char dir[32];
	int procfd, r;
	uid_t uid = geteuid();
	gid_t gid = getegid();

	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	procfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return err_sys(e, errno, "open %s", dir);
	if (uid == 0)
		r = write_map(procfd, "uid_map", s->uid_mappings,
			      s->n_uid_mappings, e);
	else if (only_self(s->uid_mappings, s->n_uid_mappings, uid))
		r = write_map(procfd, "uid_map", s->uid_mappings, 1, e);
	else
		r = run_helper("newuidmap", pid, s->uid_mappings,
			       s->n_uid_mappings, e);
	if (r < 0)
		goto out;
	if (uid == 0) {
		r = write_map(procfd, "gid_map", s->gid_mappings,
			      s->n_gid_mappings, e);
	} else if (only_self(s->gid_mappings, s->n_gid_mappings, gid)) {
		/* The kernel's condition for an unprivileged gid_map. */
		r = write_file_at(procfd, "setgroups", "deny");
		if (r < 0) {
			r = err_sys(e, -r, "write setgroups");
			goto out;
		}
		r = write_map(procfd, "gid_map", s->gid_mappings, 1, e);
	} else {
		r = run_helper("newgidmap", pid, s->gid_mappings,
			       s->n_gid_mappings, e);
	}
out:
	close(procfd);
	return r;
}
