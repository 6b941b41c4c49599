/*
 * patch-keygen: make an Ed25519 key pair for signing packages.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "util.h"

static const char usage[] = "patch-keygen -o name";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL;
	char id[17], msg[1024];
	pf_ret r;
	int c;

	pf_progname = "patch-keygen";
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': name = optarg; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return pf_usage_error(usage, "unknown option");
		}
	}
	if (name == NULL || optind != argc)
		return pf_usage_error(usage, "give the key name with -o");
	if ((r = pf_keygen(name, id, msg, sizeof msg)) != PF_OK)
		return pf_fail(r, msg);
	printf("%s: wrote '%s.key' (secret, keep it safe) and '%s.pub', key "
	    "ID %s\n", pf_progname, name, name, id);
	return 0;
}
