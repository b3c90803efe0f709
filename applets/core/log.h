/*
 * log.h - the one place that writes diagnostics, for applets to call.
 * Text to stderr ("oci-run: create c1: ..."); with --log FILE to that file
 * instead, in text or as runc's JSON lines {"level","msg","time"}, and
 * only the errors to stderr as well, as runc does.  Core modules never
 * call it: they return struct err and the applet logs.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* prog: the applet name prefixed to stderr lines. */
void log_init(const char *prog);
/* Open FILE for append (O_CLOEXEC); json: 1 for JSON lines.  0 or -errno. */
int log_open(const char *file, int json);
void log_set_debug(int on);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* log_error() then exit(status): applets only. */
__attribute__((noreturn, format(printf, 2, 3)))
void xdie(int status, const char *fmt, ...);

#endif
