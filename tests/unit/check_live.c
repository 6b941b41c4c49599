/*
 * Unit tests of the hot-patch record (live/record.c), the undo record
 * and journal (live/undo.c), the stack check (live/unwind.c), the trust
 * check of the state layer (state/live.c) and the refusals of the
 * analysis (disasm/analyze.c).
 */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "disasm/analyze.h"
#include "disasm/ehframe.h"
#include "disasm/insn.h"
#include "live/proc.h"
#include "live/stop.h"
#include "live/unwind.h"
#include "libpatchfmt.h"
#include "run.h"

/*
 * Code without unwind information, for the stack check: a caller whose
 * call the check must find, and a callee that clears the frame pointer
 * and spins, where libunwind's fallback (frame pointers) reports a
 * clean end of the stack.
 */
__asm__(".text\n"
    ".globl pf_test_nocfi_caller\n"
    ".type pf_test_nocfi_caller, @function\n"
    "pf_test_nocfi_caller:\n"
    "\tpush %rbp\n"
    "\tcall pf_test_nocfi_spin\n"
    "\tpop %rbp\n"
    "\tret\n"
    ".globl pf_test_nocfi_caller_end\n"
    "pf_test_nocfi_caller_end:\n"
    ".globl pf_test_nocfi_spin\n"
    ".type pf_test_nocfi_spin, @function\n"
    "pf_test_nocfi_spin:\n"
    "\txor %ebp, %ebp\n"
    "1:\tpause\n"
    "\tjmp 1b\n");
void pf_test_nocfi_caller(void);
extern const char pf_test_nocfi_caller_end[];

/* A system call instruction for lv_remote_syscall to run in a child. */
__asm__(".text\n"
    ".globl pf_test_syscall_insn\n"
    "pf_test_syscall_insn:\n"
    "\tsyscall\n"
    "\tret\n");
extern const char pf_test_syscall_insn[];

static pf_hotpatch *
sample(void)
{
	static const uint8_t code[] = { 0x48, 0x8d, 0x3d, 0, 0, 0, 0, 0xe9,
	    0, 0, 0, 0 };
	pf_hp_func f = { .name = "handle_request", .old_offset = 0x1130,
	    .old_len = 40, .entry_skip = 4, .head_len = 9,
	    .head = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0x53 },
	    .code = (uint8_t *)code, .code_len = sizeof code };
	pf_hp_func g = { .name = "helper.cold", .flags = PF_HP_FUNC_NEW,
	    .code = (uint8_t *)code, .code_len = 5 };
	pf_hp_reloc r1 = { .offset = 3, .kind = PF_HP_REL32_DATA, .target = 0,
	    .addend = -4 };
	pf_hp_reloc r2 = { .offset = 8, .kind = PF_HP_REL32_OLD,
	    .target = 0x1040, .addend = -4 };
	pf_hp_reloc r3 = { .offset = 1, .kind = PF_HP_REL32_FUNC, .target = 0,
	    .addend = 100 };
	pf_hp_data d = { .name = "", .align = 1, .bytes = (uint8_t *)"hi",
	    .len = 3 };
	pf_hotpatch *hp;

	ck_assert_int_eq(pf_hotpatch_new(&hp), PF_OK);
	memset(hp->build_id, 0xab, 20);
	hp->build_id_len = 20;
	hp->module = strdup("hpserver");
	ck_assert_int_eq(pf_hotpatch_add_func(hp, &f, NULL), PF_OK);
	ck_assert_int_eq(pf_hotpatch_add_func(hp, &g, NULL), PF_OK);
	ck_assert_int_eq(pf_hotpatch_add_data(hp, &d, NULL), PF_OK);
	ck_assert_int_eq(pf_hotpatch_add_reloc(hp, 0, &r1), PF_OK);
	ck_assert_int_eq(pf_hotpatch_add_reloc(hp, 0, &r2), PF_OK);
	ck_assert_int_eq(pf_hotpatch_add_reloc(hp, 1, &r3), PF_OK);
	ck_assert_int_eq(pf_hotpatch_refuse(hp, "table", "size changed"),
	    PF_OK);
	return hp;
}

static void
encode(const pf_hotpatch *hp, pf_buf *b)
{
	pf_buf_init(b);
	ck_assert_int_eq(pf_hotpatch_encode(hp, b), PF_OK);
}

START_TEST(test_round_trip)
{
	pf_hotpatch *hp = sample(), *back;
	pf_buf a, b;
	pf_err err;

	encode(hp, &a);
	ck_assert_int_eq(pf_hotpatch_decode(a.data, a.len, &back, &err),
	    PF_OK);
	ck_assert_uint_eq(back->n_funcs, 2);
	ck_assert_str_eq(back->funcs[0].name, "handle_request");
	ck_assert_uint_eq(back->funcs[0].n_relocs, 2);
	ck_assert_int_eq(back->funcs[0].relocs[0].addend, -4);
	ck_assert_int_eq(back->funcs[1].relocs[0].addend, 100);
	ck_assert_uint_eq(back->funcs[0].entry_skip, 4);
	ck_assert_str_eq(back->refused[0].reason, "size changed");
	ck_assert_str_eq(back->module, "hpserver");
	encode(back, &b);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert(memcmp(a.data, b.data, a.len) == 0);
	pf_buf_free(&a);
	pf_buf_free(&b);
	pf_hotpatch_free(hp);
	pf_hotpatch_free(back);
}
END_TEST

