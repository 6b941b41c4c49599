/*
 * patch-inspect --sbom: what a package installs, as a CycloneDX 1.5 or
 * SPDX 2.3 JSON document (spec section 5.1.3): the patch, the product and
 * versions it leads from and to, its provenance, every file it installs
 * with its SHA-256, and the patches it requires.  The output depends only
 * on the package (times from its creation time, identifiers from its
 * digest), so that the same package gives the same document.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbom.h"

/* A UUID (version 5 layout) from the digest: the same for a package. */
static void
uuid(char out[37], const uint8_t d[32])
{
	static const char hx[] = "0123456789abcdef";
	uint8_t b[16];
	size_t i, k = 0;

	memcpy(b, d, 16);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x50);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hx[b[i] >> 4];
		out[k++] = hx[b[i] & 15];
	}
	out[k] = '\0';
}

static void
when(char out[32], uint64_t t)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* Percent-encodes what a purl name or version may not hold as it is. */
static void
purl_part(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr(".-_~", *s))
			fputc(*s, f);
		else
			fprintf(f, "%%%02X", (unsigned char)*s);
}

static bool
installs(const pf_entry *e)
{
	return pf_state_type(pf_entry_state(e, PF_AFTER)) == PF_TYPE_FILE;
}

/* The SHA-256 of the new file of entry i. */
static const uint8_t *
new_sha256(const pf_manifest *m, size_t i)
{
	return pf_state_sha256(pf_entry_state(pf_manifest_entry(m, i),
	    PF_AFTER));
}

static void
hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* CycloneDX: name/value pairs under the "patchfmt:" namespace. */
static void
cdx_prop(FILE *f, bool *first, const char *name, const char *value)
{
	if (value == NULL)
		return;
	fprintf(f, "%s{\"name\":\"patchfmt:%s\",\"value\":", *first ? "" : ",",
	    name);
	pf_json_str(f, value);
	fputc('}', f);
	*first = false;
}

