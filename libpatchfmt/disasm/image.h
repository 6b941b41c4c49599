/*
 * One ELF file (executable or shared object) as the hot-patch analysis
 * sees it: sections, the symbol table, and the PLT and GOT slots of its
 * imports, all addressed by link-time virtual address.
 */
#ifndef PF_DISASM_IMAGE_H
#define PF_DISASM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct hp_sect {
	const char *name;
	uint64_t addr, size;
	uint64_t flags;              /* SHF_* */
	const uint8_t *data;         /* NULL for SHT_NOBITS */
} hp_sect;

typedef enum hp_sym_kind { HP_FUNC, HP_OBJECT, HP_TLS } hp_sym_kind;

typedef struct hp_sym {
	char *key;                   /* name, or "file:name" for a local */
	const char *name;
	uint64_t addr, size;
	hp_sym_kind kind;
	int sect;                    /* index into sects, -1 if none */
	bool dup;                    /* key not unique: never matched */
	/* A function known only by its FDE in .eh_frame (a build with
	 * neither .symtab nor a debug file): key and name are owned,
	 * "~old@0x..." or "~new@0x..." until hp_image_pair_unnamed
	 * matches it. */
	bool unnamed;
	bool unmatched;              /* unnamed, and not matched */
	char *how;                   /* how it was matched, or why not */
	char *own_name;              /* "unnamed@0x...": name points here */
} hp_sym;

/* An import: its PLT stub and its GOT slot, or a GOT slot alone. */
typedef struct hp_slot {
	uint64_t addr;               /* PLT stub or GOT slot */
	uint64_t size;
	char *key;                   /* "plt:name", "got:type:name" ... */
	const char *name;            /* the imported symbol, or "" */
	/* A GOT slot that holds an address of this module (no symbol):
	 * its relocation, so that its key can be made again once unnamed
	 * functions are matched. */
	bool local;
	unsigned type;
	int64_t addend;
} hp_slot;

typedef struct hp_image {
	const char *what;            /* "old" or "new", for messages */
	uint8_t build_id[64];
	size_t build_id_len;
	hp_sect *sects;
	size_t n_sects;
	hp_sym *syms;                /* sorted by addr */
	size_t n_syms;
	hp_sym **by_key;             /* the same, sorted by key */
	hp_slot *slots;              /* sorted by addr */
	size_t n_slots;
	uint64_t slot_size_max;      /* of any slot */
	uint64_t *dynrel;            /* r_offset of every dynamic relocation */
	size_t n_dynrel;
	uint64_t *targets;           /* every RIP-relative data address the
	                                code refers to, sorted (analyze.c) */
	size_t n_targets;
	const char *sym_source;      /* where the symbols come from */
	bool has_unnamed;            /* functions from .eh_frame added */
	void *elf;                   /* Elf * */
	void *dbg_elf;               /* Elf * of the debug file, or NULL */
} hp_image;

/* Where the symbols of a stripped build are: a debug file found by
 * build ID (find returns PF_ERR_MISMATCH when there is none; the bytes
 * stay the caller's and must outlive the image). */
typedef struct hp_debug {
	pf_ret (*find)(void *arg, const uint8_t *id, size_t id_len,
	    const uint8_t **p, size_t *n);
	void *arg;
} hp_debug;

pf_ret hp_image_open(hp_image *im, const char *what, const uint8_t *p,
    size_t n, const hp_debug *dbg, pf_err *err);
void hp_image_close(hp_image *im);
/* The build ID of an ELF file or debug file, by its note sections (a
 * debug file's program headers may not point at its notes); id has
 * room for 64 bytes. */
bool hp_elf_build_id(const uint8_t *p, size_t n, uint8_t *id,
    size_t *len);
/* Symbols that share a key (static functions of one name, without
 * STT_FILE to tell them apart) are matched by their order of address
 * when both builds have as many of them: "key#0", "key#1" ... */
pf_ret hp_image_pair_dups(hp_image *old, hp_image *new, pf_err *err);
/* Adds a function for every FDE of .eh_frame that no symbol names
 * (unnamed.c); syms must be sorted by address, and are again after. */
pf_ret hp_image_add_unnamed(hp_image *im, pf_err *err);
/* Sorts syms by address (before by_key is made), by_key by key. */
void hp_image_sort_addr(hp_image *im);
void hp_image_sort_keys(hp_image *im);
/* Matches the unnamed functions of two builds (spec/hotpatch.md section
 * 8.3): a matched pair gets one key in both builds; the rest keep keys
 * of their own build and are marked unmatched. */
pf_ret hp_image_pair_unnamed(hp_image *old, hp_image *new, pf_err *err);
/* Makes the keys of the local GOT slots again (after
 * hp_image_pair_unnamed gave functions new keys). */
pf_ret hp_image_rekey_slots(hp_image *im);
/* The section holding addr, or NULL. */
const hp_sect *hp_image_sect(const hp_image *im, uint64_t addr);
/* Points *p at n bytes at addr; false when they are not all in one
 * section with file contents. */
bool hp_image_bytes(const hp_image *im, uint64_t addr, size_t n,
    const uint8_t **p);
/* The sized symbol covering addr (functions first), or NULL. */
const hp_sym *hp_image_sym_at(const hp_image *im, uint64_t addr);
const hp_sym *hp_image_sym_key(const hp_image *im, const char *key);
const hp_slot *hp_image_slot_at(const hp_image *im, uint64_t addr);
const hp_slot *hp_image_slot_key(const hp_image *im, const char *key);
bool hp_image_is_dynrel(const hp_image *im, uint64_t addr);

#endif
