"""Why gensim training slows with graph size: tokens/s against vocabulary size.

The same number of walk tokens (power-law node frequencies, 80-node rows) is
trained with vocabularies of 10k, 100k and 1M nodes, in both corpus modes,
on 1 and 2 threads, and every rate is divided by the 10k-vocabulary rate of
the same mode and thread count measured in the same run (timings on shared
cores are noisy; ratios are what to read).

Two probes tell memory latency from vocabulary bookkeeping:

* ``1M vocab, 10k hot``: a 1M-node vocabulary, but every token is one of
  10k nodes. Centre and context rows stay in cache; the negative samples
  are drawn from all 1M rows (each unvisited node keeps a count of 1, so
  about 3/4 of the draws land on cold rows).
* ``negative 1``: one noise node per pair instead of 5, at 10k and at 1M
  nodes (fewer dot products at both sizes; fewer cold rows only at 1M).

If the hot probe stays as slow as the plain 1M run and one negative brings
1M as close to 10k as the arithmetic allows, the random rows of negative sampling (cache
and TLB misses on a 0.5 GB output matrix) set the pace, not the vocabulary size as such.

Usage: ``python scripts/bench_train.py [--tokens 500000] [--repeats 1]``
(one JSON line per measurement on stdout, then the table).
"""

import argparse
import json
import time

import numpy as np

from n2v_lite.word2vec import train_word2vec


def corpus(vocab, tokens, length=80, hot=None, seed=0):
    """Rows of node indices with power-law frequencies over ``hot`` (default: all) nodes."""
    rng = np.random.default_rng(seed)
    rows = -(-tokens // length)
    pool = hot or vocab
    ranks = np.floor(pool * rng.random((rows, length)) ** 3).astype(np.int64)
    # spread the popular nodes over the index range (no accidental locality by id)
    perm = rng.permutation(vocab)[:pool]
    return perm[ranks].astype(np.int32)


def run(walks, vocab, mode, workers, negative, repeats):
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = train_word2vec(
            walks,
            vocab,
            dimensions=128,
            window=10,
            negative=negative,
            epochs=1,
            seed=0,
            workers=workers,
            corpus=mode,
            progress=False,
        )
        total = time.perf_counter() - start
        if best is None or result.train_seconds < best[0]:
            best = (result.train_seconds, total, result)
    train_s, total_s, result = best
    return {
        "tokens_per_s": walks.size / train_s,
        "train_s": train_s,
        "total_s": total_s,
        "setup_s": total_s - train_s,
        "workers_used": result.workers_used,
        "trained_words": result.trained_words[0],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    cases = [
        ("10k", 10_000, None, 5),
        ("100k", 100_000, None, 5),
        ("1M", 1_000_000, None, 5),
        ("1M vocab, 10k hot", 1_000_000, 10_000, 5),
        ("10k, negative 1", 10_000, None, 1),
        ("1M, negative 1", 1_000_000, None, 1),
    ]
    rows = []
    for workers in (1, 2):
        for mode in ("iterable", "file"):
            base = None
            for label, vocab, hot, negative in cases:
                walks = corpus(vocab, args.tokens, hot=hot)
                got = run(walks, vocab, mode, workers, negative, args.repeats)
                base = base or got["tokens_per_s"]
                got.update(case=label, mode=mode, workers=workers, ratio=got["tokens_per_s"] / base)
                print(json.dumps(got), flush=True)
                rows.append(got)
    print(
        f"\n{args.tokens} tokens, d=128, window 10, 1 epoch; ratio = tokens/s over the "
        f"10k-vocabulary run of the same mode and threads"
    )
    print(
        f"{'case':20s} {'mode':8s} {'threads':>7s} {'tokens/s':>10s} {'ratio':>6s} {'setup s':>8s}"
    )
    for r in rows:
        print(
            f"{r['case']:20s} {r['mode']:8s} {r['workers_used']:7d} "
            f"{r['tokens_per_s']:10,.0f} {r['ratio']:6.2f} {r['setup_s']:8.2f}"
        )


if __name__ == "__main__":
    main()
