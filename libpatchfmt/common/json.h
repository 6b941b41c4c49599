/*
 * Just enough JSON output for machine-readable reports: strings are
 * escaped per RFC 8259, every control byte included; a byte that is not
 * part of valid UTF-8 is written as the lone surrogate \uDCXX (XX the
 * byte, as Python's "surrogateescape"), so the output is always valid
 * JSON and a path that is not UTF-8 comes back byte for byte; C1 controls and bidirectional formatting
 * characters are escaped too, so that JSON shown on a terminal is inert.
 */
#ifndef PF_COMMON_JSON_H
#define PF_COMMON_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void pf_json_str(FILE *f, const char *s);
void pf_json_strn(FILE *f, const char *s, size_t n);
/* A string of lower-case hex digits. */
void pf_json_hex(FILE *f, const uint8_t *p, size_t n);

#endif