/*
 * spec/hotpatch.md sections 2 and 5: a reserved flag bit is unsupported,
 * not corrupt; text is bytes without NUL, not checked as UTF-8.
 */
START_TEST(test_flags_and_text)
{
	pf_hotpatch *hp = sample(), *back;
	pf_buf a;
	pf_err err;

	free(hp->funcs[0].name);
	hp->funcs[0].name = strdup("latin1_\xe9t\xe9");
	encode(hp, &a);
	ck_assert_int_eq(pf_hotpatch_decode(a.data, a.len, &back, &err),
	    PF_OK);
	ck_assert_str_eq(back->funcs[0].name, "latin1_\xe9t\xe9");
	pf_hotpatch_free(back);
	pf_buf_free(&a);
	hp->funcs[1].flags |= 1u << 5;
	encode(hp, &a);
	ck_assert_int_eq(pf_hotpatch_decode(a.data, a.len, &back, &err),
	    PF_ERR_UNSUPPORTED);
	pf_buf_free(&a);
	hp->funcs[1].flags &= ~(1u << 5);
	hp->data[0].flags |= 1u << 9;
	encode(hp, &a);
	ck_assert_int_eq(pf_hotpatch_decode(a.data, a.len, &back, &err),
	    PF_ERR_UNSUPPORTED);
	pf_buf_free(&a);
	pf_hotpatch_free(hp);
}
END_TEST

/* Every proper prefix of a record is refused, never read past. */
START_TEST(test_truncated)
{
	pf_hotpatch *hp = sample(), *back;
	pf_buf a;
	pf_err err;
	size_t n;
	pf_ret r;

	encode(hp, &a);
	for (n = 0; n < a.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, a.data, n);
		r = pf_hotpatch_decode(copy, n, &back, &err);
		ck_assert_msg(r == PF_ERR_CORRUPT || r == PF_ERR_NOT_PACKAGE,
		    "prefix of %zu bytes: %d", n, (int)r);
		ck_assert_ptr_null(back);
		free(copy);
	}
	pf_buf_free(&a);
	pf_hotpatch_free(hp);
}
END_TEST

/* A flipped byte is either refused or decodes to a valid record. */
START_TEST(test_flipped)
{
	pf_hotpatch *hp = sample(), *back;
	pf_buf a;
	pf_err err;
	size_t i;
	int bit;

	encode(hp, &a);
	for (i = 0; i < a.len; i++)
		for (bit = 0; bit < 8; bit++) {
			a.data[i] ^= (uint8_t)(1u << bit);
			if (pf_hotpatch_decode(a.data, a.len, &back, &err) ==
			    PF_OK) {
				ck_assert_int_eq(pf_hotpatch_validate(back,
				    &err), PF_OK);
				pf_hotpatch_free(back);
			}
			a.data[i] ^= (uint8_t)(1u << bit);
		}
	pf_buf_free(&a);
	pf_hotpatch_free(hp);
}
END_TEST

/* A forged count cannot make the decoder allocate more than its input
 * could describe. */
