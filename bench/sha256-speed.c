/*
 * SHA-256 throughput of the candidates for the library's one hash
 * (common/hash.c): Nettle (the one used), OpenSSL's libcrypto EVP and
 * libsodium.  Not built by make (it needs libssl-dev, which the project
 * does not); bench/RESULTS.md gives the command and the figures.  What
 * loading each library costs a process is measured apart, with perf stat
 * on a program that hashes one byte (RESULTS.md, "SHA-256").
 *
 *	cc -O2 bench/sha256-speed.c -o sha256-speed -lnettle -lcrypto -lsodium
 *	./sha256-speed [MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha2.h>
#include <openssl/evp.h>
#include <sodium.h>

#define RUNS 5
#define SMALL 100000

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
nettle_hash(const unsigned char *p, size_t n, unsigned char d[32])
{
	struct sha256_ctx c;
	size_t o;

	sha256_init(&c);
	for (o = 0; o < n; o += 65536)
		sha256_update(&c, n - o < 65536 ? n - o : 65536, p + o);
	sha256_digest(&c, 32, d);
}

static int
evp_hash(const unsigned char *p, size_t n, unsigned char d[32])
{
	EVP_MD_CTX *e = EVP_MD_CTX_new();
	unsigned int len;
	size_t o;

	if (e == NULL || EVP_DigestInit_ex(e, EVP_sha256(), NULL) != 1)
		return -1;
	for (o = 0; o < n; o += 65536)
		EVP_DigestUpdate(e, p + o, n - o < 65536 ? n - o : 65536);
	EVP_DigestFinal_ex(e, d, &len);
	EVP_MD_CTX_free(e);
	return 0;
}

static void
best(double t0, double *b)
{
	double t = now() - t0;

	if (t < *b)
		*b = t;
}

int
main(int argc, char **argv)
{
	size_t n = (size_t)(argc > 1 ? atoi(argv[1]) : 256) << 20, o;
	unsigned char *p, d[32], e[32];
	double t, b_nettle = 1e9, b_evp = 1e9, b_na = 1e9;
	double s_nettle = 1e9, s_evp = 1e9;
	int run, i;

	if (sodium_init() < 0 || (p = malloc(n)) == NULL)
		return 1;
	for (o = 0; o < n; o++)
		p[o] = (unsigned char)(o * 2654435761u >> 13);
	for (run = 0; run < RUNS; run++) {
		t = now();
		nettle_hash(p, n, d);
		best(t, &b_nettle);
		t = now();
		if (evp_hash(p, n, e) != 0)
			return 1;
		best(t, &b_evp);
		if (memcmp(d, e, 32) != 0) {
			fprintf(stderr, "sha256-speed: the digests differ\n");
			return 1;
		}
		t = now();
		crypto_hash_sha256(d, p, n);
		best(t, &b_na);
		t = now();
		for (i = 0; i < SMALL; i++)
			nettle_hash(p, 32, d);
		best(t, &s_nettle);
		t = now();
		for (i = 0; i < SMALL; i++)
			(void)evp_hash(p, 32, d);
		best(t, &s_evp);
	}
	printf("| implementation | MB/s (%zu MiB, best of %d) | 32-byte message, us |\n"
	    "|---|---:|---:|\n", n >> 20, RUNS);
	printf("| Nettle | %.0f | %.2f |\n", (double)n / 1e6 / b_nettle,
	    s_nettle / SMALL * 1e6);
	printf("| libcrypto EVP | %.0f | %.2f |\n", (double)n / 1e6 / b_evp,
	    s_evp / SMALL * 1e6);
	printf("| libsodium | %.0f | - |\n", (double)n / 1e6 / b_na);
	free(p);
	return 0;
}
