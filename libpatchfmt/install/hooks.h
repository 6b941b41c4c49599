/*
 * Running one hook script (spec section 9.8): a child process in its own
 * process group, with only the environment it is given, no descriptor
 * but /dev/null and the pipe its output goes to, killed (the whole group)
 * when its time is up.
 */
#ifndef PF_INSTALL_HOOKS_H
#define PF_INSTALL_HOOKS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/err.h"

typedef struct pf_hook_exec {
	const uint8_t *script;
	size_t len;
	unsigned timeout;               /* seconds */
	int scratch_dfd;                /* the script and path list go here */
	const char *scratch_seen;       /* that directory as the hook sees it */
	const char *chroot_dir;         /* NULL: the host's root */
	const char *const *env;         /* NAME=VALUE, NULL at the end */
	const char *paths;              /* the PF_CHANGED_PATHS file's text */
	size_t paths_len;
	/* Non-zero *cancel (a signal) kills the hook's process group. */
	const volatile sig_atomic_t *cancel;
} pf_hook_exec;

/* pf_hook_exec_run(): the hook was killed because *cancel was set. */
#define PF_HOOK_CANCELLED (-1)

pf_ret pf_hook_exec_run(const pf_hook_exec *x, pf_hook_result *res,
    pf_err *err);

#endif
