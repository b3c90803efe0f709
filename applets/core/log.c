/*
 * log.c - diagnostics sink; see log.h.  runc's log format: with
 * --log-format json each line is {"level":"error","msg":"...","time":"..."}
 * (logrus JSON formatter), which containerd and podman parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "io.h"
#include "log.h"

/* The only process-wide state of logging: tiny, as STYLE.md asks. */
static struct {
	const char *prog;
	int fd;
	int json;
	int debug;
} lg = { "ocibox", -1, 0, 0 };

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_init(const char *prog)
{
	lg.prog = prog;
}

int log_open(const char *file, int json)
{
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = fd;
	lg.json = json;
	return 0;
}

void log_set_debug(int on)
{
	lg.debug = on;
}

/* Escape msg as a JSON string body into out (always NUL-terminated). */
static size_t json_escape(char *out, size_t cap, const char *msg)
{
	size_t n = 0;

	for (; *msg && n + 7 < cap; msg++) {
		unsigned char c = *msg;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = c;
		} else if (c < 0x20) {
			n += snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = c;
		}
	}
	out[n] = 0;
	return n;
}

static void to_file(enum log_level lvl, const char *msg)
{
	char line[2048], esc[1200], ts[40];
	int n;

	clock_rfc3339(ts, sizeof(ts));
	if (lg.json) {
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			     level_names[lvl], esc, ts);
	} else {
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n",
			     ts, level_names[lvl], msg);
	}
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	write_full(lg.fd, line, n);
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[1024], line[1100];
	int n;

	if (lvl == LOG_DEBUG && !lg.debug)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/*
	 * As runc does: with a log file, everything goes there and only the
	 * fatal error to stderr too, which containerd's shim has made the
	 * container's stdio.  Without --debug the file holds no info lines,
	 * so a failed command leaves its error as the last (usually only)
	 * line: podman reads it as one object, containerd takes the last.
	 */
	if (lg.fd >= 0) {
		to_file(lvl, msg);
		if (lvl != LOG_ERROR)
			return;
	}
	n = snprintf(line, sizeof(line), "%s: %s%s\n", lg.prog,
		     lvl == LOG_WARN ? "warning: " : "", msg);
	if (n > (int)sizeof(line) - 1) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_full(2, line, n);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

void xdie(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(status);
}
