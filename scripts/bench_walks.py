#!/usr/bin/env python
"""Benchmark the walk phase: n2v_lite against GRAPE, fastnode2vec and the reference example.

Walk phase only: ``num_walks`` (10) walks of ``walk_length`` (80) nodes from every
node, for p = q = 1 and p = 0.5 / q = 2, on the MovieLens movie graph and on
BlogCatalog (10,312 nodes, 333,983 edges). Steps are node-to-node moves,
``walks * (walk_length - 1)``, counted the same way for every engine. Each
measurement runs in its own fresh process; its time is the median of
``--repeats`` runs (fastnode2vec's numba JIT is compiled by one untimed walk
first), and its peak RSS is the high-water mark while walking (reset after
the graph is loaded), reported beside the RSS just before walking.

``--baseline-rev REV`` also times the walk engine of an earlier git revision
(``git archive REV n2v_lite`` into a temporary folder, each run in a fresh
process as ours), so a change to the engine is judged against a baseline
measured in the same run (bar: ours within 1.5x of its steps/s).

Also measured: the reference Keras example's per-step algorithm (networkx
neighbours and ``np.random.choice`` at every step, re-written below) on the
MovieLens graph for 5 walks x 10 nodes, and ``iter_random_walks`` streaming.

Peers are optional and never dependencies of n2v_lite. They need numpy < 2,
so they live in their own virtualenv, and run there in a subprocess::

    python3 -m venv /tmp/n2v-peers
    /tmp/n2v-peers/bin/pip install "numpy<2" fastnode2vec grape

``--peer-python`` (default: ``$N2V_LITE_PEER_PYTHON``, else
``/tmp/n2v-peers/bin/python`` when it exists) selects that interpreter; peers
that cannot be imported there are skipped with a message. GRAPE runs with its
defaults (all cores; ``max_neighbours=100`` samples at most 100 neighbours per
step, an approximation on high-degree nodes), and again as "grape-exact" with
``max_neighbours=None``; the bars use the default. fastnode2vec's numba walker
runs in one thread, as fastnode2vec uses it.

Data: ``--shared`` (default ``$N2V_LITE_SHARED``, else ``../shared`` beside the
repository) must hold ``data/ml-latest-small`` and ``data/graphs/blogcatalog``.

Prints a table with ratios, the bars (n2v_lite >= GRAPE everywhere; >= 1000x
the reference; BlogCatalog peak RSS <= CSR + walk buffer + 150 MiB), and as
its LAST line one JSON object with every figure measured.

Usage::

    python scripts/bench_walks.py [--repeats 3] [--workers N] [--no-peers] [--no-reference]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line, reset_peak, status_mib  # noqa: E402

DEFAULT_PEER_PYTHON = "/tmp/n2v-peers/bin/python"
SETTINGS = [(1.0, 1.0), (0.5, 2.0)]
GRAPHS = ["movielens", "blogcatalog"]
MIB = 2**20


# ------------------------------------------------------------ memory probes
def _mib(value):
    """A memory figure for the table; '-' where it was not measured."""
    return (
        f"{value:>6.0f} MiB"
        if isinstance(value, (int, float)) and value == value
        else f"{'-':>6}    "
    )


def _timed(run, repeats):
    """Time ``repeats`` runs; returns (median s, all s, peak RSS MiB, RSS before MiB).

    The peak is the high-water mark over the runs, reset just before the
    first one, so a walk buffer freed by a run and kept by the allocator is
    not hidden in the "before" figure.
    """
    import gc

    gc.collect()
    before = status_mib("VmRSS")
    reset = reset_peak()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        del result
        gc.collect()
    peak = status_mib("VmHWM") if reset else float("nan")
    times_sorted = sorted(times)
    return times_sorted[len(times) // 2], times, peak, before


# -------------------------------------------------------------- children
def _child_n2v(spec):
    import numpy as np

    sys.path.insert(0, spec.get("repo") or str(REPO))
    from n2v_lite.graph import Graph
    from n2v_lite.movielens import movie_graph
    from n2v_lite.walks import iter_random_walks, random_walks

    shared = Path(spec["shared"])
    if spec["graph"] == "movielens":
        g = movie_graph(shared / "data" / "ml-latest-small")
    else:
        g = Graph.from_edgelist(shared / "data" / "graphs" / spec["graph"] / "edges.tsv")
    nw, wl, p, q = spec["num_walks"], spec["walk_length"], spec["p"], spec["q"]
    workers = spec.get("workers")
    seeds = iter(range(10**6))
    if spec.get("stream"):

        def run():
            rows = 0
            for chunk in iter_random_walks(g, nw, wl, p, q, seed=next(seeds), workers=workers):
                rows += len(chunk)
            return rows
    else:

        def run():
            return random_walks(g, nw, wl, p, q, seed=next(seeds), workers=workers)

    median, times, peak, before = _timed(run, spec["repeats"])
    rows = nw * g.num_nodes
    buffer_bytes = 0 if spec.get("stream") else rows * wl * np.dtype(np.int32).itemsize
    return dict(
        steps=rows * (wl - 1),
        seconds=median,
        times=times,
        peak_rss_mib=peak,
        rss_before_mib=before,
        csr_mib=g.nbytes / MIB,
        buffer_mib=buffer_bytes / MIB,
        nodes=g.num_nodes,
        edges=g.num_edges,
    )


def _load_npz_edges(path):
    import numpy as np

    data = np.load(path)
    return data["src"], data["dst"], data["weight"], int(data["num_nodes"]), bool(data["weighted"])


def _child_grape(spec, max_neighbours=100):
    """GRAPE's walks; its default samples at most 100 neighbours per step (None: exact)."""
    import numpy as np
    import pandas as pd
    from ensmallen import Graph

    src, dst, weight, n, weighted = _load_npz_edges(spec["edges"])
    edges = pd.DataFrame({"subject": src.astype(str), "object": dst.astype(str)})
    if weighted:
        edges["weight"] = weight
    nodes = pd.DataFrame({"name": np.arange(n).astype(str)})
    g = Graph.from_pd(
        directed=False,
        edges_df=edges,
        nodes_df=nodes,
        node_name_column="name",
        edge_src_column="subject",
        edge_dst_column="object",
        edge_weight_column="weight" if weighted else None,
    )
    del edges, nodes
    nw, wl, p, q = spec["num_walks"], spec["walk_length"], spec["p"], spec["q"]
    seeds = iter(range(1, 10**6))
    shape = []

    def run():
        walks = g.complete_walks(
            walk_length=wl,
            iterations=nw,
            return_weight=1.0 / p,
            explore_weight=1.0 / q,
            random_state=next(seeds),
            max_neighbours=max_neighbours,
        )
        shape[:] = walks.shape
        return walks

    median, times, peak, before = _timed(run, spec["repeats"])
    return dict(
        steps=shape[0] * (wl - 1),
        seconds=median,
        times=times,
        peak_rss_mib=peak,
        rss_before_mib=before,
    )


