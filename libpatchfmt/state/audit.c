/*
 * The audit log (spec section 12.8).  Every line is one JSON object
 * written by one write(2) on a descriptor opened with O_APPEND, then
 * synced, under the lock of the state directory.  A transaction's line is
 * written as its journal is removed, by whoever ends it (the tool, or the
 * recovery after a crash); its random "txn" makes a second attempt (a
 * crash between the line and the removal) a no-op, so each transaction is
 * logged exactly once.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/json.h"
#include "state/audit.h"

#define LOG "log"
#define CHUNK 65536
/* Paths named in one line, in bytes; the rest are counted. */
#define PATHS_MAX 32768

/*
 * The size of the log's whole lines (a torn last line, from a crash in
 * the middle of a write, is not one), or -1; *last gets where the last
 * whole line starts.
 */
static off_t
whole_size(int fd, off_t size, char *buf, off_t *last)
{
	off_t end = size, at, found[2] = { 0, 0 };
	ssize_t k;
	int nf = 0;

	while (end > 0 && nf < 2) {
		at = end > CHUNK ? end - CHUNK : 0;
		if (pread(fd, buf, (size_t)(end - at), at) != end - at)
			return -1;
		for (k = end - at; k > 0 && nf < 2; k--)
			if (buf[k - 1] == '\n')
				found[nf++] = at + k;
		end = at;
	}
	*last = found[1];
	return found[0];
}

/* Whether the last whole line (from last to size) contains once. */
static bool
logged(int fd, off_t last, off_t size, const char *once, char *buf)
{
	size_t n = (size_t)(size - last > CHUNK ? CHUNK : size - last);

	if (once == NULL || pread(fd, buf, n, last) != (ssize_t)n)
		return false;
	buf[n] = '\0';
	return strstr(buf, once) != NULL;
}

pf_ret
pf_audit_append(pf_db *db, const char *line, size_t n, const char *once)
{
	struct stat st;
	char *buf = NULL;
	off_t size, last;
	pf_ret r = PF_OK;
	int fd;

	if (db->dfd < 0 || db->readonly)
		return PF_OK;   /* no state: nothing was changed */
	fd = openat(db->dfd, LOG, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0640);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (buf = malloc(CHUNK + 1)) == NULL ||
	    (size = whole_size(fd, st.st_size, buf, &last)) < 0 ||
	    (size != st.st_size && ftruncate(fd, size) < 0)) {
		r = pf_err_errno(&db->err, PF_ERR_IO, errno ? errno : EIO,
		    "cannot write the log in '%s'", db->dir);
		goto out;
	}
	if (logged(fd, last, size, once, buf))
		goto out;
	if (write(fd, line, n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
		r = pf_err_errno(&db->err, PF_ERR_IO, errno ? errno : ENOSPC,
		    "cannot write the log in '%s'", db->dir);
		/* Nothing half written stays. */
		if (ftruncate(fd, size) < 0)
			r = PF_ERR_IO;
		goto out;
	}
	if (fsync(fd) < 0 || (size == 0 && fsync(db->dfd) < 0))
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot sync the log in '%s'", db->dir);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

FILE *
pf_audit_open(char **text, size_t *n, const char *event)
{
	struct timespec ts;
	FILE *f;

	*text = NULL;
	if ((f = open_memstream(text, n)) == NULL)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "{\"time\":%lld.%03ld,\"event\":\"%s\",\"by\":%ld",
	    (long long)ts.tv_sec, ts.tv_nsec / 1000000, event,
	    (long)getpid());
	return f;
}

pf_ret
pf_audit_close(pf_db *db, FILE *f, char **text, size_t *n)
{
	pf_ret r;

	fputc('}', f);
	/* The stream's buffer and size are known once it is closed. */
	if (fclose(f) != 0) {
		free(*text);
		return pf_err_nomem(&db->err);
	}
	r = pf_audit_append(db, *text, *n, NULL);
	free(*text);
	return r;
}

/* The key IDs of the journal's "signers" line, as a JSON array. */
static void
json_signers(FILE *f, const char *s)
{
	const char *p = s;
	size_t k, i = 0;

	fputc('[', f);
	while (p != NULL && *p != '\0') {
		k = strcspn(p, " ");
		if (k > 0 && strncmp(p, "-", k) != 0) {
			fputs(i++ ? "," : "", f);
			pf_json_strn(f, p, k);
		}
		p += k + (p[k] == ' ');
	}
	fputc(']', f);
}

