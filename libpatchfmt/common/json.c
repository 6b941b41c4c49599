#include <config.h>

#include "common/json.h"
#include "common/hash.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
pf_json_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

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
			len = utf8_len(s + i, n - i);
			if (len == 0) {
				fprintf(f, "\\u%04x", c);
				i++;
				continue;
			}
			fwrite(s + i, 1, len, f);
			i += len;
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
