/*
 * ocibox.c - the multi-call entry (busybox style, DESIGN §1): the applet is
 * the basename of argv[0] (a leading '-' stripped, as login shells add),
 * or the first argument after "ocibox".  The table comes from the build
 * profile: an applet that is not built is absent, never a stub.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPLET(name, cname)                                                   \
	int cname##_main(int argc, char **argv);                              \
	extern const char cname##_help[];
#include "applets.h"
#undef APPLET

static const struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
} applets[] = {
#define APPLET(name, cname) { #name, cname##_main, cname##_help },
#include "applets.h"
#undef APPLET
};

#define N_APPLETS (sizeof(applets) / sizeof(applets[0]))
_Static_assert(N_APPLETS > 0, "a build profile needs at least one applet");

static const char usage[] =
"Usage: ocibox APPLET [ARGS]...   or   APPLET [ARGS]... (through a link)\n"
"       ocibox --list | --install [-s] DIR | --help [APPLET] | --version\n"
"\n"
"One static binary with everything needed to run OCI containers on a\n"
"machine without a package manager.  Link it under an applet's name, or\n"
"name the applet as the first argument.\n"
"\n"
"  --list            the applets this binary has\n"
"  --install [-s] DIR  a hard link (-s: symlink) in DIR for every applet\n"
"  --help [APPLET]   this text, or the applet's\n"
"  --version         the version\n"
"\n"
"Example:\n"
"  ocibox --install -s /usr/local/bin && oci-run --help\n"
"\n"
"Applets:";

static const struct applet *find(const char *name)
{
	size_t i;

	for (i = 0; i < N_APPLETS; i++)
		if (!strcmp(name, applets[i].name))
			return &applets[i];
	return NULL;
}

static int not_found(const char *name)
{
	dprintf(2, "%s: applet not found\n", name);
	return 127;
}

static int print_usage(FILE *f)
{
	size_t i;

	fputs(usage, f);
	for (i = 0; i < N_APPLETS; i++)
		fprintf(f, " %s", applets[i].name);
	fputc('\n', f);
	return 0;
}

/* One link per applet in dir to this binary; replaces what is there. */
static int install(const char *dir, int sym)
{
	char exe[PATH_MAX], exedir[PATH_MAX], rdir[PATH_MAX], tmp[PATH_MAX];
	const char *target;
	ssize_t n;
	size_t i;
	int dfd, r = 0;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		dprintf(2, "ocibox: --install: /proc/self/exe: %s\n",
			strerror(errno));
		return 1;
	}
	exe[n] = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !realpath(dir, rdir)) {
		dprintf(2, "ocibox: --install: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* A symlink beside the binary is relative, so DESTDIR trees work. */
	snprintf(exedir, sizeof(exedir), "%s", exe);
	*strrchr(exedir, '/') = 0;
	target = strcmp(exedir, rdir) ? exe : strrchr(exe, '/') + 1;
	for (i = 0; i < N_APPLETS; i++) {
		snprintf(tmp, sizeof(tmp), ".%s.tmp", applets[i].name);
		unlinkat(dfd, tmp, 0);
		if ((sym ? symlinkat(target, dfd, tmp) :
		     linkat(AT_FDCWD, exe, dfd, tmp, 0)) < 0 ||
		    renameat(dfd, tmp, dfd, applets[i].name) < 0) {
			dprintf(2, "ocibox: --install: %s/%s: %s\n", dir,
				applets[i].name, strerror(errno));
			unlinkat(dfd, tmp, 0);
			r = 1;
		}
	}
	close(dfd);
	return r;
}

static int ocibox_main(int argc, char **argv)
{
	const struct applet *a;
	size_t i;

	if (argc < 2)
		return print_usage(stderr), 1;
	if (!strcmp(argv[1], "--list")) {
		for (i = 0; i < N_APPLETS; i++)
			printf("%s\n", applets[i].name);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ocibox %s\n", OCIBOX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 3)
			return print_usage(stdout);
		a = find(argv[2]);
		if (!a)
			return not_found(argv[2]);
		fputs(a->help, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--install")) {
		if (argc == 3 && argv[2][0] != '-')
			return install(argv[2], 0);
		if (argc == 4 && !strcmp(argv[2], "-s"))
			return install(argv[3], 1);
		dprintf(2, "ocibox: usage: ocibox --install [-s] DIR\n");
		return 1;
	}
	if (argv[1][0] == '-') {
		dprintf(2, "ocibox: unknown option %s (see ocibox --help)\n",
			argv[1]);
		return 1;
	}
	a = find(argv[1]);
	if (!a)
		return not_found(argv[1]);
	return a->main(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const char *name = argc > 0 && argv[0] ? argv[0] : "ocibox";
	const char *slash = strrchr(name, '/');
	const struct applet *a;

	if (slash)
		name = slash + 1;
	if (*name == '-')
		name++;
	if (!strcmp(name, "ocibox"))
		return ocibox_main(argc, argv);
	a = find(name);
	if (!a)
		return not_found(name);
	return a->main(argc, argv);
}
