#include <config.h>

#include <stdio.h>
#include <string.h>

#include "common/escape.h"

size_t
pf_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool
pf_char_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The text for the character at s: an escape for its first byte, or the
 * character itself.  Returns how many bytes of s it stands for.
 */
static size_t
escape_one(const unsigned char *s, size_t n, char out[8])
{
	uint32_t cp = 0;
	size_t len = pf_utf8_len(s, n, &cp);

	if (len > 0 && !pf_char_is_control(cp) && cp != '\\') {
		memcpy(out, s, len);
		out[len] = '\0';
		return len;
	}
	if (len == 0 || cp >= 0x80) {
		/* Every byte of a control sequence is shown, one by one. */
		snprintf(out, 8, "\\x%02x", s[0]);
		return 1;
	}
	if (cp == '\\')
		strcpy(out, "\\\\");
	else if (cp == '\n')
		strcpy(out, "\\n");
	else if (cp == '\t')
		strcpy(out, "\\t");
	else if (cp == '\r')
		strcpy(out, "\\r");
	else
		snprintf(out, 8, "\\x%02x", s[0]);
	return 1;
}

void
pf_text_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char piece[8];
	size_t i = 0;

	while (i < n) {
		i += escape_one(s + i, n - i, piece);
		fputs(piece, f);
	}
}

void
pf_text_str(FILE *f, const char *s)
{
	if (s != NULL)
		pf_text_strn(f, s, strlen(s));
}

char *
pf_text_escape(char *out, size_t size, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n = strlen(str), used = 0, k;
	char piece[8];

	if (size == 0)
		return out;
	while (i < n) {
		k = escape_one(s + i, n - i, piece);
		if (used + strlen(piece) >= size)
			break;
		memcpy(out + used, piece, strlen(piece));
		used += strlen(piece);
		i += k;
	}
	out[used] = '\0';
	return out;
}
