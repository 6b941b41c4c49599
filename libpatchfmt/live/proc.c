/*
 * /proc/PID/maps, /proc/PID/mem and the ELF headers of mapped modules.
 */
#include <config.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "common/ckd.h"
#include "live/proc.h"

#define MAX_PHDRS 64
#define NOTE_MAX 4096
/* A rel32 reaches 2 GiB either way; keep a margin for the code size. */
#define REACH ((uint64_t)0x7fff0000)

static pf_ret
add_map(lv_proc *p, const lv_map *m)
{
	if (p->n_maps % 64 == 0) {
		void *q = realloc(p->maps, (p->n_maps + 64) * sizeof *p->maps);

		if (q == NULL)
			return pf_err_nomem(p->err);
		p->maps = q;
	}
	p->maps[p->n_maps] = *m;
	if ((p->maps[p->n_maps].path = strdup(m->path)) == NULL)
		return pf_err_nomem(p->err);
	p->n_maps++;
	return PF_OK;
}

static pf_ret
read_maps(lv_proc *p)
{
	char name[96], line[4096 + 256], path[4096];
	FILE *f;
	lv_map m;
	pf_ret r = PF_OK;

	snprintf(name, sizeof name, "%s/maps", p->dir);
	if ((f = fopen(name, "re")) == NULL)
		return pf_err_errno(p->err, errno == ENOENT ? PF_ERR_MISMATCH :
		    PF_ERR_IO, errno, "cannot read '%s'", name);
	while (r == PF_OK && fgets(line, sizeof line, f) != NULL) {
		path[0] = '\0';
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64
		    " %*s %*u %4095[^\n]", &m.start, &m.end, m.perms, &m.off,
		    path) < 4)
			continue;
		m.path = path;
		r = add_map(p, &m);
	}
	fclose(f);
	return r;
}

pf_ret
lv_proc_read(lv_proc *p, uint64_t addr, void *buf, size_t n)
{
	ssize_t k = pread(p->memfd, buf, n, (off_t)addr);

	if (k != (ssize_t)n)
		return pf_err_errno(p->err, PF_ERR_IO, k < 0 ? errno : EIO,
		    "cannot read %zu bytes at 0x%" PRIx64 " of process %d", n,
		    addr, (int)p->pid);
	return PF_OK;
}

/* PTRACE_POKEDATA writes whole words: read, merge, write. */
static pf_ret
poke(lv_proc *p, pid_t tid, uint64_t addr, const uint8_t *buf, size_t n)
{
	size_t i = 0;
	long word;

	while (i < n) {
		uint64_t a = (addr + i) & ~(uint64_t)7;
		size_t skip = (size_t)(addr + i - a), k = 8 - skip;

		if (k > n - i)
			k = n - i;
		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, tid, (void *)a, NULL);
		if (errno != 0)
			return pf_err_errno(p->err, PF_ERR_IO, errno, "cannot "
			    "read 0x%" PRIx64 " of process %d", a, (int)p->pid);
		memcpy((uint8_t *)&word + skip, buf + i, k);
		if (ptrace(PTRACE_POKEDATA, tid, (void *)a, (void *)word) < 0)
			return pf_err_errno(p->err, PF_ERR_IO, errno, "cannot "
			    "write 0x%" PRIx64 " of process %d", a, (int)p->pid);
		i += k;
	}
	return PF_OK;
}

pf_ret
lv_proc_write(lv_proc *p, pid_t tid, uint64_t addr, const void *buf,
    size_t n)
{
	ssize_t k = pwrite(p->memfd, buf, n, (off_t)addr);

	if (k == (ssize_t)n)
		return PF_OK;
	if (tid > 0)
		return poke(p, tid, addr, buf, n);
	return pf_err_errno(p->err, PF_ERR_IO, k < 0 ? errno : EIO,
	    "cannot write %zu bytes at 0x%" PRIx64 " of process %d", n, addr,
	    (int)p->pid);
}

