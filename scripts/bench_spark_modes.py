#!/usr/bin/env python
"""Benchmark Spark's two walk modes on a generated graph: memory per executor's Python worker.

A graph of ``--edges`` undirected edges (2x as many stored edges) over ``--nodes``
nodes is generated on the cluster (``spark.range`` and seeded ``rand``: skewed
targets, so some hubs), read by ``n2v_lite.spark.read_graph`` and walked by
``write_walks`` (``--num-walks`` walks of ``--walk-length`` from every node, p and q
as given) on ``local-cluster[2,1,MB]``: two executor JVMs with one core each, so
each executor has one Python worker. Each mode runs in its own driver process with
fresh executors:

* ``broadcast``: the merged edges come to the driver, the CSR is broadcast, and
  every worker builds the walk tables of the whole graph;
* ``partitioned``: the edges stay on the cluster, sharded by node into
  ``--shards`` shards; walkers move between executors in supersteps.

Each worker's resident-set high-water mark (``VmHWM``) is read by small probe tasks:
reset after the graph is read (so the walk phase is measured alone), and read again
after the walks. Printed: the walk phase's peak per worker in each mode, the
partitioned/broadcast ratio (bar: below 1/4), the walks' equality (both folders'
walks compared), times, and as the LAST line one JSON object with every figure.

Needs pyspark and Java (as the ``spark`` extra). Usage::

    python scripts/bench_spark_modes.py [--nodes 1000000] [--edges 10000000] [--shards 64]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line  # noqa: E402


def _probe(sc, reset):
    """{worker pid: VmHWM MiB} from many one-line tasks (every worker gets some)."""

    def task(_):
        import os as _os

        if reset:
            try:
                with open("/proc/self/clear_refs", "w") as handle:
                    handle.write("5")
            except OSError:
                pass
        with open("/proc/self/status") as status:
            hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        yield _os.getpid(), hwm / 1024

    peaks = {}
    for pid, mib in sc.parallelize(range(64), 64).mapPartitions(task).collect():
        peaks[pid] = max(peaks.get(pid, 0.0), mib)
    return peaks


def child(spec):
    import pyspark
    from pyspark.sql import functions as F

    sys.path.insert(0, str(REPO))
    from n2v_lite import spark as n2v_spark

    os.environ.setdefault("SPARK_HOME", os.path.dirname(pyspark.__file__))
    spark = n2v_spark.local_session(
        f"local-cluster[2,1,{spec['executor_mb']}]",
        {
            "spark.driver.memory": "6g",
            "spark.driver.maxResultSize": "4g",
            # PySpark buffers a shuffle's records in the Python worker up to this much
            # (512m by default) before it spills: the partitioned mode's shuffles go through it
            "spark.python.worker.memory": spec["python_worker_memory"],
            "spark.sql.shuffle.partitions": str(spec["shards"]),
            "spark.executorEnv.PYTHONPATH": str(REPO),
            **dict(item.split("=", 1) for item in spec["conf"]),
        },
    )
    sc = spark.sparkContext
    n, m, seed = spec["nodes"], spec["edges"], spec["seed"]
    edges = spark.range(m, numPartitions=spec["shards"]).select(
        (F.rand(seed) * n).cast("long").alias("src"),
        (F.pow(F.rand(seed + 1), 2.0) * n).cast("long").alias("dst"),
    )
    t0 = time.perf_counter()
    graph = n2v_spark.read_graph(edges, spark, mode=spec["mode"], max_broadcast_bytes=8 << 30)
    t1 = time.perf_counter()
    _probe(sc, reset=True)
    folder = n2v_spark.write_walks(
        graph,
        spec["folder"],
        spec["num_walks"],
        spec["walk_length"],
        spec["p"],
        spec["q"],
        seed=0,
        spark=spark,
        num_partitions=spec["shards"],
        mode=spec["mode"],
        max_broadcast_bytes=8 << 30,
        progress=True,  # its "walks" line says the supersteps and their messages
    )
    t2 = time.perf_counter()
    peaks = _probe(sc, reset=False)
    stored = graph.num_stored_edges if hasattr(graph, "num_stored_edges") else None
    if hasattr(graph, "close"):
        graph.close()
    with open("/proc/self/status") as status:
        driver = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    spark.stop()
    return dict(
        mode=spec["mode"],
        nodes=graph.num_nodes,
        edges=graph.num_edges,
        stored_edges=stored if stored is not None else 2 * graph.num_edges,
        read_seconds=round(t1 - t0, 1),
        walk_seconds=round(t2 - t1, 1),
        worker_peak_mib={str(k): round(v) for k, v in peaks.items()},
        driver_peak_mib=round(driver / 1024),
        rows=folder.rows,
        tokens=folder.tokens,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--shards", type=int, default=64)
    parser.add_argument("--num-walks", type=int, default=1)
    parser.add_argument("--walk-length", type=int, default=5)
    parser.add_argument("--p", type=float, default=0.5)
    parser.add_argument("--q", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--executor-mb", type=int, default=2048)
    parser.add_argument(
        "--python-worker-memory",
        default="128m",
        help="spark.python.worker.memory, both modes (Spark's default: 512m)",
    )
    parser.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another Spark setting for both modes (repeatable)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json_line(child(json.loads(args.child))))
        return 0
    results = {}
    with tempfile.TemporaryDirectory(prefix="n2v-bench-spark-") as tmp:
        for mode in ("broadcast", "partitioned"):
            spec = dict(vars(args), mode=mode, folder=str(Path(tmp) / mode))
            spec.pop("child")
            print(f"measuring {mode} (fresh driver and executors)...", file=sys.stderr, flush=True)
            proc = subprocess.run(
                [sys.executable, __file__, "--child", json.dumps(spec)],
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                sys.stderr.write(proc.stderr[-3000:])
                return proc.returncode
            results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
            steps = re.search(
                r"(\d+) supersteps, walker messages ([\d.]+) ([MG])iB a superstep on average, "
                r"([\d.]+) ([MG])iB at most",
                proc.stderr,
            )
            if steps:

                def mib(value, unit):
                    return float(value) * (1024 if unit == "G" else 1)

                results[mode].update(
                    supersteps=int(steps.group(1)),
                    message_mib_per_superstep=mib(steps.group(2), steps.group(3)),
                    message_mib_peak=mib(steps.group(4), steps.group(5)),
                )

        def walks(mode):  # every partition file in order, and the node counts
            folder = Path(tmp, mode)
            return (
                b"".join(p.read_bytes() for p in sorted(folder.glob("part-*.txt"))),
                (folder / "counts.npy").read_bytes(),
            )

        same = walks("broadcast") == walks("partitioned")
    b, p = results["broadcast"], results["partitioned"]
    peak_b, peak_p = max(b["worker_peak_mib"].values()), max(p["worker_peak_mib"].values())
    ratio = peak_p / peak_b
    stored = b["stored_edges"]
    print(
        f"Graph: {b['nodes']:,} nodes, {b['edges']:,} edges ({stored:,} stored); "
        f"{args.num_walks} walk(s) of {args.walk_length} a node, p={args.p:g} q={args.q:g}; "
        f"local-cluster, 2 executors x 1 core, {args.shards} shards"
    )
    print(
        f"{'mode':<12} {'read s':>7} {'walk s':>7} {'worker peak (walks)':>20} "
        f"{'bytes/stored edge':>18} {'driver peak':>12}"
    )
    for r in (b, p):
        peak = max(r["worker_peak_mib"].values())
        print(
            f"{r['mode']:<12} {r['read_seconds']:>7.1f} {r['walk_seconds']:>7.1f} "
            f"{peak:>16,} MiB {peak * 2**20 / stored:>18.1f} {r['driver_peak_mib']:>8,} MiB"
        )
    if "supersteps" in p:
        total = p["message_mib_per_superstep"] * p["supersteps"] * 2**20
        print(
            f"partitioned: {p['supersteps']} supersteps, walker messages (array bytes, "
            f"before pickling) {p['message_mib_per_superstep']:,.1f} MiB a superstep on "
            f"average, {p['message_mib_peak']:,.1f} MiB at most; "
            f"{total / p['tokens']:.1f} bytes per walk step over the job"
        )
    print(
        f"partitioned / broadcast worker peak: {ratio:.2f} (bar: < 0.25: "
        f"{'PASS' if ratio < 0.25 else 'FAIL'}); walk folders identical: {same}"
    )
    print(
        json_line(
            dict(
                benchmark="spark_modes",
                args=vars(args),
                results=results,
                worker_peak_ratio=ratio,
                identical_walks=same,
            )
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
