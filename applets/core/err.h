/*
 * err.h - errors carried up as values (crun style), each naming its step:
 * "config.json: process.args: expected array of strings".  Core never
 * prints; the applet that receives a struct err decides.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 512

struct err {
	int no;			/* errno-style code, > 0 once set */
	char msg[ERR_MSG_MAX];	/* one line, no trailing newline */
};

/* msg = fmt; returns -no.  For errors strerror() would not explain. */
int err_msg(struct err *e, int no, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* msg = fmt ": " strerror(no); returns -no. */
int err_sys(struct err *e, int no, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * msg = fmt ": " the message already in e (a step adding its context on
 * the way up); no is kept.  Returns -no.
 */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * s[0..len) fit for a message, into out (size bytes): control bytes and
 * '\' escaped as \xNN and \\, cut with "..." where it does not fit.
 * Returns out.  For names an archive or a store gave.
 */
const char *err_shown(const char *s, size_t len, char *out, size_t size);

#endif
