/* timeit - wall time or peak RSS of one command, for scripts/bench (not part
 * of ocibox).  ptrace(2) and proc(5) (/proc/PID/status VmHWM) are the model.
 *
 *   timeit LOG CMD [ARG...]      wall time
 *   timeit -m LOG CMD [ARG...]   peak RSS
 *   timeit -s CMD [ARG...]       CMD under a subreaper
 *
 * With LOG it runs CMD with stdin from /dev/null and stdout and stderr appended to LOG
 * and exits with CMD's status (128+SIG when a signal ended it, 127 when it
 * could not be run).
 *
 * Without -m it prints the elapsed CLOCK_MONOTONIC time from just before fork
 * to just after the wait, in milliseconds, on stdout.
 *
 * With -m it prints "PEAK LEFT" in KB: PEAK is the largest VmHWM of every
 * process and thread of CMD's tree, read when each one calls execve (the
 * image it leaves) and when it exits; LEFT is the largest VmHWM of those
 * still alive when CMD exits (create's init, blocked until start), after
 * which they are detached and run on untraced; 0 when none is.  The RSS of
 * the timer's own forked copy before it execs CMD is not counted.  Not
 * ru_maxrss: since Linux 6.2 the RSS counters behind it are per-CPU and read
 * without their per-CPU parts, which loses up to 32 pages per counter per CPU
 * (a 440 KB process reads as 384 KB); /proc/PID/status sums them.  The
 * command runs slower under ptrace, so -m never times.
 *
 * With -s it becomes a child subreaper (PR_SET_CHILD_SUBREAPER) and reaps
 * every orphan of CMD's tree until CMD exits, and for a second more while
 * any is left: the inits that `create` leaves, as containerd's shim does.
 * This machine's pid 1 is slow to reap them, so a bench would leave a
 * zombie per container behind for a while.  CMD keeps timeit's stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRACEES 4096

static pid_t tracees[MAX_TRACEES];
static int ntracees;

static void add(pid_t tid)
{
	int i;

	for (i = 0; i < ntracees; i++)
		if (tracees[i] == tid)
			return;
	if (ntracees < MAX_TRACEES)
		tracees[ntracees++] = tid;
}

static void drop(pid_t tid)
{
	int i;

	for (i = 0; i < ntracees; i++) {
		if (tracees[i] == tid) {
			tracees[i] = tracees[--ntracees];
			return;
		}
	}
}

/* Raise *peak to the VmHWM of tid (KB); a tid that is gone changes nothing. */
static void sample(pid_t tid, long *peak)
{
	char path[64], buf[4096], *p;
	ssize_t n;
	long kb;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strstr(buf, "\nVmHWM:");
	if (!p)
		return;
	kb = strtol(p + 7, NULL, 10);
	if (kb > *peak)
		*peak = kb;
}

static int is_exec_entry(pid_t tid)
{
	struct __ptrace_syscall_info si;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(si), &si) <= 0)
		return 0;
	return si.op == PTRACE_SYSCALL_INFO_ENTRY &&
	       (si.entry.nr == SYS_execve || si.entry.nr == SYS_execveat);
}

static void new_child(pid_t tid)
{
	unsigned long msg;

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) == 0)
		add((pid_t)msg);
}

/* Follow the tree of child until child exits; *status gets its status. */
static int trace(pid_t child, int *status, long *peak)
{
	int st, sig, ev, inject, execd = 0;
	unsigned long old;
	pid_t w;

	add(child);
	for (;;) {
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "timeit: wait: %s\n", strerror(errno));
			return -1;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			drop(w);
			if (w == child) {
				*status = st;
				return 0;
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		/* A new tracee's first stop may come before its parent's
		 * fork event. */
		add(w);
		sig = WSTOPSIG(st);
		ev = (unsigned)st >> 16;
		inject = 0;
		switch (ev) {
		case 0:
			if (sig != (SIGTRAP | 0x80))
				inject = sig;
			else if (is_exec_entry(w) && (w != child || execd))
				sample(w, peak);
			break;
		case PTRACE_EVENT_EXIT:
			sample(w, peak);
			break;
		case PTRACE_EVENT_EXEC:
			if (w == child)
				execd = 1;
			/* A thread that execs takes the leader's tid. */
			if (ptrace(PTRACE_GETEVENTMSG, w, 0, &old) == 0 &&
			    (pid_t)old != w)
				drop((pid_t)old);
			break;
		case PTRACE_EVENT_FORK:
		case PTRACE_EVENT_VFORK:
		case PTRACE_EVENT_CLONE:
			new_child(w);
			break;
		}
		ptrace(PTRACE_SYSCALL, w, 0, inject);
	}
}

