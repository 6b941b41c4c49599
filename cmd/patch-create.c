/*
 * patch-create: two builds in, one patch package out.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"
#include "util.h"
#include "field.h"

static const char usage[] =
    "patch-create [-fqv] [--json] [--name id] [--package-version version] "
    "[--description text] "
    "[--path path] [--key secret-key] [--product name] "
    "[--from-version version] [--to-version version] [--family name] "
    "[--release counter] [--expires time] [--requires id[=version]] "
    "[--conflicts id[=version]] [--supersedes id] [--provides id[=version]] "
    "[--deps file] [--no-live] [--live-only func,...] [--live-skip name,...] "
    "[--debug-dir dir] [--debug-file file] [--keep-mtime] [--codec pfdelta|vcdiff] "
    "[--memory size] [-j jobs] [--no-progress] [--no-control] "
    PF_FIELD_CREATE_USAGE
    "-o package old new";

static const char help[] =
    "  old, new             each a directory, a file, or an archive:\n"
    "                       .deb, .rpm, tar (.gz .xz .zst .bz2), cpio, zip\n"
    "  -o, --output package the package to write (- for standard output)\n"
    "  -f, --force          replace an existing output file\n"
    "  --json               one JSON document on standard output\n"
    "  --name id            the package's ID\n"
    "  --package-version v  the package's own version\n"
    "  --description text   one line shown by patch-inspect\n"
    "  --path path          diff one file, not a tree\n"
    "  -k, --key file       sign with this secret key (repeatable)\n"
    "  --product name       the product the package targets\n"
    "  --from-version v     a version it applies to (repeatable)\n"
    "  --to-version v       the version it makes\n"
    "  --family name        the release family (downgrade protection)\n"
    "  --release n          the release counter within the family\n"
    "  --expires date       YYYY-MM-DD[THH:MM:SSZ], +DAYS, +Nd, +Nh\n"
    "  --requires id[=v], --conflicts id[=v], --provides id[=v],\n"
    "  --supersedes id      dependencies (repeatable)\n"
    "  --deps file          dependencies, one a line\n"
    "  --no-live            no hot-patch records\n"
    "  --live-only f,...    hot-patch only these functions\n"
    "  --live-skip f,...    leave these functions out of the hot patch\n"
    "  --debug-dir dir      where separate debug files are\n"
    "  --debug-file file    a debug file or -dbgsym .deb of a build\n"
    "  --keep-mtime         record the new files' modification times\n"
    "  --codec c            pfdelta (default) or vcdiff\n"
    "  --memory size        memory for diffing big files (K, M, G)\n"
    "  -j, --jobs n         threads at most (default: CPUs)\n"
    "  --no-progress        no progress line on a terminal\n"
    "  --no-control         a .deb's files only, not its control data\n"
    "  --hook kind=file     pre-apply, post-apply, pre-rollback,\n"
    "                       post-rollback or health script\n"
    "  --hook-timeout s     seconds a hook may run\n"
    "  --issue id, --source-rev rev, --source-url url   provenance\n"
    "  --phase percent, --phase-seed seed   phased rollout\n"
    "  -q, --quiet          no summary, notes or progress\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

#define MAXLIST 64

typedef struct opts {
	const char *out, *name, *version, *description, *path;
	const char *product, *to_version, *family, *release, *expires;
	const char *keys[MAXLIST], *from[MAXLIST], *deps_files[MAXLIST];
	const char *deps[MAXLIST];
	pf_dep_kind dep_kind[MAXLIST];
	size_t n_keys, n_from, n_deps, n_deps_files;
	int quiet, no_live, keep_mtime, force, json;
	pf_codec delta_codec;
	pf_field_create field;          /* hooks, provenance, phase */
	const char *debug_dirs[MAXLIST];
	size_t n_debug_dirs;
	const char *live_sel[MAXLIST];  /* --live-skip, --live-only lists */
	bool live_only[MAXLIST];
	size_t n_live_sel;
	uint64_t memory;
	unsigned jobs;
	int no_progress;
	int no_control;                 /* --no-control: .deb data only */
} opts;

