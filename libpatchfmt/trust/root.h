/*
 * Root metadata of a keyring (spec/keyring.md): which keys may sign
 * packages, until when, which are revoked, signed by a threshold of root
 * keys.  root.c reads and verifies it (the applier's side), root_write.c
 * encodes and signs it (patch-keyring's side).
 */
#ifndef PF_TRUST_ROOT_H
#define PF_TRUST_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust/keys.h"

/* spec/keyring.md section 2: the file and its header. */
#define PF_ROOT_FILE            "root.pfkr"
#define PF_ROOT_MAGIC           "PFKR"
#define PF_ROOT_FORMAT          1
#define PF_ROOT_HEADER_LEN      32
/* Section 2.2 to 2.5: the size of each entry. */
#define PF_ROOT_ROOTKEY_LEN     32      /* public key */
#define PF_ROOT_SIGNKEY_LEN     40      /* public key, expires */
#define PF_ROOT_REVOKED_LEN     8       /* key ID */
#define PF_ROOT_SIGHDR_LEN      8       /* count, reserved */
#define PF_ROOT_SIG_LEN         72      /* key ID, signature */
/* Section 3: limits. */
#define PF_ROOT_MAX_ROOT        16
#define PF_ROOT_MAX_THRESHOLD   16
#define PF_ROOT_MAX_SIGNING     64
#define PF_ROOT_MAX_REVOKED     1024
#define PF_ROOT_MAX_SIGS        32
#define PF_ROOT_FILE_MAX        16384
/* Section 2.5: what each signature signs, before the body. */
#define PF_ROOT_CONTEXT         "patchfmt keyring root v1"

typedef struct pf_root_key {
	uint8_t id[PF_SIG_KEY_ID_LEN];
	uint8_t pk[PF_KEY_PUB_LEN];
	uint64_t expires;               /* signing keys: 0 means none */
} pf_root_key;

typedef struct pf_root_sig {
	uint8_t id[PF_SIG_KEY_ID_LEN];
	uint8_t sig[64];
} pf_root_sig;

typedef struct pf_root {
	uint64_t version;
	uint64_t expires;
	unsigned root_threshold;
	unsigned signing_threshold;
	size_t nroot, nsigning, nrevoked, nsigs;
	pf_root_key root[PF_ROOT_MAX_ROOT];
	pf_root_key signing[PF_ROOT_MAX_SIGNING];
	uint8_t revoked[PF_ROOT_MAX_REVOKED][PF_SIG_KEY_ID_LEN];
	pf_root_sig sigs[PF_ROOT_MAX_SIGS];
	/* The signed bytes, as read or as pf_root_encode() made them. */
	uint8_t body[PF_ROOT_FILE_MAX];
	size_t body_len;
} pf_root;

/* Parses a whole file's bytes; checks structure and canonical form,
 * not signatures.  Every failure is PF_ERR_TRUST. */
pf_ret pf_root_parse(pf_root *r, const uint8_t *p, size_t n, pf_err *err);
/* Reads and parses the file at path; a missing file is PF_ERR_USAGE. */
pf_ret pf_root_read(pf_root *r, const char *path, pf_err *err);
/*
 * Counts the distinct keys of by's root keys that signed r validly into
 * *count; a signature by one of them that does not verify is an error.
 */
pf_ret pf_root_signed_by(const pf_root *r, const pf_root *by, unsigned *count,
    pf_err *err);
/* r carries the threshold of its own root keys. */
pf_ret pf_root_check(const pf_root *r, pf_err *err);
/*
 * Section 4: next may follow cur (higher version, the threshold of both
 * root key sets, not expired at now unless allow_expired).
 */
pf_ret pf_root_accept(const pf_root *cur, const pf_root *next, uint64_t now,
    bool allow_expired, pf_err *err);
bool pf_root_same(const pf_root *a, const pf_root *b);
const pf_root_key *pf_root_find(const pf_root_key *v, size_t n,
    const uint8_t id[PF_SIG_KEY_ID_LEN]);
bool pf_root_revoked(const pf_root *r, const uint8_t id[PF_SIG_KEY_ID_LEN]);
/* What a signature signs (section 2.5), in a new buffer. */
uint8_t *pf_root_message(const pf_root *r, size_t *n);
/* YYYY-MM-DD of a time in seconds (UTC), for messages. */
const char *pf_root_date(char out[32], uint64_t t);

/* The whole file: body and signatures; out holds PF_ROOT_FILE_MAX. */
size_t pf_root_serialize(const pf_root *r, uint8_t *out);

/* root_write.c: fills body from the fields (sorting them); drops the
 * signatures.  Fails when a limit or rule of the format is broken. */
pf_ret pf_root_encode(pf_root *r, pf_err *err);
/* Adds k's signature of the body (once per key). */
pf_ret pf_root_sign(pf_root *r, const pf_seckey *k, pf_err *err);

/*
 * The public handle (libpatchfmt.h): root metadata, its message, and its
 * file as read or last signed.  root_api.c reads and checks it (the
 * applier's half), root_edit.c changes and signs it (the builder's).
 */
struct pf_keyroot {
	pf_err err;
	pf_root r;
	/* The fields changed since body was encoded: no signature holds. */
	bool changed;
	size_t file_len;                /* 0: not signed */
	uint8_t file[PF_ROOT_FILE_MAX];
};

#endif
