/*
 * caps.h - Linux capability names and numbers (capabilities(7),
 * <linux/capability.h>): "CAP_CHOWN" is 0 ... "CAP_CHECKPOINT_RESTORE" is 40.
 */
#ifndef CORE_CAPS_H
#define CORE_CAPS_H

/* One past the highest capability number this table knows. */
#define CAPS_COUNT 41

/* "CAP_KILL" -> 5; -1 if unknown.  Exact, upper-case names only. */
int caps_from_name(const char *name);
/* 5 -> "CAP_KILL"; NULL if unknown. */
const char *caps_name(int cap);

#endif
