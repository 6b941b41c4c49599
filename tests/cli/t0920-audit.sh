#!/bin/sh
# The audit log (spec section 12.8): one JSON line per install, rollback
# and hook run in STATE/log, with time, package ID and digest, signer key
# IDs, result, paths and process IDs; a torn last line is cut;
# patch-status --log shows it as text and --log --json as one document
# whose "log" member is the array.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/field.sh"

old=$tmp/old new=$tmp/new
mkdir -p "$old/d" "$new/d"
echo one >"$old/d/f" && echo two >"$new/d/f" && echo add >"$new/d/g"
make_key
expect 0 patch-create -q --no-live --name fix --package-version 2 --key "$tmp/test.key" \
    -o "$tmp/p.ppkg" "$old" "$new"
key=$(patch-inspect "$tmp/p.ppkg" | sed -n 's/^signed   key \([0-9a-f]*\) .*/\1/p')
digest=$(patch-inspect --json "$tmp/p.ppkg" | head -1 |
    sed 's/.*"digest":"\([0-9a-f]*\)".*/\1/')
cp -a "$old" "$tmp/t"
o="--keyring $tmp/keys --root $tmp/t --state-dir $tmp/s"
log=$tmp/s/log

expect 0 patch-status --log --root "$tmp/t" --state-dir "$tmp/s"
[ -s "$tmp/out" ] && fail "a log without a state directory"
expect 0 patch-status --log --json --root "$tmp/t" --state-dir "$tmp/s"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["log"]==[]' \
    "$tmp/out" || fail "empty JSON log: $(cat "$tmp/out")"

expect 0 patch-apply $o "$tmp/p.ppkg"
expect 0 patch-apply $o "$tmp/p.ppkg"          # already applied: no line
expect 0 patch-rollback --root "$tmp/t" --state-dir "$tmp/s" fix
log_lines_ok "$log" || fail "the log is not JSON lines"
[ "$(wc -l <"$log")" -eq 2 ] || fail "two transactions: $(cat "$log")"
python3 - "$log" "$key" "$digest" "$tmp/t" <<'PY' || fail "log content"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
want = [("install", ["d/f", "d/g"]), ("rollback", ["d/f", "d/g"])]
for l, (ev, paths) in zip(lines, want):
    assert l["event"] == ev, l
    assert l["result"] == "committed" and l["recovered"] is False, l
    assert l["id"] == "fix" and l["digest"] == sys.argv[3], l
    assert l["signers"] == [sys.argv[2]], l
    assert sorted(l["paths"]) == paths and l["paths_omitted"] == 0, l
    assert l["root"] == sys.argv[4] and l["cause"] is None, l
    assert l["pid"] == l["by"] and l["pid"] > 0, l
    assert isinstance(l["time"], float) and len(l["txn"]) == 16, l
assert lines[0]["txn"] != lines[1]["txn"]
PY

# A refused install (the tree does not match) changed nothing: no line.
mkdir "$tmp/t/d/g"
expect 1 patch-apply $o "$tmp/p.ppkg"
[ "$(wc -l <"$log")" -eq 2 ] || fail "a refused install was logged"
rmdir "$tmp/t/d/g"

expect 0 patch-status --log --root "$tmp/t" --state-dir "$tmp/s"
grep -q '^[0-9-]*T[0-9:]*Z install fix committed$' "$tmp/out" ||
	fail "patch-status --log: $(cat "$tmp/out")"
grep -q '^[0-9-]*T[0-9:]*Z rollback fix committed$' "$tmp/out" ||
	fail "patch-status --log: $(cat "$tmp/out")"
expect 0 patch-status --log --json --root "$tmp/t" --state-dir "$tmp/s"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["log"])==2' \
    "$tmp/out" || fail "patch-status --log --json: $(cat "$tmp/out")"
expect 2 patch-status --log --pid 1 --root "$tmp/t" --state-dir "$tmp/s"

# A torn last line (a crash inside a write) is cut before the next line.
printf '{"event":"inst' >>"$log"
expect 0 patch-apply $o "$tmp/p.ppkg"
log_lines_ok "$log" || fail "the torn line stayed: $(tail -2 "$log")"
[ "$(wc -l <"$log")" -eq 3 ] || fail "lines after a torn one: $(cat "$log")"
finish
