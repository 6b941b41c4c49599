/*
 * Building a hot patch from two builds of one module (spec/hotpatch.md
 * section 8): which functions changed, their new code, and relocations
 * that tie the new code to the old module in memory.
 */
#ifndef PF_DISASM_ANALYZE_H
#define PF_DISASM_ANALYZE_H

#include "live/hotpatch.h"

/*
 * Compares the old and new ELF files (x86-64 PIE executables or shared
 * objects with a symbol table).  On PF_OK, *out holds the record; changes
 * that cannot be hot-patched are listed in (*out)->refused, and the record
 * is still returned so that a caller can show them.
 */
pf_ret pf_hotpatch_analyze(const uint8_t *old_elf, size_t old_len,
    const uint8_t *new_elf, size_t new_len, pf_hotpatch **out, pf_err *err);

/* A note for people on one function of the analysis. */
typedef struct pf_hp_note {
	int kind;                /* PF_LIVE_NOTE_CHANGED, _REFUSED, _LEFT_OUT */
	char *name;
	char *text;
} pf_hp_note;

typedef struct pf_hp_analysis {
	/* In: a partial hot patch made on purpose (patch-create
	 * --live-only, --live-skip).  A name selects the function of that
	 * name and its GCC parts (NAME.cold, NAME.part.0 ...); skip names
	 * data objects too.  Both may be empty. */
	const char *const *only;
	size_t n_only;
	const char *const *skip;
	size_t n_skip;
	/* In: for a build without a symbol table, the bytes of its debug
	 * file with this build ID (PF_ERR_MISMATCH when there is none);
	 * they must stay valid until the analysis returns.  May be NULL. */
	pf_ret (*debug_file)(void *arg, const uint8_t *id, size_t id_len,
	    const uint8_t **p, size_t *n);
	void *debug_arg;
	/* Out: why each function counts as changed, which reference of a
	 * refused one is refused, and what was left out. */
	pf_hp_note *notes;
	size_t n_notes;
} pf_hp_analysis;

/* pf_hotpatch_analyze with a selection and notes (an may be NULL). */
pf_ret pf_hotpatch_analyze_ex(const uint8_t *old_elf, size_t old_len,
    const uint8_t *new_elf, size_t new_len, pf_hp_analysis *an,
    pf_hotpatch **out, pf_err *err);
/* Frees the notes; the selection is the caller's. */
void pf_hp_analysis_clear(pf_hp_analysis *an);

#endif
