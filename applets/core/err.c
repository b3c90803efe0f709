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

const char *err_shown(const char *s, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		if (size - o < 9) {
			memcpy(out + o, "...", 4);
			return out;
		}
		c = s[i];
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = c;
		}
	}
	out[o] = 0;
	return out;
}
