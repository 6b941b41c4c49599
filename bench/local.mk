## benchmarks: not run by make check (see bench/run and bench/RESULTS.md);
## the top Makefile.am distributes the scripts and results of bench/.
EXTRA_DIST += bench/mkbig bench/scale bench/added bench/mktree bench/tree \
	bench/threads bench/apply-speed bench/mkfresh bench/fresh.list
