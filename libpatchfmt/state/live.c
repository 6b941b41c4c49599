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
#include "common/sized.h"
#include "package/reader.h"
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

/* Syncs a directory, so that what was made or renamed in it lasts. */
static int
sync_dir(int dfd)
{
	return fsync(dfd);
}

/* Makes a directory and syncs its parent; an existing one is fine. */
static int
make_dir(int parent, const char *name)
{
	if (mkdirat(parent, name, 0700) == 0)
		return sync_dir(parent);
	return errno == EEXIST ? 0 : -1;
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
	if (create && make_dir(db->dfd, "live") < 0)
		return -1;
	ldir = openat(db->dfd, "live", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (ldir < 0)
		return -1;
	snprintf(name, sizeof name, "%d-%llu", (int)pid, t);
	if (create && make_dir(ldir, name) < 0) {
		close(ldir);
		return -1;
	}
	fd = openat(ldir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	close(ldir);
	return fd;
}

/* What the journal's save callback needs. */
typedef struct jfile {
	pf_db *db;
	pid_t pid;
	const char *id;
} jfile;

/*
 * Writes the journal of patch id (section 12.7): to a temporary file,
 * renamed over the old one; synced, and the directory synced, when the
 * journal asks for it (before the process is frozen, after it is let
 * go).  Called before every change to the process.
 */
static pf_ret
save_journal(void *arg, const pf_live_journal *j)
{
	jfile *f = arg;
	pf_db *db = f->db;
	char tmp[300];
	pf_buf b;
	int dfd, fd;
	pf_ret r;

	pf_buf_init(&b);
	if (pf_live_journal_encode(j, &b) != PF_OK) {
		pf_buf_free(&b);
		return pf_err_nomem(&db->err);
	}
	if ((dfd = proc_dir(db, f->pid, true)) < 0) {
		pf_buf_free(&b);
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot record the hot patch in '%s/live'", db->dir);
	}
	snprintf(tmp, sizeof tmp, ".%s.tmp", f->id);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	r = fd < 0 ? pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot write "
	    "in '%s/live'", db->dir) : PF_OK;
	if (r == PF_OK)
		r = pf_write_full(fd, b.data, b.len, &db->err, tmp);
	if (r == PF_OK && j->durable && fsync(fd) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot sync "
		    "'%s'", tmp);
	if (fd >= 0)
		close(fd);
	if (r == PF_OK && (renameat(dfd, tmp, dfd, f->id) < 0 ||
	    (j->durable && sync_dir(dfd) < 0)))
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot record "
		    "'%s' in '%s/live'", f->id, db->dir);
	if (r != PF_OK)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	pf_buf_free(&b);
	return r;
}

/*
 * Reads the journal of patch id: PF_ERR_USAGE when there is none, and
 * PF_ERR_IO ("damaged") when it cannot be read or does not decode: a
 * journal that is there is never taken for one that is not.
 */
static pf_ret
load_journal(pf_db *db, pid_t pid, const char *id, pf_live_journal **out)
{
	uint8_t *text = NULL;
	size_t got;
	pf_err e;
	int dfd, fd = -1, saved = ENOENT;
	pf_ret r;

	*out = NULL;
	dfd = proc_dir(db, pid, false);
	if (dfd >= 0) {
		fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		saved = fd < 0 ? errno : 0;
		close(dfd);
	}
	if (fd < 0 && saved == ENOENT)
		return pf_err_set(&db->err, PF_ERR_USAGE,
		    "patch '%s' is not live in process %d", id, (int)pid);
	if (fd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, saved, "cannot read "
		    "live record '%s'", id);
	r = pf_slurp_fd(fd, UNDO_FILE_MAX, &text, &got, &db->err, id);
	close(fd);
	if (r != PF_OK)
		return r == PF_ERR_NOMEM ? r : pf_err_set(&db->err, PF_ERR_IO,
		    "damaged live record '%s': %s", id, "cannot read it");
	r = pf_live_journal_decode(text, got, out, &e);
	free(text);
	if (r == PF_ERR_NOMEM)
		return pf_err_nomem(&db->err);
	if (r != PF_OK)
		return pf_err_set(&db->err, PF_ERR_IO, "damaged live record "
		    "'%s' of process %d: %s", id, (int)pid, e.msg);
	return PF_OK;
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
	if (unlinkat(ldir, name, AT_REMOVEDIR) == 0)  /* fails while not empty */
		sync_dir(ldir);
	close(ldir);
}

/* Forgets the journal of patch id: nothing of it is left in the
 * process. */
