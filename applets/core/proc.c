/* proc.c - process identity from /proc/PID/stat; see proc.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "proc.h"

int proc_stat(pid_t pid, uint64_t *starttime, char *state)
{
	char path[32], *buf, *p;
	int ret, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ret = read_file_at(-100 /* AT_FDCWD */, path, 4096, &buf, NULL);
	if (ret < 0)
		return ret;
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	ret = -EINVAL;
	if (!p || p[1] != ' ' || !p[2])
		goto out;
	p += 2;
	if (state)
		*state = *p;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p) {
		*starttime = strtoull(p, NULL, 10);
		ret = 0;
	}
out:
	free(buf);
	return ret;
}

int proc_alive(pid_t pid, uint64_t starttime)
{
	uint64_t t;
	char st;

	if (pid <= 0 || proc_stat(pid, &t, &st) < 0)
		return 0;
	return t == starttime && st != 'Z' && st != 'X';
}
