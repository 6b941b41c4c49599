/*
 * patch-keygen: make an Ed25519 key pair for signing packages.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "util.h"

static const char usage[] = "patch-keygen [--json] -o name";

static const char help[] =
    "  -o, --output name    write name.key (secret) and name.pub;\n"
    "                       existing files are never replaced\n"
    "  --json               one JSON document on standard output\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

/* NAME.key or NAME.pub, in a buffer of its own. */
static const char *
pub_or_key(const char *name, const char *ext)
{
	static char buf[8192];

	snprintf(buf, sizeof buf, "%s%s", name, ext);
	return buf;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		PF_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL;
	pf_keyring *k = NULL;
	char id[17];
	pf_ret r;
	int c;

	pf_cli_init("patch-keygen", usage, help, argc, argv);
	while ((c = getopt_long(argc, argv, "o:jqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': name = optarg; break;
		case 'j': break;        /* seen by pf_cli_init() */
		default:
			if (pf_cli_option(c))
				break;
			return pf_cli_bad_option();
		}
	}
	if (name == NULL || optind != argc)
		return pf_usage_error(usage, "give the key name with -o");
	if ((r = pf_keyring_new(&k)) != PF_OK)
		return pf_fail(r, NULL);
	if ((r = pf_keyring_keygen(k, name, id)) != PF_OK) {
		r = pf_fail_path(r, name, "%s", pf_keyring_error(k));
		pf_keyring_free(k);
		return r;
	}
	pf_keyring_free(k);
	if (pf_cli_ctx.json) {
		pf_json_open(stdout);
		fputs("\"status\":\"created\",\"secret_key\":", stdout);
		pf_json_str(stdout, pub_or_key(name, ".key"));
		fputs(",\"public_key\":", stdout);
		pf_json_str(stdout, pub_or_key(name, ".pub"));
		printf(",\"key_id\":\"%s\",\"exit_status\":0}\n", id);
	} else
		printf("%s: wrote '%s.key' (secret, keep it safe) and '%s.pub', "
		    "key ID %s\n", pf_progname, pf_shown(name), pf_shown(name),
		    id);
	return fflush(stdout) == 0 ? 0 : PF_EXIT_IO;
}
