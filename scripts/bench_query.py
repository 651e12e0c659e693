"""Exact nearest-neighbour queries: milliseconds per query against the number of nodes.

``NodeEmbedding.most_similar`` scores every node (one matrix-vector product on the
unit vectors, then a partial sort); ``most_similar_many`` does one matrix product per
batch of 256 queries. This prints both, per embedding size, and the ratio of the
batch to one-at-a-time measured in the same run, so the docs can say from which size
an exact query takes more than ~50 ms.

    python scripts/bench_query.py [--sizes 10000,100000,300000,1000000] [--dimensions 128]

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def per_query_ms(fn, repeats):
    fn()  # warm: unit vectors, caches
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000,1000000")
    parser.add_argument("--dimensions", type=int, default=128)
    args = parser.parse_args()
    from n2v_lite import NodeEmbedding

    rows = []
    print(f"{'nodes':>10}  {'one query ms':>12}  {'batched ms/query':>16}  {'batch/one':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        rng = np.random.default_rng(0)
        emb = NodeEmbedding(
            rng.normal(size=(n, args.dimensions)).astype(np.float32), list(range(n))
        )
        one = per_query_ms(lambda emb=emb: emb.most_similar(0, topn=10), 10)
        batch = (
            per_query_ms(lambda emb=emb: emb.most_similar_many(list(range(256)), topn=10), 1) / 256
        )
        rows.append(
            {
                "nodes": n,
                "one_ms": round(one, 2),
                "batched_ms": round(batch, 3),
                "ratio": round(batch / one, 3),
            }
        )
        print(f"{n:>10}  {one:>12.1f}  {batch:>16.2f}  {batch / one:>9.2f}")
    print(json.dumps({"dimensions": args.dimensions, "rows": rows}))


if __name__ == "__main__":
    main()
