/* timeit - wall time of one command, for scripts/bench (not part of ocibox).
 *
 *   timeit LOG CMD [ARG...]
 *
 * Runs CMD with stdin from /dev/null and stdout and stderr appended to LOG,
 * prints the elapsed CLOCK_MONOTONIC time from just before fork to just after
 * the wait, in milliseconds, on stdout, and exits with CMD's status (128+SIG
 * when a signal ended it, 127 when it could not be run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int in, out, status;
	pid_t pid;

	if (argc < 3) {
		fputs("usage: timeit LOG CMD [ARG...]\n", stderr);
		return 2;
	}
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (in < 0 || out < 0) {
		fprintf(stderr, "timeit: open %s: %s\n",
			in < 0 ? "/dev/null" : argv[1], strerror(errno));
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		execvp(argv[2], argv + 2);
		dprintf(out, "timeit: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "timeit: wait: %s\n", strerror(errno));
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f\n", (t1.tv_sec - t0.tv_sec) * 1e3 +
			 (t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
