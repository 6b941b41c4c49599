#!/bin/sh
# The machine interface: every tool, with --json, through its successes
# and its documented failures (early ones included: usage errors, a
# missing package, an unreadable keyring).  Each run must exit with the
# documented status and print JSON documents whose last one carries
# that status; at the end every document is validated against
# spec/output.schema.json.  Also: a path that is not UTF-8 comes back
# byte for byte, and text output shows control bytes escaped.
. "${top_srcdir:-.}/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema is not installed (scripts/install-deps)"
	exit 77
fi

docs=$tmp/docs
: >"$docs"

# js STATUS TOOL ARGS...: runs TOOL --json ARGS; checks the status, that
# stdout is JSON documents only and that the last one says STATUS.
js() {
	_want=$1
	shift
	_tool=$1
	shift
	"$_tool" --json "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	_got=$?
	if [ "$_got" -ne "$_want" ]; then
		fail "'$_tool $*' exited $_got, expected $_want: $(cat "$tmp/err")"
		return
	fi
	python3 - "$tmp/out" "$_want" "$_tool $*" "$docs" <<'EOF' && ok ||
import json, sys
path, want, cmd, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
text = open(path, encoding="utf-8", errors="surrogateescape").read()
dec, i, found = json.JSONDecoder(), 0, []
while True:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    if i == len(text):
        break
    try:
        d, i = dec.raw_decode(text, i)
    except ValueError as e:
        sys.exit("%s: not JSON at %d: %s: %r" % (cmd, i, e, text[i:i + 80]))
    found.append(d)
if not found:
    sys.exit("%s: no JSON document" % cmd)
last = found[-1]
if last.get("exit_status") != want:
    sys.exit("%s: last document says exit_status %r, not %d"
             % (cmd, last.get("exit_status"), want))
if want not in (0, 17) and last.get("error", {}).get("exit_status") != want:
    sys.exit("%s: error document lacks a matching error" % cmd)
with open(out, "a", encoding="utf-8", errors="surrogateescape") as f:
    for d in found:
        f.write(json.dumps({"cmd": cmd, "doc": d}) + "\n")
EOF
		fail "JSON of '$_tool $*'"
}

# Two builds and packages: signed, unsigned, damaged, and one that
# expired.
sh "$top_srcdir/testdata/example/build.sh" "$tmp/b" || fail "build"
old=$tmp/b/old new=$tmp/b/new
make_key
js 0 patch-create -q --key "$tmp/test.key" --name fix --package-version 1 \
	-o "$tmp/p.ppkg" "$old" "$new"
js 2 patch-create --key "$tmp/test.key" --name fix -o "$tmp/p.ppkg" \
	"$old" "$new"
js 0 patch-create -f --key "$tmp/test.key" --name fix -o "$tmp/p.ppkg" \
	"$old" "$new"
js 0 patch-create --name plain -o "$tmp/u.ppkg" "$old" "$new"
js 0 patch-create --key "$tmp/test.key" --name old --expires 2001-01-01 \
	-o "$tmp/x.ppkg" "$old" "$new"
grep -q "already past" "$tmp/err" && ok || fail "no warning for a past date"
js 0 patch-create --key "$tmp/test.key" --name needy --requires base=2 \
	-o "$tmp/d.ppkg" "$old" "$new"
js 2 patch-create --expires yesterday -o "$tmp/y.ppkg" "$old" "$new"
js 2 patch-create -o "$tmp/y.ppkg" "$old"
js 2 patch-create --bogus -o "$tmp/y.ppkg" "$old" "$new"
js 2 patch-create --name
js 5 patch-create -o "$tmp/y.ppkg" "$tmp/none" "$new"
head -c 300 "$tmp/p.ppkg" >"$tmp/cut.ppkg"
echo "not a package" >"$tmp/junk.ppkg"

