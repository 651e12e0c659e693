#!/usr/bin/env python
"""n2v_lite on Spark against the local pipeline, end to end, on soc-Slashdot.

Each scenario runs in a fresh Python process (so imports and the JVM start-up
are counted) and reports, per stage, wall seconds, plus peak memory sampled
every 0.2 s from /proc: the driver (this Python process), the JVM, and the
Python workers Spark forks (their summed RSS, and the largest one).

Scenarios
---------
``local-1``   the local walk engine on one thread (per-core baseline; walks only).
``local``     local pipeline: ``Graph.from_edgelist`` -> walk folder
              (``corpus.write_walk_folder``) -> gensim from the folder.
``spark-1``   ``n2v_lite.spark.fit`` on ``local[1]``: Spark reads the edge list
              and maps the ids, walks on 1 executor core into a walk folder,
              gensim trains on the driver.
``spark-2``   the same on ``local[2]``.
``quality``   ego-Facebook link prediction (same split, same walks): gensim
              (negative sampling) vs Spark ML Word2Vec (hierarchical softmax).

Ratios are against ``local`` (and per-core walk throughput against
``local-1``), measured in the same run. Training uses the same settings in
every scenario (default: 1 walk x 80 nodes, 128 dimensions, window 10,
1 epoch, 2 gensim workers) to stay within ~10 minutes on 2 shared cores;
``--num-walks 10`` gives the paper's corpus (gensim alone then takes ~8 min).

Usage::

    python scripts/bench_spark.py [--graph DIR] [--num-walks 1] [--walk-length 80]
                                  [--only local,spark-1] [--no-train] [--no-quality]

The last line of output is one JSON object with every figure measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("N2V_LITE_SHARED", REPO.parent / "shared"))
SCENARIOS = ("local-1", "local", "spark-1", "spark-2", "quality")


# ------------------------------------------------------------ memory probe
def _rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children():
    """pid -> (ppid, cmdline) for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmd = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        table[int(entry)] = (ppid, cmd)
    return table


