/*
 * The journal (spec section 12.4).  One text file, STATE/journal:
 *
 *   patchfmt-journal 1
 *   op install|rollback
 *   id ID
 *   digest HEX
 *   root PATH
 *   root-id DEV INO
 *   flags N                     (what the user gave up: --no-owners...)
 *   step INDEX ACTION KEEP TMP|- BACKUP|- PATH
 *   ...
 *   end SHA256-OF-THE-LINES-ABOVE
 *
 * Values are escaped as in records.  It is written through a temporary
 * file, synced and renamed before the first change of the tree, so it is
 * either whole or absent.  Whether the transaction passed its commit
 * point is not in the journal but in the state directory: an install is
 * committed once patches/ID exists, a rollback once it does not.
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
#include "common/hash.h"
#include "format/format.h"
#include "format/manifest.h"
#include "install/txn_int.h"
#include "state/journal.h"
#include "state/audit.h"

#define JOURNAL "journal"
#define JOURNAL_TMP ".journal.tmp"
#define JOURNAL_MAX (UINT64_C(256) << 20)

static void
put_str(FILE *f, const char *key, const char *val)
{
	fprintf(f, "%s ", key);
	pf_db_escape(f, val);
	fputc('\n', f);
}

/* Who signed the package: key IDs in hex, or "-". */
static void
put_signers(FILE *f, const pf_reader *r)
{
	char hex[17];
	uint8_t key[8];
	size_t i, n = pf_reader_signature_count(r);

	fputs("signers", f);
	for (i = 0; i < n; i++) {
		pf_reader_signature(r, i, key);
		pf_hex(hex, key, 8);
		fprintf(f, " %s", hex);
	}
	fputs(n ? "\n" : " -\n", f);
}

static int parse(pf_journal *j, char *text, size_t n);

