/*
 * proc.h - process identity from /proc/PID/stat (proc(5)): a pid is only
 * "the container" while its start time is the one recorded at create, so
 * a reused pid is never mistaken for it.
 */
#ifndef CORE_PROC_H
#define CORE_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* Start time (field 22, clock ticks since boot) and state letter. */
int proc_stat(pid_t pid, uint64_t *starttime, char *state);
/* 1 if pid runs with that start time and is not a zombie, else 0. */
int proc_alive(pid_t pid, uint64_t starttime);
/* proc_alive(), and its state letter ('S', 'D', ...) when it is, else 0. */
char proc_alive_state(pid_t pid, uint64_t starttime);

#endif
