/*
 * tools/bench/uas.h: the "uas" subcommand of sipline-bench (uas.c), the
 * auto-answering callee of the call benchmark (call-bench.sh).
 *
 * Thread: called from main().
 */
#ifndef SIPLINE_BENCH_UAS_H
#define SIPLINE_BENCH_UAS_H

/**
 * bench_uas_main() - runs the callee until --seconds pass or a signal.
 * @argc, @argv: the arguments after "uas".
 * Return: the exit status: 0, 1 (the UA failed), 2 (usage).
 */
int bench_uas_main(int argc, char **argv);

#endif /* SIPLINE_BENCH_UAS_H */
