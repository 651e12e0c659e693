#!/usr/bin/env python
"""Approximate neighbours against exact ones, in the same run: recall, latency, build, memory.

Two embeddings, both generated here with fixed seeds (nothing downloaded):

* **fitted**: ``Node2Vec`` fitted on a generated graph of ``--fitted-nodes`` nodes in
  communities of 100 (each node: ~8 edges inside its community, ~2 outside), 128
  dimensions. Recall@10 of ``exact=False`` against ``exact=True`` for ``--queries``
  random nodes, and every node's top 10 (``all_neighbours``) both ways: time and recall.
* **large**: ``--nodes`` vectors of 128 dimensions drawn around 1,000 random centres
  (the shape of a fitted embedding, made without fitting; the issue allows this for
  speed). Index build time and memory; one query's latency exact and approximate
  (median of many); then ``n2v-lite neighbours MODEL -k 10 --out FILE`` over all nodes
  with the model's index, in a child process: wall time and peak memory (VmHWM).

Bars (issue 23): recall@10 >= 0.95 on the fitted one; one query >= 50x faster than
exact; build < 10 minutes; all nodes' top 10 < 15 minutes and < 4 GiB.

    python scripts/bench_ann.py [--nodes 1000000] [--fitted-nodes 100000] [--quick]

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line  # noqa: E402


def community_graph(n, seed):
    from n2v_lite import Graph

    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), 5)
    community = src // 100
    inside = community * 100 + rng.integers(0, 100, len(src))
    outside = rng.integers(0, n, len(src))
    dst = np.where(rng.random(len(src)) < 0.8, inside, outside)
    keep = (src != dst) & (dst < n)
    return Graph.from_edges(src[keep], dst[keep], duplicates="sum")


def recall(a, b):
    return float(np.mean([len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b)]))


def top_rows(frame, emb, k):
    index = {node: i for i, node in enumerate(emb.node_ids)}
    return np.array([index[v] for v in frame["neighbour"]]).reshape(-1, k)


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def fitted_part(args, out):
    from n2v_lite import Node2Vec

    g = community_graph(args.fitted_nodes, args.seed)
    print(f"fitted: {g}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    emb = (
        Node2Vec(
            dimensions=128,
            num_walks=4,
            walk_length=40,
            window=5,
            epochs=1,
            random_state=args.seed,
            progress=False,
        )
        .fit(g)
        .embedding_
    )
    out["fitted_fit_seconds"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    emb.build_index()
    out["fitted_build_seconds"] = round(time.perf_counter() - start, 1)
    rng = np.random.default_rng(args.seed)
    queries = [emb.node_ids[i] for i in rng.choice(len(emb), args.queries, replace=False)]
    exact = emb.most_similar_many(queries, topn=10, exact=True)
    approx = emb.most_similar_many(queries, topn=10, exact=False)
    out["fitted_recall_at_10"] = recall(
        approx["node"].to_numpy().reshape(-1, 10), exact["node"].to_numpy().reshape(-1, 10)
    )
    for kind, flag in (("exact", True), ("approximate", False)):
        start = time.perf_counter()
        frame = emb.all_neighbours(10, exact=flag)
        out[f"fitted_all_{kind}_seconds"] = round(time.perf_counter() - start, 1)
        out[f"_rows_{kind}"] = top_rows(frame, emb, 10)
    out["fitted_all_recall_at_10"] = recall(out.pop("_rows_approximate"), out.pop("_rows_exact"))


def large_part(args, out, tmp):
    from n2v_lite import NodeEmbedding

    rng = np.random.default_rng(args.seed)
    centres = rng.standard_normal((1000, 128)).astype(np.float32)
    vectors = centres[rng.integers(0, 1000, args.nodes)]
    vectors += 0.5 * rng.standard_normal(vectors.shape, dtype=np.float32)
    emb = NodeEmbedding(vectors, range(args.nodes), copy=False)
    del vectors
    print(f"large: {emb}", file=sys.stderr, flush=True)
    emb._unit_vectors()
    start = time.perf_counter()
    emb.build_index(progress=True)
    out["build_seconds"] = round(time.perf_counter() - start, 1)
    out["index_mib"] = round(emb._ann_for(False).nbytes / 2**20)
    out["vectors_mib"] = round(emb.vectors.nbytes / 2**20)
    picks = rng.choice(args.nodes, 200, replace=False).tolist()
    it = iter(picks * 100)
    out["query_exact_ms"] = median_ms(lambda: emb.most_similar(next(it), exact=True), 20)
    out["query_approximate_ms"] = median_ms(lambda: emb.most_similar(next(it), exact=False), 200)
    out["query_speedup"] = out["query_exact_ms"] / out["query_approximate_ms"]
    exact = emb.most_similar_many(picks[:50], topn=10, exact=True)["node"].to_numpy()
    approx = emb.most_similar_many(picks[:50], topn=10, exact=False)["node"].to_numpy()
    out["large_recall_at_10"] = recall(approx.reshape(-1, 10), exact.reshape(-1, 10))
    model = Path(tmp) / "large.n2v"
    emb.save(model)
    emb = None  # (frees the vectors before the next phase)
    target = Path(tmp) / "neighbours.tsv"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "n2v_lite",
            "neighbours",
            str(model),
            "-k",
            "10",
            "--out",
            str(target),
            "--quiet",
        ],
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    out["all_neighbours_seconds"] = round(time.perf_counter() - start, 1)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["all_neighbours_peak_mib"] = round(max(peak, before) / 1024)
    with open(target) as handle:
        out["all_neighbours_rows"] = sum(1 for _ in handle) - 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--fitted-nodes", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--quick", action="store_true", help="50,000 and 20,000 nodes: a smoke run, not the bars"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.nodes, args.fitted_nodes, args.queries = 50_000, 20_000, 500
    out = {}
    fitted_part(args, out)
    with tempfile.TemporaryDirectory(prefix="n2v-bench-ann-") as tmp:
        large_part(args, out, tmp)
    bars = {
        "recall_at_10>=0.95 (fitted)": out["fitted_recall_at_10"] >= 0.95,
        "one query >=50x faster": out["query_speedup"] >= 50,
        "build <10 min": out["build_seconds"] < 600,
        "all nodes' top 10 <15 min": out["all_neighbours_seconds"] < 900,
        "all nodes' top 10 <4 GiB": out["all_neighbours_peak_mib"] < 4096,
    }
    print(
        f"fitted embedding, {args.fitted_nodes:,} nodes x 128 (fit {out['fitted_fit_seconds']} s):"
        f" recall@10 {out['fitted_recall_at_10']:.3f} over {args.queries} queries;"
        f" every node's top 10: exact {out['fitted_all_exact_seconds']} s, approximate"
        f" {out['fitted_all_approximate_seconds']} s (recall {out['fitted_all_recall_at_10']:.3f},"
        f" index built in {out['fitted_build_seconds']} s)"
    )
    print(
        f"{args.nodes:,} clustered vectors x 128: index built in {out['build_seconds']} s,"
        f" {out['index_mib']:,} MiB (vectors: {out['vectors_mib']:,} MiB);"
        f" one query: exact {out['query_exact_ms']:.1f} ms, approximate"
        f" {out['query_approximate_ms']:.2f} ms ({out['query_speedup']:.0f}x;"
        f" recall@10 {out['large_recall_at_10']:.3f})"
    )
    print(
        f"n2v-lite neighbours -k 10 over all {args.nodes:,} nodes with the index:"
        f" {out['all_neighbours_seconds']} s, peak {out['all_neighbours_peak_mib']:,} MiB,"
        f" {out['all_neighbours_rows']:,} rows"
    )
    for name, ok in bars.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    print(json_line(dict(benchmark="ann", args=vars(args), results=out, bars=bars)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
