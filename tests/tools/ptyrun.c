/*
 * ptyrun.c - a terminal for the tests: run a command with a new pty as its
 * controlling terminal and stdio, copy the pty's output to stdout, and
 * tell what is left unread in its input queue when the command is done
 * (what TIOCSTI from a container would have typed into the caller).
 *
 *	ptyrun [-s ROWSxCOLS] [-w MARKER -i INPUT] -- CMD [ARG...]
 *
 * INPUT is typed once MARKER has appeared in the output and the terminal
 * is out of canonical mode (a relay made it raw).  Ends with the
 * line "ptyrun: status S, unread N" on stderr; exits with CMD's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "ptyrun: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	const char *marker = NULL, *input = NULL;
	static char seen[1 << 16];
	size_t nseen = 0;
	char buf[4096];
	int m, s, opt, status, unread = -1, typed = 0, found = 0, exited = 0;
	struct termios t;
	pid_t pid;
	ssize_t n;

	while ((opt = getopt(argc, argv, "+s:w:i:")) != -1) {
		switch (opt) {
		case 's':
			if (sscanf(optarg, "%hux%hu", &ws.ws_row,
				   &ws.ws_col) != 2)
				return 2;
			break;
		case 'w': marker = optarg; break;
		case 'i': input = optarg; break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ptyrun [-s RxC] [-w MARKER -i INPUT]"
			" -- CMD...\n");
		return 2;
	}
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return die("pty");
	s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0 || ioctl(m, TIOCSWINSZ, &ws) < 0)
		return die("pty slave");
	pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid == 0) {
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0) < 0 ||
		    dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0)
			_exit(die("child terminal"));
		execvp(argv[optind], argv + optind);
		_exit(die(argv[optind]));
	}
	fcntl(m, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p = { .fd = m, .events = POLLIN };

		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			/* What nobody read: typed into the caller's shell. */
			if (ioctl(s, FIONREAD, &unread) < 0)
				return die("FIONREAD");
			close(s);
		}
		if (poll(&p, 1, exited ? -1 : 50) < 0 && errno != EINTR)
			return die("poll");
		n = read(m, buf, sizeof(buf));
		if (n <= 0) {
			/* EIO once nothing holds the slave any more. */
			if (exited && !(n < 0 && (errno == EINTR ||
						  errno == EAGAIN)))
				break;
			n = 0;
		}
		if (n > 0 && write(1, buf, n) != n)
			return die("stdout");
		if (marker && input && !found) {
			if (nseen + n > sizeof(seen))
				nseen = 0;
			memcpy(seen + nseen, buf, n);
			nseen += n;
			found = !!memmem(seen, nseen, marker, strlen(marker));
		}
		if (found && !typed && !exited && tcgetattr(s, &t) == 0 &&
		    !(t.c_lflag & ICANON)) {
			typed = 1;
			if (write(m, input, strlen(input)) < 0)
				return die("type");
		}
	}
	fprintf(stderr, "ptyrun: status %d, unread %d\n",
		WIFEXITED(status) ? WEXITSTATUS(status) :
		128 + WTERMSIG(status), unread);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
