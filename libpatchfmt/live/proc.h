/*
 * A process as the live patcher sees it through /proc: its mappings, its
 * memory, and the ELF modules mapped in it (found without libelf: the
 * headers are read from the process's own memory).
 */
#ifndef PF_LIVE_PROC_H
#define PF_LIVE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

typedef struct lv_map {
	uint64_t start, end, off;
	char perms[5];
	char *path;                  /* "" for anonymous mappings */
} lv_map;

/* One mapped ELF module: its load base and the extent of its mappings. */
typedef struct lv_module {
	const char *path;            /* points into maps */
	uint64_t base, lo, hi;
	uint64_t text_lo, text_hi;   /* the executable PT_LOAD */
	uint64_t eh_hdr;             /* PT_GNU_EH_FRAME, 0 if none */
	uint64_t eh_table, eh_count; /* its binary search table */
	uint64_t dyn, dyn_len;       /* PT_DYNAMIC, 0 if none */
	uint8_t build_id[64];
	size_t build_id_len;
} lv_module;

typedef struct lv_proc {
	pid_t pid;
	int memfd;                   /* /proc/PID/mem, read-write */
	char dir[64];                /* /proc/PID, or a live thread's
	                                /proc/PID/task/TID */
	lv_map *maps;
	size_t n_maps;
	lv_module *mods;
	size_t n_mods;
	pf_err *err;
} lv_proc;

pf_ret lv_proc_open(lv_proc *p, pid_t pid, pf_err *err);
/* True for a kernel thread (PF_KTHREAD in /proc/PID/stat), and for a
 * process without a program: no /proc/PID/exe and an empty map. */
bool lv_proc_no_program(pid_t pid);
void lv_proc_close(lv_proc *p);
pf_ret lv_proc_read(lv_proc *p, uint64_t addr, void *buf, size_t n);
/* Writes through /proc/PID/mem, which may write read-only text of a
 * traced process; falls back to PTRACE_POKEDATA through tid (a stopped
 * tracee) when the kernel refuses. */
pf_ret lv_proc_write(lv_proc *p, pid_t tid, uint64_t addr, const void *buf,
    size_t n);
const lv_module *lv_proc_module(const lv_proc *p, const uint8_t *id,
    size_t len);
const lv_module *lv_proc_module_at(const lv_proc *p, uint64_t addr);
/* The address of the first definition of a dynamic symbol in the
 * modules, in the order they are mapped; PF_ERR_MISMATCH when none is, or
 * PF_ERR_UNSUPPORTED when it is an IFUNC (its address is a resolver). */
pf_ret lv_proc_symbol(lv_proc *p, const char *name, uint64_t *addr);
/* The address of a "syscall" instruction in executable memory. */
pf_ret lv_proc_syscall_insn(lv_proc *p, uint64_t *addr);
/* A free range of len bytes whose every byte is within reach of a rel32
 * from [lo, hi), the n-th closest one; false when there is none. */
bool lv_proc_near_gap(const lv_proc *p, uint64_t lo, uint64_t hi,
    uint64_t len, unsigned n, uint64_t *addr);

#endif
