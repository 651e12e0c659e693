#!/usr/bin/env python
"""Benchmark: building the MovieLens movie graph, n2v_lite vs the reference example's loop.

Both read ratings.csv (and movies.csv) from the same folder in the same run:

* baseline -- the Keras node2vec example's pure-Python pair counting (a dict
  loop over every user's pairs of top-rated movies) and its networkx graph;
* n2v_lite -- :func:`n2v_lite.movielens.movie_graph` (sparse ``R^T R``).

On ml-latest-small both spend about 10 ms parsing the CSV files, which caps
the ratio; ``--scales`` also times ratings tiled k times (each copy with new
user ids, same movies) to show how the two grow with the data.

Usage::

    python scripts/bench_graph.py [--data ../shared/data/ml-latest-small] [--repeat 3] \
        [--scales 1,4]

Prints a table, the speed-up, and as its last line one JSON object.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = (
    Path(os.environ.get("N2V_LITE_SHARED", HERE.parent.parent / "shared"))
    / "data"
    / "ml-latest-small"
)


def reference_movie_graph(folder, min_rating=5, min_weight=10):
    """The reference example's algorithm, as written there (pandas + dict loops + networkx)."""
    import networkx as nx
    import pandas as pd

    ratings = pd.read_csv(Path(folder) / "ratings.csv")
    ratings["movieId"] = ratings["movieId"].apply(lambda x: f"movie_{x}")
    ratings["rating"] = ratings["rating"].apply(lambda x: float(x))
    pair_frequency = defaultdict(int)
    item_frequency = defaultdict(int)
    rated_movies = ratings[ratings.rating >= min_rating]
    for _, group in rated_movies.groupby("userId"):
        current_movies = list(group["movieId"])
        for i in range(len(current_movies)):
            item_frequency[current_movies[i]] += 1
            for j in range(i + 1, len(current_movies)):
                x = min(current_movies[i], current_movies[j])
                y = max(current_movies[i], current_movies[j])
                pair_frequency[(x, y)] += 1
    graph = nx.Graph()
    d = math.log(sum(item_frequency.values()))
    for (x, y), xy in pair_frequency.items():
        pmi = math.log(xy) - math.log(item_frequency[x]) - math.log(item_frequency[y]) + d
        weight = pmi * xy
        if weight >= min_weight:
            graph.add_edge(x, y, weight=weight)
    return graph


def tiled_copy(folder, scale, workdir):
    """ml-latest-small with its ratings repeated ``scale`` times under new user ids."""
    import shutil

    import pandas as pd

    if scale == 1:
        return Path(folder)
    ratings = pd.read_csv(Path(folder) / "ratings.csv")
    offset = int(ratings["userId"].max())
    tiles = [ratings.assign(userId=ratings["userId"] + k * offset) for k in range(scale)]
    target = Path(workdir) / f"x{scale}"
    target.mkdir()
    pd.concat(tiles).to_csv(target / "ratings.csv", index=False)
    shutil.copy(Path(folder) / "movies.csv", target / "movies.csv")
    return target


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scales", default="1,4", help="ratings tiled k times (comma-separated)")
    args = parser.parse_args(argv)
    if not (args.data / "ratings.csv").is_file():
        sys.exit(f"bench_graph: no ratings.csv in {args.data} (use --data)")

    import tempfile

    from n2v_lite.movielens import movie_graph

    runs = []
    print(f"{'ratings':>8}  {'method':<26}{'seconds':>9}{'nodes':>8}{'edges':>8}{'speed-up':>10}")
    with tempfile.TemporaryDirectory() as workdir:
        for scale in (int(k) for k in args.scales.split(",")):
            folder = tiled_copy(args.data, scale, workdir)
            ours_s, graph = timed(lambda folder=folder: movie_graph(folder), args.repeat)
            ref_s, ref = timed(lambda folder=folder: reference_movie_graph(folder), args.repeat)
            same = (graph.num_nodes, graph.num_edges) == (
                ref.number_of_nodes(),
                ref.number_of_edges(),
            )
            label = f"x{scale}"
            print(
                f"{label:>8}  {'reference example loop':<26}{ref_s:>9.3f}"
                f"{ref.number_of_nodes():>8}{ref.number_of_edges():>8}{'1.0x':>10}"
            )
            print(
                f"{label:>8}  {'n2v_lite movie_graph':<26}{ours_s:>9.3f}{graph.num_nodes:>8}"
                f"{graph.num_edges:>8}{ref_s / ours_s:>9.1f}x"
            )
            runs.append(
                {
                    "scale": scale,
                    "reference_s": round(ref_s, 4),
                    "n2v_lite_s": round(ours_s, 4),
                    "speedup": round(ref_s / ours_s, 2),
                    "nodes": graph.num_nodes,
                    "edges": graph.num_edges,
                    "same_size_as_reference": same,
                }
            )
    first = runs[0]
    print(
        f"speed-up on ml-latest-small: {first['speedup']:.1f}x (median of {args.repeat}); "
        f"graph sizes agree with the reference: {all(r['same_size_as_reference'] for r in runs)}"
    )
    print(json.dumps({"benchmark": "graph", "repeat": args.repeat, **first, "runs": runs}))


if __name__ == "__main__":
    main()
