# manual pages
dist_man_MANS += man/patch-create.1 man/patch-inspect.1 man/patch-apply.1 man/patchfmt.5
dist_man_MANS += man/patch-keygen.1 man/patch-rollback.1 man/patch-status.1
dist_man_MANS += man/patch-keyring.1
