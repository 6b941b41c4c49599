/*
 * Hot patches: replacing functions of a running process (spec/hotpatch.md).
 *
 * A pf_hotpatch describes, for one module (executable or shared library,
 * named by its build ID), which functions to replace and with what code.
 * It is made on the build side (pf_hotpatch_analyze() in disasm/) and
 * applied here, on the apply side, which needs no ELF or disassembly
 * library: everything it needs is in the record.
 */
#ifndef PF_LIVE_HOTPATCH_H
#define PF_LIVE_HOTPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/buf.h"
#include "common/err.h"

/* Section 3: record header. */
#define PF_HP_MAGIC "PFHP"
#define PF_HP_MAGIC_LEN 4
#define PF_HP_VERSION 1
#define PF_HP_ARCH_X86_64 62        /* ELF e_machine EM_X86_64 */

/* Section 6: limits every decoder enforces. */
#define PF_HP_NAME_MAX 1024
#define PF_HP_REASON_MAX 4096
#define PF_HP_ITEMS_MAX 65536       /* functions, data blobs, refusals */
#define PF_HP_CODE_MAX (16u << 20)  /* bytes of one function or blob */
#define PF_HP_ALIGN_MAX 4096
#define PF_HP_HEAD_MAX 16           /* entry bytes kept for verification */
#define PF_HP_JMP_LEN 5             /* e9 rel32 */
#define PF_HP_ENDBR64_LEN 4

/* Section 4.1: function flags. */
#define PF_HP_FUNC_NEW 0x1u         /* no old copy: only reached from the patch */
#define PF_HP_FUNC_NOJUMP 0x2u      /* old copy kept, but no jump at its entry */
#define PF_HP_FUNC_FLAGS 0x3u

/* Section 4.2: data flags. */
#define PF_HP_DATA_WRITABLE 0x1u
#define PF_HP_DATA_IMPORT 0x2u      /* an 8-byte slot for symbol `name` */
#define PF_HP_DATA_FLAGS 0x3u

/* Section 4.3: relocation kinds.  S is the target address, A the addend,
 * P the address of the patched field in the new code. */
typedef enum pf_hp_reloc_kind {
	PF_HP_REL32_OLD = 1,        /* int32 S + A - P, S = base + target */
	PF_HP_ABS64_OLD = 2,        /* uint64 S + A, S = base + target */
	PF_HP_REL32_FUNC = 3,       /* int32 S + A - P, S = new code of funcs[target] */
	PF_HP_REL32_DATA = 4        /* int32 S + A - P, S = data[target] */
} pf_hp_reloc_kind;

typedef struct pf_hp_reloc {
	uint64_t offset;            /* of the field, from the function's start */
	pf_hp_reloc_kind kind;
	uint64_t target;            /* module offset or item index, by kind */
	int64_t addend;
} pf_hp_reloc;

typedef struct pf_hp_func {
	char *name;
	uint32_t flags;             /* PF_HP_FUNC_* */
	uint64_t old_offset;        /* from the module's load base */
	uint64_t old_len;
	uint8_t old_sha256[32];     /* of the old_len bytes at old_offset */
	uint8_t entry_skip;         /* bytes left in place (endbr64): 0 or 4 */
	uint8_t head_len;           /* entry_skip + 5 */
	uint8_t head[PF_HP_HEAD_MAX]; /* the old bytes the jump overwrites */
	uint8_t *code;
	size_t code_len;
	pf_hp_reloc *relocs;
	size_t n_relocs;
} pf_hp_func;

typedef struct pf_hp_data {
	char *name;                 /* for people; may be empty */
	uint32_t flags;             /* PF_HP_DATA_* */
	uint64_t align;             /* a power of two */
	uint8_t *bytes;
	size_t len;
} pf_hp_data;

typedef struct pf_hp_refusal {
	char *name;                 /* the function or object refused */
	char *reason;
} pf_hp_refusal;