/* The comma-separated names of --live-only and --live-skip. */
static pf_ret
select_live(pf_builder *b, const opts *o)
{
	char *list, *name, *save;
	size_t i;
	pf_ret r = PF_OK;

	for (i = 0; i < o->n_debug_dirs && r == PF_OK; i++)
		r = pf_builder_add_debug_dir(b, o->debug_dirs[i]);
	for (i = 0; i < o->n_live_sel && r == PF_OK; i++) {
		if ((list = strdup(o->live_sel[i])) == NULL)
			return PF_ERR_NOMEM;
		for (name = strtok_r(list, ",", &save); name != NULL &&
		    r == PF_OK; name = strtok_r(NULL, ",", &save))
			r = pf_builder_live_select(b, name, o->live_only[i]);
		free(list);
	}
	return r;
}

/*
 * Progress on a terminal: files and bytes done, rate and time left, on
 * one line redrawn at most once a second, erased at the end.
 */
typedef struct progress {
	struct timespec start, last;
	bool shown;
} progress;

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
show_progress(void *opaque, const pf_build_progress *p)
{
	progress *pg = opaque;
	struct timespec now;
	double t, rate;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->files_done < p->files_total && since(&pg->last, &now) < 1.0)
		return;
	pg->last = now;
	t = since(&pg->start, &now);
	rate = t > 0 ? (double)p->bytes_done / t : 0;
	fprintf(stderr, "\r%s: %llu/%llu files, %llu/%llu MiB, %.1f MiB/s, "
	    "%.0f s left   ", pf_progname, (unsigned long long)p->files_done,
	    (unsigned long long)p->files_total,
	    (unsigned long long)(p->bytes_done >> 20),
	    (unsigned long long)(p->bytes_total >> 20), rate / 1048576,
	    rate > 0 ? (double)(p->bytes_total - p->bytes_done) / rate : 0.0);
	pg->shown = true;
}

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
	if (errno != 0 || *end != '\0' || *s < '0' || *s > '9')
		return pf_usage_error(usage, "SOURCE_DATE_EPOCH '%s' is not a "
		    "number of seconds", pf_shown(s));
	return 0;
}

/*
 * Refuses to write over an existing file without -f, and a package to
 * a terminal: checked before the work, so that a mistake costs nothing.
 */