static pf_ret
remove_journal(pf_db *db, pid_t pid, const char *id)
{
	int dfd = proc_dir(db, pid, false);
	pf_ret r = PF_OK;

	if (dfd < 0)
		return PF_OK;
	if ((unlinkat(dfd, id, 0) < 0 && errno != ENOENT) || sync_dir(dfd) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot remove "
		    "live record '%s'", id);
	close(dfd);
	drop_proc_dir(db, pid);
	return r;
}

/*
 * Finishes what a killed tool left of patch id in process pid: a patch
 * going in or out is taken out, a frozen process is let go.  *gone says
 * whether the patch is out (its journal removed).
 */
static pf_ret
recover_one(pf_db *db, pid_t pid, const char *id, unsigned wait_ms,
    bool *gone)
{
	pf_live_opts o = { .wait_ms = wait_ms };
	pf_live_journal *j = NULL;
	jfile f = { db, pid, id };
	bool clean = false;
	pf_ret r;

	*gone = false;
	if ((r = load_journal(db, pid, id, &j)) != PF_OK)
		goto out;
	if (j->phase == PF_LIVE_LIVE && !j->frozen)
		goto out;
	j->save = save_journal;
	j->save_arg = &f;
	r = pf_live_recover(pid, j, &o, &clean, &db->err);
	if (r == PF_OK && clean && (r = remove_journal(db, pid, id)) == PF_OK)
		*gone = true;
out:
	pf_live_journal_free(j);
	return r;
}

pf_ret
pf_db_live_recover(pf_db *db, int pid, unsigned wait_ms)
{
	char **ids = NULL;
	size_t i, n;
	bool gone;
	pf_ret r, one;

	if ((r = pf_db_live_list(db, pid, &ids, &n)) != PF_OK)
		return r;
	for (i = 0; i < n; i++) {
		one = recover_one(db, (pid_t)pid, ids[i], wait_ms, &gone);
		if (r == PF_OK)
			r = one;
		free(ids[i]);
	}
	free(ids);
	return r;
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
	size_t i, records = 0;
	bool yes;
	pf_ret r = PF_OK;

	if ((*out = v = calloc(m->n_entries + 1, sizeof *v)) == NULL)
		return pf_err_nomem(&db->err);
	*n = 0;
	for (i = 0; i < m->n_entries && r == PF_OK; i++) {
		if (m->entries[i].live == PF_NO_BLOB)
			continue;
		records++;
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
	if (r == PF_OK && records == 0)
		return pf_err_set(&db->err, PF_ERR_MISMATCH, "package '%s' "
		    "has no hot-patch records: it changes no ELF module "
		    "that patch-create could analyse, or was made with "
		    "--no-live; install it on disk", pf_reader_id(rd));
	if (r == PF_OK && *n == 0)
		res->not_running = true;
	if (r == PF_OK && *n == 0)
		r = pf_err_set(&db->err, PF_ERR_MISMATCH,
		    "process %d runs none of the builds '%s' hot-patches",
		    (int)pid, pf_reader_id(rd));
	return r;
}

/* The patch is live already: the same package, or another one with
 * the same ID. */
static pf_ret
already(pf_db *db, pf_reader *rd, pid_t pid, bool *yes)
{
	pf_live_journal *j = NULL;
	pf_ret r;

	*yes = false;
	r = load_journal(db, pid, pf_reader_id(rd), &j);
	if (r == PF_ERR_USAGE) {
		pf_err_clear(&db->err);
		return PF_OK;
	}
	if (r != PF_OK)
		return r;
	if (memcmp(j->digest, pf_reader_digest(rd), 32) != 0)
		r = pf_err_set(&db->err, PF_ERR_DEPENDENCY, "another package "
		    "with ID '%s' is live in process %d: take it out first",
		    pf_reader_id(rd), (int)pid);
	*yes = true;
	pf_live_journal_free(j);
	return r;
}

/*
 * The other patches live in the process (spec/hotpatch.md section 7.2),
 * after the recovery all in phase LIVE: the layers a new patch goes on,
 * and the ones that may stand on a patch being taken out.
 */
typedef struct layers {
	char **ids;
	pf_live_journal **j;
	size_t n;
	pf_live_undo **u;           /* the undo records of all of them */
	size_t n_u;
} layers;

static void
free_layers(layers *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->ids[i]);
		if (l->j != NULL)
			pf_live_journal_free(l->j[i]);
	}
	free(l->ids);
	free(l->j);
	free(l->u);
	memset(l, 0, sizeof *l);
}