START_TEST(test_forged_count)
{
	static const uint8_t rec[] = { 'P', 'F', 'H', 'P', 1, 62, 1, 0xaa, 0,
	    0xff, 0xff, 0x03 };
	pf_hotpatch *back;
	pf_err err;

	ck_assert_int_eq(pf_hotpatch_decode(rec, sizeof rec, &back, &err),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_null(back);
}
END_TEST

START_TEST(test_bad_header)
{
	static const uint8_t v2[] = { 'P', 'F', 'H', 'P', 2 };
	pf_hotpatch *back;
	pf_err err;

	ck_assert_int_eq(pf_hotpatch_decode((const uint8_t *)"PK\3\4", 4,
	    &back, &err), PF_ERR_NOT_PACKAGE);
	ck_assert_int_eq(pf_hotpatch_decode(v2, sizeof v2, &back, &err),
	    PF_ERR_UNSUPPORTED);
}
END_TEST

START_TEST(test_undo)
{
	pf_live_site s = { .addr = 0x5555000, .len = 5,
	    .old = { 0x55, 0x48, 0x89, 0xe5, 0x53 },
	    .new = { 0xe9, 1, 2, 3, 4 } };
	pf_live_undo u = { .build_id_len = 4, .base = 0x555500000000,
	    .region = 0x555400000000, .region_len = 8192, .sites = &s,
	    .n_sites = 1 }, *back;
	pf_buf b;
	pf_err err;
	size_t n;

	memcpy(u.build_id, "\1\2\3\4", 4);
	pf_buf_init(&b);
	ck_assert_int_eq(pf_live_undo_encode(&u, &b), PF_OK);
	ck_assert_int_eq(pf_live_undo_decode(b.data, b.len, &back, &err),
	    PF_OK);
	ck_assert_uint_eq(back->region, u.region);
	ck_assert(memcmp(back->sites[0].new, s.new, 5) == 0);
	ck_assert(!back->room && !back->mapped);
	pf_live_undo_free(back);
	/* Flag bit 1 (room, section 7.2) comes back; bit 2 is corrupt. */
	u.room = true;
	pf_buf_free(&b);
	pf_buf_init(&b);
	ck_assert_int_eq(pf_live_undo_encode(&u, &b), PF_OK);
	ck_assert_uint_eq(b.data[5], 0x2);
	ck_assert_int_eq(pf_live_undo_decode(b.data, b.len, &back, &err),
	    PF_OK);
	ck_assert(back->room);
	pf_live_undo_free(back);
	b.data[5] = 0x4;
	ck_assert_int_eq(pf_live_undo_decode(b.data, b.len, &back, &err),
	    PF_ERR_CORRUPT);
	b.data[5] = 0x2;
	for (n = 0; n < b.len; n++) {
		ck_assert_int_ne(pf_live_undo_decode(b.data, n, &back, &err),
		    PF_OK);
		ck_assert_ptr_null(back);
	}
	pf_buf_free(&b);
}
END_TEST

static uint8_t *
fixture(const char *name, size_t *n)
{
	const char *top = getenv("top_builddir");
	char path[4096];
	uint8_t *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof path, "%s/tests/live/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open '%s'", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static const char *
refusal(const pf_hotpatch *hp, const char *name)
{
	size_t i;

	for (i = 0; i < hp->n_refused; i++)
		if (strcmp(hp->refused[i].name, name) == 0)
			return hp->refused[i].reason;
	return NULL;
}

START_TEST(test_refusals)
{
	size_t ol, nl;
	uint8_t *o = fixture("old/refuse", &ol), *n = fixture("new/refuse", &nl);
	pf_hotpatch *hp;
	pf_err err;

	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, n, nl, &hp, &err), PF_OK);
	ck_assert_ptr_nonnull(strstr(refusal(hp, "table"), "size changed"));
	ck_assert_ptr_nonnull(strstr(refusal(hp, "limit"), "initial value"));
	ck_assert_ptr_nonnull(strstr(refusal(hp, "tiny"), "shorter"));
	ck_assert_uint_eq(hp->n_refused, 3);
	pf_hotpatch_free(hp);
	free(o);
	free(n);
}
END_TEST

START_TEST(test_unchanged)
{
	size_t ol;
	uint8_t *o = fixture("old/hpserver", &ol);
	pf_hotpatch *hp;
	pf_err err;

	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, o, ol, &hp, &err), PF_OK);
	ck_assert_uint_eq(hp->n_funcs, 0);
	ck_assert_uint_eq(hp->n_refused, 0);
	pf_hotpatch_free(hp);
	free(o);
}
END_TEST

/* A build stripped of .symtab, with no debug file: functions from
 * .dynsym and .eh_frame (spec/hotpatch.md section 8.3). */
START_TEST(test_no_symtab)
{
	size_t ol, bl, cl;
	uint8_t *o = fixture("old/stripped", &ol);
	uint8_t *b = fixture("new/stripped-b", &bl);
	uint8_t *c = fixture("new/stripped-c", &cl);
	pf_hotpatch *hp;
	pf_err err;

	/* A static function changed between exported ones: matched. */
	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, b, bl, &hp, &err), PF_OK);
	ck_assert_uint_eq(hp->n_funcs, 1);
	ck_assert_uint_eq(hp->n_refused, 0);
	ck_assert_int_eq(strncmp(hp->funcs[0].name, "unnamed@0x", 10), 0);
	pf_hotpatch_free(hp);
	/* The same with a new unnamed neighbour: refused, not guessed. */
	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, c, cl, &hp, &err), PF_OK);
	ck_assert_uint_eq(hp->n_funcs, 0);
	ck_assert_uint_ge(hp->n_refused, 2);
	ck_assert_ptr_nonnull(strstr(hp->refused[hp->n_refused - 1].reason,
	    "could not be matched"));
	pf_hotpatch_free(hp);
	ck_assert_int_eq(pf_hotpatch_analyze((const uint8_t *)"nope", 4, o, ol,
	    &hp, &err), PF_ERR_MISMATCH);
	free(o);
	free(b);
	free(c);
}
END_TEST

/* .eh_frame records that run past the section are corrupt; an empty
 * section and the terminator end the list. */
