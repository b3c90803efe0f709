/* proc_test.c - unit tests of core/proc.c: start time and state from
 * /proc/PID/stat, and what counts as alive (not a zombie, not reaped, not
 * a reused pid). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "proc.h"
#include "unit.h"

/* A child blocked reading a pipe; it exits when *wfd is closed. */
static pid_t child(int *wfd)
{
	int p[2];
	char c;
	pid_t pid;

	UNIT_EQ_INT(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

/* Let the child exit and wait until it is a zombie, without reaping it. */
static void make_zombie(pid_t pid, int wfd)
{
	siginfo_t si;

	close(wfd);
	UNIT_EQ_INT(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	UNIT_EQ_INT(si.si_pid, pid);
}

static void reap(pid_t pid)
{
	int status;

	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	UNIT_ASSERT(WIFEXITED(status));
	UNIT_EQ_INT(WEXITSTATUS(status), 0);
}

UNIT_CASE(stat_self)
{
	uint64_t t = 0, t2 = 0;
	char st = 0;

	UNIT_EQ_INT(proc_stat(getpid(), &t, &st), 0);
	UNIT_ASSERT(t > 0);
	UNIT_EQ_INT(st, 'R');
	UNIT_EQ_INT(proc_stat(getpid(), &t2, NULL), 0);
	UNIT_EQ_UINT(t2, t);
}

/* comm may hold spaces and parentheses; the fields start after the last
 * ')'. */
UNIT_CASE(stat_odd_comm)
{
	uint64_t t = 0, t2 = 0;
	char st = 0;

	UNIT_EQ_INT(proc_stat(getpid(), &t, NULL), 0);
	UNIT_EQ_INT(prctl(PR_SET_NAME, "a) R 1 (b) c", 0, 0, 0), 0);
	UNIT_EQ_INT(proc_stat(getpid(), &t2, &st), 0);
	UNIT_EQ_UINT(t2, t);
	UNIT_EQ_INT(st, 'R');
}

UNIT_CASE(stat_missing_pid)
{
	uint64_t t = 0;

	UNIT_EQ_INT(proc_stat(INT_MAX, &t, NULL), -ENOENT);
}

UNIT_CASE(stat_sleeping_child)
{
	uint64_t self = 0, t = 0;
	char st = 0;
	int wfd;
	pid_t pid = child(&wfd);

	UNIT_EQ_INT(proc_stat(getpid(), &self, NULL), 0);
	/* Until the child reaches its read(); no time limit, it will. */
	while (st != 'S') {
		UNIT_EQ_INT(proc_stat(pid, &t, &st), 0);
		UNIT_ASSERT(st != 'Z');
		if (st != 'S')
			sched_yield();
	}
	UNIT_ASSERT(t >= self);
	close(wfd);
	reap(pid);
}

UNIT_CASE(alive_self)
{
	uint64_t t = 0;

	UNIT_EQ_INT(proc_stat(getpid(), &t, NULL), 0);
	UNIT_EQ_INT(proc_alive(getpid(), t), 1);
}

UNIT_CASE(alive_wrong_starttime)
{
	uint64_t t = 0;

	UNIT_EQ_INT(proc_stat(getpid(), &t, NULL), 0);
	UNIT_EQ_INT(proc_alive(getpid(), t + 1), 0);
	UNIT_EQ_INT(proc_alive(getpid(), t - 1), 0);
	UNIT_EQ_INT(proc_alive(getpid(), 0), 0);
}

UNIT_CASE(alive_no_pid)
{
	UNIT_EQ_INT(proc_alive(0, 0), 0);
	UNIT_EQ_INT(proc_alive(-1, 0), 0);
	UNIT_EQ_INT(proc_alive(INT_MAX, 0), 0);
}

UNIT_CASE(alive_child)
{
	uint64_t t = 0;
	int wfd;
	pid_t pid = child(&wfd);

	UNIT_EQ_INT(proc_stat(pid, &t, NULL), 0);
	UNIT_EQ_INT(proc_alive(pid, t), 1);
	close(wfd);
	reap(pid);
}

UNIT_CASE(alive_stopped_child)
{
	uint64_t t = 0;
	siginfo_t si;
	char st = 0;
	int wfd;
	pid_t pid = child(&wfd);

	UNIT_EQ_INT(proc_stat(pid, &t, NULL), 0);
	UNIT_EQ_INT(kill(pid, SIGSTOP), 0);
	UNIT_EQ_INT(waitid(P_PID, pid, &si, WSTOPPED), 0);
	UNIT_EQ_INT(proc_stat(pid, &t, &st), 0);
	UNIT_EQ_INT(st, 'T');
	UNIT_EQ_INT(proc_alive(pid, t), 1);
	UNIT_EQ_INT(kill(pid, SIGCONT), 0);
	close(wfd);
	reap(pid);
}

UNIT_CASE(zombie_not_alive)
{
	uint64_t t = 0, zt = 0;
	char st = 0;
	int wfd;
	pid_t pid = child(&wfd);

	UNIT_EQ_INT(proc_stat(pid, &t, NULL), 0);
	make_zombie(pid, wfd);
	UNIT_EQ_INT(proc_stat(pid, &zt, &st), 0);
	UNIT_EQ_INT(st, 'Z');
	UNIT_EQ_UINT(zt, t);
	UNIT_EQ_INT(proc_alive(pid, t), 0);
	reap(pid);
}

UNIT_CASE(reaped_not_alive)
{
	uint64_t t = 0, t2 = 0;
	int wfd;
	pid_t pid = child(&wfd);

	UNIT_EQ_INT(proc_stat(pid, &t, NULL), 0);
	close(wfd);
	reap(pid);
	UNIT_EQ_INT(proc_stat(pid, &t2, NULL), -ENOENT);
	UNIT_EQ_INT(proc_alive(pid, t), 0);
}