static int
check_output(const opts *o)
{
	if (strcmp(o->out, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			return pf_usage_error(usage, "standard output is a "
			    "terminal: give -o FILE or redirect it");
		return 0;
	}
	return pf_out_check(o->out, o->force);
}

/*
 * Writes beside the destination, then renames: never a half package.
 * Without -f the rename does not replace a file that appeared meanwhile.
 */
static int
write_package(const opts *o, pf_builder *b)
{
	pf_out_file f;
	pf_ret r;
	int e;

	if (pf_out_begin(&f, o->out, PF_OUT_SYNC |
	    (o->force ? PF_OUT_REPLACE : 0)) < 0)
		return pf_fail_path(PF_ERR_IO, o->out, "cannot create a file "
		    "beside '%s': %s", pf_shown(o->out), strerror(errno));
	r = pf_builder_write(b, f.fd);
	if (pf_out_finish(&f, r == PF_OK, 0644) == 0)
		return 0;
	if (r != PF_OK)
		return pf_fail(r, pf_builder_error(b));
	if ((e = errno) == EEXIST)
		return pf_out_exists(o->out);
	return pf_fail_path(PF_ERR_IO, o->out, "cannot write '%s': %s",
	    pf_shown(o->out), strerror(e));
}

static void
summary(const opts *o, const pf_builder *b)
{
	const pf_manifest *m = pf_builder_manifest(b);
	FILE *f = strcmp(o->out, "-") ? stdout : stderr;
	size_t i, n[4] = { 0, 0, 0, 0 };
	unsigned long long payload, rollback;
	pf_op op;

	payload = pf_manifest_number(m, PF_MANIFEST_PAYLOAD_SIZE);
	rollback = pf_manifest_number(m, PF_MANIFEST_ROLLBACK_SIZE);
	for (i = 0; i < pf_manifest_entry_count(m); i++) {
		op = pf_entry_op(pf_manifest_entry(m, i));
		n[op]++;
		pf_verbose("%-6s %s", op == PF_OP_ADD ? "add" :
		    op == PF_OP_REMOVE ? "remove" : "change",
		    pf_shown(pf_entry_path(pf_manifest_entry(m, i))));
	}
	if (o->json && f == stdout) {
		pf_json_open(f);
		fputs("\"status\":\"created\",\"output\":", f);
		pf_json_str(f, o->out);
		fprintf(f, ",\"entries\":%zu,\"added\":%zu,\"changed\":%zu,"
		    "\"removed\":%zu,\"payload_bytes\":%llu,"
		    "\"rollback_bytes\":%llu,\"notes\":[",
		    pf_manifest_entry_count(m),
		    n[PF_OP_ADD], n[PF_OP_CHANGE], n[PF_OP_REMOVE],
		    payload, rollback);
		for (i = 0; i < pf_builder_note_count(b); i++) {
			fputs(i ? "," : "", f);
			pf_json_str(f, pf_builder_note(b, i));
		}
		fputs("],\"exit_status\":0}\n", f);
		return;
	}
	if (o->quiet)
		return;
	fprintf(f, "%s: wrote '%s': %zu entries (%zu added, %zu changed, "
	    "%zu removed), payload %llu bytes, rollback %llu bytes\n",
	    pf_progname, pf_shown(o->out), pf_manifest_entry_count(m),
	    n[PF_OP_ADD], n[PF_OP_CHANGE], n[PF_OP_REMOVE], payload, rollback);
	for (i = 0; i < pf_builder_note_count(b); i++)
		pf_warnx("note: %s", pf_builder_note(b, i));
}

/* "id" or "id=version". */
static pf_ret
add_dep(pf_builder *b, pf_dep_kind kind, const char *spec)
{
	char name[1024];
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : strlen(spec);

	if (n == 0 || n >= sizeof name)
		return PF_ERR_USAGE;
	memcpy(name, spec, n);
	name[n] = '\0';
	return pf_builder_add_dep(b, kind, name, eq ? eq + 1 : NULL);
}

static int
dep_kind(const char *word, pf_dep_kind *k)
{
	static const char *words[] = { "requires", "conflicts", "supersedes",
	    "provides" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(word, words[i]) == 0) {
			*k = (pf_dep_kind)(i + 1);
			return 0;
		}
	return -1;
}

/* A dependency file: "KIND ID [VERSION]" per line, '#' comments. */
static int
read_deps_file(pf_builder *b, const char *path)
{
	char line[2048], kind[64], id[1024], ver[1024];
	pf_dep_kind k;
	int n, lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "cannot read '%s': %s", path, strerror(errno));
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		n = sscanf(line, "%63s %1023s %1023s", kind, id, ver);
		if (n <= 0)
			continue;
		if (n < 2 || dep_kind(kind, &k) < 0 ||
		    pf_builder_add_dep(b, k, id, n == 3 ? ver : NULL) != PF_OK) {
			rc = pf_fail_path(PF_ERR_USAGE, path, "'%s' line %d: "
			    "expected 'requires|conflicts|supersedes|provides ID "
			    "[VERSION]'", pf_shown(path), lineno);
		}
	}
	fclose(f);
	return rc;
}

/* --release: a number. */
static int
parse_time(const char *s, uint64_t now, uint64_t *t)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s + (*s == '+'), &end, 10);
	if (errno || *end || s[*s == '+'] < '0' || s[*s == '+'] > '9')
		return -1;
	*t = *s == '+' ? now + v * 86400 : v;
	return 0;
}

