/*
 * The phased rollout (spec section 5.1.5): whether this machine takes the
 * package now.  Each machine has a fixed place, from 0 to 9999, for each
 * seed: the first 8 bytes of SHA-256("patchfmt-phase-1" NUL seed NUL
 * machine-id) as a big-endian number, modulo 10000.  A machine takes the
 * package when its place is below the share (hundredths of a percent), so
 * a package re-signed with a larger share keeps every machine it had.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/sized.h"
#include "libpatchfmt.h"
#include "format/types.h"

#define TAG "patchfmt-phase-1"

uint32_t
pf_phase_place(const char *machine_id, const char *seed)
{
	pf_sha256_ctx c;
	uint8_t d[32];
	uint64_t v = 0;
	int i;

	/* Out of memory: the last place, which only 100% installs. */
	if (pf_sha256_init(&c) != 0)
		return 9999;
	pf_sha256_update(&c, TAG, sizeof TAG);  /* with its NUL */
	pf_sha256_update(&c, seed, strlen(seed) + 1);
	pf_sha256_update(&c, machine_id, strlen(machine_id));
	pf_sha256_final(&c, d);
	for (i = 0; i < 8; i++)
		v = v << 8 | d[i];
	return (uint32_t)(v % 10000);
}

/*
 * ROOT/etc/machine-id, reached without following symlinks inside the
 * root: its first line, which must be a non-empty word other than
 * "uninitialized" (systemd's placeholder).
 */
static bool
machine_id(const char *root, char out[128])
{
	int rfd, efd = -1, fd = -1;
	ssize_t k = -1;
	size_t n;

	out[0] = '\0';
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd >= 0)
		efd = openat(rfd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (efd >= 0)
		fd = openat(efd, "machine-id", O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		k = read(fd, out, 127);
	if (fd >= 0)
		close(fd);
	if (efd >= 0)
		close(efd);
	if (rfd >= 0)
		close(rfd);
	if (k <= 0) {
		out[0] = '\0';
		return false;
	}
	out[k] = '\0';
	n = strcspn(out, " \t\r\n");
	out[n] = '\0';
	return n > 0 && strcmp(out, "uninitialized") != 0 &&
	    strspn(out, "0123456789abcdefABCDEF-") == n;
}

static void
decide(const pf_reader *r, const char *root, pf_phase *d)
{
	const pf_manifest *m = pf_reader_manifest(r);
	char id[128];

	d->install = true;
	if (!m->has_phase)
		return;
	d->phased = true;
	d->share = m->phase;
	d->seed = m->phase_seed ? m->phase_seed : pf_reader_id(r);
	if (!(d->have_machine_id = machine_id(root, id))) {
		/* A machine without an identity has no place: it waits. */
		d->install = m->phase >= 10000;
		return;
	}
	d->place = pf_phase_place(id, d->seed);
	d->install = d->place < m->phase;
}

void
pf_phase_decide(const pf_reader *r, const char *root, pf_phase *out)
{
	pf_phase d = { .size = sizeof d };

	decide(r, root, &d);
	pf_sized_copy(out, &d, sizeof d);
}
