/* proc.c - process identity from /proc/PID/stat; see proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

int proc_stat(pid_t pid, uint64_t *starttime, char *state)
{
	/* The kernel makes the line whole at the first read: one will do. */
	char path[32], buf[1024], *p;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* openat: musl's open() adds an fcntl for O_CLOEXEC. */
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EINVAL;
	p += 2;
	if (state)
		*state = *p;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -EINVAL;
	*starttime = strtoull(p, NULL, 10);
	return 0;
}

int proc_alive(pid_t pid, uint64_t starttime)
{
	uint64_t t;
	char st;

	if (pid <= 0 || proc_stat(pid, &t, &st) < 0)
		return 0;
	return t == starttime && st != 'Z' && st != 'X';
}