# patch-apply: every early failure, then the outcomes of an install.
copy_tree "$old" "$tmp/root"
A="--keyring $tmp/keys --state-dir $tmp/state --root $tmp/root --skip-needs"
js 2 patch-apply
js 2 patch-apply --bogus "$tmp/p.ppkg"
js 2 patch-apply --threshold 99 "$tmp/p.ppkg"
js 2 patch-apply $A --root "$tmp/none" "$tmp/p.ppkg"
js 5 patch-apply $A "$tmp/none.ppkg"
js 7 patch-apply --keyring "$tmp/nokeys" --root "$tmp/root" "$tmp/p.ppkg"
js 3 patch-apply $A "$tmp/junk.ppkg"
js 3 patch-apply $A "$tmp/cut.ppkg"
js 7 patch-apply $A "$tmp/u.ppkg"
js 9 patch-apply $A "$tmp/x.ppkg"
js 8 patch-apply $A "$tmp/d.ppkg"
copy_tree "$old" "$tmp/other"
echo other >"$tmp/other/etc/greet.conf"
js 1 patch-apply $A --root "$tmp/other" --state-dir "$tmp/state2" \
	"$tmp/p.ppkg"
js 0 patch-apply $A --check "$tmp/p.ppkg"
js 0 patch-apply $A --output "$tmp/outdir" "$tmp/p.ppkg"
js 2 patch-apply $A --output-tar - "$tmp/p.ppkg"
js 0 patch-apply --keyring "$tmp/keys/test.pub" --state-dir "$tmp/state" \
	--root "$tmp/root" --skip-needs "$tmp/p.ppkg"
js 0 patch-apply $A "$tmp/p.ppkg"
js 2 patch-apply $A --pid 0 "$tmp/p.ppkg"
# --allow-unsigned warns only for a package that is unsigned; a key file
# as the keyring trusts that key alone.
expect 0 patch-apply $A --check --allow-unsigned "$tmp/p.ppkg"
grep -q "allow-unsigned" "$tmp/err" && fail "warned for a signed package" ||
	ok
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/s3" --root "$old" \
	--skip-needs --check "$tmp/u.ppkg"
grep -q "WARNING: --allow-unsigned: package 'plain' has no signature" \
	"$tmp/err" && ok || fail "no warning for an unsigned package"
patch-keygen -o "$tmp/other" >/dev/null
js 7 patch-apply --keyring "$tmp/other.pub" --state-dir "$tmp/s3" \
	--root "$old" --skip-needs --check "$tmp/p.ppkg"
js 0 patch-apply --recover --state-dir "$tmp/state" --root "$tmp/root"

# patch-status and patch-rollback.
js 0 patch-status --state-dir "$tmp/state" --root "$tmp/root"
js 0 patch-status --state-dir "$tmp/state" --root "$tmp/root" --log
js 0 patch-status --state-dir "$tmp/state" --root "$tmp/root" --pid $$
js 2 patch-status --state-dir "$tmp/state" --root "$tmp/root" extra
chmod u+w "$tmp/root/etc/greet.conf"
echo edit >>"$tmp/root/etc/greet.conf"
js 17 patch-status --state-dir "$tmp/state" --root "$tmp/root"
js 1 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" fix
js 0 patch-rollback --check --force --state-dir "$tmp/state" \
	--root "$tmp/root" fix
js 0 patch-rollback --force --state-dir "$tmp/state" --root "$tmp/root" fix
js 16 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" fix
js 2 patch-rollback --state-dir "$tmp/state" --root "$tmp/root"

# patch-inspect.
js 0 patch-inspect "$tmp/p.ppkg"
js 0 patch-inspect --keyring "$tmp/keys" "$tmp/p.ppkg"
js 7 patch-inspect --keyring "$tmp/keys" "$tmp/u.ppkg"
js 3 patch-inspect "$tmp/junk.ppkg"
js 5 patch-inspect "$tmp/none.ppkg"
js 2 patch-inspect --sbom spdx "$tmp/p.ppkg"

