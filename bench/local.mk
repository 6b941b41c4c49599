## benchmarks: not run by make check (see bench/run and bench/RESULTS.md)
EXTRA_DIST += bench/run bench/mklarge.py bench/RESULTS.md
