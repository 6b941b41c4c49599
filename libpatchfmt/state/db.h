/*
 * The installed-patch database in the state directory
 * (spec/patchfmt.md section 12).
 */
#ifndef PF_STATE_DB_H
#define PF_STATE_DB_H

#include "libpatchfmt.h"
#include "common/err.h"

typedef struct pf_db_rec {
	char *id;
	char *version;
	char *family;
	uint64_t release;
	char *product;
	char *to_version;
	char *superseded_by;
	char *digest;
	uint64_t installed;
	char **provides;                /* "name" or "name=version" */
	size_t n_provides;
	char **requires;                /* "name" or "name=version" */
	size_t n_requires;
} pf_db_rec;

struct pf_db {
	pf_err err;
	char *dir;
	int dfd;                        /* the state directory */
	int lock;
	pf_db_rec *recs;
	size_t n;
};

/* Appends a copy of s to a string list; -1 when out of memory. */
int pf_db_push(char ***v, size_t *n, const char *s);
void pf_db_rec_free(pf_db_rec *r);
/* qsort order: by install time, then ID. */
int pf_db_by_install(const void *a, const void *b);

#endif
