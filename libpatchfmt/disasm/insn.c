/*
 * The address-dependent fields of a function's instructions (capstone):
 * RIP-relative displacements and relative branch targets.  Everything
 * else in the analysis works on the list this produces.
 */
#include <config.h>

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/insn.h"

/* A jump through a register: how GCC dispatches a switch table. */
static bool
is_ijmp(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	return in->id == X86_INS_JMP && x->op_count == 1 &&
	    x->operands[0].type == X86_OP_REG;
}

static pf_ret
push(hp_refs *rs, const hp_ref *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 16;
		void *p = realloc(rs->v, cap * sizeof *rs->v);

		if (p == NULL)
			return PF_ERR_NOMEM;
		rs->v = p;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return PF_OK;
}

/* How many bytes a memory operand reads.  Capstone 4 reports the size
 * of the register for (v)comisd and (v)comiss (16 bytes), but they read
 * a scalar, as ucomisd and ucomiss do: taking 16 bytes would compare
 * whatever follows the constant (a switch table, say) as part of it. */
static uint8_t
mem_width(const cs_insn *in, const cs_x86_op *op)
{
	switch (in->id) {
	case X86_INS_COMISD:
	case X86_INS_VCOMISD:
		return op->size < 8 ? op->size : 8;
	case X86_INS_COMISS:
	case X86_INS_VCOMISS:
		return op->size < 4 ? op->size : 4;
	default:
		return op->size;
	}
}

/* The field of one instruction that holds an address, if any. */
static bool
insn_ref(csh h, const cs_insn *in, uint64_t start, hp_ref *r)
{
	const cs_x86 *x = &in->detail->x86;
	uint8_t i;

	memset(r, 0, sizeof *r);
	for (i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP) {
			/* A RIP-relative displacement is always 32 bits, right
			 * after the ModRM byte; capstone 4 says 16 bits when
			 * a 0x66 prefix is present (movdqa, movapd...). */
			r->field = in->address - start +
			    (x->encoding.disp_offset ? x->encoding.disp_offset :
			    x->encoding.modrm_offset + 1u);
			r->size = 4;
			r->target = in->address + in->size + (uint64_t)op->mem.disp;
			r->memsize = mem_width(in, op);
			r->lea = in->id == X86_INS_LEA;
			break;
		}
		if (op->type == X86_OP_IMM &&
		    cs_insn_group(h, in, CS_GRP_BRANCH_RELATIVE)) {
			r->field = in->address - start + x->encoding.imm_offset;
			r->size = x->encoding.imm_size;
			r->target = (uint64_t)op->imm;
			r->branch = true;
			break;
		}
	}
	if (i == x->op_count)
		return false;
	r->next = in->address + in->size - start;
	/* A field must lie inside its instruction. */
	return r->size != 0 && r->field + r->size <= r->next;
}

pf_ret
hp_insn_refs(const uint8_t *code, size_t len, uint64_t addr, hp_refs *out,
    size_t *decoded)
{
	const uint8_t *p = code;
	size_t left = len;
	uint64_t a = addr;
	cs_insn *in = NULL;
	hp_ref r;
	pf_ret ret = PF_OK;
	bool ijmp = false;
	size_t i;
	csh h;

	memset(out, 0, sizeof *out);
	*decoded = 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return PF_ERR_NOMEM;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if ((in = cs_malloc(h)) == NULL) {
		ret = PF_ERR_NOMEM;
		goto out;
	}
	while (left > 0 && cs_disasm_iter(h, &p, &left, &a, in)) {
		ijmp = ijmp || is_ijmp(in);
		if (insn_ref(h, in, addr, &r) && (ret = push(out, &r)) != PF_OK)
			goto out;
	}
	for (i = 0; i < out->n; i++)
		out->v[i].ijmp = ijmp;
	*decoded = len - left;
out:
	if (in != NULL)
		cs_free(in, 1);
	cs_close(&h);
	return ret;
}

void
hp_refs_free(hp_refs *rs)
{
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

void
hp_insn_text(const uint8_t *code, size_t len, uint64_t addr, uint64_t off,
    char *buf, size_t n)
{
	const uint8_t *p = code;
	size_t left = len;
	uint64_t a = addr;
	cs_insn *in = NULL;
	csh h;

	snprintf(buf, n, "+0x%llx: (cannot decode)", (unsigned long long)off);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return;
	if ((in = cs_malloc(h)) != NULL)
		while (left > 0 && cs_disasm_iter(h, &p, &left, &a, in)) {
			if (in->address + in->size - addr <= off)
				continue;
			snprintf(buf, n, "+0x%llx: %s%s%s", (unsigned long long)
			    (in->address - addr), in->mnemonic,
			    in->op_str[0] ? " " : "", in->op_str);
			break;
		}
	if (in != NULL)
		cs_free(in, 1);
	cs_close(&h);
}