START_TEST(test_ehframe)
{
	/* A CIE (augmentation "zR", pcrel|sdata4), one FDE for 0x40 bytes
	 * at 0x1000, and the zero terminator. */
	static const uint8_t ok[] = {
		0x14, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 0x10, 1,
		0x1b, 0x0c, 0x07, 0x08, 0x90, 0x01, 0, 0,
		0x10, 0, 0, 0, 0x1c, 0, 0, 0, 0xe0, 0x0f, 0, 0, 0x40, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0
	};
	uint8_t bad[sizeof ok];
	hp_range *v;
	size_t n;

	ck_assert_int_eq(hp_ehframe_ranges(ok, sizeof ok, 0, &v, &n), PF_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].addr, 0x1000);
	ck_assert_uint_eq(v[0].size, 0x40);
	free(v);
	memcpy(bad, ok, sizeof bad);
	bad[24] = 0xf0;
	ck_assert_int_eq(hp_ehframe_ranges(bad, sizeof bad, 0, &v, &n),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(hp_ehframe_ranges(ok, 0, 0, &v, &n), PF_OK);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

static const pf_hp_func *
replaced(const pf_hotpatch *hp, const char *name)
{
	size_t i;

	for (i = 0; i < hp->n_funcs; i++)
		if (strcmp(hp->funcs[i].name, name) == 0)
			return &hp->funcs[i];
	return NULL;
}

/* comisd reads 8 bytes, whatever capstone 4 says (16): the constant of
 * above() is followed by pick()'s switch table, which changed, and
 * above() did not (testdata/hotpatch/quirks-a.c). */
START_TEST(test_operand_width)
{
	static const uint8_t comisd[] = { 0x66, 0x0f, 0x2f, 0x05, 0, 0, 0, 0,
	    0xc5, 0xf8, 0x2f, 0x05, 0, 0, 0, 0 };
	size_t ol, nl, dec;
	uint8_t *o = fixture("old/quirks", &ol), *n = fixture("new/quirks", &nl);
	pf_hotpatch *hp;
	hp_refs rs;
	pf_err err;

	ck_assert_int_eq(hp_insn_refs(comisd, sizeof comisd, 0, &rs, &dec),
	    PF_OK);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_uint_eq(rs.v[0].memsize, 8);
	ck_assert_uint_eq(rs.v[1].memsize, 4);
	hp_refs_free(&rs);
	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, n, nl, &hp, &err), PF_OK);
	ck_assert_ptr_nonnull(replaced(hp, "pick"));
	ck_assert_ptr_null(replaced(hp, "above"));
	pf_hotpatch_free(hp);
	free(o);
	free(n);
}
END_TEST

/* A reference to data without a symbol is tied to the old build by its
 * section and contents: anon_first() only moved, anon_sum() changed and
 * reaches the old object (testdata/hotpatch/quirks-b.c). */
START_TEST(test_unnamed_data)
{
	size_t ol, nl, i;
	uint8_t *o = fixture("old/quirks", &ol), *n = fixture("new/quirks", &nl);
	const pf_hp_func *f;
	pf_hotpatch *hp;
	pf_err err;
	bool old_ref = false;

	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, n, nl, &hp, &err), PF_OK);
	ck_assert_ptr_null(replaced(hp, "anon_first"));
	ck_assert_ptr_null(refusal(hp, "anon_first"));
	ck_assert_ptr_null(refusal(hp, "anon_sum"));
	ck_assert_ptr_nonnull(f = replaced(hp, "anon_sum"));
	for (i = 0; i < f->n_relocs; i++)
		old_ref |= f->relocs[i].kind == PF_HP_REL32_OLD;
	ck_assert(old_ref);
	pf_hotpatch_free(hp);
	free(o);
	free(n);
}
END_TEST

/* The notes: why each function changed, which reference was refused. */
START_TEST(test_notes)
{
	size_t ol, nl, i;
	uint8_t *o = fixture("old/quirks", &ol), *n = fixture("new/quirks", &nl);
	const char *skip[] = { "pick" };
	pf_hp_analysis an = { .skip = skip, .n_skip = 1 };
	pf_hotpatch *hp;
	pf_err err;
	int seen = 0;

	ck_assert_int_eq(pf_hotpatch_analyze_ex(o, ol, n, nl, &an, &hp, &err),
	    PF_OK);
	ck_assert_ptr_nonnull(strstr(refusal(hp, "anon_five"), "no symbol"));
	ck_assert_ptr_null(replaced(hp, "pick"));
	for (i = 0; i < an.n_notes; i++) {
		const pf_hp_note *x = &an.notes[i];

		if (strcmp(x->name, "anon_five") == 0) {
			ck_assert_int_eq(x->kind, PF_LIVE_NOTE_REFUSED);
			ck_assert_ptr_nonnull(strstr(x->text, ": lea "));
			seen |= 1;
		} else if (strcmp(x->name, "pick") == 0) {
			ck_assert_int_eq(x->kind, PF_LIVE_NOTE_LEFT_OUT);
			seen |= 2;
		} else if (strcmp(x->name, "anon_sum") == 0) {
			ck_assert_int_eq(x->kind, PF_LIVE_NOTE_CHANGED);
			ck_assert_ptr_nonnull(strstr(x->text,
			    "first difference: old +0x"));
			seen |= 4;
		}
	}
	ck_assert_int_eq(seen, 7);
	pf_hp_analysis_clear(&an);
	pf_hotpatch_free(hp);
	free(o);
	free(n);
}
END_TEST

/* Without STT_FILE symbols (strip --strip-debug), the static twice() of
 * quirks-a.c and the global one of quirks-b.c are told apart. */
