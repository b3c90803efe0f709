/*
 * fs.h - what a unit test reads back of a tree it made or had made: the
 * names of a directory, an entry's type, a file's content, a stat, a
 * symlink's target.  Each takes a whole path (a test builds one with its
 * own at()); results live in static buffers until the next call.
 */
#ifndef UNIT_FS_H
#define UNIT_FS_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "unit.h"

/* The names in path, sorted, comma-separated ("-": no directory). */
static inline const char *fs_ls(const char *path)
{
	static char out[8192];
	char names[64][NAME_MAX + 1], tmp[NAME_MAX + 1];
	struct dirent *de;
	int n = 0, i, j;
	DIR *d = opendir(path);

	if (!d)
		return "-";
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    n < 64)
			strcpy(names[n++], de->d_name);
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			strcpy(tmp, names[j]);
			strcpy(names[j], names[j - 1]);
			strcpy(names[j - 1], tmp);
		}
	out[0] = 0;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, names[i]);
	}
	return out;
}

/* 'd' 'f' 'l' 'p' 'c' 'b', '-': nothing there. */
static inline int fs_type(const char *path)
{
	struct stat s;

	if (lstat(path, &s) < 0)
		return '-';
	return S_ISDIR(s.st_mode) ? 'd' : S_ISREG(s.st_mode) ? 'f' :
	       S_ISLNK(s.st_mode) ? 'l' : S_ISFIFO(s.st_mode) ? 'p' :
	       S_ISCHR(s.st_mode) ? 'c' : S_ISBLK(s.st_mode) ? 'b' : '?';
}

/* The first 4 KiB, as a string ("-": no file). */
static inline const char *fs_content(const char *path)
{
	static char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return "-";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

/* lstat, failing the case when there is nothing. */
static inline struct stat fs_st(const char *path)
{
	struct stat s;

	if (lstat(path, &s) < 0)
		unit_fail(__FILE__, __LINE__, "lstat %s: %s", path,
			  strerror(errno));
	return s;
}

static inline const char *fs_link(const char *path)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	buf[n < 0 ? 0 : n] = 0;
	return n < 0 ? "-" : buf;
}

/* A new file (replacing one) holding s. */
static inline void fs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(write(fd, s, strlen(s)), strlen(s));
	close(fd);
}

#endif