static int
configure_trust(pf_builder *b, const opts *o, uint64_t now)
{
	uint64_t v;
	size_t i;
	int rc;

	for (i = 0; i < o->n_keys; i++)
		if (pf_builder_add_key(b, o->keys[i]) != PF_OK)
			return pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	for (i = 0; i < o->n_from; i++)
		if (pf_builder_add_from_version(b, o->from[i]) != PF_OK)
			return pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	if (pf_builder_set_target(b, o->product, o->to_version) != PF_OK)
		return pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	if (o->release && (parse_time(o->release, 0, &v) < 0 ||
	    *o->release == '+'))
		return pf_usage_error(usage, "--release takes a number");
	if ((o->release || o->family) && pf_builder_set_release(b,
	    o->family ? o->family : o->name, o->release ? v : 0) != PF_OK)
		return pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	if (o->expires && pf_parse_date(o->expires, now, &v) < 0)
		return pf_usage_error(usage, "--expires takes a date "
		    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC), +DAYS, +Nd, "
		    "+Nh or seconds since the epoch");
	if (o->expires && v <= now)
		pf_warnx("warning: --expires '%s' is already past: no applier "
		    "will accept the package", pf_shown(o->expires));
	if (o->expires)
		pf_builder_set_expires(b, v);
	for (i = 0; i < o->n_deps; i++)
		if (add_dep(b, o->dep_kind[i], o->deps[i]) != PF_OK)
			return pf_usage_error(usage, "bad dependency '%s'",
			    o->deps[i]);
	for (i = 0; i < o->n_deps_files; i++)
		if ((rc = read_deps_file(b, o->deps_files[i])) != 0)
			return rc;
	return 0;
}

static pf_ret
progress_on(const opts *o, pf_builder *b, progress *pg)
{
	if (o->no_progress || o->quiet || o->json || !isatty(STDERR_FILENO))
		return PF_OK;
	clock_gettime(CLOCK_MONOTONIC, &pg->start);
	pg->last = pg->start;
	return pf_builder_set_progress(b, show_progress, pg);
}