/* Measure and let go of the tracees left when the command exited. */
static void detach_left(long *left)
{
	int i, st, sig, ev;
	pid_t w;

	for (i = 0; i < ntracees; i++) {
		sample(tracees[i], left);
		ptrace(PTRACE_INTERRUPT, tracees[i], 0, 0);
	}
	while (ntracees > 0) {
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			drop(w);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		sig = WSTOPSIG(st);
		ev = (unsigned)st >> 16;
		if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		    ev == PTRACE_EVENT_CLONE)
			new_child(w);
		/* A signal that was about to be delivered still is. */
		ptrace(PTRACE_DETACH, w, 0,
		       ev == 0 && sig != (SIGTRAP | 0x80) ? sig : 0);
		drop(w);
	}
}

static void survive(int sig)
{
	(void)sig;
}

/* -s: run argv under a subreaper, exit with its status. */
static int reap(char **argv)
{
	struct sigaction sa = { .sa_handler = survive };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i, st, status = 0;
	pid_t pid, w;

	/* ^C reaches the bench too, which then deletes its containers: their
	 * inits are still to reap.  A handler, unlike SIG_IGN, is reset by
	 * execve, so the bench gets the signal as usual. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		fprintf(stderr, "timeit: subreaper: %s\n", strerror(errno));
		return 127;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "timeit: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "timeit: wait: %s\n", strerror(errno));
			return 127;
		}
		if (w == pid) {
			status = st;
			break;
		}
	}
	/* The inits of containers deleted last may still be dying; what
	 * runs on after a second is left to pid 1. */
	for (i = 0; i < 100; i++) {
		w = waitpid(-1, &st, WNOHANG);
		if (w > 0)
			i--;
		else if (w < 0 && errno != EINTR)
			break;
		else if (w == 0)
			nanosleep(&tick, NULL);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int in, out, status, go[2], rss = 0;
	long peak = 0, left = 0;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "-s"))
		return reap(argv + 2);
	if (argc > 1 && !strcmp(argv[1], "-m")) {
		rss = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fputs("usage: timeit [-m] LOG CMD [ARG...] | -s CMD [ARG...]\n",
		      stderr);
		return 2;
	}
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (in < 0 || out < 0) {
		fprintf(stderr, "timeit: open %s: %s\n",
			in < 0 ? "/dev/null" : argv[1], strerror(errno));
		return 127;
	}
	if (rss && pipe2(go, O_CLOEXEC) < 0) {
		fprintf(stderr, "timeit: pipe: %s\n", strerror(errno));
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		char c;

		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		/* Under -m: exec only once the parent traces this process. */
		if (rss) {
			close(go[1]);
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
		}
		execvp(argv[2], argv + 2);
		dprintf(out, "timeit: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (rss) {
		close(go[0]);
		if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD |
			   PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC |
			   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			   PTRACE_O_TRACECLONE) < 0 ||
		    ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0) {
			fprintf(stderr, "timeit: ptrace %d: %s\n", (int)pid,
				strerror(errno));
			kill(pid, SIGKILL);
			return 127;
		}
		/* The interrupt's stop, from which syscalls stop too. */
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		close(go[1]);
		if (trace(pid, &status, &peak) < 0)
			return 127;
		detach_left(&left);
		printf("%ld %ld\n", peak, left);
	} else {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "timeit: wait: %s\n",
					strerror(errno));
				return 127;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%.3f\n", (t1.tv_sec - t0.tv_sec) * 1e3 +
				 (t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