START_TEST(test_static_collision)
{
	size_t ol, nl;
	uint8_t *o = fixture("old/quirks.nofile", &ol);
	uint8_t *n = fixture("new/quirks.nofile", &nl);
	const pf_hp_func *f;
	pf_hotpatch *hp;
	pf_err err;

	ck_assert_int_eq(pf_hotpatch_analyze(o, ol, n, nl, &hp, &err), PF_OK);
	ck_assert_ptr_nonnull(f = replaced(hp, "twice"));
	ck_assert_ptr_null(refusal(hp, "twice"));
	/* The static one (quirks-a.c, linked first) changed. */
	ck_assert_uint_lt(f->old_offset, replaced(hp, "pick")->old_offset);
	pf_hotpatch_free(hp);
	free(o);
	free(n);
}
END_TEST

/* The committed seeds (tests/live/make-hotpatch-seeds.sh) say what they
 * are in their names. */
START_TEST(test_seeds)
{
	static const char *names[] = { "good-small", "good-empty",
	    "bad-truncated", "bad-noncanonical", "good-undo" };
	const char *top = getenv("top_srcdir");
	pf_hotpatch *hp;
	pf_live_undo *u;
	uint8_t buf[4096];
	char path[4096];
	size_t i, n;
	pf_err err;
	FILE *f;
	bool ok;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/fuzz/corpus/hotpatch/%s",
		    top ? top : ".", names[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "rb"));
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		ok = pf_hotpatch_decode(buf, n, &hp, &err) == PF_OK;
		pf_hotpatch_free(hp);
		if (strcmp(names[i], "good-undo") == 0) {
			ok = pf_live_undo_decode(buf, n, &u, &err) == PF_OK;
			pf_live_undo_free(u);
		}
		ck_assert_msg(ok == (names[i][0] == 'g'), "seed '%s': %s",
		    names[i], ok ? "decoded" : err.msg);
	}
}
END_TEST

/* An import slot is 8 bytes with a name (spec section 4.2). */
START_TEST(test_import_slot)
{
	static const uint8_t zero[8];
	pf_hotpatch *hp = sample();
	pf_hp_data d = { .name = "toupper", .flags = PF_HP_DATA_IMPORT,
	    .align = 8, .bytes = (uint8_t *)zero, .len = 8 };
	pf_err err;

	ck_assert_int_eq(pf_hotpatch_add_data(hp, &d, NULL), PF_OK);
	ck_assert_int_eq(pf_hotpatch_validate(hp, &err), PF_OK);
	hp->data[hp->n_data - 1].len = 4;
	ck_assert_int_eq(pf_hotpatch_validate(hp, &err), PF_ERR_CORRUPT);
	hp->data[hp->n_data - 1].len = 8;
	hp->data[hp->n_data - 1].name[0] = '\0';
	ck_assert_int_eq(pf_hotpatch_validate(hp, &err), PF_ERR_CORRUPT);
	pf_hotpatch_free(hp);
}
END_TEST

/* What apply refuses before it touches any process. */
START_TEST(test_apply_refuses)
{
	pf_hotpatch *hp = sample();
	pf_live_opts o = { .wait_ms = 100 };
	pf_live_undo *u = NULL, undo = { .build_id_len = 1 };
	pf_err err;

	ck_assert_int_eq(pf_live_apply(getpid(), hp, &o, &u, &err),
	    PF_ERR_USAGE);
	ck_assert_int_eq(pf_live_apply(getppid(), hp, &o, &u, &err),
	    PF_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.msg, "refused changes"));
	o.allow_refused = true;
	/* No process has this pid: the kernel's pid_max is below it. */
	ck_assert_int_eq(pf_live_apply(0x7ffffff0, hp, &o, &u, &err),
	    PF_ERR_MISMATCH);
	ck_assert_ptr_null(u);
	ck_assert_int_eq(pf_live_revert(0x7ffffff0, &undo, &o, &err),
	    PF_ERR_MISMATCH);
	pf_hotpatch_free(hp);
}
END_TEST

/* RIP-relative fields are 32 bits after ModRM, whatever the prefixes
 * (capstone 4 reports 16 bits after a 0x66 prefix). */
START_TEST(test_rip_fields)
{
	static const uint8_t code[] = {
	    0x66, 0x0f, 0x6f, 0x05, 0x84, 0x0f, 0x00, 0x00,    /* movdqa */
	    0x48, 0x8d, 0x3d, 0x7c, 0x0f, 0x00, 0x00,          /* lea */
	    0xe8, 0x10, 0x00, 0x00, 0x00,                      /* call */
	    0x75, 0xf0 };                                      /* jne */
	hp_refs rs;
	size_t dec;

	ck_assert_int_eq(hp_insn_refs(code, sizeof code, 0x1000, &rs, &dec),
	    PF_OK);
	ck_assert_uint_eq(dec, sizeof code);
	ck_assert_uint_eq(rs.n, 4);
	ck_assert_uint_eq(rs.v[0].field, 4);
	ck_assert_uint_eq(rs.v[0].size, 4);
	ck_assert_uint_eq(rs.v[0].target, 0x1000 + 8 + 0xf84);
	ck_assert_uint_eq(rs.v[0].memsize, 16);
	ck_assert(rs.v[1].lea);
	ck_assert_uint_eq(rs.v[2].field, 16);
	ck_assert(rs.v[2].branch);
	ck_assert_uint_eq(rs.v[3].size, 1);
	hp_refs_free(&rs);
}
END_TEST


