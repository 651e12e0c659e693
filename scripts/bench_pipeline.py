#!/usr/bin/env python
"""End-to-end pipeline benchmark: process start to printed neighbours.

Each scenario runs in a fresh Python process (so interpreter start-up and
imports are counted) and reports, per stage, the wall time and the peak RSS
reached during that stage (``VmHWM`` reset before each stage through
``/proc/self/clear_refs``; where that is not allowed, the process peak so far).

Scenarios
---------
``ml-reference``  MovieLens with the reference Keras example's settings:
                  5 walks x 10 nodes, 50 dimensions, window 10, 4 negatives,
                  10 epochs (gensim backend).
``ml-defaults``   MovieLens with :data:`n2v_lite.model.MOVIELENS_DEFAULTS`.
``ml-tutorial``   The reference example's method in numpy
                  (``backend="tutorial"``) with its settings.
``blogcatalog``   BlogCatalog with the paper's settings (128 dimensions,
                  10 walks x 80 nodes, window 10, p = q = 1, 1 epoch).
``ml-naive``, ``blogcatalog-naive``
                  The baselines measured in the same run: the same walks and
                  settings trained the way node2vec packages usually call gensim
                  (a list of lists of ``str`` tokens, ``Word2Vec(sentences, ...)``
                  with gensim's default 3 workers and BLAS threads not pinned).
                  MovieLens rows are compared with ``ml-naive`` (reference
                  settings), BlogCatalog with ``blogcatalog-naive``.

The MovieLens scenarios print the neighbours of the reference example's five
query movies. The reference Keras example itself, run on this machine, took
about 76 s end to end (figure quoted from the issue, not measured here).

Usage::

    python scripts/bench_pipeline.py [--data DIR] [--workers N] [--only a,b] [--seed S]

The last line of output is one JSON object with every figure measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line, reset_peak, status_mib  # noqa: E402

KERAS_REFERENCE_SECONDS = 76.0  # the measurement of the Keras example, end to end
SCENARIOS = (
    "ml-naive",
    "ml-reference",
    "ml-defaults",
    "ml-tutorial",
    "blogcatalog-naive",
    "blogcatalog",
)
BASELINES = {
    "ml-naive": "ml-naive",
    "ml-reference": "ml-naive",
    "ml-defaults": "ml-naive",
    "ml-tutorial": "ml-naive",
    "blogcatalog-naive": "blogcatalog-naive",
    "blogcatalog": "blogcatalog-naive",
}
REFERENCE = dict(
    num_walks=5, walk_length=10, dimensions=50, window=10, negative=4, epochs=10, p=1.0, q=1.0
)
PAPER = dict(
    num_walks=10, walk_length=80, dimensions=128, window=10, negative=5, epochs=1, p=1.0, q=1.0
)


# ------------------------------------------------------------------- child
class Stages:
    """Wall time and peak RSS of consecutive stages of this process."""

    def __init__(self, started):
        self.rows = []
        self._start = started
        self._can_reset = reset_peak()

    def done(self, name):
        now = time.time()
        self.rows.append(
            {
                "stage": name,
                "seconds": round(now - self._start, 3),
                "peak_rss_mib": round(status_mib("VmHWM"), 1),
            }
        )
        self._start = time.time()
        self._can_reset = reset_peak()


def child(args):
    stages = Stages(float(os.environ.get("N2V_BENCH_SPAWNED", time.time())))
    import gensim.models  # noqa: F401  (counted in "import")
    import numpy as np  # noqa: F401  (counted in "import")

    from n2v_lite.model import Node2Vec
    from n2v_lite.movielens import MOVIELENS_DEFAULTS, MOVIELENS_QUERIES
    from n2v_lite.walks import random_walks

    stages.done("import")
    data = Path(args.data)
    if args.child.startswith("blogcatalog"):
        from n2v_lite.graph import Graph

        graph = Graph.from_edgelist(data / "graphs" / "blogcatalog" / "edges.tsv")
        settings = dict(PAPER)
    else:
        from n2v_lite.movielens import movie_graph

        graph = movie_graph(data / "ml-latest-small", progress=False)
        settings = dict(MOVIELENS_DEFAULTS if args.child == "ml-defaults" else REFERENCE)
    stages.done("graph")
    estimator = Node2Vec(
        **settings,
        backend="tutorial" if args.child == "ml-tutorial" else "gensim",
        workers=args.workers,
        random_state=args.seed,
        progress=False,
    )
    rng = np.random.default_rng(args.seed)
    walks = random_walks(
        graph,
        estimator.num_walks,
        estimator.walk_length,
        estimator.p,
        estimator.q,
        seed=rng,
        workers=args.workers,
    )
    stages.done("walks")
    if args.child.endswith("-naive"):
        model = naive_fit(estimator, graph, walks)
    else:
        model = estimator.fit(graph, walks=walks).embedding_
    stages.done("train")
    neighbours = {}
    if not args.child.startswith("blogcatalog"):
        for query in MOVIELENS_QUERIES:
            result = model.most_similar(query, topn=5)
            print(result, flush=True)
            neighbours[query] = result.labels
    else:
        print(model.most_similar(graph.node_ids[0].item(), topn=5), flush=True)
    stages.done("neighbours")
    report = {
        "scenario": args.child,
        "settings": settings,
        "stages": stages.rows,
        "peak_rss_reset_per_stage": stages._can_reset,
        "nodes": graph.num_nodes,
        "walk_rows": int(walks.shape[0]),
        "loss_history": model.loss_history,
        "corpus": model.info.get("corpus"),
        "neighbours": neighbours,
    }
    print("BENCH " + json.dumps(report), flush=True)


def naive_fit(estimator, graph, walks):
    """Train as node2vec packages usually do: str tokens in lists, gensim defaults."""
    import numpy as np
    from gensim.models import Word2Vec

    from n2v_lite.embedding import NodeEmbedding
    from n2v_lite.model import node_metadata

    ids = graph.node_ids.astype(str)
    sentences = [ids[row[row >= 0]].tolist() for row in walks]
    w2v = Word2Vec(
        sentences,
        vector_size=estimator.dimensions,
        window=estimator.window,
        min_count=0,
        sg=1,
        hs=0,
        negative=estimator.negative,
        sample=0.0,
        epochs=estimator.epochs,
        seed=estimator.random_state,
        compute_loss=True,
    )
    vectors = np.stack([w2v.wv[str(node)] for node in graph.node_ids.tolist()])
    return NodeEmbedding(
        vectors,
        graph.node_ids,
        node_data=node_metadata(graph),
        loss_history=[float(w2v.get_latest_training_loss())],
        info={"corpus": "list of str lists"},
    )


# ------------------------------------------------------------------ parent
def run_scenario(name, args):
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--data",
        str(args.data),
        "--seed",
        str(args.seed),
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    env = dict(os.environ, N2V_BENCH_SPAWNED=repr(time.time()), N2V_LITE_PROGRESS="0")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"scenario {name} failed (exit {done.returncode})")
    lines = done.stdout.splitlines()
    report = json.loads(lines[-1].removeprefix("BENCH "))
    report["process_seconds"] = round(wall, 3)
    report["peak_rss_mib"] = max(row["peak_rss_mib"] for row in report["stages"])
    report["printed"] = "\n".join(lines[:-1])
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("N2V_LITE_SHARED", REPO.parent / "shared")) / "data",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help="comma-separated scenarios to run"
    )
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    names = [n for n in args.only.split(",") if n]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    reports = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        reports[name] = run_scenario(name, args)

    print(f"{'scenario':<18} {'stage':<11} {'wall s':>8} {'peak RSS MiB':>13}")
    for name, report in reports.items():
        for row in report["stages"]:
            print(
                f"{name:<18} {row['stage']:<11} {row['seconds']:>8.2f} {row['peak_rss_mib']:>13.0f}"
            )
        print(
            f"{name:<18} {'PROCESS':<11} {report['process_seconds']:>8.2f} "
            f"{report['peak_rss_mib']:>13.0f}"
        )
    print()
    print(
        f"{'scenario':<18} {'process s':>9} {'baseline':>18} {'x faster':>9} "
        f"{'RSS ratio':>9} {'x faster than Keras 76 s':>25}"
    )
    for name, report in reports.items():
        seconds = report["process_seconds"]
        base = reports.get(BASELINES[name])
        report["baseline"] = BASELINES[name] if base else None
        report["speedup_vs_baseline"] = (
            round(base["process_seconds"] / seconds, 2) if base else None
        )
        report["rss_vs_baseline"] = (
            round(report["peak_rss_mib"] / base["peak_rss_mib"], 2) if base else None
        )
        report["speedup_vs_keras_76s"] = round(KERAS_REFERENCE_SECONDS / seconds, 1)
        print(
            f"{name:<18} {seconds:>9.2f} {report['baseline'] or '-':>18} "
            f"{report['speedup_vs_baseline'] or '-':>9} {report['rss_vs_baseline'] or '-':>9} "
            f"{report['speedup_vs_keras_76s']:>25.1f}"
        )
    for name, report in reports.items():
        if report["neighbours"]:
            print(f"\n{name}: top 5 neighbours")
            for query, labels in report["neighbours"].items():
                print(f"  {query}: {'; '.join(labels)}")
    bars = {}
    if "ml-reference" in reports:
        bars["ml_reference_20x_faster_than_76s"] = (
            reports["ml-reference"]["speedup_vs_keras_76s"] >= 20
        )
    if "blogcatalog" in reports:
        bars["blogcatalog_peak_rss_under_1GiB"] = reports["blogcatalog"]["peak_rss_mib"] < 1024
    print("\nbars: " + ", ".join(f"{k}={'PASS' if v else 'FAIL'}" for k, v in bars.items()))
    for report in reports.values():
        report.pop("printed", None)
    summary = {
        "baselines": {k: v for k, v in BASELINES.items() if k in reports},
        "keras_reference_seconds": KERAS_REFERENCE_SECONDS,
        "cpu_count": os.cpu_count(),
        "seed": args.seed,
        "workers": args.workers,
        "bars": bars,
        "scenarios": reports,
    }
    print(json_line(summary))


if __name__ == "__main__":
    main()
