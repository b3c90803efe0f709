/* err.c - error values with context; see err.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static int ret(struct err *e, int no)
{
	e->no = no > 0 ? no : EINVAL;
	return -e->no;
}

int err_msg(struct err *e, int no, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return ret(e, no);
}

int err_sys(struct err *e, int no, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(no));
	return ret(e, no);
}


int err_prefix(struct err *e, const char *fmt, ...)
{
	char head[ERR_MSG_MAX], was[ERR_MSG_MAX];
	va_list ap;

	memcpy(was, e->msg, sizeof(was));
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	return err_msg(e, e->no, "%s: %s", head, was);
}