static int
run(const opts *o, const char *old, const char *new_)
{
	progress pg = { .shown = false };
	pf_builder *b = NULL;
	uint64_t t;
	pf_ret r;
	int rc;

	if ((rc = check_output(o)) != 0)
		return rc;
	if ((rc = created_time(&t)) != 0)
		return rc;
	if ((r = pf_builder_new(&b)) != PF_OK)
		return pf_fail(r, NULL);
	/* "+DAYS" counts from the creation time, reproducible too. */
	if ((rc = configure_trust(b, o, t)) != 0 ||
	    (rc = pf_field_create_apply(&o->field, b, usage)) != 0)
		goto out;
	if ((r = pf_builder_set_info(b, o->name, o->version,
	    o->description)) != PF_OK ||
	    (o->path && (r = pf_builder_set_path(b, o->path)) != PF_OK) ||
	    (r = pf_builder_set_live(b, !o->no_live)) != PF_OK ||
	    (r = select_live(b, o)) != PF_OK ||
	    (r = pf_builder_set_keep_mtime(b, o->keep_mtime)) != PF_OK ||
	    (r = pf_builder_set_delta_codec(b, o->delta_codec ?
	    o->delta_codec : PF_CODEC_DELTA)) != PF_OK ||
	    (r = pf_builder_set_created(b, t)) != PF_OK ||
	    (o->memory && (r = pf_builder_set_memory(b, o->memory)) != PF_OK) ||
	    (r = pf_builder_set_jobs(b, o->jobs)) != PF_OK ||
	    (r = progress_on(o, b, &pg)) != PF_OK ||
	    (r = pf_builder_set_deb_control(b, !o->no_control)) != PF_OK ||
	    (r = pf_builder_diff(b, old, new_)) != PF_OK) {
		if (pg.shown)
			fputc('\n', stderr);
		rc = pf_fail(r, pf_builder_error(b));
		goto out;
	}
	if (pg.shown)
		fputs("\r\033[K", stderr);
	rc = write_package(o, b);
	if (rc == 0)
		summary(o, b);
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
		{ "package-version", required_argument, NULL, 'V' },
		{ "description", required_argument, NULL, 'd' },
		{ "path", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "product", required_argument, NULL, 'P' },
		{ "from-version", required_argument, NULL, 'F' },
		{ "to-version", required_argument, NULL, 'T' },
		{ "family", required_argument, NULL, 11 },
		{ "release", required_argument, NULL, 'R' },
		{ "expires", required_argument, NULL, 'E' },
		{ "requires", required_argument, NULL, 1 },
		{ "conflicts", required_argument, NULL, 2 },
		{ "supersedes", required_argument, NULL, 3 },
		{ "provides", required_argument, NULL, 4 },
		{ "deps", required_argument, NULL, 'D' },
		{ "no-live", no_argument, NULL, 'L' },
		{ "keep-mtime", no_argument, NULL, 'M' },
		{ "codec", required_argument, NULL, 'C' },
		{ "live-skip", required_argument, NULL, 5 },
		{ "live-only", required_argument, NULL, 6 },
		{ "debug-dir", required_argument, NULL, 7 },
		{ "debug-file", required_argument, NULL, 7 },
		{ "memory", required_argument, NULL, 8 },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-progress", no_argument, NULL, 9 },
		{ "json", no_argument, NULL, 10 },
		{ "force", no_argument, NULL, 'O' },
		{ "no-control", no_argument, NULL, 0x4e43 },
		PF_CLI_LONGOPTS,
		PF_FIELD_CREATE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	opts o = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, rc;

	o.jobs = cpus > 0 && cpus < 256 ? (unsigned)cpus : 1;
	pf_cli_init("patch-create", usage, help, argc, argv);
	while ((c = getopt_long(argc, argv, "o:fqk:j:vh", longopts, NULL)) != -1) {
		if ((c == 'k' && o.n_keys >= MAXLIST) ||
		    (c == 'F' && o.n_from >= MAXLIST) ||
		    (c >= 1 && c <= 4 && o.n_deps >= MAXLIST) ||
		    (c == 'D' && o.n_deps_files >= MAXLIST) ||
		    ((c == 5 || c == 6) && o.n_live_sel >= MAXLIST) ||
		    (c == 7 && o.n_debug_dirs >= MAXLIST))
			return pf_usage_error(usage, "too many options");
		switch (c) {
		case 'k': o.keys[o.n_keys++] = optarg; break;
		case 'P': o.product = optarg; break;
		case 'F': o.from[o.n_from++] = optarg; break;
		case 'T': o.to_version = optarg; break;
		case 11: o.family = optarg; break;
		case 'R': o.release = optarg; break;
		case 'E': o.expires = optarg; break;
		case 'D': o.deps_files[o.n_deps_files++] = optarg; break;
		case 'L': o.no_live = 1; break;
		case 'M': o.keep_mtime = 1; break;
		case 'C':
			if (strcmp(optarg, "pfdelta") != 0 &&
			    strcmp(optarg, "vcdiff") != 0)
				return pf_usage_error(usage, "--codec is pfdelta "
				    "or vcdiff");
			o.delta_codec = optarg[0] == 'v' ? PF_CODEC_VCDIFF :
			    PF_CODEC_DELTA;
			break;
		case 7: o.debug_dirs[o.n_debug_dirs++] = optarg; break;
		case 5: case 6:
			o.live_only[o.n_live_sel] = c == 6;
			o.live_sel[o.n_live_sel++] = optarg;
			break;
		case 1: case 2: case 3: case 4:
			o.dep_kind[o.n_deps] = (pf_dep_kind)c;
			o.deps[o.n_deps++] = optarg;
			break;
		case 'o': o.out = optarg; break;
		case 'n': o.name = optarg; break;
		case 'V': o.version = optarg; break;
		case 'd': o.description = optarg; break;
		case 'p': o.path = optarg; break;
		case 'q': o.quiet = 1; pf_cli_option(c); break;
		case 'f': case 'O': o.force = 1; break;
		case 10: o.json = 1; break;
		case 'j':
			if (pf_parse_uint(optarg, 256, &o.jobs) < 0 ||
			    o.jobs == 0)
				return pf_usage_error(usage, "-j takes a number "
				    "from 1 to 256");
			break;
		case 9: o.no_progress = 1; break;
		case 0x4e43: o.no_control = 1; break;
		case 8:
			if (pf_parse_size(optarg, &o.memory) < 0 || o.memory == 0)
				return pf_usage_error(usage, "bad size '%s'",
				    optarg);
			break;
		default:
			if (pf_cli_option(c))
				break;
			if ((rc = pf_field_create_opt(&o.field, c, optarg,
			    usage)) < 0)
				return pf_cli_bad_option();
			if (rc != 0)
				return rc;
		}
	}
	if (argc - optind != 2)
		return pf_usage_error(usage, "expected two builds, old and new");
	if (o.out == NULL)
		return pf_usage_error(usage, "no output: give -o package");
	return run(&o, argv[optind], argv[optind + 1]);
}
