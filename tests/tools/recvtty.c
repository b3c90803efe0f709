/*
 * recvtty.c - a --console-socket receiver for the tests, like runc's
 * contrib/cmd/recvtty: listen on a unix socket, take one pty master (and
 * the name sent with it, runc docs/terminals.md), write stdin to it, then
 * copy what the container writes to stdout until its side is closed.
 *
 *	recvtty SOCKET NAMEFILE
 *
 * NAMEFILE gets the name payload and a line "fds=N" (how many fds came).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	char name[4096], buf[4096];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int ls, c, master = -1, nfd = 0;
	FILE *nf;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: recvtty SOCKET NAMEFILE\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 1) < 0)
		return die(argv[1]);
	c = accept(ls, NULL, NULL);
	if (c < 0)
		return die("accept");
	n = recvmsg(c, &msg, 0);
	if (n < 0)
		return die("recvmsg");
	name[n] = 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			nfd += (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(&master, CMSG_DATA(cm), sizeof(int));
		}
	close(c);
	close(ls);
	nf = fopen(argv[2], "w");
	if (!nf)
		return die(argv[2]);
	fprintf(nf, "%s\nfds=%d\n", name, nfd);
	fclose(nf);
	if (master < 0 || !isatty(master)) {
		fprintf(stderr, "recvtty: no terminal received\n");
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(master, buf, n) != n)
			return die("write to the terminal");
	/* EIO once every slave fd is closed: the container is done. */
	while ((n = read(master, buf, sizeof(buf))) > 0 || (n < 0 &&
							      errno == EINTR))
		if (n > 0 && write(1, buf, n) != n)
			return die("stdout");
	return 0;
}