/* A journal survives encoding, and every cut or flipped copy of it is
 * refused as corrupt, never read as something else. */
START_TEST(test_journal)
{
	pf_live_site s = { .addr = 0x555500001234, .len = 5,
	    .old = { 0x55, 0x48, 0x89, 0xe5, 0x53 },
	    .new = { 0xe9, 1, 2, 3, 4 } };
	pf_live_undo u = { .build_id_len = 4, .base = 0x555500000000,
	    .region = 0x555500200000, .region_len = 4096, .mapped = true,
	    .sites = &s, .n_sites = 1 }, *mods[1] = { &u };
	pf_live_journal j = { .phase = PF_LIVE_APPLYING, .frozen = true,
	    .mods = mods, .n_mods = 1 }, *back;
	pf_buf b;
	pf_err err;
	size_t n;

	memset(j.digest, 0x5a, 32);
	j.hijack.tid = 4242;
	j.hijack.insn = 0x7f0000001000;
	j.hijack.nr = 9;
	j.hijack.args[0] = u.region;
	j.hijack.regs[7] = 0x77;
	pf_buf_init(&b);
	ck_assert_int_eq(pf_live_journal_encode(&j, &b), PF_OK);
	ck_assert_int_eq(pf_live_journal_decode(b.data, b.len, &back, &err),
	    PF_OK);
	ck_assert_int_eq(back->phase, PF_LIVE_APPLYING);
	ck_assert(back->frozen);
	ck_assert_uint_eq(back->hijack.tid, 4242);
	ck_assert_uint_eq(back->hijack.regs[7], 0x77);
	ck_assert_uint_eq(back->n_mods, 1);
	ck_assert(back->mods[0]->mapped);
	ck_assert(memcmp(back->mods[0]->sites[0].new, s.new, 5) == 0);
	pf_live_journal_free(back);
	for (n = 0; n < b.len; n++) {
		ck_assert_int_eq(pf_live_journal_decode(b.data, n, &back,
		    &err), PF_ERR_CORRUPT);
		ck_assert_ptr_null(back);
	}
	/* A phase byte out of range. */
	b.data[4 + 1 + 32] = 9;
	ck_assert_int_eq(pf_live_journal_decode(b.data, b.len, &back, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&b);
}
END_TEST

/* The seeds of fuzz/fuzz_undo.c decode (fuzz/make-undo-corpus.sh). */
START_TEST(test_journal_seeds)
{
	static const char *names[] = { "live", "applying", "reverting" };
	const char *top = getenv("top_srcdir");
	pf_live_journal *j;
	uint8_t buf[4096];
	char path[4096];
	size_t i, n;
	pf_err err;
	FILE *f;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/fuzz/corpus/undo/%s",
		    top ? top : ".", names[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "rb"));
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		ck_assert_msg(pf_live_journal_decode(buf, n, &j, &err) ==
		    PF_OK, "seed '%s': %s", names[i], err.msg);
		ck_assert_int_eq(j->phase, (int)i + 1 == 1 ? PF_LIVE_LIVE :
		    i == 1 ? PF_LIVE_APPLYING : PF_LIVE_REVERTING);
		pf_live_journal_free(j);
	}
}
END_TEST

static char *
temp_dir(void)
{
	char *d = strdup("/tmp/pf-check-live.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
remove_dir(const char *d)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	ck_assert_int_eq(system(cmd), 0);
}

/* The start time of this process, as section 12.7 names processes. */
static unsigned long long
my_start(void)
{
	char buf[1024], *p;
	unsigned long long t = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;
	int field;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	ck_assert(p != NULL && sscanf(p + 1, "%llu", &t) == 1);
	return t;
}

/* A record that is there but damaged is reported as damaged, not as
 * "not live". */
START_TEST(test_damaged_record)
{
	char *dir = temp_dir(), path[512];
	pf_db *db;
	int fd;

	snprintf(path, sizeof path, "%s/live", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/live/%d-%llu", dir, (int)getpid(),
	    my_start());
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(pf_db_open(&db, dir, false), PF_OK);
	ck_assert_int_eq(pf_db_live_check(db, "hp-fix", (int)getpid()),
	    PF_ERR_USAGE);
	snprintf(path, sizeof path, "%s/live/%d-%llu/hp-fix", dir,
	    (int)getpid(), my_start());
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "PFHJ\001garbage", 12), 12);
	close(fd);
	ck_assert_int_eq(pf_db_live_check(db, "hp-fix", (int)getpid()),
	    PF_ERR_IO);
	ck_assert_ptr_nonnull(strstr(pf_db_error(db), "damaged"));
	ck_assert_int_eq(pf_db_live_recover(db, (int)getpid(), 100),
	    PF_ERR_IO);
	pf_db_free(db);
	remove_dir(dir);
	free(dir);
}
END_TEST

