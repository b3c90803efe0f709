/*
 * sealed.c - run from a sealed copy of ourselves (CVE-2019-5736).  The
 * container init and the exec child run ocibox's code inside the
 * container; a process there with CAP_SYS_PTRACE can open their
 * /proc/PID/exe and, once nothing runs the file any more, write through it
 * to the runtime binary on the host.  create, run and exec therefore
 * re-execute themselves from a memfd copy sealed against every write, as
 * runc does: /proc/PID/exe is then that copy.  A static ocibox is a few
 * hundred KB, so the copy costs a fraction of a millisecond.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-run.h"
#include "sys.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int sealed_reexec(char **argv, char **envp, struct err *e)
{
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int exe, fd, seals, r;

	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return err_sys(e, errno, "open /proc/self/exe");
	seals = fcntl(exe, F_GET_SEALS);
	if (seals >= 0 && (seals & SEALS) == SEALS) {
		close(exe);
		return 0;
	}
	/* MFD_EXEC: kernels with vm.memfd_noexec want it said (6.3). */
	fd = sys_memfd_create("ocibox", MFD_CLOEXEC | MFD_ALLOW_SEALING |
			      MFD_EXEC);
	if (fd == -EINVAL)
		fd = sys_memfd_create("ocibox", MFD_CLOEXEC |
				      MFD_ALLOW_SEALING);
	if (fd < 0) {
		r = err_sys(e, -fd, "memfd_create");
		goto out_exe;
	}
	if (fstat(exe, &st) < 0) {
		r = err_sys(e, errno, "stat /proc/self/exe");
		goto out_fd;
	}
	while (off < st.st_size) {
		n = sendfile(fd, exe, &off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = err_sys(e, n < 0 ? errno : EIO, "copy of "
				    "/proc/self/exe");
			goto out_fd;
		}
	}
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
		r = err_sys(e, errno, "seal the copy of /proc/self/exe");
		goto out_fd;
	}
	close(exe);
	r = sys_execveat(fd, "", argv, envp, AT_EMPTY_PATH);
	close(fd);
	return err_sys(e, -r, "exec the sealed copy of /proc/self/exe");
out_fd:
	close(fd);
out_exe:
	close(exe);
	return r;
}
