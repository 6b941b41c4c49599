/*
 * patch-inspect: validate a package and show what it will do.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "util.h"
#include "sbom.h"

static const char usage[] =
    "patch-inspect [--json | --sbom cyclonedx | --sbom spdx] [--explain] "
    "[--verify] [--keyring dir] [--threshold n] " ARCHIVE_INSPECT_USAGE
    "package";

static const char help[] =
    "  --json               the package as one JSON document\n"
    "  --sbom cyclonedx|spdx  a CycloneDX 1.5 or SPDX 2.3 document\n"
    "  --explain            why each function counts as changed\n"
    "  --verify             check the signatures against the keyring\n"
    "  --keyring dir|file   trusted keys (implies --verify)\n"
    "  --threshold n        signatures needed (implies --verify)\n"
    "  --list               the paths, one a line (-0: NUL-separated)\n"
    "  --extract path -o file  write one new file (--root dir: the old\n"
    "                       files a delta needs)\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

/* Who signed, and what the keyring says of each signature. */
static void
print_signatures(const pf_reader *r, int json)
{
	static const char *word[] = { "unchecked", "valid", "unknown-key",
	    "invalid" };
	uint8_t id[8];
	size_t i, n = pf_reader_signature_count(r);
	pf_sig_status st;

	if (!json && n == 0)
		printf("signed   no\n");
	for (i = 0; i < n; i++) {
		st = pf_reader_signature(r, i, id);
		printf(json ? "%s{\"key_id\":\"" : "signed   key ", i ? "," : "");
		for (int j = 0; j < 8; j++)
			printf("%02x", id[j]);
		printf(json ? "\",\"status\":\"%s\"}" : " %s\n", word[st]);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'y' },
		{ "explain", no_argument, NULL, 'x' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "threshold", required_argument, NULL, 't' },
		{ "sbom", required_argument, NULL, 'S' },
		PF_CLI_LONGOPTS,
		ARCHIVE_INSPECT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	pf_archive_inspect ai = { 0 };
	const char *why;
	pf_trust_opts topt = { 0 };
	pf_keyring *kr = NULL;
	pf_reader *r = NULL;
	pf_trust *trust = NULL;
	const char *sbom = NULL;
	pf_ret ret;
	int c, json = 0, verify = 0, explain = 0, fd, rc = 0;

	pf_cli_init("patch-inspect", usage, help, argc, argv);
	while ((c = getopt_long(argc, argv, "jqvh" ARCHIVE_INSPECT_SHORTOPTS,
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'y': verify = 1; break;
		case 'S':
			if (strcmp(optarg, "cyclonedx") != 0 &&
			    strcmp(optarg, "spdx") != 0)
				return pf_usage_error(usage, "--sbom takes "
				    "cyclonedx or spdx");
			sbom = optarg;
			break;
		case 'x': explain = 1; break;
		case 'K': topt.keyring = optarg; verify = 1; break;
		case 't':
			if (pf_parse_threshold(optarg, &topt.threshold) < 0)
				return pf_usage_error(usage,
				    "--threshold takes a number from 1 to 16");
			verify = 1;
			break;
		default:
			if (pf_cli_option(c))
				break;
			/* --list, --extract (cmd/archive_inspect.c). */
			if (pf_archive_inspect_opt(&ai, c, optarg))
				break;
			return pf_cli_bad_option();
		}
	}
	if (argc - optind != 1)
		return pf_usage_error(usage, "expected one package");
	/* -v: why each function counts as changed, as --explain. */
	explain |= pf_cli_ctx.verbose > 0;
	if (sbom && json)
		return pf_usage_error(usage, "--sbom and --json exclude each "
		    "other");
	if (pf_archive_inspect_wanted(&ai, &why) && (why || sbom || json))
		return pf_usage_error(usage, "%s", why ? why : "--list and "
		    "--extract go without --json and --sbom");
	if (verify && (rc = pf_load_trust(&topt, "", &kr, &trust)) != 0) {
		pf_keyring_free(kr);
		return rc;
	}
	if ((fd = pf_open_input(argv[optind])) < 0) {
		pf_trust_free(trust);
		pf_keyring_free(kr);
		return PF_EXIT_IO;
	}
	ret = pf_reader_open_trusted(&r, fd, trust);
	if (ret != PF_OK) {
		rc = pf_fail(ret, r ? pf_reader_error(r) : NULL);
		goto out;
	}
	if (ai.list || ai.extract)
		rc = pf_archive_inspect_run(&ai, r);
	else if (sbom) {
		if (pf_sbom_print(stdout, sbom, r) < 0)
			rc = pf_fail(PF_ERR_NOMEM, NULL);
	} else if (json) {
		pf_json_open(stdout);
		fputs("\"signatures\":[", stdout);
		print_signatures(r, 1);
		printf("],\"verified\":%s,\"live\":",
		    pf_reader_trusted(r) ? "true" : "false");
		if ((ret = pf_reader_print_live(r, stdout, true)) != PF_OK)
			rc = pf_fail(ret, pf_reader_error(r));
		fputs(",\"live_notes\":", stdout);
		pf_reader_print_live_notes(r, stdout, true, true);
		fputs(",\"manifest\":", stdout);
		pf_manifest_print_json(pf_reader_manifest(r),
		    pf_reader_digest(r), pf_reader_package_size(r), stdout);
		printf(",\"exit_status\":%d}\n", rc);
	} else {
		pf_manifest_print_text(pf_reader_manifest(r), stdout);
		if ((ret = pf_reader_print_live(r, stdout, false)) != PF_OK)
			rc = pf_fail(ret, pf_reader_error(r));
		pf_reader_print_live_notes(r, stdout, false, explain);
		print_signatures(r, 0);
		if (verify)
			printf("verified yes\n");
	}
	if (fflush(stdout) != 0)
		rc = PF_EXIT_IO;
out:
	pf_reader_free(r);
	pf_trust_free(trust);
	pf_keyring_free(kr);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
