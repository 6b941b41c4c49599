/*
 * Processes that still map a file a package replaced: the kernel shows
 * such a mapping in /proc/PID/maps as "PATH (deleted)".  A process that
 * was hot-patched is passed over by its caller (skip).
 */
#include <config.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stale.h"
#include "util.h"

#define DELETED " (deleted)"

/* The entry of m whose path, under root, is abs; NULL if none. */
static const char *
entry_of(const pf_manifest *m, const char *root, const char *abs)
{
	size_t i, k = strlen(root);

	if (strncmp(abs, root, k) != 0 || (k > 1 && abs[k] != '/'))
		return NULL;
	abs += k > 1 ? k + 1 : 1;
	for (i = 0; i < pf_manifest_entry_count(m); i++)
		if (pf_entry_op(pf_manifest_entry(m, i)) != PF_OP_ADD &&
		    strcmp(pf_entry_path(pf_manifest_entry(m, i)), abs) == 0)
			return pf_entry_path(pf_manifest_entry(m, i));
	return NULL;
}

static bool
skipped(unsigned pid, const unsigned *skip, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (skip[i] == pid)
			return true;
	return false;
}

/* The first mapping of pid that holds an old copy of an entry. */
static const char *
stale_path(const pf_manifest *m, const char *root, unsigned pid, char *comm,
    size_t n)
{
	char name[64], line[PATH_MAX + 256], *path, *end;
	const char *hit = NULL;
	FILE *f;

	snprintf(name, sizeof name, "/proc/%u/comm", pid);
	comm[0] = '\0';
	if ((f = fopen(name, "re")) != NULL) {
		if (fgets(comm, (int)n, f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(name, sizeof name, "/proc/%u/maps", pid);
	if ((f = fopen(name, "re")) == NULL)
		return NULL;
	while (hit == NULL && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((path = strchr(line, '/')) == NULL ||
		    strlen(path) <= strlen(DELETED))
			continue;
		end = path + strlen(path) - strlen(DELETED);
		if (strcmp(end, DELETED) != 0)
			continue;
		*end = '\0';
		hit = entry_of(m, root, path);
	}
	fclose(f);
	return hit;
}

size_t
pf_stale_report(const pf_manifest *m, const char *root, const unsigned *skip,
    size_t n_skip, bool json, const char *id)
{
	char real[PATH_MAX], comm[64], ec[256], ep[4 * PATH_MAX];
	struct dirent **list = NULL;
	const char *path;
	unsigned pid;
	size_t found = 0;
	int i, n;

	if (realpath(root, real) == NULL)
		return 0;
	n = scandir("/proc", &list, NULL, versionsort);
	for (i = 0; i < n; i++) {
		if (pf_parse_uint(list[i]->d_name, 1u << 22, &pid) == 0 &&
		    pid != (unsigned)getpid() && !skipped(pid, skip, n_skip) &&
		    (path = stale_path(m, real, pid, comm, sizeof comm)) !=
		    NULL) {
			found++;
			if (json) {
				pf_json_open(stdout);
				printf("\"id\":\"%s\",\"pid\":%u,\"status\":"
				    "\"needs-restart\",\"path\":", id, pid);
				pf_json_str(stdout, path);
				fputs(",\"command\":", stdout);
				pf_json_str(stdout, comm);
				fputs(",\"exit_status\":0}\n", stdout);
			} else {
				printf("%s: process %u (%s) still maps '%s', "
				    "replaced on disk: restart it\n",
				    pf_progname, pid, pf_text_escape(ec,
				    sizeof ec, comm), pf_text_escape(ep,
				    sizeof ep, path));
			}
		}
		free(list[i]);
	}
	free(list);
	return found;
}