static pf_ret
load_layers(pf_db *db, pid_t pid, const char *except, layers *l)
{
	size_t i, n, k, total = 0;
	pf_ret r;

	memset(l, 0, sizeof *l);
	if ((r = pf_db_live_list(db, (int)pid, &l->ids, &n)) != PF_OK)
		return r;
	l->n = n;
	if ((l->j = calloc(n + 1, sizeof *l->j)) == NULL)
		r = pf_err_nomem(&db->err);
	for (i = 0; r == PF_OK && i < n; i++)
		if (strcmp(l->ids[i], except) != 0 && (r = load_journal(db,
		    pid, l->ids[i], &l->j[i])) == PF_OK)
			total += l->j[i]->n_mods;
	if (r == PF_OK && (l->u = calloc(total + 1, sizeof *l->u)) == NULL)
		r = pf_err_nomem(&db->err);
	for (i = 0; r == PF_OK && i < n; i++)
		for (k = 0; l->j[i] != NULL && k < l->j[i]->n_mods; k++)
			l->u[l->n_u++] = l->j[i]->mods[k];
	if (r != PF_OK)
		free_layers(l);
	return r;
}

/* Whether a site of another patch lies in the memory of patch j. */
static bool
stands_on(const pf_live_journal *other, const pf_live_journal *j)
{
	size_t a, b, i;

	for (a = 0; a < other->n_mods; a++)
		for (i = 0; i < other->mods[a]->n_sites; i++)
			for (b = 0; b < j->n_mods; b++) {
				uint64_t at = other->mods[a]->sites[i].addr;
				const pf_live_undo *u = j->mods[b];

				if (u->mapped && at >= u->region &&
				    at - u->region < u->region_len)
					return true;
			}
	return false;
}

/* A patch that another stands on goes out after it (section 7.2). */
static pf_ret
check_above(pf_db *db, pid_t pid, const char *id, const pf_live_journal *j)
{
	layers l;
	size_t i;
	pf_ret r;

	if ((r = load_layers(db, pid, id, &l)) != PF_OK)
		return r;
	for (i = 0; i < l.n; i++)
		if (l.j[i] != NULL && stands_on(l.j[i], j)) {
			r = pf_err_set(&db->err, PF_ERR_DEPENDENCY, "patch '%s' "
			    "is live in process %d on top of '%s' (it replaces "
			    "functions '%s' replaced): roll back '%s' first",
			    l.ids[i], (int)pid, id, id, l.ids[i]);
			break;
		}
	free_layers(&l);
	return r;
}

static void
count_functions(pf_hotpatch **hps, size_t n, pf_live_result *res)
{
	size_t i, k;

	for (k = 0; k < n; k++)
		for (i = 0; i < hps[k]->n_funcs; i++)
			res->functions += !(hps[k]->funcs[i].flags &
			    PF_HP_FUNC_NEW);
	res->modules = n;
}

static pf_ret
live_apply(pf_db *db, pf_reader *rd, pid_t pid, unsigned wait_ms,
    pf_live_result *res)
{
	pf_live_stats st = {0};
	pf_live_opts o = { .wait_ms = wait_ms, .stats = &st };
	pf_live_journal j;
	jfile f = { db, pid, pf_reader_id(rd) };
	pf_hotpatch **hps = NULL;
	unsigned long long t;
	size_t i, n = 0;
	bool yes, clean;
	layers below;
	pf_ret r;

	memset(res, 0, sizeof *res);
	memset(&j, 0, sizeof j);
	memset(&below, 0, sizeof below);
	/* Code goes into a process from a verified, trusted package only,
	 * whoever the caller is. */
	if (!pf_reader_trusted(rd))
		return pf_err_set(&db->err, PF_ERR_TRUST, "package '%s' is not "
		    "verified and trusted: no hot patch from it",
		    pf_reader_id(rd));
	prune(db);
	/* A kernel thread (or a process on its way out) runs no program:
	 * there is nothing to patch, and nothing was refused. */
	if (lv_proc_no_program(pid)) {
		res->not_running = true;
		return pf_err_set(&db->err, PF_ERR_MISMATCH, "process %d runs "
		    "no program (a kernel thread, or a process that is "
		    "exiting)", (int)pid);
	}
	if ((r = start_time(db, pid, &t)) != PF_OK) {
		res->unreadable = true;
		return r;
	}
	/* What a killed tool left in this process goes first. */
	if ((r = pf_db_live_recover(db, pid, wait_ms)) != PF_OK ||
	    (r = already(db, rd, pid, &yes)) != PF_OK)
		return r;
	if (yes) {
		res->already = true;
		return PF_OK;
	}
	if ((r = collect(db, rd, pid, &hps, &n, res)) != PF_OK ||
	    (r = load_layers(db, pid, f.id, &below)) != PF_OK)
		goto out;
	o.below = below.u;
	o.n_below = below.n_u;
	memcpy(j.digest, pf_reader_digest(rd), 32);
	j.save = save_journal;
	j.save_arg = &f;
	r = pf_live_apply_all(pid, hps, n, &o, &j, &clean, &db->err);
	if (r == PF_OK) {
		count_functions(hps, n, res);
		res->stop_ns = st.stop_ns;
	} else if (clean) {
		/* All or nothing: nothing went in, nothing is recorded. */
		pf_err keep = db->err;

		remove_journal(db, pid, f.id);
		db->err = keep;
	}
out:
	free_layers(&below);
	for (i = 0; i < n; i++)
		pf_hotpatch_free(hps[i]);
	free(hps);
	for (i = 0; i < j.n_mods; i++)
		pf_live_undo_free(j.mods[i]);
	free(j.mods);
	return r;
}

