/*
 * patch-create: two builds in, one patch package out.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char usage[] =
    "patch-create [-q] [--name name] [--version version] "
    "[--description text] [--path path] -o package old new";

typedef struct opts {
	const char *out, *name, *version, *description, *path;
	int quiet;
} opts;

/* Reproducible builds: SOURCE_DATE_EPOCH overrides the clock. */
static int
created_time(uint64_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;

	if (s == NULL || *s == '\0') {
		*t = (uint64_t)time(NULL);
		return 0;
	}
	errno = 0;
	*t = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '-') {
		pf_warnx("SOURCE_DATE_EPOCH '%s' is not a number of seconds", s);
		return -1;
	}
	return 0;
}

/* Writes beside the destination, then renames: never a half package. */
static int
write_package(pf_builder *b, const char *out, char *tmp, size_t tmplen)
{
	const char *slash = strrchr(out, '/');
	int fd;
	pf_ret r;

	if (strcmp(out, "-") == 0) {
		r = pf_builder_write(b, STDOUT_FILENO);
		return r == PF_OK ? 0 : pf_fail(r, pf_builder_error(b));
	}
	snprintf(tmp, tmplen, "%.*s.pf-create-XXXXXX",
	    slash ? (int)(slash - out + 1) : 0, out);
	if ((fd = mkstemp(tmp)) < 0) {
		pf_warnx("cannot create '%s': %s", tmp, strerror(errno));
		return PF_EXIT_IO;
	}
	r = pf_builder_write(b, fd);
	if (r == PF_OK && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		r = PF_ERR_IO;
	if (close(fd) < 0 && r == PF_OK)
		r = PF_ERR_IO;
	if (r == PF_OK && rename(tmp, out) < 0)
		r = PF_ERR_IO;
	if (r != PF_OK) {
		unlink(tmp);
		if (*pf_builder_error(b) == '\0')
			pf_warnx("cannot write '%s': %s", out, strerror(errno));
		else
			pf_warnx("%s", pf_builder_error(b));
		return pf_ret_exit_status(r);
	}
	return 0;
}

static void
summary(const pf_builder *b, const char *out, FILE *f)
{
	const pf_manifest *m = pf_builder_manifest(b);
	size_t i, n[4] = { 0, 0, 0, 0 };

	for (i = 0; i < m->n_entries; i++)
		n[m->entries[i].op]++;
	fprintf(f, "%s: wrote '%s': %zu entries (%zu added, %zu changed, "
	    "%zu removed), payload %llu bytes, rollback %llu bytes\n",
	    pf_progname, out, m->n_entries, n[PF_OP_ADD], n[PF_OP_CHANGE],
	    n[PF_OP_REMOVE], (unsigned long long)m->payload_size,
	    (unsigned long long)m->rollback_size);
}

static int
run(const opts *o, const char *old, const char *new_)
{
	char tmp[4096];
	pf_builder *b = NULL;
	uint64_t t;
	pf_ret r;
	int rc;

	if (created_time(&t) < 0)
		return PF_EXIT_USAGE;
	if ((r = pf_builder_new(&b)) != PF_OK)
		return pf_fail(r, NULL);
	if ((r = pf_builder_set_info(b, o->name, o->version,
	    o->description)) != PF_OK ||
	    (o->path && (r = pf_builder_set_path(b, o->path)) != PF_OK) ||
	    (r = pf_builder_set_created(b, t)) != PF_OK ||
	    (r = pf_builder_diff(b, old, new_)) != PF_OK) {
		rc = pf_fail(r, pf_builder_error(b));
		goto out;
	}
	rc = write_package(b, o->out, tmp, sizeof tmp);
	if (rc == 0 && !o->quiet)
		summary(b, o->out, strcmp(o->out, "-") ? stdout : stderr);
out:
	pf_builder_free(b);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'V' },
		{ "description", required_argument, NULL, 'd' },
		{ "path", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	opts o = { 0 };
	int c;

	pf_progname = "patch-create";
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'n': o.name = optarg; break;
		case 'V': o.version = optarg; break;
		case 'd': o.description = optarg; break;
		case 'p': o.path = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'h': printf("usage: %s\n", usage); return 0;
		default: return pf_usage_error(usage, "unknown option");
		}
	}
	if (argc - optind != 2)
		return pf_usage_error(usage, "expected two builds, old and new");
	if (o.out == NULL)
		return pf_usage_error(usage, "no output: give -o package");
	return run(&o, argv[optind], argv[optind + 1]);
}
