/*
 * SHA-256 throughput of the candidates for the library's one hash
 * (common/hash.c): OpenSSL's libcrypto EVP and libsodium.  Not built by
 * make; bench/RESULTS.md gives the command and the figures.
 *
 *	cc -O2 bench/sha256-speed.c -o sha256-speed -lcrypto -lsodium
 *	./sha256-speed [MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sodium.h>

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t n = (size_t)(argc > 1 ? atoi(argv[1]) : 256) << 20, o;
	unsigned char *p, d[32];
	double t, best_evp = 1e9, best_na = 1e9, small_evp = 1e9;
	EVP_MD_CTX *e;
	unsigned int len;
	int run, i;

	if (sodium_init() < 0 || (p = malloc(n)) == NULL)
		return 1;
	for (o = 0; o < n; o++)
		p[o] = (unsigned char)(o * 2654435761u >> 13);
	for (run = 0; run < 5; run++) {
		t = now();
		if ((e = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(e, EVP_sha256(), NULL) != 1)
			return 1;
		for (o = 0; o < n; o += 65536)
			EVP_DigestUpdate(e, p + o, n - o < 65536 ? n - o : 65536);
		EVP_DigestFinal_ex(e, d, &len);
		EVP_MD_CTX_free(e);
		if ((t = now() - t) < best_evp)
			best_evp = t;
		t = now();
		crypto_hash_sha256(d, p, n);
		if ((t = now() - t) < best_na)
			best_na = t;
		t = now();
		for (i = 0; i < 100000; i++) {
			e = EVP_MD_CTX_new();
			EVP_DigestInit_ex(e, EVP_sha256(), NULL);
			EVP_DigestUpdate(e, p, 32);
			EVP_DigestFinal_ex(e, d, &len);
			EVP_MD_CTX_free(e);
		}
		if ((t = now() - t) < small_evp)
			small_evp = t;
	}
	printf("| implementation | MB/s (%zu MiB, best of 5) |\n|---|---:|\n",
	    n >> 20);
	printf("| libcrypto EVP | %.0f |\n", (double)n / 1e6 / best_evp);
	printf("| libsodium | %.0f |\n", (double)n / 1e6 / best_na);
	printf("\nlibcrypto, a 32-byte message with a new context: %.2f us\n",
	    small_evp / 100000 * 1e6);
	free(p);
	return 0;
}
