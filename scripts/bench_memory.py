#!/usr/bin/env python
"""The memory plan against the whole command's measured peak.

For generated power-law graphs (Chung-Lu, exponent 2.5, 5 edges a node, fixed seed,
written to a temporary folder; ``scripts/bench_scale.py``'s generator) of 10k, 100k
and 1M nodes, each command a user types runs in a fresh process:

* ``n2v-lite embed EDGES --preset fast --num-walks 1 --walk-length 20 --sample 1e-3
  --workers 2`` (the big-graph issue's run), and with ``--preset paper`` (walks
  streamed: one walk of 80 a node here, so that 1M nodes trains in minutes; the memory
  of a streamed run does not grow with the number of walks, which go to disk);
* ``n2v-lite walks EDGES --out DIR`` then ``n2v-lite train DIR`` (the folder path);
* ``n2v-lite update MODEL EDGES2`` on the ``fast`` model, where EDGES2 drops 1% of the
  edges (seeded) and adds 1% new nodes, each with one edge to an old node;
* ``n2v-lite movielens`` (the bundled data).

The command runs inside this script's child (``--child``: click's ``main`` in-process,
then the process's own ``VmHWM``), so the peak is the command's and nothing else's.
Beside it the script prints the plan the command checked (``info["memory_plan"]`` of
the model it saved -- what ``--max-memory`` compares with) and the ratio
measured / planned. The bar: every ratio within 0.90-1.10 at 100k and 1M nodes.
The last line is one JSON object. Usage::

    python scripts/bench_memory.py [--sizes 10000,100000,1000000] [--skip-paper]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _bench import FAST_ONE_WALK, command_here, json_line  # noqa: E402

MIB = 2**20


def child(out, args):
    """Run one n2v-lite command in this process; write its peak RSS (bytes) to ``out``."""
    _, peak = command_here(args)
    with open(out, "w") as handle:
        json.dump({"peak": int(peak * MIB)}, handle)


def run(args, scratch):
    """Run ``n2v-lite args`` in a fresh child; (seconds, peak bytes)."""
    out = Path(scratch) / "peak.json"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--child", str(out), "--", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start, json.loads(out.read_text())["peak"]


def _changed_graph(edges, out, nodes, seed=1):
    """``edges`` without 1% of its lines (seeded), plus 1% new nodes with one edge each."""
    import numpy as np

    rng = np.random.default_rng(seed)
    with open(edges) as handle:
        lines = handle.read().splitlines()
    keep = rng.random(len(lines)) >= 0.01
    new = nodes // 100
    targets = rng.integers(0, nodes, new)
    with open(out, "w") as handle:
        handle.write("\n".join(line for line, k in zip(lines, keep) if k))
        handle.write("".join(f"\n{nodes + i}\t{t}" for i, t in enumerate(targets.tolist())))
        handle.write("\n")


def planned(model):
    import n2v_lite

    return n2v_lite.load(model).info["memory_plan"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--skip-paper", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return child(opts.child, opts.rest)

    from bench_scale import power_law_edges

    paper = [
        "--preset",
        "paper",
        "--num-walks",
        "1",
        "--walk-length",
        "80",
        "--workers",
        "2",
        "--seed",
        "0",
        "--quiet",
    ]
    rows = []
    print(
        f"{'command':<34} {'nodes':>9} {'seconds':>8} {'measured MiB':>13} "
        f"{'planned MiB':>12} {'phase':>7} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="n2v_lite-bench-memory-") as scratch:
        jobs = [
            ("movielens", None, lambda e, m: ["movielens", "--seed", "0", "--quiet", "--out", m])
        ]
        for size in [int(s) for s in opts.sizes.split(",")]:
            jobs.append(
                (
                    "embed --preset fast 1x20",
                    size,
                    lambda e, m: ["embed", e, *FAST_ONE_WALK, "--out", m],
                )
            )
            if not opts.skip_paper:
                jobs.append(
                    (
                        "embed --preset paper 1x80",
                        size,
                        lambda e, m: ["embed", e, *paper, "--out", m],
                    )
                )
            jobs.append(("train DIR (walks 1x20 --out DIR)", size, "folder"))
            jobs.append(("update (1% edges out, 1% nodes in)", size, "update"))
        graphs = {}
        for name, size, make in jobs:
            model = os.path.join(scratch, "model.n2v")
            edges = None
            if size is not None:
                if size not in graphs:
                    graphs[size] = os.path.join(scratch, f"g{size}.tsv")
                    power_law_edges(graphs[size], size, 5 * size, seed=0)
                edges = graphs[size]
            if make == "update":
                subprocess.run(
                    [sys.executable, "-m", "n2v_lite", "embed", edges, *FAST_ONE_WALK]
                    + ["--out", model],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                changed = os.path.join(scratch, f"g{size}-changed.tsv")
                _changed_graph(edges, changed, size)
                updated = os.path.join(scratch, "updated.n2v")
                args = ["update", model, changed, "--seed", "0", "--workers", "2", "--quiet"]
                args += ["--out", updated]
                seconds, peak = run(args, scratch)
                os.replace(updated, model)
            elif make == "folder":
                folder = os.path.join(scratch, "walks")
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "n2v_lite",
                        "walks",
                        edges,
                        "--num-walks",
                        "1",
                        "--walk-length",
                        "20",
                        "--seed",
                        "0",
                        "--workers",
                        "2",
                        "--quiet",
                        "--out",
                        folder,
                    ],
                    check=True,
                )
                args = [
                    "train",
                    folder,
                    "--preset",
                    "fast",
                    "--sample",
                    "1e-3",
                    "--workers",
                    "2",
                    "--seed",
                    "0",
                    "--quiet",
                    "--out",
                    model,
                ]
            else:
                args = make(edges, model)
            if make != "update":
                seconds, peak = run(args, scratch)
            plan = planned(model)
            ratio = peak / plan["peak"]
            nodes = size if size is not None else 1405
            print(
                f"{name:<34} {nodes:>9} {seconds:>8.1f} {peak / MIB:>13.0f} "
                f"{plan['peak'] / MIB:>12.0f} {plan['phase']:>7} {ratio:>6.2f}",
                flush=True,
            )
            rows.append(
                {
                    "command": name,
                    "nodes": nodes,
                    "seconds": round(seconds, 1),
                    "measured_bytes": peak,
                    "planned_bytes": plan["peak"],
                    "phase": plan["phase"],
                    "ratio": round(ratio, 3),
                }
            )
            os.remove(model)
    print(json_line({"bench": "memory", "rows": rows}))


if __name__ == "__main__":
    main()
