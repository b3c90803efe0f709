/* sig.h - signal names as kill(1) and runc take them: KILL, SIGKILL, 9. */
#ifndef CORE_SIG_H
#define CORE_SIG_H

/* Signal number for "KILL", "SIGKILL", "9", "RTMIN+3"; -1 if unknown. */
int sig_from_name(const char *name);

#endif