# patch-keygen and patch-keyring.
js 0 patch-keygen -o "$tmp/k2"
js 2 patch-keygen -o "$tmp/k2"
js 2 patch-keygen
js 0 patch-keyring init "$tmp/ring" --root "$tmp/k2.pub" --sign "$tmp/k2.key"
js 0 patch-keyring add-key "$tmp/ring" "$tmp/test.pub" --sign "$tmp/k2.key"
js 0 patch-keyring show "$tmp/ring"
js 2 patch-keyring show "$tmp/nothing"
js 2 patch-keyring frobnicate "$tmp/ring"
js 0 patch-apply --keyring "$tmp/ring" --state-dir "$tmp/state" \
	--root "$tmp/root" --skip-needs --check "$tmp/p.ppkg"

# patch-delta.
f=usr/lib/libgreet.so.1
js 0 patch-delta diff "$old/$f" "$new/$f" "$tmp/d1"
js 2 patch-delta diff "$old/$f" "$new/$f" "$tmp/d1"
js 0 patch-delta info "$tmp/d1"
js 0 patch-delta apply "$old/$f" "$tmp/d1" "$tmp/n1"
cmp -s "$tmp/n1" "$new/$f" && ok || fail "patch-delta apply"
js 1 patch-delta -f apply "$new/$f" "$tmp/d1" "$tmp/n1"
js 3 patch-delta info "$tmp/junk.ppkg"
js 2 patch-delta apply "$old/$f" "$tmp/d1"
js 2 patch-delta frobnicate
js 2 patch-delta

# Every tool: --version and --help exit 0 and name the tool.
for t in patch-create patch-apply patch-inspect patch-rollback \
	patch-status patch-keygen patch-keyring patch-delta; do
	expect 0 "$t" --version && grep -q "^$t (patchfmt) " "$tmp/out" && ok ||
		fail "$t --version: $(cat "$tmp/out")"
	expect 0 "$t" --help && grep -q "^usage: $t" "$tmp/out" && ok ||
		fail "$t --help"
done
expect 0 patch-delta diff --help

# A path that is not UTF-8 survives JSON; text output escapes it.
mkdir -p "$tmp/o8" "$tmp/n8"
printf 'x\n' >"$tmp/n8/$(printf 'caf\351')"
printf 'y\n' >"$tmp/n8/$(printf 'line\nbreak')"
expect 0 patch-create -q -o "$tmp/8.ppkg" "$tmp/o8" "$tmp/n8"
js 0 patch-inspect "$tmp/8.ppkg"
python3 - "$tmp/out" <<'EOF' && ok || fail "a non-UTF-8 path did not survive JSON"
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
paths = {e["path"].encode("utf-8", "surrogateescape")
         for e in d["manifest"]["entries"]}
assert b"caf\xe9" in paths and b"line\nbreak" in paths, paths
EOF
mkdir -p "$tmp/r8"
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/s8" --root "$tmp/r8" \
	--skip-needs "$tmp/8.ppkg"
grep -qF 'caf\xe9' "$tmp/out" && grep -qF 'line\nbreak' "$tmp/out" && ok ||
	fail "text output does not escape: $(cat "$tmp/out")"
[ "$(tr -d '[:print:]\n' <"$tmp/out" | wc -c)" -eq 0 ] && ok ||
	fail "raw control bytes in text output"

# Every document against the schema.
python3 - "$top_srcdir/spec/output.schema.json" "$docs" <<'EOF' && ok ||
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema)
bad = n = 0
tools = set()
for line in open(sys.argv[2], encoding="utf-8", errors="surrogateescape"):
    rec = json.loads(line)
    n += 1
    tools.add(rec["doc"].get("tool"))
    for e in v.iter_errors(rec["doc"]):
        bad += 1
        print("%s: %s at %s" % (rec["cmd"], e.message, list(e.path)))
        break
print("%d documents from %d tools, %d invalid" % (n, len(tools), bad))
sys.exit(1 if bad or len(tools) < 8 else 0)
EOF
	fail "documents that do not match spec/output.schema.json"
finish
