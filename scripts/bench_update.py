"""Graphs that change: full refit vs ``NodeEmbedding.update`` vs ``infer``.

Three scenarios, each measured in the same run (ratios, not absolute times, are
what to read on a shared machine):

* **movielens** -- the movie graph from the ratings before 2015-01-01, then from
  all ratings (MovieLens defaults). Quality: genre Macro-F1 (50% train) and the
  cosine-similarity AUC of the edges that appeared after 2015 against as many
  non-edges.
* **blogcatalog** -- 10% of the nodes (and their edges) arrive late (paper
  settings, p = q = 1). Macro-F1 (50% train) over all nodes and over the late
  nodes alone; ``infer`` time per late node.
* **astroph** -- ca-AstroPh with 10% of its edges arriving late: cosine AUC of
  the late edges against as many non-edges (the old embedding's AUC, which
  never saw them, is shown too).

For each: wall time of a refit on the new graph, of ``update`` and of
``infer`` for every new node (``infer``: the neighbour mean refined by
``--steps`` SGD steps, default ``DEFAULT_INFER_STEPS``; ``infer_mean``: the
plain mean); quality; and how far the unchanged nodes moved
(mean overlap of their 10 nearest neighbours, among themselves, before and
after). ``--hops`` and ``--budget`` are passed to ``update``; ``--no-state``
also updates a copy of the old embedding without trainer state (the
format-1 / tutorial case). Last line: one JSON object.

    python scripts/bench_update.py [--scenarios movielens,blogcatalog,astroph] [--seeds 0,1,2]
                                   [--no-state] [--steps 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line  # noqa: E402

from n2v_lite import Graph, Node2Vec  # noqa: E402
from n2v_lite.embedding import NodeEmbedding  # noqa: E402
from n2v_lite.evaluate import movielens_genres, node_classification, read_labels  # noqa: E402
from n2v_lite.update import DEFAULT_INFER_STEPS  # noqa: E402

CUTOFF = 1420070400  # 2015-01-01T00:00:00Z


def _knn_overlap(a, b, k=10):
    """Mean overlap of the k nearest neighbours (cosine) of each row in a and in b."""

    def top(vectors):
        unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        sims = unit @ unit.T
        np.fill_diagonal(sims, -np.inf)
        return np.argpartition(-sims, k, axis=1)[:, :k]

    ta, tb = top(a), top(b)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ta.tolist(), tb.tolist())]))


def _rows(embedding, ids):
    return embedding.vectors[[embedding.index(i) for i in ids]]


def _auc(embedding, positives, negatives):
    """Cosine-similarity ROC-AUC of id pairs: positives vs negatives."""
    from sklearn.metrics import roc_auc_score

    def score(pairs):
        a = _rows(embedding, [p[0] for p in pairs])
        b = _rows(embedding, [p[1] for p in pairs])
        norms = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
        return np.sum(a * b, 1) / norms  # a zero vector (no known neighbour) scores 0

    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    return float(roc_auc_score(y, np.r_[score(positives), score(negatives)]))


def _non_edges(graph, count, rng):
    n = graph.num_nodes
    src, dst, _ = graph.edges()
    known = set((np.minimum(src, dst).astype(np.int64) * n + np.maximum(src, dst)).tolist())
    out = []
    ids = graph.node_ids.tolist()
    while len(out) < count:
        a, b = rng.integers(n, size=2)
        key = min(a, b) * n + max(a, b)
        if a != b and key not in known:
            known.add(key)
            out.append((ids[a], ids[b]))
    return out


def _edge_pairs(graph):
    src, dst, _ = graph.edges()
    ids = graph.node_ids.tolist()
    return {
        (ids[a], ids[b]) if ids[a] <= ids[b] else (ids[b], ids[a])
        for a, b in zip(src.tolist(), dst.tolist())
    }


def _inferred(old, graph, new_ids, steps):
    """The old embedding plus one inferred vector per new node; (embedding, seconds)."""
    start = time.perf_counter()
    vectors, ids = [old.vectors], old.node_ids
    extra = []
    for node in new_ids:
        neighbours = graph.neighbors(node)
        known = [v for v in neighbours if v in old]
        extra.append(
            old.infer(known, steps=steps, seed=0).vector
            if known
            else np.zeros(old.dimensions, np.float32)
        )
    seconds = time.perf_counter() - start
    if extra:
        vectors.append(np.asarray(extra))
    return NodeEmbedding(np.concatenate(vectors), ids + list(new_ids)), seconds


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _methods(args, old, new_graph, params, seed):
    """refit / update / infer (and update without state) on new_graph."""
    out = {}
    refit, seconds = _timed(
        lambda: (
            Node2Vec(**params, random_state=seed + 1, workers=args.workers, progress=False)
            .fit(new_graph)
            .embedding_
        )
    )
    out["refit"] = (refit, seconds)
    upd, seconds = _timed(
        lambda: old.update(
            new_graph,
            seed=seed,
            workers=args.workers,
            hops=args.hops,
            budget=args.budget,
            progress=False,
        )
    )
    out["update"] = (upd, seconds)
    if args.no_state:
        bare = NodeEmbedding(
            old.vectors,
            old.node_ids,
            node_data=old.node_data,
            params=old.params,
            info=old.info,
            fingerprints=old.fingerprints,
        )
        out["update_nostate"] = _timed(
            lambda: bare.update(
                new_graph,
                seed=seed,
                workers=args.workers,
                hops=args.hops,
                budget=args.budget,
                progress=False,
            )
        )
    new_ids = [v for v in new_graph.node_ids.tolist() if v not in old]
    out["infer_mean"] = _inferred(old, new_graph, new_ids, steps=0)
    out["infer"] = _inferred(old, new_graph, new_ids, steps=args.steps)
    return out, new_ids


def _movement(old, emb, kept):
    return _knn_overlap(_rows(old, kept), _rows(emb, kept))


def scenario_movielens(args, rng):
    from n2v_lite.movielens import MOVIELENS_DEFAULTS, load_movielens, movie_graph_from_ratings

    data = load_movielens(Path(args.shared) / "data" / "ml-latest-small", progress=False)
    before = data.ratings[data.ratings["timestamp"] < CUTOFF]
    g_old = movie_graph_from_ratings(before, data.movies)
    g_new = movie_graph_from_ratings(data.ratings, data.movies)
    params = dict(MOVIELENS_DEFAULTS)
    old = (
        Node2Vec(**params, random_state=args.seed, workers=args.workers, progress=False)
        .fit(g_old)
        .embedding_
    )
    methods, new_ids = _methods(args, old, g_new, params, args.seed)
    appeared = sorted(_edge_pairs(g_new) - _edge_pairs(g_old))
    negatives = _non_edges(g_new, len(appeared), rng)
    labels = movielens_genres(g_new)
    kept = [v for v in g_new.node_ids.tolist() if v in old]
    rows = {}
    for name, (emb, seconds) in methods.items():
        f1 = node_classification(emb, labels, train_ratios=[0.5], repeats=args.repeats, seed=0)[
            "macro_f1"
        ][0.5]
        rows[name] = {
            "seconds": seconds,
            "macro_f1": f1,
            "auc_new_edges": _auc(emb, appeared, negatives),
            "knn_overlap_unchanged": _movement(old, emb, kept),
        }
    return {
        "graph": f"{g_old.num_nodes}/{g_old.num_edges} -> {g_new.num_nodes}/{g_new.num_edges}",
        "new_nodes": len(new_ids),
        "new_edges": len(appeared),
        "update_info": methods["update"][0].info["update"],
        "methods": rows,
    }


def _late_split(graph, share, rng):
    n = graph.num_nodes
    late = rng.random(n) < share
    src, dst, w = graph.edges()
    keep = ~late[src] & ~late[dst]
    index = -np.ones(n, dtype=np.int64)
    index[~late] = np.arange(int((~late).sum()))
    old = Graph.from_edges(
        index[src[keep]],
        index[dst[keep]],
        w[keep] if graph.weighted else None,
        node_ids=graph.node_ids[~late],
        directed=graph.directed,
    )
    return old, graph.node_ids[late].tolist()


def scenario_blogcatalog(args, rng):
    folder = Path(args.shared) / "data" / "graphs" / "blogcatalog"
    g_new = Graph.from_edgelist(folder / "edges.tsv")
    labels = read_labels(folder / "labels.tsv")
    g_old, late = _late_split(g_new, 0.1, rng)
    params = dict(epochs=args.epochs)
    old = (
        Node2Vec(**params, random_state=args.seed, workers=args.workers, progress=False)
        .fit(g_old)
        .embedding_
    )
    methods, new_ids = _methods(args, old, g_new, params, args.seed)
    late_labels = {v: labels[v] for v in late if v in labels}
    kept = [v for v in g_new.node_ids.tolist() if v in old]
    rows = {}
    for name, (emb, seconds) in methods.items():
        rows[name] = {
            "seconds": seconds,
            "macro_f1": node_classification(
                emb, labels, train_ratios=[0.5], repeats=args.repeats, seed=0
            )["macro_f1"][0.5],
            "macro_f1_late": node_classification(
                emb, late_labels, train_ratios=[0.5], repeats=args.repeats, seed=0
            )["macro_f1"][0.5],
            "knn_overlap_unchanged": _movement(old, emb, kept),
        }
    for name in ("infer_mean", "infer"):
        rows[name]["ms_per_node"] = 1000 * methods[name][1] / max(len(new_ids), 1)
    return {
        "graph": f"{g_old.num_nodes}/{g_old.num_edges} -> {g_new.num_nodes}/{g_new.num_edges}",
        "new_nodes": len(new_ids),
        "update_info": methods["update"][0].info["update"],
        "methods": rows,
    }


def scenario_astroph(args, rng):
    g_new = Graph.from_edgelist(Path(args.shared) / "data" / "graphs" / "ca-astroph" / "edges.tsv")
    src, dst, _ = g_new.edges()
    late = rng.random(len(src)) < 0.1
    g_old = g_new.edge_subgraph(~late)
    ids = g_new.node_ids.tolist()
    positives = [(ids[a], ids[b]) for a, b in zip(src[late].tolist(), dst[late].tolist())]
    negatives = _non_edges(g_new, len(positives), rng)
    params = dict(epochs=args.epochs)
    old = (
        Node2Vec(**params, random_state=args.seed, workers=args.workers, progress=False)
        .fit(g_old)
        .embedding_
    )
    methods, _ = _methods(args, old, g_new, params, args.seed)
    methods.pop("infer")  # no new nodes
    methods.pop("infer_mean")
    rows = {
        "old": {
            "seconds": 0.0,
            "auc_late_edges": _auc(old, positives, negatives),
            "knn_overlap_unchanged": 1.0,
        }
    }
    for name, (emb, seconds) in methods.items():
        rows[name] = {
            "seconds": seconds,
            "auc_late_edges": _auc(emb, positives, negatives),
            "knn_overlap_unchanged": _knn_overlap(old.vectors, emb.vectors),
        }
    return {
        "graph": f"{g_old.num_nodes}/{g_old.num_edges} -> {g_new.num_nodes}/{g_new.num_edges}",
        "late_edges": len(positives),
        "update_info": methods["update"][0].info["update"],
        "methods": rows,
    }


SCENARIOS = {
    "movielens": scenario_movielens,
    "blogcatalog": scenario_blogcatalog,
    "astroph": scenario_astroph,
}


def _mean_over_seeds(runs, seeds):
    """One scenario's result with every figure averaged over the seeds' runs.

    Quality figures also get their sample standard deviation (``<key>_sd``)
    when there are several seeds; ``per_seed`` keeps each run's rows.
    """
    out = dict(runs[0], seeds=seeds, per_seed=[run["methods"] for run in runs])
    out["methods"] = {}
    for method, first in runs[0]["methods"].items():
        row = {}
        for key in first:
            values = [run["methods"][method][key] for run in runs]
            row[key] = float(np.mean(values))
            if len(values) > 1 and key not in ("seconds", "ms_per_node"):
                row[key + "_sd"] = float(np.std(values, ddof=1))
        out["methods"][method] = row
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        default=os.environ.get(
            "N2V_LITE_SHARED", str(Path(__file__).resolve().parents[2] / "shared")
        ),
    )
    parser.add_argument("--scenarios", default="movielens,blogcatalog,astroph")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="BlogCatalog/AstroPh epochs")
    parser.add_argument("--repeats", type=int, default=10, help="classification splits")
    parser.add_argument(
        "--seeds", default="0,1,2", help="fit seeds (old model, refit, update); figures are means"
    )
    parser.add_argument("--hops", type=int, default=1)
    parser.add_argument("--budget", type=float, default=0.2)
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_INFER_STEPS,
        help="infer's SGD steps (the infer_mean row has 0)",
    )
    parser.add_argument(
        "--no-state", action="store_true", help="also update a copy without trainer state"
    )
    args = parser.parse_args()
    args.seeds = [int(v) for v in args.seeds.split(",")]
    results = {}
    for name in args.scenarios.split(","):
        runs = []
        for seed in args.seeds:  # the same late split (rng), fits seeded differently
            args.seed = seed
            runs.append(SCENARIOS[name](args, np.random.default_rng(0)))
        results[name] = result = _mean_over_seeds(runs, args.seeds)
        refit = result["methods"]["refit"]
        print(
            f"\n{name}: {result['graph']}; seeds {args.seeds}; first update: "
            f"{result['update_info']}"
        )
        keys = [k for k in refit if k != "seconds" and not k.endswith("_sd")]
        print(f"  {'method':<15}{'seconds':>9}{'x refit':>9}" + "".join(f"{k:>24}" for k in keys))
        for method, row in result["methods"].items():
            ratio = row["seconds"] / refit["seconds"]
            cells = []
            for k in keys:
                sd = row.get(k + "_sd")
                cell = f"{row.get(k, float('nan')):.4f}" + (f" ±{sd:.4f}" if sd else "")
                cells.append(f"{cell:>24}")
            print(f"  {method:<15}{row['seconds']:>9.2f}{ratio:>9.3f}" + "".join(cells))
        for method in ("infer_mean", "infer"):
            if "ms_per_node" in result["methods"].get(method, {}):
                print(f"  {method}: {result['methods'][method]['ms_per_node']:.3f} ms per node")
        sys.stdout.flush()
    print(json_line({"hops": args.hops, "budget": args.budget, "results": results}))


if __name__ == "__main__":
    main()
