/* proc.c - process identity from /proc/PID/stat; see proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "proc.h"

int proc_stat(pid_t pid, uint64_t *starttime, char *state)
{
	/* The kernel makes the line whole at the first read: one will do. */
	char path[32], buf[1024], *p;
	int field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = read_file_into_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return n;
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

char proc_alive_state(pid_t pid, uint64_t starttime)
{
	uint64_t t;
	char st;

	if (pid <= 0 || proc_stat(pid, &t, &st) < 0)
		return 0;
	return t == starttime && st != 'Z' && st != 'X' ? st : 0;
}

int proc_alive(pid_t pid, uint64_t starttime)
{
	return proc_alive_state(pid, starttime) != 0;
}
