/*
 * hooks.c - the lifecycle hooks of config.md "POSIX-platform Hooks": each
 * runs with the container's state JSON on stdin, its own args and env,
 * and an optional timeout; the first that fails stops the rest.  Whether a
 * failure stops the container is the caller's decision (runtime.md
 * "Lifecycle").  Its output is kept for the error message only, as runc
 * does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "oci-run.h"
#include "sys.h"

char *hooks_state(const struct spec *s, const char *id,
		  enum state_status status, pid_t pid, const char *created)
{
	struct state st = {
		.id = (char *)id, .bundle = s->bundle, .rootfs = s->root_path,
		.created = (char *)created, .owner = "", .pid = pid,
		.annotations = s->annotations,
		.n_annotations = s->n_annotations,
	};

	return state_oci_json(&st, status, 0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

__attribute__((noreturn)) static void exec_hook(const struct spec_hook *h,
						const char *dir, int in, int out)
{
	char *argv0[] = { h->path, NULL };
	sigset_t none;

	/* dup2 leaves the copies without FD_CLOEXEC; the originals have it. */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* runc's: in the bundle, or "/" where it is not (in the container). */
	if (chdir(dir) < 0 && chdir("/") < 0)
		_exit(127);
	execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env);
	dprintf(2, "exec %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

/* Keep the end of what the hook printed: its last line says why. */
static void keep_tail(char *tail, size_t cap, size_t *len, const char *buf,
		      size_t n)
{
	size_t room = cap - 1, drop;

	if (n >= room) {
		memcpy(tail, buf + n - room, room);
		*len = room;
	} else {
		drop = *len + n > room ? *len + n - room : 0;
		memmove(tail, tail + drop, *len - drop);
		*len -= drop;
		memcpy(tail + *len, buf, n);
		*len += n;
	}
	tail[*len] = 0;
}

static const char *last_line(char *tail)
{
	char *p = tail + strlen(tail);

	while (p > tail && (p[-1] == '\n' || p[-1] == ' '))
		*--p = 0;
	p = strrchr(tail, '\n');
	return p ? p + 1 : tail;
}

/*
 * Read the hook's output until it closes it, or the deadline passes.
 * 1 on EOF, 0 on timeout.
 */
static int drain(int fd, long deadline, char *tail, size_t cap, size_t *len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[512];
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&p, 1, deadline ? (int)(deadline - now_ms()) : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (deadline && now_ms() >= deadline))
			return 0;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		keep_tail(tail, cap, len, buf, n);
	}
}

static int run_hook(const struct spec_hook *h, const char *dir,
		    const char *what, size_t i, const char *state,
		    struct err *e)
{
	char tail[256] = "";
	size_t len = 0;
	long deadline = h->timeout ? now_ms() + h->timeout * 1000L : 0;
	int in[2], out[2], status, done, r = 0;
	pid_t pid;

	/* A socket, not a pipe: send() can say EPIPE without a SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return err_sys(e, errno, "%s hook #%zu", what, i);
	if (pipe2(out, O_CLOEXEC) < 0) {
		r = err_sys(e, errno, "%s hook #%zu", what, i);
		goto out_in;
	}
	pid = fork();
	if (pid < 0) {
		r = err_sys(e, errno, "%s hook #%zu %s", what, i, h->path);
		goto out_out;
	}
	if (pid == 0)
		exec_hook(h, dir, in[1], out[1]);
	close(in[1]);
	close(out[1]);
	in[1] = out[1] = -1;
	/* A hook that does not read its stdin is not an error. */
	if (state)
		send(in[0], state, strlen(state), MSG_NOSIGNAL);
	shutdown(in[0], SHUT_WR);
	done = drain(out[0], deadline, tail, sizeof(tail), &len);
	if (!done)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!done)
		r = err_msg(e, ETIMEDOUT, "%s hook #%zu %s: timed out after "
			    "%d s", what, i, h->path, h->timeout);
	else if (WIFSIGNALED(status))
		r = err_msg(e, ECHILD, "%s hook #%zu %s: killed by signal %d%s"
			    "%s", what, i, h->path, WTERMSIG(status),
			    *tail ? ": " : "", last_line(tail));
	else if (WEXITSTATUS(status))
		r = err_msg(e, ECHILD, "%s hook #%zu %s: exit status %d%s%s",
			    what, i, h->path, WEXITSTATUS(status),
			    *tail ? ": " : "", last_line(tail));
out_out:
	if (out[1] >= 0)
		close(out[1]);
	close(out[0]);
out_in:
	if (in[1] >= 0)
		close(in[1]);
	close(in[0]);
	return r;
}

int hooks_run(const struct spec *s, int kind, const char *state,
	      struct err *e)
{
	const struct spec_hook_list *l = &s->hooks[kind];
	size_t i;
	int r;

	for (i = 0; i < l->n; i++) {
		r = run_hook(&l->hooks[i], s->bundle ? s->bundle : "/",
			     spec_hook_name(kind), i, state, e);
		if (r < 0)
			return r;
	}
	return 0;
}