def _child_fastnode2vec(spec):
    import numpy as np
    from fastnode2vec import Graph

    src, dst, weight, n, weighted = _load_npz_edges(spec["edges"])
    if weighted:
        g = Graph(
            zip(src.tolist(), dst.tolist(), weight.tolist()),
            directed=False,
            weighted=True,
            verbose=False,
        )
    else:
        g = Graph(zip(src.tolist(), dst.tolist()), directed=False, weighted=False, verbose=False)
    nw, wl, p, q = spec["num_walks"], spec["walk_length"], spec["p"], spec["q"]
    num_nodes = len(g.node_names)
    np.random.seed(0)
    g.generate_random_walk(wl, p, q, 0)  # numba JIT compilation, not timed

    def run():
        walks = []
        for _ in range(nw):
            for node in np.random.permutation(num_nodes):
                walks.append(g.generate_random_walk(wl, p, q, node))
        return walks

    median, times, peak, before = _timed(run, spec["repeats"])
    return dict(
        steps=nw * num_nodes * (wl - 1),
        seconds=median,
        times=times,
        peak_rss_mib=peak,
        rss_before_mib=before,
    )


def _reference_next_step(graph, previous, current, p, q):
    """The reference example's step: bias every neighbour's weight, then np.random.choice."""
    import numpy as np

    candidates = list(graph.neighbors(current))
    biased = []
    for x in candidates:
        w = graph[current][x]["weight"]
        if x == previous:
            biased.append(w / p)
        elif graph.has_edge(x, previous):
            biased.append(w)
        else:
            biased.append(w / q)
    total = sum(biased)
    return np.random.choice(candidates, size=1, p=[b / total for b in biased])[0]


