## benchmarks: not run by make check (see bench/run and bench/RESULTS.md);
## bench/ is distributed whole by the top Makefile.am.
