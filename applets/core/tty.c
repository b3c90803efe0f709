/*
 * tty.c - container terminals (pty(7), ioctl_tty(2), unix(7) SCM_RIGHTS,
 * runc docs/terminals.md); see tty.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "io.h"
#include "sys.h"
#include "tty.h"

/* How long the drain waits for more output while another holds the slave. */
#define DRAIN_QUIET_MS 100

/* Where the kernel has no TIOCGPTPEER (before 4.13): the slave by number. */
static int open_slave_by_number(int dirfd, const char *ptmx, int master)
{
	char path[4096];
	const char *slash = strrchr(ptmx, '/');
	unsigned int n;
	int fd;

	if (ioctl(master, TIOCGPTN, &n) < 0)
		return -errno;
	snprintf(path, sizeof(path), "%.*s%u",
		 slash ? (int)(slash - ptmx + 1) : 0, ptmx, n);
	fd = openat(dirfd, path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int tty_pty_open(int dirfd, const char *ptmx, unsigned short rows,
		 unsigned short cols, int *master, int *slave, char *path,
		 size_t path_len, struct err *e)
{
	const char *slash = strrchr(ptmx, '/');
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	unsigned int n;
	int m, s, unlock = 0;

	m = openat(dirfd, ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return err_sys(e, errno, "open %s", ptmx);
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		err_sys(e, errno, "unlock pty of %s", ptmx);
		goto out_master;
	}
	/*
	 * The peer by the master itself where the kernel can: nothing in a
	 * path (or another devpts mounted over it) chooses which slave.
	 */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0 && (errno == EINVAL || errno == ENOTTY))
		s = open_slave_by_number(dirfd, ptmx, m);
	else if (s < 0)
		s = -errno;
	if (s < 0) {
		err_sys(e, -s, "open pty slave of %s", ptmx);
		goto out_master;
	}
	if (path) {
		if (ioctl(m, TIOCGPTN, &n) < 0) {
			err_sys(e, errno, "pty number of %s", ptmx);
			goto out_slave;
		}
		snprintf(path, path_len, "%.*s%u",
			 slash ? (int)(slash - ptmx + 1) : 0, ptmx, n);
	}
	if (rows && cols && ioctl(m, TIOCSWINSZ, &ws) < 0) {
		err_sys(e, errno, "set console size %ux%u", rows, cols);
		goto out_slave;
	}
	*master = m;
	*slave = s;
	return 0;

out_slave:
	close(s);
out_master:
	close(m);
	return -e->no;
}

int tty_make_stdio(int slave, struct err *e)
{
	int fd;

	/* A caller that made its session already keeps it. */
	if (getsid(0) != getpid() && setsid() < 0)
		return err_sys(e, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_sys(e, errno, "set controlling terminal");
	for (fd = 0; fd <= 2; fd++)
		if (fd != slave && dup2(slave, fd) < 0)
			return err_sys(e, errno, "terminal as fd %d", fd);
	if (slave > 2)
		close(slave);
	return 0;
}

int tty_copy_size(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) < 0 || ioctl(to, TIOCSWINSZ, &ws) < 0)
		return -errno;
	return 0;
}

int tty_send_fd(int sock, int fd, const char *name)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)name,
			     .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == iov.iov_len ? 0 : -EMSGSIZE;
}

int tty_recv_fd(int sock, char *name, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = name, .iov_len = len - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fds[4], nfd = 0, i;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	name[n] = 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; (size_t)CMSG_LEN((i + 1) * sizeof(int)) <=
			    cm->cmsg_len && nfd < 4; i++)
			memcpy(&fds[nfd++], CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
	}
	if (nfd == 1 && !(msg.msg_flags & MSG_CTRUNC))
		return fds[0];
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	return -EBADMSG;
}

int tty_console_connect(const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sock;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_msg(e, ENAMETOOLONG, "console socket %s: "
			       "path too long", path);
	memcpy(sa.sun_path, path, strlen(path));
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return err_sys(e, errno, "console socket %s", path);
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_sys(e, errno, "console socket %s", path);
		close(sock);
		return -e->no;
	}
	return sock;
}

int tty_find(const int *fds, int n)
{
	int i, fd;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0 && isatty(fds[i]))
			return fds[i];
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	return fd < 0 ? -ENOTTY : fd;
}

int tty_raw_enter(struct tty_raw *r, int fd)
{
	struct termios t;

	r->fd = -1;
	if (tcgetattr(fd, &r->saved) < 0)
		return -errno;
	t = r->saved;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	r->fd = fd;
	return 0;
}

void tty_raw_restore(struct tty_raw *r)
{
	if (r->fd < 0)
		return;
	/* TCSADRAIN: what was relayed reaches the screen in raw mode. */
	while (tcsetattr(r->fd, TCSADRAIN, &r->saved) < 0 && errno == EINTR)
		;
	r->fd = -1;
}

