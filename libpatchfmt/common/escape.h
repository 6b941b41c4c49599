/*
 * Strings from a package for people: every byte that a terminal could
 * act on is written as an escape, so that a name holding ESC or a
 * newline can neither move the cursor nor forge a line of output.
 */
#ifndef PF_COMMON_ESCAPE_H
#define PF_COMMON_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libpatchfmt.h"

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes, n > 0), with
 * its code point in *cp; 0 when the bytes are not valid UTF-8 (overlong
 * forms, surrogates and values past U+10FFFF included).
 */
size_t pf_utf8_len(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * True for the code points a terminal acts on rather than shows: C0 and
 * C1 controls, DEL, and the bidirectional formatting characters (U+202A
 * to U+202E, U+2066 to U+2069).
 */
bool pf_char_is_control(uint32_t cp);

/*
 * Writes s[0..n) with `\\` for a backslash, `\n`, `\t` and `\r` for
 * those bytes, and `\xHH` for every other byte below 0x20, for 0x7F, for
 * bytes that are not valid UTF-8, and for each byte of the other
 * characters pf_char_is_control() names.  Other UTF-8 is written as it
 * is.
 */
void pf_text_strn(FILE *f, const char *s, size_t n);
/* The same for a string; NULL writes nothing.  pf_text_escape() is the
 * same into a buffer (libpatchfmt.h). */
void pf_text_str(FILE *f, const char *s);

#endif