class MemoryProbe(threading.Thread):
    """Peak RSS of this process, its JVM and the Python workers under it."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = {"driver_mib": 0.0, "jvm_mib": 0.0, "workers_mib": 0.0, "worker_max_mib": 0.0}
        self._halt = threading.Event()

    def run(self):
        me = os.getpid()
        while not self._halt.wait(0.2):
            table = _children()
            below, frontier = set(), {me}
            while frontier:
                kids = {pid for pid, (ppid, _) in table.items() if ppid in frontier}
                below |= kids
                frontier = kids
            is_jvm = {p for p in below if "java" in table[p][1].split(" ")[0]}
            jvm = sum(_rss_mib(p) for p in is_jvm)
            workers = [_rss_mib(p) for p in below - is_jvm if "pyspark" in table[p][1]]
            sample = {
                "driver_mib": _rss_mib(me),
                "jvm_mib": jvm,
                "workers_mib": sum(workers),
                "worker_max_mib": max(workers, default=0.0),
            }
            for key, value in sample.items():
                self.peak[key] = max(self.peak[key], value)

    def stop(self):
        self._halt.set()
        self.join()
        return {k: round(v, 1) for k, v in self.peak.items()}


# --------------------------------------------------------------- scenarios
def run_scenario(name, args):
    start = time.perf_counter()
    probe = MemoryProbe()
    probe.start()
    out = {"scenario": name}
    edges = str(Path(args.graph) / "edges.tsv")
    nw, wl = args.num_walks, args.walk_length
    train = dict(dimensions=128, window=10, epochs=1, workers=2)
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        if name in ("local-1", "local"):
            from n2v_lite.corpus import write_walk_folder
            from n2v_lite.graph import Graph
            from n2v_lite.walks import random_walks

            t = time.perf_counter()
            graph = Graph.from_edgelist(edges, directed=True)
            out["read_s"] = time.perf_counter() - t
            t = time.perf_counter()
            if name == "local-1":
                random_walks(graph, nw, wl, seed=0, workers=1)
            else:
                folder = write_walk_folder(
                    graph, Path(tmp) / "walks", nw, wl, seed=0, progress=False
                )
            out["walk_s"] = time.perf_counter() - t
            out["walk_cores"] = 1 if name == "local-1" else 2
            if name == "local" and args.train:
                from n2v_lite.word2vec import train_word2vec

                t = time.perf_counter()
                train_word2vec(folder, seed=0, progress=False, **train)
                out["train_s"] = time.perf_counter() - t
        elif name.startswith("spark-"):
            cores = int(name[-1])
            t = time.perf_counter()
            from n2v_lite.spark import fit, local_session, read_graph, write_walks

            spark = local_session(f"local[{cores}]", {"spark.driver.memory": "4g"})
            out["session_s"] = time.perf_counter() - t
            t = time.perf_counter()
            graph = read_graph(edges, spark, directed=True)
            out["read_s"] = time.perf_counter() - t
            if args.train:  # walks into a walk folder, then gensim on the driver
                emb = fit(
                    graph,
                    spark=spark,
                    num_walks=nw,
                    walk_length=wl,
                    random_state=0,
                    progress=False,
                    num_partitions=4 * cores,
                    **train,
                )
                out["walk_s"] = emb.info["seconds"]["walks"]
                out["train_s"] = emb.info["seconds"]["train"]
            else:
                t = time.perf_counter()
                write_walks(
                    graph,
                    Path(tmp) / "walks",
                    nw,
                    wl,
                    seed=0,
                    spark=spark,
                    num_partitions=4 * cores,
                )
                out["walk_s"] = time.perf_counter() - t
            out["walk_cores"] = cores
            spark.stop()
        else:  # quality
            out.update(quality(args))
    out["total_s"] = time.perf_counter() - start
    out.update(probe.stop())
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def quality(args):
    """ego-Facebook link prediction, same split and walks: gensim vs Spark ML Word2Vec."""
    from n2v_lite.evaluate import link_prediction
    from n2v_lite.graph import Graph
    from n2v_lite.spark import fit, local_session

    spark = local_session("local[2]", {"spark.driver.memory": "4g"})
    graph = Graph.from_edgelist(Path(args.graph).parent / "ego-facebook" / "edges.tsv")
    settings = dict(
        dimensions=64, num_walks=4, walk_length=40, window=10, epochs=1, workers=2, progress=False
    )
    out = {}
    for trainer in ("gensim", "spark"):

        def embed(g, seed, trainer=trainer):
            return fit(g, spark=spark, trainer=trainer, random_state=seed, **settings).vectors

        t = time.perf_counter()
        auc = link_prediction(graph, embed, seed=0, operators=("hadamard",))["auc"]
        out[f"{trainer}_hadamard_auc"] = auc["hadamard"]
        out[f"{trainer}_cosine_auc"] = auc["cosine"]
        out[f"{trainer}_s"] = time.perf_counter() - t
    spark.stop()
    return out


# ------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", default=str(SHARED / "data" / "graphs" / "soc-slashdot0902"))
    parser.add_argument("--num-walks", type=int, default=1)
    parser.add_argument("--walk-length", type=int, default=80)
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--no-train", dest="train", action="store_false")
    parser.add_argument("--no-quality", dest="quality", action="store_false")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        print("RESULT " + json.dumps(run_scenario(args.scenario, args)), flush=True)
        return
    names = [n for n in args.only.split(",") if n and (args.quality or n != "quality")]
    results = {}
    for name in names:
        cmd = [
            sys.executable,
            __file__,
            "--scenario",
            name,
            "--graph",
            args.graph,
            "--num-walks",
            str(args.num_walks),
            "--walk-length",
            str(args.walk_length),
        ]
        if not args.train:
            cmd.append("--no-train")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(
                f"{name}: failed (exit {proc.returncode})\n{proc.stderr[-2000:]}", file=sys.stderr
            )
            continue
        results[name] = json.loads(lines[-1][len("RESULT ") :])
        print(f"{name}: {results[name]}", flush=True)
    from n2v_lite.graph import Graph

    graph = Graph.from_edgelist(Path(args.graph) / "edges.tsv", directed=True)
    steps = graph.num_nodes * args.num_walks * (args.walk_length - 1)  # upper bound: dead ends
    summary = {
        "graph": Path(args.graph).name,
        "nodes": graph.num_nodes,
        "edges": graph.num_edges,
        "num_walks": args.num_walks,
        "walk_length": args.walk_length,
        "steps_upper_bound": steps,
    }
    base, core = results.get("local"), results.get("local-1")
    print(
        f"\n{'scenario':10} {'read s':>7} {'walk s':>7} {'train s':>8} {'total s':>8} "
        f"{'walk x':>7} {'total x':>8} {'Msteps/s/core':>14} {'vs 1 core':>9} "
        f"{'driver':>7} {'JVM':>6} {'workers':>8}"
    )
    for name, r in results.items():
        if name == "quality":
            continue
        per_core = steps / r["walk_s"] / r["walk_cores"] / 1e6
        r["msteps_per_s_per_core"] = round(per_core, 2)
        walk_x = r["walk_s"] / base["walk_s"] if base else float("nan")
        total_x = r["total_s"] / base["total_s"] if base and name != "local-1" else float("nan")
        core_x = per_core / (steps / core["walk_s"] / 1e6) if core else float("nan")
        r.update(
            walk_ratio=round(walk_x, 2),
            total_ratio=round(total_x, 2),
            per_core_vs_local_1=round(core_x, 3),
        )
        print(
            f"{name:10} {r.get('read_s', 0):7.2f} {r['walk_s']:7.2f} {r.get('train_s', 0):8.1f} "
            f"{r['total_s']:8.1f} {walk_x:7.2f} {total_x:8.2f} {per_core:14.2f} {core_x:9.3f} "
            f"{r['driver_mib']:7.0f} {r['jvm_mib']:6.0f} {r['workers_mib']:8.0f}"
        )
    if "quality" in results:
        q = results["quality"]
        print(
            f"\nego-Facebook link prediction (same split and walks, 4 x 40, 64 dims, 1 epoch):"
            f"\n  gensim (negative sampling)      hadamard {q['gensim_hadamard_auc']:.4f}  "
            f"cosine {q['gensim_cosine_auc']:.4f}  {q['gensim_s']:.0f} s"
            f"\n  Spark ML (hierarchical softmax) hadamard {q['spark_hadamard_auc']:.4f}  "
            f"cosine {q['spark_cosine_auc']:.4f}  {q['spark_s']:.0f} s"
        )
    summary["results"] = results
    print(json_line(summary))


if __name__ == "__main__":
    main()
