/*
 * tty.h - terminals for containers: a pty from the container's own devpts
 * (pty(7), ioctl_tty(2)), its master handed over a unix socket with
 * SCM_RIGHTS (unix(7)) the way runc does (runc docs/terminals.md, which
 * containerd's shim and conmon rely on), and the relay `run` and `exec`
 * do in the foreground between the caller's terminal and the master.
 */
#ifndef CORE_TTY_H
#define CORE_TTY_H

#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#include "err.h"

/*
 * The name runc sends with the master (the file name of the ptmx it
 * opened); a receiver such as runc's recvtty or go-runc takes it as the
 * file's name, so it must be there and shorter than 4096 bytes.
 */
#define TTY_MASTER_NAME "/dev/ptmx"

/*
 * A new pty of the devpts instance whose ptmx is dirfd/ptmx (dirfd may be
 * AT_FDCWD; "/dev/pts/ptmx" inside a container gives it a pty of its own
 * devpts, so its slave is /dev/pts/N there).  Unlocked; both ends
 * O_CLOEXEC, the slave O_NOCTTY; rows x cols applied when both are
 * non-zero.  The slave's path, when path is given, is "DIR/N" with DIR
 * the directory of ptmx.  0 or -errno with e set.
 */
int tty_pty_open(int dirfd, const char *ptmx, unsigned short rows,
		 unsigned short cols, int *master, int *slave, char *path,
		 size_t path_len, struct err *e);

/*
 * slave becomes the controlling terminal of the caller's session and its
 * stdin, stdout and stderr (slave itself is closed when it is not one of
 * them).  The caller starts a new session first unless it leads one (a
 * process group leader cannot: call it in a fresh child).
 */
int tty_make_stdio(int slave, struct err *e);

/* Copy the window size of from to to.  0 or -errno. */
int tty_copy_size(int from, int to);

/* Send fd with name as the payload (SCM_RIGHTS).  0 or -errno. */
int tty_send_fd(int sock, int fd, const char *name);
/*
 * Receive one fd (made O_CLOEXEC) and its name, NUL-terminated, into name
 * (len > 0).  Returns the fd, -EBADMSG for a message without exactly one
 * fd (any received fd closed), or -errno.
 */
int tty_recv_fd(int sock, char *name, size_t len);

/*
 * --console-socket PATH: a connection (O_CLOEXEC) to the unix stream
 * socket at path, made before anything else as runc does, so a wrong path
 * fails early; the master goes there with tty_send_fd(sock, master,
 * TTY_MASTER_NAME).  The socket or -errno with e set.
 */
int tty_console_connect(const char *path, struct err *e);

/* A terminal put in raw mode, to be put back as it was. */
struct tty_raw {
	int fd;			/* -1: nothing to restore */
	struct termios saved;
};

/*
 * The first of fds[0..n-1] that is a terminal, else the controlling
 * terminal (/dev/tty, opened O_CLOEXEC: the caller closes it when it is
 * not one of fds).  -ENOTTY when there is none.
 */
int tty_find(const int *fds, int n);

/*
 * Raw mode on fd as cfmakeraw(3) (no echo, no line editing, no signals
 * from keys: the container's terminal does all that).  r->fd is -1 unless
 * it was done.  0 or -errno.
 */
int tty_raw_enter(struct tty_raw *r, int fd);
/* Back to the saved modes; safe to call twice, or after a failed enter. */
void tty_raw_restore(struct tty_raw *r);

/* What tty_relay() connects. */
struct tty_relay {
	int master;		/* the container's pty master */
	int in;			/* the caller's input, or -1 */
	int out;		/* where the container's output goes */
	int winch;		/* the caller's terminal to follow, or -1 */
	pid_t pid;		/* the child whose exit ends the relay */
};

/*
 * Copy in to the master and the master to out until pid exits and its
 * output is drained (the slave is closed by all, or nothing more comes
 * for a moment when something else still holds it).  The caller has every
 * signal blocked (from before pid was made, so none is lost): SIGCHLD
 * reaps pid, SIGWINCH copies winch's size to the master, any other signal
 * is sent on to pid, as runc does.  On return *status is pid's wait
 * status.  End of input stops reading it, nothing else.  0 or -errno with
 * e set (pid is then still to be reaped).
 */
int tty_relay(const struct tty_relay *r, int *status, struct err *e);

/*
 * The foreground relay of `run` and `exec --tty` whole: tty_relay() of
 * stdin and stdout with master, the caller's terminal (stderr, stdout,
 * stdin or /dev/tty, where runc looks) followed and, when we are its
 * foreground process group, in raw mode until the relay ends, on every
 * path.  Same contract as tty_relay().
 */
int tty_relay_stdio(int master, pid_t pid, int *status, struct err *e);

#endif