pf_ret
pf_db_live_apply(pf_db *db, pf_reader *rd, pid_t pid, unsigned wait_ms,
    pf_live_result *out)
{
	pf_live_result res = { .size = sizeof res };
	pf_ret r;

	if (out->size == 0)
		return pf_err_set(&db->err, PF_ERR_USAGE, "pf_db_live_apply: "
		    "the result's size is not set");
	r = live_apply(db, rd, pid, wait_ms, &res);
	pf_sized_copy(out, &res, sizeof res);
	return r;
}

pf_ret
pf_db_live_revert(pf_db *db, const char *id, pid_t pid, unsigned wait_ms)
{
	pf_live_opts o = { .wait_ms = wait_ms };
	pf_live_journal *j = NULL;
	jfile f = { db, pid, id };
	bool clean = false, gone;
	pf_ret r;

	/* A patch a killed tool was putting in or taking out is taken out
	 * by the recovery: that is what was asked. */
	if ((r = recover_one(db, pid, id, wait_ms, &gone)) != PF_OK || gone)
		return r;
	if ((r = load_journal(db, pid, id, &j)) != PF_OK ||
	    (r = check_above(db, pid, id, j)) != PF_OK)
		goto out;
	j->save = save_journal;
	j->save_arg = &f;
	r = pf_live_revert_all(pid, j, &o, &clean, &db->err);
	if (clean) {
		pf_err keep = db->err;
		pf_ret r2 = remove_journal(db, pid, id);

		if (r == PF_OK)
			r = r2;
		else
			db->err = keep;
	}
out:
	pf_live_journal_free(j);
	return r;
}

pf_ret
pf_db_live_check(pf_db *db, const char *id, int pid)
{
	pf_live_journal *j = NULL;
	pf_ret r;

	r = load_journal(db, (pid_t)pid, id, &j);
	pf_live_journal_free(j);
	return r;
}

pf_ret
pf_db_live_below(pf_db *db, const char *id, int pid, char ***ids,
    size_t *count)
{
	pf_live_journal *j = NULL;
	layers l;
	char **v = NULL;
	size_t i, n = 0;
	pf_ret r;

	*ids = NULL;
	*count = 0;
	if ((r = load_journal(db, (pid_t)pid, id, &j)) != PF_OK)
		return r;
	if ((r = load_layers(db, (pid_t)pid, id, &l)) != PF_OK) {
		pf_live_journal_free(j);
		return r;
	}
	/* Layers are listed sorted, so is what the patch stands on. */
	for (i = 0; r == PF_OK && i < l.n; i++)
		if (l.j[i] != NULL && stands_on(j, l.j[i]) &&
		    pf_db_push(&v, &n, l.ids[i]) < 0)
			r = pf_err_nomem(&db->err);
	free_layers(&l);
	pf_live_journal_free(j);
	if (r != PF_OK) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return r;
	}
	*ids = v;
	*count = n;
	return PF_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

pf_ret
pf_db_live_list(pf_db *db, int pid, char ***ids, size_t *count)
{
	unsigned long long t;
	struct dirent *de;
	char **v = NULL, name[64];
	size_t n = 0, i;
	pf_ret r = PF_OK;
	DIR *d = NULL;
	int ldir = -1, dfd = -1;

	*ids = NULL;
	*count = 0;
	/* A process that is gone, or a state without live patches: none. */
	if (start_time(db, (pid_t)pid, &t) != PF_OK)
		return PF_OK;
	snprintf(name, sizeof name, "%d-%llu", pid, t);
	if ((ldir = openat(db->dfd, "live", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) >= 0)
		dfd = openat(ldir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (dfd < 0 && errno != ENOENT)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot read the "
		    "live patches of process %d in '%s'", pid, db->dir);
	if (ldir >= 0)
		close(ldir);
	if (dfd < 0)
		return r;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return pf_err_nomem(&db->err);
	}
	while (r == PF_OK && (de = readdir(d)) != NULL)
		if (pf_id_valid(de->d_name) &&
		    pf_db_push(&v, &n, de->d_name) < 0)
			r = pf_err_nomem(&db->err);
	closedir(d);
	if (r != PF_OK) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_str);
	*ids = v;
	*count = n;
	return PF_OK;
}
