/* The pf_delta handle of libpatchfmt_delta.h, shared by its two halves. */
#ifndef PF_DELTA_API_H
#define PF_DELTA_API_H

#include "libpatchfmt_delta.h"
#include "common/err.h"

struct pf_delta {
	pf_err err;
	char *name[3];
	unsigned threads;
	pf_delta_format format;
	uint64_t memory;        /* pf_delta_set_memory(); 0: the default */
};

/* The name given for which, or a description of the file. */
const char *pf_delta_name(const pf_delta *d, pf_delta_file which);

#endif
