/* io.h - full reads and writes, small files, atomic replacement. */
#ifndef CORE_IO_H
#define CORE_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Retry EINTR and short counts.  Return bytes done or -errno. */
ssize_t write_full(int fd, const void *buf, size_t len);

/*
 * Read all of dirfd/path (dirfd may be AT_FDCWD) into a malloc'd,
 * NUL-terminated buffer of at most max bytes.  -EFBIG if larger.
 */
int read_file_at(int dirfd, const char *path, size_t max, char **out,
		 size_t *len);

/*
 * Read all of dirfd/path into buf (NUL-terminated) in one read(): for a
 * regular file, whose read is short only at its end, or a kernel file
 * made whole at the first read (procfs, cgroupfs); never a pipe.  No
 * malloc, for those that read many small files.  Its length, -EFBIG when
 * it fills buf (it may be larger), or -errno.
 */
ssize_t read_file_into_at(int dirfd, const char *path, char *buf,
			  size_t size);

/*
 * Replace dirfd/name with data: write a temporary beside it, rename it
 * over name.  Readers see the old or the new file, never a part.  With
 * IO_DURABLE it is fsync'ed first, so a power loss cannot leave an empty
 * file: for what must outlive a reboot, unlike state under /run.
 */
enum { IO_VOLATILE, IO_DURABLE };
int write_file_atomic(int dirfd, const char *name, const void *data,
		      size_t len, mode_t mode, int durable);

/*
 * mkdir -p: the missing parents made with mode parents, path itself with
 * mode (whatever the umask); an existing path is left as it is.  0 or
 * -errno.
 */
int io_mkdir_p(const char *path, mode_t parents, mode_t mode);

/* Write a short string to an existing file (e.g. under /proc). */
int write_file_at(int dirfd, const char *path, const char *s);

#endif