def _child_reference(spec):
    import random

    sys.path.insert(0, str(REPO))
    from n2v_lite.movielens import movie_graph

    g = movie_graph(Path(spec["shared"]) / "data" / "ml-latest-small").to_networkx()
    nw, wl, p, q = spec["num_walks"], spec["walk_length"], spec["p"], spec["q"]

    def run():
        walks = []
        nodes = list(g.nodes())
        for _ in range(nw):
            random.shuffle(nodes)
            for node in nodes:
                walk = [node]
                while len(walk) < wl:
                    prev = walk[-2] if len(walk) > 1 else None
                    walk.append(_reference_next_step(g, prev, walk[-1], p, q))
                walks.append(walk)
        return walks

    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    return dict(
        steps=nw * g.number_of_nodes() * (wl - 1),
        seconds=seconds,
        times=[seconds],
        peak_rss_mib=status_mib("VmHWM"),
        rss_before_mib=float("nan"),
    )


CHILDREN = {
    "n2v_lite": _child_n2v,
    "grape": _child_grape,
    "grape-exact": lambda spec: _child_grape(spec, max_neighbours=None),
    "fastnode2vec": _child_fastnode2vec,
    "reference": _child_reference,
}
PEER_MODULES = {"grape": "ensmallen", "grape-exact": "ensmallen", "fastnode2vec": "fastnode2vec"}


