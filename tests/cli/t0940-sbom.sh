#!/bin/sh
# patch-inspect --sbom cyclonedx|spdx (spec section 5.1.3): a CycloneDX
# 1.5 or SPDX 2.3 JSON document of what a package installs, each file with
# its SHA-256, the product and versions, provenance and required patches,
# valid against the official CycloneDX 1.5 and SPDX 2.3 JSON schemas
# (tests/schemas/official, vendored with their licences) and against the
# stricter subsets in tests/schemas (no member they do not know), for a
# small package and for every pair of the corpus; the same package always
# gives the same document.
. "$top_srcdir/tests/cli/lib.sh"
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema is not installed"
	exit 77
fi
schemas=$top_srcdir/tests/schemas

# validate SUBSET-SCHEMA DOCUMENT: the subset, then the official schema
# of the same standard (CycloneDX's refers to its two companions, which
# are resolved from the same directory, never from the network).
validate() {
	python3 - "$schemas" "$1" "$2" <<'PY'
import json, os, sys, jsonschema
top, subset, doc = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
# "spdx-official" or "cyclonedx-official": the official schema alone.
if not subset.endswith("-official"):
    schema = json.load(open(os.path.join(top, subset)))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema,
        format_checker=jsonschema.FormatChecker()).validate(doc)
if subset.startswith("spdx"):
    d, main = os.path.join(top, "official/spdx-2.3"), "spdx-schema.json"
else:
    d, main = os.path.join(top, "official/cyclonedx-1.5"), "bom-1.5.schema.json"
store = {}
for name in os.listdir(d):
    if name.endswith(".json"):
        s = json.load(open(os.path.join(d, name)))
        store[s.get("$id", name)] = s
        store[name] = s
official = store[main]
jsonschema.Draft7Validator.check_schema(official)
resolver = jsonschema.RefResolver(official.get("$id", ""), official,
                                  store=store)
jsonschema.Draft7Validator(official, resolver=resolver).validate(doc)
PY
}

old=$tmp/old new=$tmp/new
mkdir -p "$old/usr/bin" "$new/usr/bin" "$new/usr/share/doc"
echo one >"$old/usr/bin/tool" && echo two >"$new/usr/bin/tool"
echo 'new doc' >"$new/usr/share/doc/README"
echo gone >"$old/usr/bin/gone"
ln -s tool "$new/usr/bin/alias"
expect 0 patch-create -q --no-live --name fix+1 --package-version 1.2~rc1 \
    --product tool --from-version 1.1 --to-version 1.2 \
    --issue BUG-42 --source-rev 4b825dc --source-url https://example.org/tool.git \
    --requires base=1.0 --requires other -o "$tmp/p.ppkg" "$old" "$new"
for kind in cyclonedx spdx; do
	expect 0 patch-inspect --sbom $kind "$tmp/p.ppkg"
	cp "$tmp/out" "$tmp/$kind.json"
	validate "$([ $kind = spdx ] && echo spdx-2.3 || echo cyclonedx-1.5)-subset.schema.json" \
	    "$tmp/$kind.json" 2>"$tmp/err" || fail "$kind: $(cat "$tmp/err")"
	expect 0 patch-inspect --sbom $kind "$tmp/p.ppkg"
	cmp -s "$tmp/out" "$tmp/$kind.json" || fail "$kind is not reproducible"
done
# The validation can fail: a document the official schemas refuse.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["bomFormat"]="Other"; json.dump(d, open(sys.argv[2], "w"))' \
    "$tmp/cyclonedx.json" "$tmp/bad-c.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["SPDXID"]=7; json.dump(d, open(sys.argv[2], "w"))' \
    "$tmp/spdx.json" "$tmp/bad-s.json"
validate cyclonedx-official "$tmp/cyclonedx.json" && ok ||
    fail "the official CycloneDX schema refuses a good document"
validate cyclonedx-official "$tmp/bad-c.json" 2>/dev/null &&
    fail "a bad CycloneDX document passed" || ok
