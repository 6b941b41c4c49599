#!/bin/sh
# The audit log of hot patches (spec section 12.8): patch-apply --pid and
# patch-rollback --pid each write one line (event, patch ID, the process,
# result); a process that runs none of the package's builds writes none.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
. "$top_srcdir/tests/cli/field.sh"
expect 0 patch-create -q --key "$tmp/test.key" --name hp-fix \
	-o "$tmp/hp.ppkg" "$tmp/old" "$tmp/new"
hp_serve
A="--keyring $tmp/keys --state-dir $tmp/state"
log=$tmp/state/log
expect 0 patch-apply $A --pid "$server" "$tmp/hp.ppkg"
expect 0 patch-apply $A --pid "$server" "$tmp/hp.ppkg"    # already: no line
expect 0 patch-rollback --state-dir "$tmp/state" --pid "$server" hp-fix
expect 1 patch-apply $A --pid $$ "$tmp/hp.ppkg"
log_lines_ok "$log" || fail "the log is not JSON lines"
python3 - "$log" "$server" <<'PY' || fail "log: $(cat "$log")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["event"] for l in lines] == ["hot-patch", "hot-unpatch"], lines
for l in lines:
    assert l["id"] == "hp-fix" and l["process"] == int(sys.argv[2]), l
    assert l["result"] == "ok" and l["exit_status"] == 0, l
    assert l["error"] is None, l
PY
expect 0 patch-status --log --state-dir "$tmp/state"
grep -q '^[0-9-]*T[0-9:]*Z hot-patch hp-fix [0-9]* ok$' "$tmp/out" ||
	fail "patch-status --log: $(cat "$tmp/out")"
finish
