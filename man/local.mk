# manual pages
dist_man_MANS += man/patch-create.1 man/patch-inspect.1 man/patch-apply.1 man/patchfmt.5
dist_man_MANS += man/patch-keygen.1 man/patch-rollback.1 man/patch-status.1
dist_man_MANS += man/patch-keyring.1
# libpatchfmt(3): the library's interface, one page per handle
# (tests/api/man3.sh keeps them and the public headers in step).
dist_man_MANS += man/libpatchfmt.3 man/pf_reader.3 man/pf_txn.3 \
	man/pf_db.3 man/pf_builder.3 man/pf_keyring.3 man/pf_delta.3 \
	man/pf_util.3
dist_man_MANS += man/pf_manifest.3 man/pf_trust.3
dist_man_MANS += man/pf_keyroot.3
