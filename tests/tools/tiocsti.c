/*
 * tiocsti.c - run inside a test container: try to type a command into the
 * terminal on stdin with TIOCSTI (ioctl_tty(2)) and say how it went.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(void)
{
	const char *s = "echo INJECTED\n";

	for (; *s; s++)
		if (ioctl(0, TIOCSTI, s) < 0) {
			printf("TIOCSTI: %s\n", strerror(errno));
			return 1;
		}
	printf("TIOCSTI: done\n");
	return 0;
}
