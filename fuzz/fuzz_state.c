/*
 * Fuzz target: the two parsers of the state directory (spec/patchfmt.md
 * sections 12.2 and 12.4), the records of installed patches and the
 * journal, on the same bytes.  Both are read by every tool, as root,
 * from a directory a failing disk or an earlier crash may have damaged.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/db.h"
#include "state/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_db_rec rec;
	pf_err err;
	char *text;

	if (size > (1u << 20) || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&rec, 0, sizeof rec);
	/* A record that parses names the patch it was read for. */
	if (pf_db_rec_parse(&err, &rec, text, size, "fix") == PF_OK &&
	    (rec.id == NULL || strcmp(rec.id, "fix") != 0))
		__builtin_trap();
	pf_db_rec_free(&rec);
	memcpy(text, data, size);
	text[size] = '\0';
	(void)pf_journal_parse(text, size);
	free(text);
	return 0;
}
