/*
 * tools/bench/media_bench.h: the "media" subcommand of sipline-bench
 * (media_bench.c): concurrent G.711 streams one media thread sustains,
 * engine CPU per packet, and the raw UDP cost measured in the same run.
 *
 * Thread: called from main().
 */
#ifndef SIPLINE_BENCH_MEDIA_H
#define SIPLINE_BENCH_MEDIA_H

/**
 * bench_media_main() - runs the ramp and prints the figures.
 * @argc, @argv: the arguments after "media".
 * Return: the exit status: 0, 1 (a run failed), 2 (usage).
 */
int bench_media_main(int argc, char **argv);

#endif /* SIPLINE_BENCH_MEDIA_H */