/* The build ID from the PT_NOTE segments of a module in memory. */
static void
read_build_id(lv_proc *p, lv_module *m, const Elf64_Phdr *ph, size_t n)
{
	uint8_t note[NOTE_MAX];
	size_t i, off, len;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		len = ph[i].p_memsz < sizeof note ? (size_t)ph[i].p_memsz :
		    sizeof note;
		if (lv_proc_read(p, m->base + ph[i].p_vaddr, note, len) != PF_OK)
			continue;
		for (off = 0; off + 12 <= len;) {
			Elf64_Nhdr nh;
			size_t name, desc;

			memcpy(&nh, note + off, 12);
			name = (nh.n_namesz + 3) & ~(size_t)3;
			desc = (nh.n_descsz + 3) & ~(size_t)3;
			if (name > len || desc > len ||
			    off + 12 + name + desc > len)
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp(note + off + 12, "GNU", 4) == 0 &&
			    nh.n_descsz <= sizeof m->build_id) {
				memcpy(m->build_id, note + off + 12 + name,
				    nh.n_descsz);
				m->build_id_len = nh.n_descsz;
				return;
			}
			off += 12 + name + desc;
		}
	}
}

/* The eh_frame_hdr search table, when it has the usual encodings:
 * eh_frame_ptr pcrel|sdata4, fde_count udata4, table datarel|sdata4. */
static void
read_eh_hdr(lv_proc *p, lv_module *m, uint64_t addr)
{
	uint8_t h[12];

	if (lv_proc_read(p, addr, h, sizeof h) != PF_OK || h[0] != 1 ||
	    h[1] != 0x1b || h[2] != 0x03 || h[3] != 0x3b)
		return;
	m->eh_hdr = addr;
	m->eh_count = (uint64_t)h[8] | (uint64_t)h[9] << 8 |
	    (uint64_t)h[10] << 16 | (uint64_t)h[11] << 24;
	m->eh_table = addr + 12;
}

static void
read_segments(lv_proc *p, lv_module *m, const Elf64_Phdr *ph, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
			m->text_lo = m->base + ph[i].p_vaddr;
			m->text_hi = m->text_lo + ph[i].p_memsz;
		}
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			read_eh_hdr(p, m, m->base + ph[i].p_vaddr);
		if (ph[i].p_type == PT_DYNAMIC) {
			m->dyn = m->base + ph[i].p_vaddr;
			m->dyn_len = ph[i].p_memsz;
		}
	}
	read_build_id(p, m, ph, n);
}

/* The loader maps the part of .bss past the last page the file backs as
 * anonymous memory right after the file's mappings: it belongs to the
 * module up to the end of the last PT_LOAD. */
static void
bss_tail(const lv_proc *p, lv_module *m, const Elf64_Phdr *ph, size_t n)
{
	uint64_t end = 0, e;
	size_t i;

	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD &&
		    !pf_add_overflow_u64(ph[i].p_vaddr, ph[i].p_memsz, &e) &&
		    !pf_add_overflow_u64(e, m->base, &e) && e > end)
			end = e;
	for (i = 0; i < p->n_maps && m->hi < end; i++)
		if (p->maps[i].start == m->hi && p->maps[i].path[0] == '\0')
			m->hi = p->maps[i].end < end ? p->maps[i].end :
			    (end + 0xfff) & ~(uint64_t)0xfff;
}

/* A mapping at file offset 0 that starts with an ELF header is a module;
 * its base is where its first PT_LOAD went. */
