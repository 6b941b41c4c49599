/*
 * Hot patches in the state directory (spec section 12.7): which patches
 * are live in which process, with what pf_live_revert needs to take them
 * out again.
 *
 *   STATE/live/PID-START/ID    the undo records of patch ID in process
 *                              PID, whose start time (in clock ticks since
 *                              boot, /proc/PID/stat field 22) is START
 *
 * The start time tells a process from a later one that got its PID.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "format/reader.h"
#include "live/hotpatch.h"
#include "live/proc.h"
#include "format/manifest.h"
#include "state/db.h"

#define UNDO_FILE_MAX (UINT64_C(16) << 20)

/* Field 22 of /proc/PID/stat: the process's start time. */
/* Removes the files of a directory (one level) and closes it. */
static void
remove_files(int dfd)
{
	struct dirent *de;
	DIR *d = fdopendir(dfd);

	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || (de->d_name[1] != '\0' &&
		    strcmp(de->d_name, "..") != 0))
			unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

static pf_ret
start_time(pf_db *db, pid_t pid, unsigned long long *t)
{
	char path[64], buf[1024], *p;
	size_t got;
	int fd, field;
	pf_ret r;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return pf_err_errno(&db->err, PF_ERR_USAGE, errno,
		    "no process %d", (int)pid);
	r = pf_read_full(fd, buf, sizeof buf - 1, &got, &db->err, path);
	close(fd);
	if (r != PF_OK)
		return r;
	buf[got] = '\0';
	/* The command name may hold spaces and parentheses: skip past it. */
	if ((p = strrchr(buf, ')')) == NULL)
		goto bad;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", t) != 1)
		goto bad;
	return PF_OK;
bad:
	return pf_err_set(&db->err, PF_ERR_IO, "cannot read '%s'", path);
}

/*
 * Removes the directories of processes that have ended (their pid is
 * gone, or has another start time): what was live in them died with
 * them.  Done when a patch goes into a process, under the lock.
 */