# ---------------------------------------------------------------- parent
def _run_child(python, spec, timeout=1800):
    cmd = [python, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"{spec['engine']} failed: {' | '.join(tail)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _peer_python(option):
    candidate = option or os.environ.get("N2V_LITE_PEER_PYTHON") or DEFAULT_PEER_PYTHON
    return candidate if Path(candidate).exists() else None


def _peer_available(python, engine):
    probe = subprocess.run(
        [python, "-c", f"import {PEER_MODULES[engine]}"], capture_output=True, text=True
    )
    return probe.returncode == 0


def _export_edges(shared, directory):
    """Write each graph's edges (once per undirected edge) as .npz for the peer interpreter."""
    import numpy as np

    sys.path.insert(0, str(REPO))
    from n2v_lite.graph import Graph
    from n2v_lite.movielens import movie_graph

    paths = {}
    for name in GRAPHS:
        if name == "movielens":
            g = movie_graph(shared / "data" / "ml-latest-small")
        else:
            g = Graph.from_edgelist(shared / "data" / "graphs" / name / "edges.tsv")
        src, dst, weight = g.edges()
        paths[name] = str(Path(directory) / f"{name}.npz")
        np.savez(
            paths[name], src=src, dst=dst, weight=weight, num_nodes=g.num_nodes, weighted=g.weighted
        )
    return paths


def _fmt_rate(rate):
    if rate != rate:  # nan
        return "-"
    return f"{rate / 1e6:.2f}M" if rate >= 1e6 else f"{rate / 1e3:.1f}k"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared", default=os.environ.get("N2V_LITE_SHARED", str(REPO.parent / "shared"))
    )
    parser.add_argument(
        "--peer-python",
        default=None,
        help=f"interpreter of the peers' virtualenv (default {DEFAULT_PEER_PYTHON} when it exists)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--num-walks", type=int, default=10)
    parser.add_argument("--walk-length", type=int, default=80)
    parser.add_argument(
        "--workers", type=int, default=None, help="n2v_lite threads (default: auto)"
    )
    parser.add_argument("--reference-walks", type=int, default=5)
    parser.add_argument("--reference-length", type=int, default=10)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument(
        "--baseline-rev",
        default=None,
        help="also time this git revision's walk engine (e.g. a commit before "
        "a change), run in the same way, and print our ratio to it",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        print(json_line(CHILDREN[spec["engine"]](spec)))
        return 0

    shared = Path(args.shared)
    if not (shared / "data" / "ml-latest-small").is_dir():
        parser.error(f"no data/ml-latest-small under {shared} (use --shared or N2V_LITE_SHARED)")
    base = dict(
        num_walks=args.num_walks,
        walk_length=args.walk_length,
        repeats=args.repeats,
        shared=str(shared),
    )
    results = []  # one dict per measurement

    def record(engine, graph, p, q, res, **extra):
        res = dict(engine=engine, graph=graph, p=p, q=q, **extra, **res)
        res["steps_per_s"] = res["steps"] / res["seconds"]
        results.append(res)
        print(
            f"  {engine:<14} {graph:<12} p={p:<4} q={q:<4} {_fmt_rate(res['steps_per_s']):>9} "
            f"steps/s  peak RSS {res['peak_rss_mib']:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )

    print("measuring (each in a fresh process)...", file=sys.stderr, flush=True)
    for graph in GRAPHS:
        for p, q in SETTINGS:
            spec = dict(base, engine="n2v_lite", graph=graph, p=p, q=q, workers=args.workers)
            record("n2v_lite", graph, p, q, _run_child(sys.executable, spec))
    baseline = None
    if args.baseline_rev:
        baseline = f"n2v_lite@{args.baseline_rev}"
        old = tempfile.TemporaryDirectory(prefix="n2v-baseline-")
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.baseline_rev, "n2v_lite"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", old.name], input=archive, check=True)
        for graph in GRAPHS:
            for p, q in SETTINGS:
                spec = dict(
                    base,
                    engine="n2v_lite",
                    graph=graph,
                    p=p,
                    q=q,
                    workers=args.workers,
                    repo=old.name,
                )
                record(baseline, graph, p, q, _run_child(sys.executable, spec))
        old.cleanup()
    spec = dict(
        base,
        engine="n2v_lite",
        graph="blogcatalog",
        p=0.5,
        q=2.0,
        workers=args.workers,
        stream=True,
    )
    record("n2v_lite-iter", "blogcatalog", 0.5, 2.0, _run_child(sys.executable, spec))

    skipped = {}
    python = None if args.no_peers else _peer_python(args.peer_python)
    if args.no_peers:
        skipped = {e: "--no-peers" for e in PEER_MODULES}
    elif python is None:
        skipped = {e: "no peer interpreter (see --peer-python)" for e in PEER_MODULES}
    if python is not None:
        with tempfile.TemporaryDirectory(prefix="n2v-bench-") as tmp:
            edges = _export_edges(shared, tmp)
            for engine in PEER_MODULES:
                if not _peer_available(python, engine):
                    skipped[engine] = f"{PEER_MODULES[engine]} not importable by {python}"
                    continue
                for graph in GRAPHS:
                    for p, q in SETTINGS:
                        spec = dict(base, engine=engine, graph=graph, p=p, q=q, edges=edges[graph])
                        try:
                            record(engine, graph, p, q, _run_child(python, spec))
                        except (RuntimeError, subprocess.TimeoutExpired) as exc:
                            skipped[f"{engine}/{graph}/{p}/{q}"] = str(exc)
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}", file=sys.stderr)

    if not args.no_reference:
        for p, q in SETTINGS:
            spec = dict(
                base,
                engine="reference",
                graph="movielens",
                p=p,
                q=q,
                num_walks=args.reference_walks,
                walk_length=args.reference_length,
            )
            record(
                "reference",
                "movielens",
                p,
                q,
                _run_child(sys.executable, spec),
                note=f"{args.reference_walks} walks x {args.reference_length}",
            )

    # ------------------------------------------------------------ report
    def find(engine, graph, p, q):
        for r in results:
            if (r["engine"], r["graph"], r["p"], r["q"]) == (engine, graph, p, q):
                return r
        return None

    print(
        f"\nWalk phase, {args.num_walks} walks x {args.walk_length} nodes from every node "
        f"(reference: {args.reference_walks} x {args.reference_length}); "
        f"median of {args.repeats}"
    )
    header = (
        f"{'graph':<12} {'p,q':<8} {'engine':<14} {'steps/s':>9} {'n2v_lite/x':>11} "
        f"{'peak RSS':>9} {'RSS before':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ours = find("n2v_lite", r["graph"], r["p"], r["q"])
        ratio = ours["steps_per_s"] / r["steps_per_s"] if ours else float("nan")
        r["n2v_lite_ratio"] = ratio
        print(
            f"{r['graph']:<12} {r['p']:g},{r['q']:g}{'':<4} {r['engine']:<14} "
            f"{_fmt_rate(r['steps_per_s']):>9} {ratio:>10.1f}x {_mib(r['peak_rss_mib'])} "
            f"{_mib(r['rss_before_mib'])}"
        )

    bars = {}
    for graph in GRAPHS:
        for p, q in SETTINGS:
            grape = find("grape", graph, p, q)
            if grape:
                bars[f"beats_grape/{graph}/p={p:g},q={q:g}"] = grape["n2v_lite_ratio"] >= 1.0
    for p, q in SETTINGS:
        ref = find("reference", "movielens", p, q)
        if ref:
            bars[f"1000x_reference/movielens/p={p:g},q={q:g}"] = ref["n2v_lite_ratio"] >= 1000
    if baseline:
        for graph in GRAPHS:
            for p, q in SETTINGS:
                old = find(baseline, graph, p, q)
                bars[f"within_1.5x_of_{args.baseline_rev}/{graph}/p={p:g},q={q:g}"] = (
                    1.0 / old["n2v_lite_ratio"] <= 1.5
                )
    for p, q in SETTINGS:
        r = find("n2v_lite", "blogcatalog", p, q)
        allowed = r["csr_mib"] + r["buffer_mib"] + 150
        r["rss_growth_mib"] = r["peak_rss_mib"] - r["rss_before_mib"]
        # the whole process counts (interpreter, numpy, pandas included): stricter than growth
        bars[f"rss/blogcatalog/p={p:g},q={q:g}"] = r["peak_rss_mib"] <= allowed
        print(
            f"BlogCatalog p={p:g},q={q:g}: peak RSS of the whole process while walking "
            f"{r['peak_rss_mib']:.0f} MiB (grew {r['rss_growth_mib']:.0f} MiB); allowed: CSR "
            f"{r['csr_mib']:.0f} + walk buffer {r['buffer_mib']:.0f} + 150 = {allowed:.0f} MiB"
        )
    print("bars: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in bars.items()))
    if skipped:
        print("skipped: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    print(
        json_line(
            dict(
                benchmark="walks",
                num_walks=args.num_walks,
                walk_length=args.walk_length,
                repeats=args.repeats,
                workers=args.workers,
                cpu_count=os.cpu_count(),
                results=results,
                bars=bars,
                skipped=skipped,
            )
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