static pf_ret
add_module(lv_proc *p, const lv_map *mp)
{
	Elf64_Phdr ph[MAX_PHDRS];
	Elf64_Ehdr eh;
	lv_module m;
	size_t i;

	memset(&m, 0, sizeof m);
	if (lv_proc_read(p, mp->start, &eh, sizeof eh) != PF_OK ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phnum > MAX_PHDRS ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || lv_proc_read(p,
	    mp->start + eh.e_phoff, ph, eh.e_phnum * sizeof *ph) != PF_OK)
		return PF_OK;
	for (i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			break;
	if (i == eh.e_phnum)
		return PF_OK;
	m.path = mp->path;
	m.base = mp->start - (ph[i].p_vaddr & ~(uint64_t)0xfff);
	m.lo = mp->start;
	for (m.hi = mp->end, i = 0; i < p->n_maps; i++)
		if (p->maps[i].start >= m.lo && strcmp(p->maps[i].path,
		    mp->path) == 0 && p->maps[i].end > m.hi)
			m.hi = p->maps[i].end;
	bss_tail(p, &m, ph, eh.e_phnum);
	read_segments(p, &m, ph, eh.e_phnum);
	if (p->n_mods % 16 == 0) {
		void *q = realloc(p->mods, (p->n_mods + 16) * sizeof *p->mods);

		if (q == NULL)
			return pf_err_nomem(p->err);
		p->mods = q;
	}
	p->mods[p->n_mods++] = m;
	return PF_OK;
}

static pf_ret
find_modules(lv_proc *p)
{
	size_t i;
	pf_ret r;

	for (i = 0; i < p->n_maps; i++) {
		const lv_map *m = &p->maps[i];

		if (m->off != 0 || m->perms[0] != 'r' || m->path[0] == '\0' ||
		    (m->path[0] == '[' && strcmp(m->path, "[vdso]") != 0))
			continue;
		if (i > 0 && strcmp(p->maps[i - 1].path, m->path) == 0 &&
		    p->maps[i - 1].end == m->start)
			continue;
		if ((r = add_module(p, m)) != PF_OK)
			return r;
	}
	return PF_OK;
}

/* A main thread that called pthread_exit is a zombie without memory:
 * its /proc/PID/mem fails with ESRCH, a live thread's serves instead. */
static int
open_live_thread(lv_proc *p)
{
	char name[96];
	struct dirent *d;
	DIR *dir;
	int fd = -1;

	snprintf(name, sizeof name, "/proc/%d/task", (int)p->pid);
	if ((dir = opendir(name)) == NULL)
		return -1;
	while (fd < 0 && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(p->dir, sizeof p->dir, "/proc/%d/task/%.20s",
		    (int)p->pid, d->d_name);
		snprintf(name, sizeof name, "%s/mem", p->dir);
		fd = open(name, O_RDWR | O_CLOEXEC);
	}
	closedir(dir);
	return fd;
}

pf_ret
lv_proc_open(lv_proc *p, pid_t pid, pf_err *err)
{
	char name[96];
	pf_ret r;

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->err = err;
	snprintf(p->dir, sizeof p->dir, "/proc/%d", (int)pid);
	snprintf(name, sizeof name, "%s/mem", p->dir);
	p->memfd = open(name, O_RDWR | O_CLOEXEC);
	if (p->memfd < 0 && errno == ESRCH)
		p->memfd = open_live_thread(p);
	if (p->memfd < 0)
		return pf_err_errno(err, errno == ENOENT ? PF_ERR_MISMATCH :
		    PF_ERR_IO, errno, "cannot open '%s' (ptrace permission: "
		    "CAP_SYS_PTRACE or kernel.yama.ptrace_scope)", name);
	if ((r = read_maps(p)) != PF_OK)
		return r;
	/* A main thread on its way out may already have dropped its
	 * memory: its maps are then empty. */
	if (p->n_maps == 0) {
		close(p->memfd);
		if ((p->memfd = open_live_thread(p)) < 0)
			return pf_err_set(err, PF_ERR_MISMATCH, "process %d has "
			    "no memory left", (int)pid);
		if ((r = read_maps(p)) != PF_OK)
			return r;
	}
	return find_modules(p);
}

#define KTHREAD_FLAG 0x00200000u   /* PF_KTHREAD of the process flags */

/* The flags field of /proc/PID/stat: the 7th after the command, which
 * ends at the last ')'. */
static bool
is_kthread(pid_t pid)
{
	char name[64], buf[1024], *q;
	unsigned long flags;
	ssize_t n;
	int fd, i;

	snprintf(name, sizeof name, "/proc/%d/stat", (int)pid);
	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if ((q = strrchr(buf, ')')) == NULL)
		return false;
	for (i = 0; i < 7 && q != NULL; i++)
		q = strchr(q + 1, ' ');
	return q != NULL && sscanf(q + 1, "%lu", &flags) == 1 &&
	    (flags & KTHREAD_FLAG) != 0;
}

/* Whether a maps file lists at least one mapping. */
static bool
has_maps(const char *name)
{
	FILE *f = fopen(name, "re");
	bool yes;

	if (f == NULL)
		return false;
	yes = fgetc(f) != EOF;
	fclose(f);
	return yes;
}

bool
lv_proc_no_program(pid_t pid)
{
	char name[96], target[16];
	struct dirent *d;
	DIR *dir;
	bool mem = false;

	if (is_kthread(pid))
		return true;
	snprintf(name, sizeof name, "/proc/%d/exe", (int)pid);
	if (readlink(name, target, sizeof target) >= 0 || errno != ENOENT)
		return false;
	/* A main thread that called pthread_exit has no memory of its own,
	 * but the other threads of its process still do. */
	snprintf(name, sizeof name, "/proc/%d/task", (int)pid);
	if ((dir = opendir(name)) == NULL)
		return false;
	while (!mem && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(name, sizeof name, "/proc/%d/task/%.20s/maps",
		    (int)pid, d->d_name);
		mem = has_maps(name);
	}
	closedir(dir);
	return !mem;
}

void
lv_proc_close(lv_proc *p)
{
	size_t i;

	for (i = 0; i < p->n_maps; i++)
		free(p->maps[i].path);
	free(p->maps);
	free(p->mods);
	if (p->memfd >= 0)
		close(p->memfd);
	memset(p, 0, sizeof *p);
	p->memfd = -1;
}

const lv_module *
lv_proc_module(const lv_proc *p, const uint8_t *id, size_t len)
{
	size_t i;

	for (i = 0; i < p->n_mods; i++)
		if (p->mods[i].build_id_len == len &&
		    memcmp(p->mods[i].build_id, id, len) == 0)
			return &p->mods[i];
	return NULL;
}

const lv_module *
lv_proc_module_at(const lv_proc *p, uint64_t addr)
{
	size_t i;

	for (i = 0; i < p->n_mods; i++)
		if (addr >= p->mods[i].text_lo && addr < p->mods[i].text_hi)
			return &p->mods[i];
	return NULL;
}

/* Scans one executable mapping for the bytes 0f 05. */
static bool
scan_syscall(lv_proc *p, const lv_map *m, uint64_t *addr)
{
	uint8_t buf[4096];
	uint64_t a;
	size_t i;

	for (a = m->start; a < m->end && a - m->start < (1u << 22);
	    a += sizeof buf) {
		if (lv_proc_read(p, a, buf, sizeof buf) != PF_OK)
			return false;
		for (i = 0; i + 1 < sizeof buf; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
				*addr = a + i;
				return true;
			}
	}
	return false;
}

pf_ret
lv_proc_syscall_insn(lv_proc *p, uint64_t *addr)
{
	size_t i, pass;

	/* The vDSO first: it is small and always there; then any text. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < p->n_maps; i++) {
			const lv_map *m = &p->maps[i];

			if (m->perms[2] != 'x' || (pass == 0 &&
			    strcmp(m->path, "[vdso]") != 0))
				continue;
			if (scan_syscall(p, m, addr))
				return PF_OK;
		}
	return pf_err_set(p->err, PF_ERR_UNSUPPORTED, "process %d: no "
	    "'syscall' instruction found in its executable memory",
	    (int)p->pid);
}

static bool
reachable(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
	uint64_t far_lo = a < lo ? lo - a : a + len - lo;
	uint64_t far_hi = a + len > hi ? a + len - hi : hi - a;

	return far_lo < REACH && far_hi < REACH;
}

bool
lv_proc_near_gap(const lv_proc *p, uint64_t lo, uint64_t hi, uint64_t len,
    unsigned n, uint64_t *addr)
{
	size_t i;
	unsigned found = 0;
	uint64_t g_lo, g_hi, a;

	/* Gaps are tried in order around the module: the nearest below it,
	 * then the nearest above, and so on outwards. */
	for (i = 0; i <= p->n_maps; i++) {
		g_lo = i == 0 ? 0x10000 : p->maps[i - 1].end;
		g_hi = i == p->n_maps ? 0x7ffffffff000 : p->maps[i].start;
		if (g_hi <= g_lo || g_hi - g_lo < len + 0x2000)
			continue;
		/* Leave a guard page on both sides. */
		a = g_hi <= lo ? g_hi - 0x1000 - len : g_lo + 0x1000;
		if (!reachable(a, len, lo, hi))
			continue;
		if (found++ == n) {
			*addr = a;
			return true;
		}
	}
	return false;
}