/* The library itself refuses code from a package that is not verified
 * and trusted, whatever its caller checked. */
START_TEST(test_live_trust)
{
	const char *top = getenv("top_builddir");
	char o[4096], n[4096], *dir = temp_dir();
	pf_live_result res = { .size = sizeof res };
	pf_builder *b;
	pf_reader *r;
	pf_db *db;
	int fd = memfd_create("pkg", 0);

	snprintf(o, sizeof o, "%s/tests/live/old", top ? top : ".");
	snprintf(n, sizeof n, "%s/tests/live/new", top ? top : ".");
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	ck_assert_int_eq(pf_builder_diff(b, o, n), PF_OK);
	ck_assert_int_eq(pf_builder_write(b, fd), PF_OK);
	pf_builder_free(b);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open(&r, fd), PF_OK);
	ck_assert(!pf_reader_trusted(r));
	ck_assert_int_eq(pf_db_open(&db, dir, true), PF_OK);
	ck_assert_int_eq(pf_db_live_apply(db, r, (int)getppid(), 100, &res),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_db_error(db), "trusted"));
	pf_db_free(db);
	pf_reader_free(r);
	close(fd);
	remove_dir(dir);
	free(dir);
}
END_TEST

/* Stops the child and asks whether a thread is in [lo, hi), or, with
 * hold, holds an address in it (lv_threads_hold) without being in its
 * code or returning into it. */
static pid_t
check_child(pid_t child, uint64_t lo, uint64_t hi, bool hold)
{
	lv_range rg = { lo, hi, "caller" };
	struct timespec ts = { 0, 50000000 };
	lv_busy busy;
	lv_proc p;
	lv_stop s;
	pf_err err;

	nanosleep(&ts, NULL);
	memset(&p, 0, sizeof p);
	p.memfd = -1;
	ck_assert_int_eq(lv_proc_open(&p, child, &err), PF_OK);
	ck_assert_int_eq(lv_stop_threads(&s, child, true, 2000, &err), PF_OK);
	ck_assert_int_eq(lv_threads_in(&p, &s, &rg, 1, &busy), PF_OK);
	if (hold) {
		ck_assert_int_eq(busy.tid, 0);
		ck_assert_int_eq(lv_threads_hold(&p, &s, &rg, 1, &busy),
		    PF_OK);
	}
	lv_stop_resume(&s);
	lv_proc_close(&p);
	return busy.tid;
}

static pid_t
busy_in(pid_t child, uint64_t lo, uint64_t hi)
{
	return check_child(child, lo, hi, false);
}

static pid_t
spawn(void (*fn)(void))
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static volatile unsigned long spins;

__attribute__((noinline)) static void
calm_spin(void)
{
	for (;;)
		spins++;
}

/*
 * A thread in code without unwind information, whose frame pointer says
 * "end of stack", is busy if its stack holds a return address into the
 * range (the check fails closed); a thread whose stack unwinds to its
 * real bottom without meeting the range is not.
 */
START_TEST(test_unwind_fails_closed)
{
	uint64_t lo = (uint64_t)(uintptr_t)pf_test_nocfi_caller;
	uint64_t hi = (uint64_t)(uintptr_t)pf_test_nocfi_caller_end;
	pid_t child;

	child = spawn(pf_test_nocfi_caller);
	ck_assert_int_eq(busy_in(child, lo, hi), child);
	reap(child);
	child = spawn(calm_spin);
	ck_assert_int_eq(busy_in(child, lo, hi), 0);
	reap(child);
}
END_TEST

/* Stands for a patch's string: a function the patch's code tail-called
 * (snprintf with its format) reads it with no return address into the
 * patch on the stack. */
static const char held_blob[64] = "hello, %s!";
static volatile unsigned long reads;

__attribute__((noinline)) static void
read_spin(const char *volatile *fmt)
{
	for (;;)
		reads += (unsigned char)(*fmt)[reads % 8];
}

__attribute__((noinline)) static uint64_t
blob_lo(void)
{
	return (uint64_t)(uintptr_t)held_blob;
}

static void
hold_blob(void)
{
	const char *volatile fmt = held_blob;

	read_spin(&fmt);
}

/*
 * The memory a revert unmaps may be neither run nor read: a thread that
 * holds an address in it (here on its stack, the way vfprintf keeps its
 * format) is busy; one that never touched it is not.
 */
START_TEST(test_hold_blocks_unmap)
{
	pid_t child;

	/* The child that never touched the blob forks first: a fork
	 * inherits the stack of its parent, and the parent's frame will
	 * hold the blob's address below. */
	child = spawn(calm_spin);
	ck_assert_int_eq(check_child(child, blob_lo(),
	    blob_lo() + sizeof held_blob, true), 0);
	reap(child);
	child = spawn(hold_blob);
	ck_assert_int_eq(check_child(child, blob_lo(),
	    blob_lo() + sizeof held_blob, true), child);
	reap(child);
}
END_TEST

