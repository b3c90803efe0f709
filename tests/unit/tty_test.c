/* tty_test.c - unit tests of core/tty.c: a pty from a devpts by its ptmx,
 * fds over a socket, raw mode and back, the relay to the end of output. */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include "tty.h"
#include "unit.h"

static int master = -1, slave = -1;
static char path[64];
static struct err e;

/* The host's devpts, as a container's is opened: by its ptmx. */
static void open_pty(unsigned short rows, unsigned short cols)
{
	int r = tty_pty_open(AT_FDCWD, "/dev/pts/ptmx", rows, cols, &master,
			     &slave, path, sizeof(path), &e);

	if (r < 0)
		unit_fail(__FILE__, __LINE__, "tty_pty_open: %s", e.msg);
}

static void read_is(int fd, const char *want)
{
	char buf[256];
	size_t got = 0;
	ssize_t n;

	while (got < strlen(want)) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		UNIT_ASSERT(n > 0);
		got += n;
	}
	buf[got] = 0;
	UNIT_EQ_STR(buf, want);
}

UNIT_CASE(pty_open_size_and_path)
{
	struct winsize ws;
	char link[64], proc[32];
	ssize_t n;

	open_pty(30, 100);
	UNIT_EQ_INT(ioctl(slave, TIOCGWINSZ, &ws), 0);
	UNIT_EQ_INT(ws.ws_row, 30);
	UNIT_EQ_INT(ws.ws_col, 100);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", slave);
	n = readlink(proc, link, sizeof(link) - 1);
	UNIT_ASSERT(n > 0);
	link[n] = 0;
	UNIT_EQ_STR(path, link);
	UNIT_EQ_INT(fcntl(master, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	UNIT_EQ_INT(fcntl(slave, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	/* Unlocked, and the two ends are one pty. */
	UNIT_EQ_INT(write(master, "ab\n", 3), 3);
	read_is(slave, "ab\n");
}

UNIT_CASE(pty_open_without_size)
{
	struct winsize ws;

	open_pty(0, 0);
	UNIT_EQ_INT(ioctl(slave, TIOCGWINSZ, &ws), 0);
	UNIT_EQ_INT(ws.ws_row, 0);
	UNIT_EQ_INT(ws.ws_col, 0);
}

UNIT_CASE(pty_open_missing_ptmx)
{
	UNIT_EQ_INT(tty_pty_open(AT_FDCWD, "/nonexistent/ptmx", 0, 0,
				 &master, &slave, NULL, 0, &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "open /nonexistent/ptmx: No such file or directory");
}

UNIT_CASE(make_stdio_controlling_terminal)
{
	open_pty(0, 0);
	UNIT_EQ_INT(tty_make_stdio(slave, &e), 0);
	UNIT_EQ_INT(getsid(0), getpid());
	UNIT_EQ_INT(tcgetsid(0), getpid());
	UNIT_ASSERT(isatty(0) && isatty(1) && isatty(2));
	UNIT_EQ_STR(ttyname(2), path);
	/* The slave itself is gone: fds 0-2 are the only ones. */
	UNIT_EQ_INT(fcntl(slave, F_GETFD), -1);
}

UNIT_CASE(send_recv_fd_with_name)
{
	char name[64];
	int sv[2], p[2], fd;

	UNIT_EQ_INT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		    0);
	UNIT_EQ_INT(pipe2(p, O_CLOEXEC), 0);
	UNIT_EQ_INT(tty_send_fd(sv[0], p[1], TTY_MASTER_NAME), 0);
	close(p[1]);
	fd = tty_recv_fd(sv[1], name, sizeof(name));
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_STR(name, "/dev/ptmx");
	UNIT_EQ_INT(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	UNIT_EQ_INT(write(fd, "x", 1), 1);
	read_is(p[0], "x");
}

UNIT_CASE(recv_fd_message_without_fd)
{
	char name[64];
	int sv[2];

	UNIT_EQ_INT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		    0);
	UNIT_EQ_INT(send(sv[0], "error:bad", 9, 0), 9);
	UNIT_EQ_INT(tty_recv_fd(sv[1], name, sizeof(name)), -EBADMSG);
	UNIT_EQ_STR(name, "error:bad");
	close(sv[0]);
	UNIT_EQ_INT(tty_recv_fd(sv[1], name, sizeof(name)), -EBADMSG);
	UNIT_EQ_STR(name, "");
}

UNIT_CASE(console_connect_missing)
{
	UNIT_EQ_INT(tty_console_connect("/nonexistent/sock", &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "console socket /nonexistent/sock: "
		    "No such file or directory");
}

UNIT_CASE(raw_and_restore)
{
	struct termios before, raw, after;
	struct tty_raw r;
	int fd;

	open_pty(0, 0);
	UNIT_EQ_INT(tcgetattr(slave, &before), 0);
	UNIT_EQ_INT(tty_raw_enter(&r, slave), 0);
	UNIT_EQ_INT(tcgetattr(slave, &raw), 0);
	UNIT_EQ_INT(raw.c_lflag & (ICANON | ECHO | ISIG), 0);
	UNIT_EQ_INT(raw.c_oflag & OPOST, 0);
	tty_raw_restore(&r);
	tty_raw_restore(&r);
	UNIT_EQ_INT(tcgetattr(slave, &after), 0);
	UNIT_EQ_INT(after.c_lflag, before.c_lflag);
	UNIT_EQ_INT(after.c_iflag, before.c_iflag);
	UNIT_EQ_INT(after.c_oflag, before.c_oflag);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	UNIT_EQ_INT(tty_raw_enter(&r, fd), -ENOTTY);
	UNIT_EQ_INT(r.fd, -1);
}

/* A child on the slave reads a line, answers and exits 7. */
UNIT_CASE(relay_until_exit_and_drained)
{
	struct tty_relay tr;
	int in[2], out[2], status;
	sigset_t all;
	pid_t pid;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	open_pty(0, 0);
	UNIT_EQ_INT(pipe2(in, O_CLOEXEC), 0);
	UNIT_EQ_INT(pipe2(out, O_CLOEXEC), 0);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (pid == 0) {
		char line[16] = "";
		ssize_t n;

		close(master);
		n = read(slave, line, sizeof(line) - 1);
		dprintf(slave, "got:%.*s", (int)(n > 0 ? n : 0), line);
		_exit(7);
	}
	close(slave);
	UNIT_EQ_INT(write(in[1], "hi\n", 3), 3);
	close(in[1]);
	tr = (struct tty_relay){ .master = master, .in = in[0],
				 .out = out[1], .winch = -1, .pid = pid };
	UNIT_EQ_INT(tty_relay(&tr, &status, &e), 0);
	UNIT_ASSERT(WIFEXITED(status));
	UNIT_EQ_INT(WEXITSTATUS(status), 7);
	close(out[1]);
	/* The slave echoes what it gets and makes \n \r\n. */
	read_is(out[0], "hi\r\ngot:hi\r\n");
}