pf_ret
pf_audit_txn(pf_db *db, const pf_journal *j, bool committed)
{
	char hex[PF_SHA256_HEX_LEN], once[40], *text;
	size_t i, n, bytes = 0;
	FILE *f;
	pf_ret r;

	if ((f = pf_audit_open(&text, &n, j->rollback ? "rollback" :
	    "install")) == NULL)
		return pf_err_nomem(&db->err);
	fprintf(f, ",\"txn\":\"%s\",\"id\":", j->txn);
	pf_json_str(f, j->id);
	fprintf(f, ",\"digest\":\"%s\",\"signers\":",
	    pf_sha256_hex(hex, j->digest));
	json_signers(f, j->signers);
	fputs(",\"root\":", f);
	pf_json_str(f, j->root);
	fprintf(f, ",\"result\":\"%s\",\"recovered\":%s,\"pid\":%lu",
	    committed ? "committed" : "undone",
	    db->txn_recovered ? "true" : "false", j->pid);
	fputs(",\"cause\":", f);
	pf_json_str(f, db->cause[0] ? db->cause : NULL);
	fputs(",\"paths\":[", f);
	for (i = 0; i < j->n && bytes < PATHS_MAX; i++) {
		fputs(i ? "," : "", f);
		pf_json_str(f, j->steps[i].path);
		bytes += strlen(j->steps[i].path) + 3;
	}
	fprintf(f, "],\"paths_omitted\":%zu}", j->n - i);
	if (fclose(f) != 0) {
		free(text);
		return pf_err_nomem(&db->err);
	}
	snprintf(once, sizeof once, "\"txn\":\"%s\"", j->txn);
	r = pf_audit_append(db, text, n, j->txn[0] ? once : NULL);
	free(text);
	return r;
}

pf_ret
pf_db_log_event(pf_db *db, const char *event, const char *id, int pid,
    pf_ret result, const char *error)
{
	char *text;
	size_t n;
	FILE *f;

	if ((f = pf_audit_open(&text, &n, event)) == NULL)
		return pf_err_nomem(&db->err);
	fputs(",\"id\":", f);
	pf_json_str(f, id);
	fprintf(f, ",\"process\":%d,\"result\":\"%s\",\"exit_status\":%d,"
	    "\"error\":", pid, result == PF_OK ? "ok" : "failed",
	    pf_ret_exit_status(result));
	pf_json_str(f, result == PF_OK ? NULL : error);
	return pf_audit_close(db, f, &text, &n);
}

/* The raw value of "key": in a line we wrote, or "" (n bytes). */
static const char *
member(const char *line, const char *key, size_t *n)
{
	char pat[40];
	const char *p, *q;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	*n = 0;
	if ((p = strstr(line, pat)) == NULL)
		return "";
	p += strlen(pat);
	if (*p != '"') {
		*n = strcspn(p, ",}");
		return p;
	}
	for (q = ++p; *q != '\0' && *q != '"'; q++)
		if (*q == '\\' && q[1] != '\0')
			q++;
	*n = (size_t)(q - p);
	return p;
}

static void
print_line(FILE *out, const char *line)
{
	static const char *const keys[] = { "event", "hook", "id", "process",
	    "result", "recovered", "cause", "error" };
	char when[32];
	const char *v;
	size_t i, n;
	time_t t;
	struct tm tm;

	v = member(line, "time", &n);
	t = (time_t)strtoll(v, NULL, 10);
	if (n == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof when, "?");
	fputs(when, out);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = member(line, keys[i], &n);
		if (n == 0 || strncmp(v, "null", n) == 0 ||
		    strncmp(v, "false", n) == 0)
			continue;
		if (strcmp(keys[i], "recovered") == 0)
			fputs(" (recovered)", out);
		else if (i >= 6)
			fprintf(out, " %s: %.*s", keys[i], (int)n, v);
		else
			fprintf(out, " %.*s", (int)n, v);
	}
	fputc('\n', out);
}

pf_ret
pf_db_log_print(pf_db *db, FILE *out, bool json)
{
	char *line = NULL;
	size_t cap = 0, count = 0;
	ssize_t k;
	FILE *f = NULL;
	int fd;

	if (db->dfd >= 0) {
		fd = openat(db->dfd, LOG, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			return pf_err_errno(&db->err, PF_ERR_IO, errno,
			    "cannot read the log in '%s'", db->dir);
		if (fd >= 0 && (f = fdopen(fd, "r")) == NULL) {
			close(fd);
			return pf_err_nomem(&db->err);
		}
	}
	if (json)
		fputc('[', out);
	/* Only whole lines: one cut short by a crash is not shown. */
	while (f != NULL && (k = getline(&line, &cap, f)) > 0) {
		if (line[k - 1] != '\n' || line[0] != '{' || k < 3 ||
		    line[k - 2] != '}')
			continue;
		line[k - 1] = '\0';
		if (json)
			fprintf(out, "%s%s", count ? ",\n" : "\n", line);
		else
			print_line(out, line);
		count++;
	}
	if (json)
		fputs(count ? "\n]\n" : "]\n", out);
	free(line);
	if (f != NULL)
		fclose(f);
	return PF_OK;
}