static char *
render(pf_txn *t, bool rollback, const char *id, const uint8_t digest[32],
    const char *root, const struct stat *st, size_t *len)
{
	char txn[PF_TMPNAME_MAX];
	char hex[PF_SHA256_HEX_LEN], *text = NULL;
	const pf_plan *p;
	uint8_t d[32];
	size_t i;
	FILE *f = open_memstream(&text, len);

	if (f == NULL)
		return NULL;
	fputs("patchfmt-journal 1\n", f);
	fprintf(f, "op %s\n", rollback ? "rollback" : "install");
	put_str(f, "id", id);
	fprintf(f, "digest %s\n", pf_sha256_hex(hex, digest));
	put_str(f, "root", root);
	fprintf(f, "root-id %llu %llu\n", (unsigned long long)st->st_dev,
	    (unsigned long long)st->st_ino);
	fprintf(f, "flags %u\n", t->meta_flags);
	/* For the audit log (spec section 12.8): which transaction, by whom. */
	pf_txn_tmpname(txn, "txn");
	fprintf(f, "txn %s\n", txn + 8);
	fprintf(f, "pid %lu\n", (unsigned long)getpid());
	put_signers(f, t->r);
	for (i = 0; i < t->m->n_entries; i++) {
		p = &t->plan[i];
		if (p->action == PF_ACTION_NONE)
			continue;
		fprintf(f, "step %zu %d %d %s %s ", i, (int)p->action,
		    (int)p->keep, p->tmp[0] ? p->tmp : "-",
		    p->backup[0] ? p->backup : "-");
		pf_db_escape(f, t->m->entries[i].path);
		fputc('\n', f);
	}
	if (fflush(f) != 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (pf_sha256(d, text, *len) != 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	fprintf(f, "end %s\n", pf_sha256_hex(hex, d));
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

pf_ret
pf_journal_begin(pf_db *db, pf_txn *t, bool rollback, const char *id,
    const uint8_t digest[32], const char *root)
{
	struct stat st;
	char *text;
	size_t n;
	int fd;
	pf_ret r;

	if (fstat(t->dirs.root, &st) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot stat '%s'", root);
	if ((text = render(t, rollback, id, digest, root, &st, &n)) == NULL)
		return pf_err_nomem(&db->err);
	fd = openat(db->dfd, JOURNAL_TMP, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot write the journal in '%s'", db->dir);
	else
		r = pf_write_full(fd, text, n, &db->err, "journal");
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot sync the journal");
	if (fd >= 0 && close(fd) < 0 && r == PF_OK)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot write the journal");
	if (r == PF_OK && renameat(db->dfd, JOURNAL_TMP, db->dfd, JOURNAL) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot write the journal in '%s'", db->dir);
	if (r == PF_OK && fsync(db->dfd) < 0) {
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot sync '%s'", db->dir);
		unlinkat(db->dfd, JOURNAL, 0);
	}
	if (r != PF_OK)
		unlinkat(db->dfd, JOURNAL_TMP, 0);
	/* The log line of the transaction is made from what was written. */
	pf_db_txn_forget(db);
	if (r == PF_OK && (db->txn = calloc(1, sizeof *db->txn)) != NULL) {
		db->txn_owned = true;
		if (parse(db->txn, text, n) < 0)
			pf_db_txn_forget(db);
	}
	free(text);
	return r;
}

void
pf_db_txn_forget(pf_db *db)
{
	if (db->txn != NULL && db->txn_owned) {
		pf_journal_clear(db->txn);
		free(db->txn);
	}
	db->txn = NULL;
	db->txn_owned = false;
}

pf_ret
pf_journal_end(pf_db *db, int pdir, const char *id, bool rollback,
    bool committed)
{
	char name[PF_MAX_ID + 8];

	if (rollback == committed) {
		/* An install undone, or a rollback done: nothing stays. */
		snprintf(name, sizeof name, rollback ? ".old-%s" : ".new-%s",
		    id);
		pf_db_remove_dir(pdir, name);
		if (fsync(pdir) < 0)
			return pf_err_errno(&db->err, PF_ERR_IO, errno,
			    "cannot sync '%s/patches'", db->dir);
	}
	/* Once per transaction: before the journal goes (spec 12.8). */
	if (db->txn != NULL && pf_audit_txn(db, db->txn, committed) != PF_OK)
		return PF_ERR_IO;
	pf_db_txn_forget(db);
	if (unlinkat(db->dfd, JOURNAL, 0) < 0 && errno != ENOENT)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot remove the journal in '%s'", db->dir);
	if (fsync(db->dfd) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot sync '%s'", db->dir);
	return PF_OK;
}

/* Reading it back. */

void
pf_journal_clear(pf_journal *j)
{
	size_t i;

	free(j->id);
	free(j->root);
	free(j->signers);
	for (i = 0; i < j->n; i++)
		free(j->steps[i].path);
	free(j->steps);
	memset(j, 0, sizeof *j);
}

/* A staged or backup name as the transaction draws them, or "-". */
static int
tmpname(char out[PF_TMPNAME_MAX], const char *s, const char *tag)
{
	size_t n = strlen(s);

	out[0] = '\0';
	if (strcmp(s, "-") == 0)
		return 0;
	if (n != 24 || strncmp(s, ".pf-", 4) != 0 || strncmp(s + 4, tag, 3) ||
	    s[7] != '-' || strspn(s + 8, "0123456789abcdef") != 16)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

static int
parse_step(pf_journal *j, char *v)
{
	char tmp[64], backup[64];
	pf_jstep *s, *grown;
	int used = 0;

	if ((grown = realloc(j->steps, (j->n + 1) * sizeof *grown)) == NULL)
		return -1;
	j->steps = grown;
	s = &j->steps[j->n];
	memset(s, 0, sizeof *s);
	if (sscanf(v, "%zu %d %d %63s %63s %n", &s->index, &s->action,
	    &s->keep, tmp, backup, &used) != 5 || used == 0 ||
	    s->action <= PF_ACTION_NONE || s->action > PF_ACTION_CHMOD ||
	    s->keep < PF_KEEP_NONE || s->keep > PF_KEEP_MOVE ||
	    tmpname(s->tmp, tmp, "new") < 0 ||
	    tmpname(s->backup, backup, "old") < 0 ||
	    pf_db_unescape(v + used) < 0 || (s->path = strdup(v + used)) == NULL)
		return -1;
	j->n++;
	return 0;
}

static int
parse_line(pf_journal *j, char *line)
{
	char *v = strchr(line, ' ');

	if (v == NULL)
		return -1;
	*v++ = '\0';
	if (strcmp(line, "op") == 0 && strcmp(v, "install") == 0)
		j->rollback = false;
	else if (strcmp(line, "op") == 0 && strcmp(v, "rollback") == 0)
		j->rollback = true;
	else if (strcmp(line, "id") == 0 && j->id == NULL)
		return pf_db_unescape(v) < 0 || !pf_id_valid(v) ||
		    (j->id = strdup(v)) == NULL ? -1 : 0;
	else if (strcmp(line, "digest") == 0)
		return pf_unhex(j->digest, v, 32);
	else if (strcmp(line, "root") == 0 && j->root == NULL)
		return pf_db_unescape(v) < 0 || (j->root = strdup(v)) == NULL ?
		    -1 : 0;
	else if (strcmp(line, "root-id") == 0)
		return sscanf(v, "%llu %llu", &j->dev, &j->ino) == 2 ? 0 : -1;
	else if (strcmp(line, "flags") == 0)
		return sscanf(v, "%u", &j->flags) == 1 ? 0 : -1;
	else if (strcmp(line, "step") == 0)
		return parse_step(j, v);
	else if (strcmp(line, "txn") == 0)
		return strlen(v) != 16 || strspn(v, "0123456789abcdef") != 16 ?
		    -1 : (memcpy(j->txn, v, 17), 0);
	else if (strcmp(line, "pid") == 0)
		return sscanf(v, "%lu", &j->pid) == 1 ? 0 : -1;
	else if (strcmp(line, "signers") == 0 && j->signers == NULL)
		return strspn(v, "0123456789abcdef -") != strlen(v) ||
		    (j->signers = strdup(v)) == NULL ? -1 : 0;
	else
		return -1;
	return 0;
}

static int
parse(pf_journal *j, char *text, size_t n)
{
	char hex[PF_SHA256_HEX_LEN], *end, *line, *nl;
	uint8_t d[32];

	if (memchr(text, '\0', n) != NULL || n < 5 || text[n - 1] != '\n')
		return -1;
	text[n - 1] = '\0';
	if ((end = strrchr(text, '\n')) == NULL ||
	    strncmp(end + 1, "end ", 4) != 0)
		return -1;
	if (pf_sha256(d, text, (size_t)(end + 1 - text)) != 0 ||
	    strcmp(end + 5, pf_sha256_hex(hex, d)) != 0)
		return -1;
	*end = '\0';
	if (strncmp(text, "patchfmt-journal 1\n", 19) != 0)
		return -1;
	for (line = text + 19; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (parse_line(j, line) < 0)
			return -1;
	}
	return j->id != NULL && j->root != NULL ? 0 : -1;
}

int
pf_journal_parse(char *text, size_t n)
{
	pf_journal j;
	int rc;

	memset(&j, 0, sizeof j);
	rc = parse(&j, text, n);
	pf_journal_clear(&j);
	return rc;
}

static pf_ret
read_journal(pf_db *db, pf_journal *j, bool *present)
{
	uint8_t *text = NULL;
	size_t n;
	int fd;
	pf_ret r;

	*present = false;
	fd = openat(db->dfd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return PF_OK;
	if (fd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open the journal in '%s'", db->dir);
	*present = true;
	r = pf_slurp_fd(fd, JOURNAL_MAX, &text, &n, &db->err, "journal");
	close(fd);
	if (r != PF_OK)
		return r;
	if (parse(j, (char *)text, n) < 0)
		r = pf_err_set(&db->err, PF_ERR_IO, "the journal in '%s' is "
		    "damaged: the interrupted transaction cannot be finished",
		    db->dir);
	free(text);
	return r;
}

/* Recovery. */

static bool
exists(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The plan of the interrupted transaction, as the journal names it. */
static pf_ret
load_plan(pf_db *db, pf_txn *t, const pf_journal *j)
{
	const pf_jstep *s;
	size_t i;

	for (i = 0; i < j->n; i++) {
		s = &j->steps[i];
		if (s->index >= t->m->n_entries ||
		    strcmp(t->m->entries[s->index].path, s->path) != 0)
			return pf_err_set(&db->err, PF_ERR_IO, "the journal in "
			    "'%s' does not match the package of '%s'",
			    db->dir, j->id);
		if (pf_txn_resume_entry(t, s->index, (pf_action)s->action,
		    (pf_keep)s->keep, s->tmp, s->backup) != PF_OK)
			return pf_err_copy(&db->err, &t->err);
	}
	return PF_OK;
}

static pf_ret
check_root(pf_db *db, const pf_journal *j, const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open root directory '%s'", root);
	if ((unsigned long long)st.st_dev != j->dev ||
	    (unsigned long long)st.st_ino != j->ino)
		return pf_err_set(&db->err, PF_ERR_USAGE, "an interrupted "
		    "transaction of '%s' is pending on root '%s', not '%s': "
		    "recover it with --root '%s'", j->id, j->root, root,
		    j->root);
	return PF_OK;
}

/* Finishes or undoes the tree side, from the stored package. */
static pf_ret
replay(pf_db *db, const pf_journal *j, const char *root, const char *stored,
    bool committed)
{
	pf_reader *rd = NULL;
	pf_txn *t = NULL;
	pf_ret r;

	r = pf_db_open_stored(db, stored, j->digest, &rd);
	if (r == PF_OK) {
		r = j->rollback ? pf_txn_new_reverse(&t, rd, root, false) :
		    pf_txn_new(&t, rd, root);
		if (r != PF_OK)
			pf_err_set(&db->err, r, "%s", pf_txn_error(t));
	}
	if (r == PF_OK) {
		t->meta_flags = j->flags;
		r = load_plan(db, t, j);
	}
	if (r == PF_OK && (r = committed ? pf_txn_finish(t) :
	    pf_txn_undo(t)) != PF_OK)
		pf_err_set(&db->err, r, "%s", pf_txn_error(t));
	pf_txn_free(t);
	pf_reader_free(rd);
	return r;
}

static pf_ret
recover(pf_db *db, const pf_journal *j, const char *root)
{
	char stored[PF_MAX_ID + 8], pkg[PF_MAX_ID + 16];
	bool committed;
	int pdir;
	pf_ret r;

	if ((r = check_root(db, j, root)) != PF_OK)
		return r;
	pdir = openat(db->dfd, "patches", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (pdir < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/patches'", db->dir);
	committed = exists(pdir, j->id) != j->rollback;
	snprintf(stored, sizeof stored, !j->rollback ? (committed ? "%s" :
	    ".new-%s") : committed ? ".old-%s" : "%s", j->id);
	snprintf(pkg, sizeof pkg, "%s/package", stored);
	/*
	 * The copy that goes with the transaction (of an install undone, a
	 * rollback done) is removed only once the tree is final: when it is
	 * gone, only the removal and the journal are left.
	 */
	if (j->rollback == committed && !exists(pdir, pkg))
		r = PF_OK;
	else
		r = replay(db, j, root, stored, committed);
	pf_db_txn_forget(db);
	db->txn = (pf_journal *)j;
	db->txn_owned = false;
	db->txn_recovered = true;
	snprintf(db->cause, sizeof db->cause, "%s", committed ? "" :
	    "interrupted");
	if (r == PF_OK)
		r = pf_journal_end(db, pdir, j->id, j->rollback, committed);
	pf_db_txn_forget(db);
	db->txn_recovered = false;
	close(pdir);
	if (r == PF_OK)
		snprintf(db->recovered, sizeof db->recovered, "%s the "
		    "interrupted %s of '%s'", committed ? "finished" : "undid",
		    j->rollback ? "rollback" : "install", j->id);
	return r;
}

/* The files of a hook whose tool was killed (section 9.8). */
static void
sweep_hooks(pf_db *db)
{
	struct dirent *de;
	DIR *d = fdopendir(dup(db->dfd));

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".pf-hook-", 9) == 0)
			unlinkat(db->dfd, de->d_name, 0);
	closedir(d);
}

/* Without a journal, anything prepared or left under '.' goes. */
static void
sweep(pf_db *db)
{
	struct dirent *de;
	DIR *d;
	int pdir;

	unlinkat(db->dfd, JOURNAL_TMP, 0);
	sweep_hooks(db);
	pdir = openat(db->dfd, "patches", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (pdir < 0 || (d = fdopendir(dup(pdir))) == NULL) {
		if (pdir >= 0)
			close(pdir);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".new-", 5) == 0 ||
		    strncmp(de->d_name, ".old-", 5) == 0)
			pf_db_remove_dir(pdir, de->d_name);
	closedir(d);
	fsync(pdir);
	close(pdir);
}

pf_ret
pf_db_recover(pf_db *db, const char *root)
{
	pf_journal j;
	bool present;
	pf_ret r;

	memset(&j, 0, sizeof j);
	db->recovered[0] = '\0';
	if (db->dfd < 0)
		return PF_OK;
	if ((r = read_journal(db, &j, &present)) != PF_OK || !present) {
		if (r == PF_OK && !db->readonly)
			sweep(db);
		return r;
	}
	if (db->readonly)
		r = pf_err_set(&db->err, PF_ERR_IO, "a transaction of '%s' was "
		    "interrupted, and '%s' is read-only", j.id, db->dir);
	else
		r = recover(db, &j, root);
	pf_journal_clear(&j);
	if (r == PF_OK)
		r = pf_db_reload(db);
	return r;
}

const char *
pf_db_recovered(const pf_db *db)
{
	return db->recovered[0] != '\0' ? db->recovered : NULL;
}
