/*
 * pf_keyring: the public keys an applier trusts, one ".pub" file each
 * in a directory (spec section 11.2).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust/keyring.h"

pf_ret
pf_keyring_new(pf_keyring **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? PF_OK : PF_ERR_NOMEM;
}

void
pf_keyring_free(pf_keyring *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++)
		free(k->keys[i].file);
	free(k->keys);
	free(k->gone);
	free(k);
}

const char *
pf_keyring_error(const pf_keyring *k)
{
	return k->err.msg;
}

size_t
pf_keyring_size(const pf_keyring *k)
{
	return k->n;
}

const pf_pubkey *
pf_keyring_find(const pf_keyring *k, const uint8_t id[PF_SIG_KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (memcmp(k->keys[i].id, id, PF_SIG_KEY_ID_LEN) == 0)
			return &k->keys[i];
	return NULL;
}

pf_ret
pf_keyring_add_key(pf_keyring *k, const pf_pubkey *key, const char *path)
{
	pf_pubkey *v;

	/* The same key twice (a copy under another name) counts once. */
	if (pf_keyring_find(k, key->id) != NULL)
		return PF_OK;
	v = realloc(k->keys, (k->n + 1) * sizeof *v);
	if (v == NULL)
		return pf_err_nomem(&k->err);
	k->keys = v;
	v[k->n] = *key;
	if ((v[k->n].file = strdup(path)) == NULL)
		return pf_err_nomem(&k->err);
	k->n++;
	return PF_OK;
}

/*
 * Section 11.2: every failure to read or parse a key of the keyring is a
 * trust failure, whatever the entry is: a keyring is trusted as a whole.
 */
pf_ret
pf_keyring_add_file(pf_keyring *k, const char *path)
{
	pf_pubkey key;
	pf_ret r;

	r = pf_pubkey_load(&key, path, PF_ERR_TRUST, &k->err);
	if (r == PF_OK)
		r = pf_keyring_add_key(k, &key, path);
	return r;
}

static bool
is_pub(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".pub") == 0;
}

pf_ret
pf_keyring_add_dir(pf_keyring *k, const char *dir)
{
	char path[4096];
	struct dirent **list = NULL;
	int i, n;
	bool rooted;
	pf_ret r;

	/* With root metadata, it alone names the keys (spec/keyring.md). */
	if ((r = pf_keyring_add_root(k, dir, &rooted)) != PF_OK || rooted)
		return r;
	/* Sorted, so messages and results never depend on directory order. */
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return pf_err_errno(&k->err, PF_ERR_TRUST, errno,
		    "cannot read keyring '%s'", dir);
	for (i = 0; i < n; i++) {
		if (r == PF_OK && is_pub(list[i]->d_name)) {
			snprintf(path, sizeof path, "%s/%s", dir,
			    list[i]->d_name);
			r = pf_keyring_add_file(k, path);
		}
		free(list[i]);
	}
	free(list);
	return r;
}
