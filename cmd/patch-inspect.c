/*
 * patch-inspect: validate a package and show what it will do.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const char usage[] = "patch-inspect [--json] package";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pf_reader *r = NULL;
	pf_ret ret;
	int c, json = 0, fd, rc = 0;

	pf_progname = "patch-inspect";
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return pf_usage_error(usage, "unknown option");
		}
	}
	if (argc - optind != 1)
		return pf_usage_error(usage, "expected one package");
	if ((fd = pf_open_input(argv[optind])) < 0)
		return PF_EXIT_IO;
	ret = pf_reader_open(&r, fd);
	if (ret != PF_OK) {
		rc = pf_fail(ret, r ? pf_reader_error(r) : NULL);
		goto out;
	}
	if (json)
		pf_manifest_print_json(pf_reader_manifest(r),
		    pf_reader_digest(r), pf_reader_package_size(r), stdout);
	else
		pf_manifest_print_text(pf_reader_manifest(r), stdout);
	if (fflush(stdout) != 0)
		rc = PF_EXIT_IO;
out:
	pf_reader_free(r);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
