#!/bin/sh
# Phased rollouts (spec section 5.1.5): patch-apply takes a package only on
# machines whose place, from ROOT/etc/machine-id and the seed, is below
# the share; the others exit with 13 and write nothing to the tree;
# --ignore-phasing installs all the same, loudly; --check and --json show
# the decision; a re-signed package with a larger share keeps every
# machine the smaller one had.  (check_field counts 10,000 machines.)
. "$top_srcdir/tests/cli/lib.sh"

old=$tmp/old new=$tmp/new
mkdir -p "$old/etc" "$new/etc"
echo one >"$old/file" && echo two >"$new/file"
make_key
for share in 20 60; do
	expect 0 patch-create -q --no-live --name fix --key "$tmp/test.key" \
	    --phase "$share" --phase-seed fix-family -o "$tmp/p$share.ppkg" \
	    "$old" "$new"
done

root() {
	rm -rf "$tmp/t"
	cp -a "$old" "$tmp/t"
	[ -n "$1" ] && printf '%032x\n' "$1" >"$tmp/t/etc/machine-id"
}
decide() {
	patch-apply --check --json --keyring "$tmp/keys" --state-dir "$tmp/s" \
	    --root "$tmp/t" "$1" 2>/dev/null | sed -n 's/.*"decision":"\([a-z]*\)".*/\1/p'
}

in20=0 in60=0 i=1
while [ $i -le 40 ]; do
	root $((i * 7919))
	d20=$(decide "$tmp/p20.ppkg") d60=$(decide "$tmp/p60.ppkg")
	case $d20 in install) in20=$((in20 + 1)) ;; defer) ;;
	*) fail "machine $i: no decision at 20%" ;; esac
	case $d60 in install) in60=$((in60 + 1)) ;; defer) ;;
	*) fail "machine $i: no decision at 60%" ;; esac
	[ "$d20" = install ] && [ "$d60" != install ] &&
		fail "machine $i: raising the share dropped it"
	if [ "$d20" = defer ] && [ -z "${deferred:-}" ]; then
		deferred=$i
	fi
	i=$((i + 1))
done
ok
[ "$in20" -gt 0 ] && [ "$in20" -lt "$in60" ] && [ "$in60" -lt 40 ] ||
	fail "shares taken: $in20 at 20%, $in60 at 60%, of 40"

# A deferred machine: status 13, the tree as it was, the place shown.
root $((deferred * 7919))
h_before=$(tree_hash "$tmp/t")
expect 13 patch-apply --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p20.ppkg"
grep -q "rolled out to 20.00% of machines, and this one's place is" \
    "$tmp/err" || fail "no deferral message: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/t")" = "$h_before" ] || fail "a deferred apply wrote"
expect 13 patch-apply --check --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p20.ppkg"
expect 13 patch-apply --json --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p20.ppkg"
grep -q '"phase":{"percent":20.00,"place":[0-9.]*,"decision":"defer"}.*"exit_status":13' \
    "$tmp/out" || fail "JSON of a deferral: $(cat "$tmp/out")"
expect 0 patch-apply --ignore-phasing --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p20.ppkg"
grep -q 'WARNING: --ignore-phasing' "$tmp/err" || fail "--ignore-phasing quiet"
cmp -s "$tmp/t/file" "$new/file" || fail "--ignore-phasing did not install"

# The text of --check says where the machine stands.
root $((deferred * 7919))
rm -rf "$tmp/s"
patch-apply --check --ignore-phasing --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p20.ppkg" >"$tmp/out" 2>&1
grep -q '^phase     20.00% of machines, this one.s place [0-9.]*: ignored$' \
    "$tmp/out" || fail "--check text: $(cat "$tmp/out")"

# No machine-id: no place, deferred below 100%.
root ""
expect 13 patch-apply --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p60.ppkg"
grep -q "does not name this one" "$tmp/err" || fail "no machine-id message"
expect 0 patch-create -q --no-live --name all --key "$tmp/test.key" \
    --phase 100 -o "$tmp/p100.ppkg" "$old" "$new"
expect 0 patch-apply --keyring "$tmp/keys" --root "$tmp/t" \
    --state-dir "$tmp/s" "$tmp/p100.ppkg"

# What patch-create and patch-inspect say.
expect 0 patch-inspect "$tmp/p20.ppkg"
grep -q '^phase    20.00% seed fix-family$' "$tmp/out" ||
	fail "patch-inspect: $(cat "$tmp/out")"
for bad in 101 12.345 -1 x 5.; do
	expect 2 patch-create -q --phase "$bad" -o "$tmp/x.ppkg" "$old" "$new"
done
expect 2 patch-create -q --phase-seed s -o "$tmp/x.ppkg" "$old" "$new"
expect 0 patch-create -q --phase 0.5 -o "$tmp/half.ppkg" "$old" "$new"
expect 0 patch-inspect --json "$tmp/half.ppkg"
grep -q '"phase":{"percent":0.50,"seed":null}' "$tmp/out" ||
	fail "patch-inspect --json: $(cat "$tmp/out")"
finish