validate spdx-official "$tmp/spdx.json" && ok ||
    fail "the official SPDX schema refuses a good document"
validate spdx-official "$tmp/bad-s.json" 2>/dev/null &&
    fail "a bad SPDX document passed" || ok
python3 - "$tmp/cyclonedx.json" "$tmp/spdx.json" "$new" <<'PY' || fail "content"
import hashlib, json, sys
cdx, spdx, new = (json.load(open(sys.argv[1])), json.load(open(sys.argv[2])),
                  sys.argv[3])
def sha(p): return hashlib.sha256(open(new + "/" + p, "rb").read()).hexdigest()
files = {"usr/bin/tool": sha("usr/bin/tool"),
         "usr/share/doc/README": sha("usr/share/doc/README")}
got = {c["name"]: c["hashes"][0]["content"] for c in cdx["components"]
       if c["type"] == "file"}
assert got == files, got
meta = cdx["metadata"]["component"]
assert meta["name"] == "fix+1" and meta["version"] == "1.2~rc1", meta
assert meta["purl"] == "pkg:generic/fix%2B1@1.2~rc1", meta
props = {p["name"]: p["value"] for p in meta["properties"]}
assert props["patchfmt:issue"] == "BUG-42", props
assert props["patchfmt:source-rev"] == "4b825dc", props
assert props["patchfmt:source-url"] == "https://example.org/tool.git"
assert props["patchfmt:from-version"] == "1.1", props
assert props["patchfmt:to-version"] == "1.2", props
prod = [c for c in cdx["components"] if c.get("bom-ref") == "product"]
assert prod[0]["name"] == "tool" and prod[0]["version"] == "1.2"
req = {c["name"]: c.get("version") for c in cdx["components"]
       if c.get("bom-ref", "").startswith("requires-")}
assert req == {"base": "1.0", "other": None}, req
deps = cdx["dependencies"][0]
assert deps["ref"] == "patch" and len(deps["dependsOn"]) == 4, deps
sfiles = {f["fileName"]: f["checksums"][0]["checksumValue"]
          for f in spdx["files"]}
assert sfiles == {"./" + k: v for k, v in files.items()}, sfiles
pkg = spdx["packages"][0]
assert pkg["name"] == "fix+1" and pkg["versionInfo"] == "1.2~rc1", pkg
assert pkg["downloadLocation"] == "https://example.org/tool.git", pkg
assert pkg["sourceInfo"] == "4b825dc" and pkg["summary"] == "BUG-42", pkg
rels = {(r["relationshipType"], r["relatedSpdxElement"])
        for r in spdx["relationships"]}
assert ("PATCH_FOR", "SPDXRef-Package-product") in rels, rels
assert len([r for r in rels if r[0] == "DEPENDS_ON"]) == 2, rels
assert len([r for r in rels if r[0] == "CONTAINS"]) == 2, rels
PY
expect 2 patch-inspect --sbom other "$tmp/p.ppkg"
expect 2 patch-inspect --sbom spdx --json "$tmp/p.ppkg"

# The corpus's packages: one per pair, each document valid.
if [ -d "$PF_CORPUS/pairs" ]; then
	for pair in "$PF_CORPUS"/pairs/*/; do
		name=$(basename "$pair")
		[ -f "$pair/old" ] || continue
		patch-create -q --no-live --name "$name" -o "$tmp/c.ppkg" \
		    "$pair/old" "$pair/new" 2>/dev/null || continue
		for kind in cyclonedx spdx; do
			patch-inspect --sbom $kind "$tmp/c.ppkg" >"$tmp/c.json" &&
			validate "$([ $kind = spdx ] && echo spdx-2.3 ||
			    echo cyclonedx-1.5)-subset.schema.json" "$tmp/c.json" \
			    2>"$tmp/err" || fail "corpus $name $kind: $(cat "$tmp/err")"
			ok
		done
	done
fi
finish