/* What the child of test_signals_held counted. */
static volatile sig_atomic_t rt_count, rt_sum, usr1_count, report;

static void
on_rt(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	rt_count++;
	rt_sum += si->si_value.sival_int;
}

static void
on_usr(int sig)
{
	if (sig == SIGUSR1)
		usr1_count++;
	else
		report = 1;
}

static int report_fd;

/* Counts what it is sent; on SIGUSR2 writes the counts and leaves. */
static void
counting_child(void)
{
	struct sigaction rt = { .sa_sigaction = on_rt,
	    .sa_flags = SA_SIGINFO | SA_RESTART };
	struct sigaction usr = { .sa_handler = on_usr, .sa_flags = SA_RESTART };
	struct timespec ms = { 0, 10000000 };
	char line[64];
	int n;

	sigaction(SIGRTMIN, &rt, NULL);
	sigaction(SIGUSR1, &usr, NULL);
	sigaction(SIGUSR2, &usr, NULL);
	if (write(report_fd, "r", 1) != 1)
		_exit(1);
	while (!report)
		spins++;
	nanosleep(&ms, NULL);
	n = snprintf(line, sizeof line, "%d %d %d", (int)rt_count,
	    (int)rt_sum, (int)usr1_count);
	if (write(report_fd, line, (size_t)n) != n)
		_exit(1);
}

/*
 * Signals that come while the threads are stopped are taken out of the
 * way when the patcher makes a thread run a system call, and sent again
 * on resume: every real-time one with its value, however many (there
 * used to be room for 16), and a standard signal sent three times once,
 * as the kernel would have delivered it to a thread that did not run.
 */
START_TEST(test_signals_held)
{
	enum { N = 200 };
	uint64_t args[6] = { 0 };
	char line[64] = "";
	int fds[2], count = 0, sum = 0, usr1 = 0, i;
	int64_t ret;
	pid_t child;
	pf_err err;
	lv_stop s;

	ck_assert_int_eq(pipe(fds), 0);
	report_fd = fds[1];
	child = spawn(counting_child);
	ck_assert_int_eq(read(fds[0], line, 1), 1);
	ck_assert_int_eq(lv_stop_threads(&s, child, true, 2000, &err), PF_OK);
	ck_assert_uint_eq(s.n, 1);
	for (i = 1; i <= N; i++) {
		union sigval v = { .sival_int = i };

		ck_assert_int_eq(sigqueue(child, SIGRTMIN, v), 0);
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(kill(child, SIGUSR1), 0);
	ck_assert_int_eq(lv_remote_syscall(&s, &s.t[0],
	    (uint64_t)(uintptr_t)pf_test_syscall_insn, SYS_getpid, args, &ret),
	    PF_OK);
	ck_assert_int_eq(ret, child);
	ck_assert_uint_eq(s.t[0].n_sigs, N + 1);
	lv_stop_resume(&s);
	ck_assert_int_eq(kill(child, SIGUSR2), 0);
	memset(line, 0, sizeof line);
	ck_assert_int_gt(read(fds[0], line, sizeof line - 1), 0);
	ck_assert_int_eq(sscanf(line, "%d %d %d", &count, &sum, &usr1), 3);
	ck_assert_int_eq(count, N);
	ck_assert_int_eq(sum, N * (N + 1) / 2);
	ck_assert_int_eq(usr1, 1);
	close(fds[0]);
	close(fds[1]);
	reap(child);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("live");
	TCase *rec = tcase_create("record"), *an = tcase_create("analysis");

	tcase_add_test(rec, test_round_trip);
	tcase_add_test(rec, test_truncated);
	tcase_add_test(rec, test_flags_and_text);
	tcase_add_test(rec, test_flipped);
	tcase_add_test(rec, test_forged_count);
	tcase_add_test(rec, test_bad_header);
	tcase_add_test(rec, test_undo);
	tcase_add_test(rec, test_seeds);
	tcase_add_test(rec, test_apply_refuses);
	tcase_add_test(rec, test_import_slot);
	tcase_add_test(rec, test_journal);
	tcase_add_test(rec, test_journal_seeds);
	tcase_add_test(rec, test_damaged_record);
	tcase_add_test(rec, test_live_trust);
	tcase_add_test(rec, test_unwind_fails_closed);
	tcase_add_test(rec, test_hold_blocks_unmap);
	tcase_add_test(rec, test_signals_held);
	tcase_add_test(an, test_refusals);
	tcase_add_test(an, test_unchanged);
	tcase_add_test(an, test_no_symtab);
	tcase_add_test(an, test_ehframe);
	tcase_add_test(an, test_rip_fields);
	tcase_add_test(an, test_operand_width);
	tcase_add_test(an, test_unnamed_data);
	tcase_add_test(an, test_static_collision);
	tcase_add_test(an, test_notes);
	tcase_set_timeout(rec, 60);
	tcase_set_timeout(an, 60);
	suite_add_tcase(s, rec);
	suite_add_tcase(s, an);
	return s;
}

int
main(void)
{
	return pf_check_run(suite());
}