static void
prune(pf_db *db)
{
	unsigned long long t, want;
	struct dirent *de;
	char path[96];
	int ldir, sub;
	DIR *d;
	pid_t pid;

	ldir = openat(db->dfd, "live", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (ldir < 0)
		return;
	if ((d = fdopendir(dup(ldir))) == NULL) {
		close(ldir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "%d-%llu", &pid, &want) != 2 || pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d", (int)pid);
		if (access(path, F_OK) == 0 && start_time(db, pid, &t) ==
		    PF_OK && t == want)
			continue;
		sub = openat(ldir, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			remove_files(sub);
		unlinkat(ldir, de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
	close(ldir);
	pf_err_clear(&db->err);
}

/* STATE/live/PID-START, made if asked. */
static int
proc_dir(pf_db *db, pid_t pid, bool create)
{
	unsigned long long t;
	char name[64];
	int ldir, fd;

	if (start_time(db, pid, &t) != PF_OK)
		return -1;
	if (create && mkdirat(db->dfd, "live", 0700) < 0 && errno != EEXIST)
		return -1;
	ldir = openat(db->dfd, "live", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (ldir < 0)
		return -1;
	snprintf(name, sizeof name, "%d-%llu", (int)pid, t);
	if (create && mkdirat(ldir, name, 0700) < 0 && errno != EEXIST) {
		close(ldir);
		return -1;
	}
	fd = openat(ldir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	close(ldir);
	return fd;
}

/* The package digest at the head of a live record, if there is one. */
static bool
live_digest(pf_db *db, pid_t pid, const char *id, uint8_t digest[32])
{
	int dfd = proc_dir(db, pid, false), fd = -1;
	size_t got = 0;

	if (dfd >= 0)
		fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		close(dfd);
	if (fd < 0)
		return false;
	pf_read_full(fd, digest, 32, &got, &db->err, id);
	close(fd);
	return got == 32;
}

/* Writes the undo records, through a temporary file and a rename. */
static pf_ret
save_undo(pf_db *db, pid_t pid, const char *id, const uint8_t digest[32],
    pf_live_undo **u, size_t n)
{
	char tmp[300];
	pf_buf b, one;
	size_t i;
	int dfd, fd;
	pf_ret r = PF_OK;

	pf_buf_init(&b);
	pf_buf_append(&b, digest, 32);
	pf_buf_put_uvarint(&b, n);
	for (i = 0; i < n && r == PF_OK; i++) {
		pf_buf_init(&one);
		r = pf_live_undo_encode(u[i], &one);
		pf_buf_put_uvarint(&b, one.len);
		pf_buf_append(&b, one.data, one.len);
		pf_buf_free(&one);
	}
	if (r != PF_OK || b.failed) {
		pf_buf_free(&b);
		return pf_err_nomem(&db->err);
	}
	if ((dfd = proc_dir(db, pid, true)) < 0) {
		pf_buf_free(&b);
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot record the hot patch in '%s/live'", db->dir);
	}
	snprintf(tmp, sizeof tmp, ".%s.tmp", id);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot write in "
		    "'%s/live'", db->dir);
	if (r == PF_OK)
		r = pf_write_full(fd, b.data, b.len, &db->err, tmp);
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot sync");
	if (fd >= 0)
		close(fd);
	if (r == PF_OK && (renameat(dfd, tmp, dfd, id) < 0 || fsync(dfd) < 0))
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot record");
	if (r != PF_OK)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	pf_buf_free(&b);
	return r;
}

static pf_ret
load_undo(pf_db *db, pid_t pid, const char *id, uint8_t digest[32],
    pf_live_undo ***out, size_t *n)
{
	uint8_t *text = NULL;
	const uint8_t *p, *d;
	pf_live_undo **v = NULL;
	uint64_t count, len;
	size_t got, i = 0;
	pf_cur c;
	int dfd, fd = -1;
	pf_ret r;

	*out = NULL;
	*n = 0;
	dfd = proc_dir(db, pid, false);
	if (dfd >= 0)
		fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		close(dfd);
	if (fd < 0)
		return pf_err_set(&db->err, PF_ERR_USAGE,
		    "patch '%s' is not live in process %d", id, (int)pid);
	r = pf_slurp_fd(fd, UNDO_FILE_MAX, &text, &got, &db->err, id);
	close(fd);
	if (r != PF_OK)
		return r;
	pf_cur_init(&c, text, got);
	if (!pf_cur_get_bytes(&c, &d, 32) || !pf_cur_get_uvarint(&c, &count) ||
	    count == 0 || count > PF_HP_ITEMS_MAX ||
	    (v = calloc(count + 1, sizeof *v)) == NULL) {
		r = pf_err_set(&db->err, PF_ERR_IO, "damaged live record '%s'",
		    id);
		goto out;
	}
	for (i = 0; i < count && r == PF_OK; i++) {
		if (!pf_cur_get_uvarint(&c, &len) || len > pf_cur_left(&c) ||
		    !pf_cur_get_bytes(&c, &p, (size_t)len))
			r = pf_err_set(&db->err, PF_ERR_IO,
			    "damaged live record '%s'", id);
		else
			r = pf_live_undo_decode(p, (size_t)len, &v[i], &db->err);
	}
	if (r == PF_OK && pf_cur_left(&c) != 0)
		r = pf_err_set(&db->err, PF_ERR_IO, "damaged live record '%s'",
		    id);
	if (r == PF_OK)
		memcpy(digest, d, 32);
out:
	free(text);
	*out = v;
	*n = i;
	return r;
}

static void
free_undo(pf_live_undo **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pf_live_undo_free(v[i]);
	free(v);
}

/* Is the module of this record mapped in the process? */
static pf_ret
mapped(pf_db *db, pid_t pid, const pf_hotpatch *hp, bool *yes)
{
	lv_proc p;
	pf_ret r;

	memset(&p, 0, sizeof p);
	if ((r = lv_proc_open(&p, pid, &db->err)) != PF_OK)
		return r;
	*yes = lv_proc_module(&p, hp->build_id, hp->build_id_len) != NULL;
	lv_proc_close(&p);
	return PF_OK;
}

/* The records of the package whose module the process runs. */
static pf_ret
collect(pf_db *db, pf_reader *rd, pid_t pid, pf_hotpatch ***out, size_t *n,
    pf_live_result *res)
{
	const pf_manifest *m = pf_reader_manifest(rd);
	pf_hotpatch *hp, **v;
	size_t i;
	bool yes;
	pf_ret r = PF_OK;

	if ((*out = v = calloc(m->n_entries + 1, sizeof *v)) == NULL)
		return pf_err_nomem(&db->err);
	*n = 0;
	for (i = 0; i < m->n_entries && r == PF_OK; i++) {
		if (m->entries[i].live == PF_NO_BLOB)
			continue;
		if ((r = pf_reader_live(rd, i, &hp, &db->err)) != PF_OK)
			break;
		r = mapped(db, pid, hp, &yes);
		if (r != PF_OK)
			res->unreadable = true;
		if (r == PF_OK && yes && hp->n_refused > 0)
			r = pf_err_set(&db->err, PF_ERR_UNSUPPORTED,
			    "'%s' has changes that cannot be hot-patched "
			    "safely (first: '%s': %s): install it on disk and "
			    "restart", m->entries[i].path, hp->refused[0].name,
			    hp->refused[0].reason);
		if (r == PF_OK && yes && hp->n_funcs > 0)
			v[(*n)++] = hp;
		else
			pf_hotpatch_free(hp);
	}
	if (r == PF_OK && *n == 0)
		res->not_running = true;
	if (r == PF_OK && *n == 0)
		r = pf_err_set(&db->err, PF_ERR_MISMATCH,
		    "process %d runs none of the builds '%s' hot-patches",
		    (int)pid, pf_reader_id(rd));
	return r;
}

pf_ret
pf_db_live_apply(pf_db *db, pf_reader *rd, pid_t pid, unsigned wait_ms,
    pf_live_result *res)
{
	pf_live_stats st;
	pf_live_opts o = { .wait_ms = wait_ms, .stats = &st };
	pf_hotpatch **hps = NULL;
	pf_live_undo **undo = NULL;
	size_t i, n = 0, done = 0;
	pf_ret r;

	unsigned long long t;
	uint8_t have[32];

	memset(res, 0, sizeof *res);
	prune(db);
	if ((r = start_time(db, pid, &t)) != PF_OK) {
		res->unreadable = true;
		return r;
	}
	if (live_digest(db, pid, pf_reader_id(rd), have)) {
		if (memcmp(have, pf_reader_digest(rd), 32) != 0)
			return pf_err_set(&db->err, PF_ERR_DEPENDENCY,
			    "another package with ID '%s' is live in process "
			    "%d: take it out first", pf_reader_id(rd), (int)pid);
		res->already = true;
		return PF_OK;
	}
	if ((r = collect(db, rd, pid, &hps, &n, res)) != PF_OK)
		goto out;
	if ((undo = calloc(n + 1, sizeof *undo)) == NULL) {
		r = pf_err_nomem(&db->err);
		goto out;
	}
	for (done = 0; done < n; done++) {
		if ((r = pf_live_apply(pid, hps[done], &o, &undo[done],
		    &db->err)) != PF_OK)
			break;
		for (i = 0; i < hps[done]->n_funcs; i++)
			res->functions += !(hps[done]->funcs[i].flags &
			    PF_HP_FUNC_NEW);
		if (st.stop_ns > res->stop_ns)
			res->stop_ns = st.stop_ns;
	}
	res->modules = done;
	if (r == PF_OK)
		r = save_undo(db, pid, pf_reader_id(rd), pf_reader_digest(rd),
		    undo, n);
	/* All or nothing: take out what went in if anything failed. */
	if (r != PF_OK) {
		pf_err keep = db->err;

		for (i = done; i-- > 0;)
			pf_live_revert(pid, undo[i], &o, &db->err);
		db->err = keep;
	}
out:
	for (i = 0; i < n; i++)
		pf_hotpatch_free(hps[i]);
	free(hps);
	if (undo != NULL)
		free_undo(undo, done);
	return r;
}

/* Drops a process's directory once nothing is live in it. */
static void
drop_proc_dir(pf_db *db, pid_t pid)
{
	unsigned long long t;
	char name[64];
	int ldir;

	if (start_time(db, pid, &t) != PF_OK)
		return;
	ldir = openat(db->dfd, "live", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (ldir < 0)
		return;
	snprintf(name, sizeof name, "%d-%llu", (int)pid, t);
	unlinkat(ldir, name, AT_REMOVEDIR);     /* fails while not empty */
	close(ldir);
}

pf_ret
pf_db_live_revert(pf_db *db, const char *id, pid_t pid, unsigned wait_ms)
{
	pf_live_opts o = { .wait_ms = wait_ms };
	pf_live_undo **v = NULL;
	uint8_t digest[32];
	size_t i, n = 0;
	int dfd;
	pf_ret r;

	if ((r = load_undo(db, pid, id, digest, &v, &n)) != PF_OK)
		goto out;
	for (i = n; i-- > 0;)
		if ((r = pf_live_revert(pid, v[i], &o, &db->err)) != PF_OK)
			break;
	if (r != PF_OK) {
		/* What is still in place stays recorded, to be retried. */
		pf_err keep = db->err;

		save_undo(db, pid, id, digest, v, i + 1);
		db->err = keep;
		goto out;
	}
	if ((dfd = proc_dir(db, pid, false)) >= 0) {
		unlinkat(dfd, id, 0);
		fsync(dfd);
		close(dfd);
	}
	drop_proc_dir(db, pid);
out:
	free_undo(v, n);
	return r;
}

pf_ret
pf_db_live_check(pf_db *db, const char *id, int pid)
{
	pf_live_undo **v = NULL;
	uint8_t digest[32];
	size_t n = 0;
	pf_ret r;

	r = load_undo(db, (pid_t)pid, id, digest, &v, &n);
	free_undo(v, n);
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
pf_db_live_list(pf_db *db, pid_t pid, char ***ids)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;
	DIR *d;
	int dfd;

	*ids = NULL;
	if ((dfd = proc_dir(db, pid, false)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (pf_id_valid(de->d_name) &&
		    pf_db_push(&v, &n, de->d_name) < 0)
			break;
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_str);
	*ids = v;
	return n;
}