static void
cdx_patch(FILE *f, const pf_manifest *m, const char *id,
    const uint8_t digest[32])
{
	char dh[65];
	bool first = true;
	size_t i;

	fputs("{\"type\":\"application\",\"bom-ref\":\"patch\",\"name\":", f);
	pf_json_str(f, id);
	if (pf_manifest_string(m, PF_MANIFEST_VERSION)) {
		fputs(",\"version\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_VERSION));
	}
	if (pf_manifest_string(m, PF_MANIFEST_DESCRIPTION)) {
		fputs(",\"description\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_DESCRIPTION));
	}
	fputs(",\"purl\":\"pkg:generic/", f);
	purl_part(f, id);
	if (pf_manifest_string(m, PF_MANIFEST_VERSION)) {
		fputc('@', f);
		purl_part(f, pf_manifest_string(m, PF_MANIFEST_VERSION));
	}
	fputs("\",\"properties\":[", f);
	for (i = 0; i < 32; i++)
		snprintf(dh + 2 * i, 3, "%02x", digest[i]);
	cdx_prop(f, &first, "digest", dh);
	cdx_prop(f, &first, "product",
	    pf_manifest_string(m, PF_MANIFEST_PRODUCT));
	for (i = 0; i < pf_manifest_from_count(m); i++)
		cdx_prop(f, &first, "from-version",
		    pf_manifest_from_version(m, i));
	cdx_prop(f, &first, "to-version",
	    pf_manifest_string(m, PF_MANIFEST_TO_VERSION));
	cdx_prop(f, &first, "issue", pf_manifest_string(m, PF_MANIFEST_ISSUE));
	cdx_prop(f, &first, "source-rev",
	    pf_manifest_string(m, PF_MANIFEST_SOURCE_REV));
	cdx_prop(f, &first, "source-url",
	    pf_manifest_string(m, PF_MANIFEST_SOURCE_URL));
	fputs("]}", f);
}

static void
cdx_components(FILE *f, const pf_manifest *m)
{
	const char *name, *version;
	size_t i, n = 0;

	fputs(",\"components\":[", f);
	if (pf_manifest_string(m, PF_MANIFEST_PRODUCT)) {
		fputs("{\"type\":\"application\",\"bom-ref\":\"product\","
		    "\"name\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_PRODUCT));
		if (pf_manifest_string(m, PF_MANIFEST_TO_VERSION)) {
			fputs(",\"version\":", f);
			pf_json_str(f,
			    pf_manifest_string(m, PF_MANIFEST_TO_VERSION));
		}
		fputc('}', f);
		n++;
	}
	for (i = 0; i < pf_manifest_entry_count(m); i++) {
		if (!installs(pf_manifest_entry(m, i)))
			continue;
		fprintf(f, "%s{\"type\":\"file\",\"bom-ref\":\"file-%zu\","
		    "\"name\":", n++ ? "," : "", i);
		pf_json_str(f, pf_entry_path(pf_manifest_entry(m, i)));
		fputs(",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"", f);
		hex(f, new_sha256(m, i), 32);
		fputs("\"}]}", f);
	}
	for (i = 0; i < pf_manifest_dep_count(m); i++) {
		if (pf_manifest_dep(m, i, &name, &version) != PF_DEP_REQUIRES)
			continue;
		fprintf(f, "%s{\"type\":\"application\",\"bom-ref\":"
		    "\"requires-%zu\",\"name\":", n++ ? "," : "", i);
		pf_json_str(f, name);
		if (version) {
			fputs(",\"version\":", f);
			pf_json_str(f, version);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

/* The patch depends on what it requires, and on the files it holds. */
static void
cdx_dependencies(FILE *f, const pf_manifest *m)
{
	size_t i, n = 0;

	fputs(",\"dependencies\":[{\"ref\":\"patch\",\"dependsOn\":[", f);
	for (i = 0; i < pf_manifest_entry_count(m); i++)
		if (installs(pf_manifest_entry(m, i)))
			fprintf(f, "%s\"file-%zu\"", n++ ? "," : "", i);
	for (i = 0; i < pf_manifest_dep_count(m); i++)
		if (pf_manifest_dep(m, i, NULL, NULL) == PF_DEP_REQUIRES)
			fprintf(f, "%s\"requires-%zu\"", n++ ? "," : "", i);
	fputs("]}]", f);
}

static void
cyclonedx(FILE *f, const pf_manifest *m, const char *id,
    const uint8_t digest[32])
{
	char u[37], t[32];

	uuid(u, digest);
	when(t, pf_manifest_number(m, PF_MANIFEST_CREATED));
	fprintf(f, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
	    "\"serialNumber\":\"urn:uuid:%s\",\"version\":1,\"metadata\":{"
	    "\"timestamp\":\"%s\",\"tools\":{\"components\":[{\"type\":"
	    "\"application\",\"name\":\"patchfmt\",\"version\":\"%s\"}]},"
	    "\"component\":", u, t, PACKAGE_VERSION);
	cdx_patch(f, m, id, digest);
	fputc('}', f);
	cdx_components(f, m);
	cdx_dependencies(f, m);
	fputs("}\n", f);
}

/* SPDX: the comment of the package carries what has no field of its own. */
static void
spdx_package(FILE *f, const pf_manifest *m, const char *id,
    const uint8_t digest[32])
{
	const char *url;
	size_t i, n = 0;

	fputs("{\"SPDXID\":\"SPDXRef-Package-patch\",\"name\":", f);
	pf_json_str(f, id);
	if (pf_manifest_string(m, PF_MANIFEST_VERSION)) {
		fputs(",\"versionInfo\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_VERSION));
	}
	fputs(",\"downloadLocation\":", f);
	url = pf_manifest_string(m, PF_MANIFEST_SOURCE_URL);
	pf_json_str(f, url ? url : "NOASSERTION");
	fputs(",\"filesAnalyzed\":true,\"licenseConcluded\":\"NOASSERTION\","
	    "\"licenseDeclared\":\"NOASSERTION\",\"copyrightText\":"
	    "\"NOASSERTION\",\"primaryPackagePurpose\":\"INSTALL\"", f);
	if (pf_manifest_string(m, PF_MANIFEST_SOURCE_REV)) {
		fputs(",\"sourceInfo\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_SOURCE_REV));
	}
	fputs(",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
	    "\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:generic/",
	    f);
	purl_part(f, id);
	if (pf_manifest_string(m, PF_MANIFEST_VERSION)) {
		fputc('@', f);
		purl_part(f, pf_manifest_string(m, PF_MANIFEST_VERSION));
	}
	fputs("\"}],\"comment\":\"", f);
	fputs("patchfmt package, digest ", f);
	hex(f, digest, 32);
	fputc('"', f);
	if (pf_manifest_string(m, PF_MANIFEST_ISSUE)) {
		fputs(",\"summary\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_ISSUE));
	}
	fputs(",\"hasFiles\":[", f);
	for (i = 0; i < pf_manifest_entry_count(m); i++)
		if (installs(pf_manifest_entry(m, i)))
			fprintf(f, "%s\"SPDXRef-File-%zu\"", n++ ? "," : "", i);
	fputs("]}", f);
}

static void
spdx_other_packages(FILE *f, const pf_manifest *m)
{
	const char *name, *version;
	size_t i;

	if (pf_manifest_string(m, PF_MANIFEST_PRODUCT)) {
		fputs(",{\"SPDXID\":\"SPDXRef-Package-product\",\"name\":", f);
		pf_json_str(f, pf_manifest_string(m, PF_MANIFEST_PRODUCT));
		if (pf_manifest_string(m, PF_MANIFEST_TO_VERSION)) {
			fputs(",\"versionInfo\":", f);
			pf_json_str(f,
			    pf_manifest_string(m, PF_MANIFEST_TO_VERSION));
		}
		fputs(",\"downloadLocation\":\"NOASSERTION\",\"filesAnalyzed\":"
		    "false}", f);
	}
	for (i = 0; i < pf_manifest_dep_count(m); i++) {
		if (pf_manifest_dep(m, i, &name, &version) != PF_DEP_REQUIRES)
			continue;
		fprintf(f, ",{\"SPDXID\":\"SPDXRef-Package-requires-%zu\","
		    "\"name\":", i);
		pf_json_str(f, name);
		if (version) {
			fputs(",\"versionInfo\":", f);
			pf_json_str(f, version);
		}
		fputs(",\"downloadLocation\":\"NOASSERTION\",\"filesAnalyzed\":"
		    "false}", f);
	}
}

static void
spdx_relationships(FILE *f, const pf_manifest *m)
{
	size_t i;

	fputs(",\"relationships\":[{\"spdxElementId\":\"SPDXRef-DOCUMENT\","
	    "\"relationshipType\":\"DESCRIBES\",\"relatedSpdxElement\":"
	    "\"SPDXRef-Package-patch\"}", f);
	if (pf_manifest_string(m, PF_MANIFEST_PRODUCT))
		fputs(",{\"spdxElementId\":\"SPDXRef-Package-patch\","
		    "\"relationshipType\":\"PATCH_FOR\",\"relatedSpdxElement\":"
		    "\"SPDXRef-Package-product\"}", f);
	for (i = 0; i < pf_manifest_entry_count(m); i++)
		if (installs(pf_manifest_entry(m, i)))
			fprintf(f, ",{\"spdxElementId\":"
			    "\"SPDXRef-Package-patch\","
			    "\"relationshipType\":\"CONTAINS\","
			    "\"relatedSpdxElement\":\"SPDXRef-File-%zu\"}", i);
	for (i = 0; i < pf_manifest_dep_count(m); i++)
		if (pf_manifest_dep(m, i, NULL, NULL) == PF_DEP_REQUIRES)
			fprintf(f, ",{\"spdxElementId\":"
			    "\"SPDXRef-Package-patch\","
			    "\"relationshipType\":\"DEPENDS_ON\","
			    "\"relatedSpdxElement\":\"SPDXRef-Package-requires-"
			    "%zu\"}", i);
	fputc(']', f);
}

static int
spdx(FILE *f, const pf_manifest *m, const char *id, const uint8_t digest[32])
{
	char u[37], t[32], *name;
	size_t i, n = 0;

	uuid(u, digest);
	when(t, pf_manifest_number(m, PF_MANIFEST_CREATED));
	fputs("{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\","
	    "\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":", f);
	pf_json_str(f, id);
	fprintf(f, ",\"documentNamespace\":\"urn:uuid:%s\",\"creationInfo\":{"
	    "\"created\":\"%s\",\"creators\":[\"Tool: patchfmt-%s\"]},"
	    "\"documentDescribes\":[\"SPDXRef-Package-patch\"],"
	    "\"packages\":[", u, t, PACKAGE_VERSION);
	spdx_package(f, m, id, digest);
	spdx_other_packages(f, m);
	fputs("],\"files\":[", f);
	for (i = 0; i < pf_manifest_entry_count(m); i++) {
		if (!installs(pf_manifest_entry(m, i)))
			continue;
		fprintf(f, "%s{\"SPDXID\":\"SPDXRef-File-%zu\",\"fileName\":",
		    n++ ? "," : "", i);
		/* SPDX file names are relative to the package: "./path". */
		if (asprintf(&name, "./%s",
		    pf_entry_path(pf_manifest_entry(m, i))) < 0)
			return -1;
		pf_json_str(f, name);
		free(name);
		fputs(",\"checksums\":[{\"algorithm\":\"SHA256\","
		    "\"checksumValue\":\"", f);
		hex(f, new_sha256(m, i), 32);
		fputs("\"}]}", f);
	}
	fputc(']', f);
	spdx_relationships(f, m);
	fputs("}\n", f);
	return 0;
}

int
pf_sbom_print(FILE *f, const char *kind, const pf_reader *r)
{
	const pf_manifest *m = pf_reader_manifest(r);

	if (strcmp(kind, "cyclonedx") == 0)
		cyclonedx(f, m, pf_reader_id(r), pf_reader_digest(r));
	else if (strcmp(kind, "spdx") == 0)
		return spdx(f, m, pf_reader_id(r), pf_reader_digest(r));
	else
		return -1;
	return 0;
}