/* The relay's working set. */
struct relay {
	const struct tty_relay *r;
	char in[4096];		/* read from r->in, not yet in the master */
	size_t in_len, in_off;
	int in_open;		/* r->in not at its end */
	int master_open;	/* the slave not closed by all */
	int out_ok;		/* r->out still takes output */
};

/* One read of the master to out.  0, or 1 once the slave is closed. */
static int master_to_out(struct relay *rl)
{
	char buf[4096];
	ssize_t n;

	n = read(rl->r->master, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		/* EIO: every slave fd closed and nothing left to read. */
		rl->master_open = 0;
		return 1;
	}
	if (rl->out_ok && write_full(rl->r->out, buf, n) < 0)
		rl->out_ok = 0;
	return 0;
}

static void in_to_master(struct relay *rl, short ev_in, short ev_master)
{
	ssize_t n;

	if (!rl->in_len && (ev_in & (POLLIN | POLLHUP | POLLERR))) {
		n = read(rl->r->in, rl->in, sizeof(rl->in));
		if (n > 0) {
			rl->in_len = n;
			rl->in_off = 0;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			rl->in_open = 0;
		}
	}
	if (rl->in_len && (ev_master & POLLOUT)) {
		n = write(rl->r->master, rl->in + rl->in_off,
			  rl->in_len - rl->in_off);
		if (n > 0)
			rl->in_off += n;
		else if (n < 0 && errno != EINTR && errno != EAGAIN)
			rl->in_len = rl->in_off = 0;
		if (rl->in_off == rl->in_len)
			rl->in_len = rl->in_off = 0;
	}
}

/* A signal for the relay.  1 once pid is reaped. */
static int on_signal(struct relay *rl, int sfd, int *status)
{
	struct signalfd_siginfo si;
	ssize_t n;

	n = read(sfd, &si, sizeof(si));
	if (n != sizeof(si))
		return 0;
	switch (si.ssi_signo) {
	case SIGCHLD:
		return waitpid(rl->r->pid, status, WNOHANG) == rl->r->pid;
	case SIGWINCH:
		if (rl->r->winch >= 0)
			tty_copy_size(rl->r->winch, rl->r->master);
		return 0;
	case SIGPIPE:
		/* Our own write to a closed output is not for pid. */
		if (si.ssi_pid == (uint32_t)getpid())
			return 0;
		kill(rl->r->pid, SIGPIPE);
		return 0;
	default:
		kill(rl->r->pid, si.ssi_signo);
		return 0;
	}
}

/* After the exit: what is still in the pty, until it is closed or quiet. */
static void drain(struct relay *rl)
{
	struct pollfd p = { .fd = rl->r->master, .events = POLLIN };
	int n;

	while (rl->master_open) {
		n = poll(&p, 1, DRAIN_QUIET_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		master_to_out(rl);
	}
}

int tty_relay(const struct tty_relay *r, int *status, struct err *e)
{
	struct relay rl = { .r = r, .in_open = r->in >= 0, .master_open = 1,
			    .out_ok = 1 };
	struct pollfd p[3];
	sigset_t all;
	int sfd, fl, done = 0, n;

	fl = fcntl(r->master, F_GETFL);
	if (fl < 0 || fcntl(r->master, F_SETFL, fl | O_NONBLOCK) < 0)
		return err_sys(e, errno, "terminal");
	sigfillset(&all);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return err_sys(e, errno, "signalfd");
	if (r->winch >= 0)
		tty_copy_size(r->winch, r->master);
	/* A SIGCHLD already taken by someone else must not be waited for. */
	if (waitpid(r->pid, status, WNOHANG) == r->pid)
		done = 1;
	while (!done) {
		p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = rl.master_open ? r->master : -1,
			.events = POLLIN | (rl.in_len ? POLLOUT : 0) };
		p[2] = (struct pollfd){
			.fd = rl.in_open && !rl.in_len ? r->in : -1,
			.events = POLLIN };
		n = poll(p, 3, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(e, errno, "poll");
			close(sfd);
			return -e->no;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			master_to_out(&rl);
		if (rl.master_open)
			in_to_master(&rl, p[2].revents, p[1].revents);
		if (p[0].revents & POLLIN)
			done = on_signal(&rl, sfd, status);
	}
	close(sfd);
	drain(&rl);
	return 0;
}

int tty_relay_stdio(int master, pid_t pid, int *status, struct err *e)
{
	static const int fds[] = { 2, 1, 0 };
	struct tty_relay tr = { .master = master, .in = 0, .out = 1,
				.pid = pid };
	struct tty_raw raw = { .fd = -1 };
	int host, r;

	host = tty_find(fds, 3);
	tr.winch = host >= 0 ? host : -1;
	/*
	 * A background job leaves the modes alone: with SIGTTOU blocked the
	 * kernel would let it change them under the shell in front.
	 */
	if (host >= 0 && tcgetpgrp(host) == getpgrp())
		tty_raw_enter(&raw, host);
	r = tty_relay(&tr, status, e);
	tty_raw_restore(&raw);
	if (host > 2)
		close(host);
	return r;
}