typedef struct pf_hotpatch {
	uint32_t arch;              /* PF_HP_ARCH_X86_64 */
	uint8_t build_id[64];
	size_t build_id_len;
	char *module;               /* file name, for messages only */
	pf_hp_func *funcs;
	size_t n_funcs;
	pf_hp_data *data;
	size_t n_data;
	pf_hp_refusal *refused;
	size_t n_refused;
} pf_hotpatch;

pf_ret pf_hotpatch_new(pf_hotpatch **out);
void pf_hotpatch_free(pf_hotpatch *hp);
/* Appends to the arrays; every string and byte array is copied. */
pf_ret pf_hotpatch_add_func(pf_hotpatch *hp, const pf_hp_func *f,
    size_t *index);
pf_ret pf_hotpatch_add_data(pf_hotpatch *hp, const pf_hp_data *d,
    size_t *index);
pf_ret pf_hotpatch_add_reloc(pf_hotpatch *hp, size_t func,
    const pf_hp_reloc *r);
/* The module's file name, shown in messages (the analysis leaves it
 * empty: it only sees bytes). */
pf_ret pf_hotpatch_set_module(pf_hotpatch *hp, const char *name);
pf_ret pf_hotpatch_refuse(pf_hotpatch *hp, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Section 3 to 5: the byte encoding. */
pf_ret pf_hotpatch_encode(const pf_hotpatch *hp, pf_buf *out);
pf_ret pf_hotpatch_decode(const uint8_t *p, size_t n, pf_hotpatch **out,
    pf_err *err);
/* Checks what the decoder checks, for records built in memory. */
pf_ret pf_hotpatch_validate(const pf_hotpatch *hp, pf_err *err);

/*
 * Applying to a running process (spec/hotpatch.md section 7).
 */
typedef struct pf_live_opts {
	/* How long to wait, in all, for threads to leave the functions
	 * being replaced; 0 means the default of 2000 ms. */
	unsigned wait_ms;
	/* Apply even though the record lists refused changes. */
	bool allow_refused;
	/* Filled in by pf_live_apply/pf_live_revert: figures for people and
	 * benchmarks.  May be NULL. */
	struct pf_live_stats *stats;
	/* The undo records of the patches live in the process already (the
	 * layers below, section 7.2): a record applies on top of them. */
	struct pf_live_undo *const *below;
	size_t n_below;
} pf_live_opts;

typedef struct pf_live_stats {
	uint64_t stop_ns;           /* the last window all threads were stopped */
	uint64_t total_ns;          /* the whole call */
	unsigned threads;           /* threads stopped in that window */
	unsigned attempts;          /* stop windows tried */
} pf_live_stats;

/* What pf_live_revert needs: where the patch went and what it covered. */
typedef struct pf_live_site {
	uint64_t addr;              /* absolute address of the overwritten bytes */
	uint8_t len;                /* at most PF_HP_HEAD_MAX */
	uint8_t old[PF_HP_HEAD_MAX];
	uint8_t new[PF_HP_HEAD_MAX];
} pf_live_site;

typedef struct pf_live_undo {
	uint8_t build_id[64];
	size_t build_id_len;
	uint64_t base;              /* load base of the module */
	uint64_t region;            /* the memory mapped for the new code */
	uint64_t region_len;
	bool mapped;                /* region is known to be mapped */
	bool room;                  /* each function's copy has room for a
	                               jump: a later layer may stack on it */
	pf_live_site *sites;
	size_t n_sites;
} pf_live_undo;

/*
 * pf_live_apply replaces the record's functions in process pid and hands
 * back what pf_live_revert needs (*undo, to free with pf_live_undo_free).
 * On any failure the process runs on as it was.  The values:
 *   PF_ERR_MISMATCH     no process pid, no module with the build ID, or
 *                       the code in memory is not the code the record
 *                       was made from (message names function, digests)
 *   PF_ERR_BUSY         a thread stayed in a replaced function past
 *                       opts->wait_ms, or threads did not stop in time
 *   PF_ERR_IO           ptrace is not permitted (the message says why)
 *   PF_ERR_UNSUPPORTED  the record lists refused changes (see
 *                       opts->allow_refused)
 *   PF_ERR_CORRUPT      a relocation points outside the module
 *   PF_ERR_IO           ptrace, /proc or memory near the module failed
 *   PF_ERR_USAGE        own pid, or a record that replaces nothing
 * pf_live_revert returns the same values for the same reasons
 * (PF_ERR_MISMATCH also: the patch is no longer in place).
 */
pf_ret pf_live_apply(pid_t pid, const pf_hotpatch *hp,
    const pf_live_opts *opts, pf_live_undo **undo, pf_err *err);
pf_ret pf_live_revert(pid_t pid, const pf_live_undo *undo,
    const pf_live_opts *opts, pf_err *err);
void pf_live_undo_free(pf_live_undo *u);
pf_ret pf_live_undo_encode(const pf_live_undo *u, pf_buf *out);
pf_ret pf_live_undo_decode(const uint8_t *p, size_t n, pf_live_undo **out,
    pf_err *err);

/*
 * The journal of a hot patch (spec/hotpatch.md section 9.1): what a
 * caller keeps on disk so that an applier killed at any point can be
 * undone by the next one.  Its save callback is called before each
 * change to the process: before the process is stopped with SIGSTOP
 * (durable), before a thread is made to run a system call, before a
 * byte of the process is written.
 */
#define PF_LIVE_REGS_LEN 216        /* struct user_regs_struct, x86-64 */

typedef enum pf_live_phase {
	PF_LIVE_APPLYING = 1,       /* going in: undo whatever is there */
	PF_LIVE_LIVE = 2,           /* in place */
	PF_LIVE_REVERTING = 3       /* going out: finish taking it out */
} pf_live_phase;

/* A thread made to run a system call for the applier, with the
 * registers it must get back. */
typedef struct pf_live_hijack {
	uint32_t tid;               /* 0: none */
	uint64_t insn;              /* the syscall instruction it runs */
	uint64_t nr;
	uint64_t args[6];
	uint8_t regs[PF_LIVE_REGS_LEN];
} pf_live_hijack;

typedef struct pf_live_journal {
	uint8_t digest[32];         /* of the package, for the caller */
	pf_live_phase phase;
	bool frozen;                /* the applier stopped it (SIGSTOP) */
	pf_live_hijack hijack;
	pf_live_undo **mods;
	size_t n_mods;
	/* Set by the caller: records the journal where the next tool
	 * finds it, atomically (a rename), and with durable set also synced
	 * to disk. */
	pf_ret (*save)(void *arg, const struct pf_live_journal *j);
	bool durable;
	void *save_arg;
} pf_live_journal;

void pf_live_journal_free(pf_live_journal *j);
pf_ret pf_live_journal_encode(const pf_live_journal *j, pf_buf *out);
/* PF_ERR_CORRUPT for a damaged journal (any byte that does not fit). */
pf_ret pf_live_journal_decode(const uint8_t *p, size_t n,
    pf_live_journal **out, pf_err *err);

/*
 * With a journal: pf_live_apply_all applies n records in one stop of
 * all threads, the process frozen (SIGSTOP) from the first change to
 * the last; on failure it takes out what went in.  pf_live_revert_all
 * takes them out.  pf_live_recover finishes what a killed applier left
 * (phase APPLYING or REVERTING: everything is taken out; LIVE: the
 * process is only let run again).  Each sets *clean when nothing of
 * the journal is left in the process (the caller may delete it).
 */
pf_ret pf_live_apply_all(pid_t pid, pf_hotpatch *const *hps, size_t n,
    const pf_live_opts *opts, pf_live_journal *j, bool *clean, pf_err *err);
pf_ret pf_live_revert_all(pid_t pid, pf_live_journal *j,
    const pf_live_opts *opts, bool *clean, pf_err *err);
pf_ret pf_live_recover(pid_t pid, pf_live_journal *j,
    const pf_live_opts *opts, bool *clean, pf_err *err);

#endif
