/*
 * mount.h - mounting inside a rootfs by handle (mount(2), config.md
 * "Mounts", config-linux.md maskedPaths/readonlyPaths).  Targets are
 * resolved with path_open_in_root() and mounted through /proc/self/fd/N,
 * so a symlink in the image can never send a mount outside the rootfs.
 * Must run while /proc is the host's real procfs (before pivot_root).
 */
#ifndef CORE_MOUNT_H
#define CORE_MOUNT_H

#include "err.h"
#include "spec.h"

/* Mount m inside rootfd; errors name the destination. */
int mount_in_root(int rootfd, const struct spec_mount *m, struct err *e);

/* Bind-mount the host path src onto the resolved target fd. */
int mount_bind_fd(const char *src, int targetfd);

/*
 * maskedPaths (NULL-terminated): /dev/null over a file, an empty read-only
 * tmpfs over a directory, nothing where the path is missing.  On failure
 * *failed names the path.
 */
int mount_mask(int rootfd, char *const *paths, const char **failed);

/* readonlyPaths: bind path onto itself and remount it read-only. */
int mount_readonly(int rootfd, const char *path, int recursive);

/* root.readonly: remount "/" (after pivot_root) read-only. */
int mount_readonly_root(void);

#endif
