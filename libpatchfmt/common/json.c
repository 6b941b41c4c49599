#include <config.h>

#include "common/escape.h"
#include "common/json.h"
#include "common/hash.h"

void
pf_json_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	uint32_t cp;

	fputc('"', f);
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c >= 0x80) {
			len = pf_utf8_len(s + i, n - i, &cp);
			/*
			 * Not UTF-8: the byte as a lone low surrogate,
			 * U+DC80 to U+DCFF, as Python's "surrogateescape"
			 * does: no UTF-8 string holds one, so the bytes come
			 * back exactly.  C1 controls and bidirectional
			 * formatting characters: escaped, so that JSON shown
			 * on a terminal stays inert.
			 */
			if (len == 0)
				fprintf(f, "\\udc%02x", c);
			else if (pf_char_is_control(cp))
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(s + i, 1, len, f);
			i += len ? len : 1;
			continue;
		} else
			fputc(c, f);
		i++;
	}
	fputc('"', f);
}

void
pf_json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	pf_json_strn(f, s, n);
}

void
pf_json_hex(FILE *f, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];
	size_t chunk;

	fputc('"', f);
	while (n > 0) {
		chunk = n > 64 ? 64 : n;
		pf_hex(hex, p, chunk);
		fputs(hex, f);
		p += chunk;
		n -= chunk;
	}
	fputc('"', f);
}
