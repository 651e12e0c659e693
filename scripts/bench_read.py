"""Reading a large edge list: time and peak memory of ``Graph.from_edgelist`` vs a baseline.

Generates (fixed seed, one numpy Generator) a power-law edge list -- endpoints drawn with
a heavy-tailed degree distribution, ids shuffled, self-loops and repeated pairs removed,
tab-separated, no header -- into a temporary folder (deleted afterwards, never
committed), then runs every case in a fresh subprocess and reads that child's peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, checked against ``VmHWM``: the data is
generated in a subprocess of its own so that the parent, whose peak ``ru_maxrss`` would
carry over into a child, stays small):

* ``baseline``: the old style -- ``pandas.read_csv`` of the whole file, ``np.unique``
  of the ids, then ``Graph.from_edges``;
* ``from_edgelist``: ``Graph.from_edgelist(path)`` (chunked, incremental ids);
* ``--old-package DIR``: also ``from_edgelist`` of another n2v_lite checkout (e.g. the
  previous release unpacked with ``git archive``), for a before/after comparison.

Printed per case: seconds, peak RSS, RSS after imports, bytes per stored edge of the
finished graph, and peak/finished (peak RSS minus the RSS after imports, over the
finished graph's bytes); the last line is one JSON object.

Usage::

    python scripts/bench_read.py                                  # 1M nodes / 5M edges
    python scripts/bench_read.py --nodes 5000000 --edges 25000000  # the big-graph bar
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import json_line  # noqa: E402

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
import n2v_lite
from n2v_lite import Graph

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
def rss():
    return status("VmRSS")
case, path = sys.argv[1], sys.argv[2]
before = rss()
t0 = time.perf_counter()
if case == "baseline":
    df = pd.read_csv(path, sep="\t", header=None, comment="#")
    ids, codes = np.unique(np.concatenate([df[0].to_numpy(), df[1].to_numpy()]),
                           return_inverse=True)
    m = len(df)
    del df
    g = Graph.from_edges(codes[:m], codes[m:], node_ids=ids)
else:
    g = Graph.from_edgelist(path)
seconds = time.perf_counter() - t0
# ru_maxrss survives fork + exec (the parent's peak would show through); VmHWM is this
# process's own high-water mark, and the two agree when the parent stays small
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
peak = status("VmHWM") or maxrss
# the arrays the graph holds (the same sum for any version of the package)
arrays = [g._indptr, g._indices, g._node_ids, getattr(g, "_weights", None)]
nbytes = sum(a.nbytes for a in arrays if a is not None)
print(json.dumps({"seconds": seconds, "peak": peak, "ru_maxrss": maxrss, "before": before,
                  "nbytes": nbytes,
                  "stored": int(g.num_stored_edges), "nodes": int(g.num_nodes),
                  "edges": int(g.num_edges), "weighted": bool(g.weighted),
                  "module": n2v_lite.__file__}))
"""


def _digits(values, width=10):
    """ASCII digits of non-negative ints, as a (len, width) uint8 block and its mask."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    block = (values[:, None] // powers % 10 + 48).astype(np.uint8)
    count = np.maximum(1, (values[:, None] >= powers[::-1][None, 1:]).sum(axis=1) + 1)
    mask = np.arange(width)[None, :] >= width - count[:, None]
    return block, mask


def write_edge_list(path, src, dst, rows_per_block=1 << 20):
    """``src<TAB>dst`` lines, formatted with numpy (no Python loop per line)."""
    with open(path, "wb") as out:
        for a in range(0, len(src), rows_per_block):
            s, d = src[a : a + rows_per_block], dst[a : a + rows_per_block]
            bs, ms = _digits(s)
            bd, md = _digits(d)
            sep = np.full((len(s), 1), ord("\t"), np.uint8)
            end = np.full((len(s), 1), ord("\n"), np.uint8)
            on = np.ones((len(s), 1), bool)
            block = np.hstack([bs, sep, bd, end])
            mask = np.hstack([ms, on, md, on])
            out.write(block[mask].tobytes())


def power_law_edges(nodes, edges, seed):
    """Distinct undirected pairs with a heavy-tailed degree distribution, ids shuffled."""
    rng = np.random.default_rng(seed)
    label = rng.permutation(nodes).astype(np.int64)
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < edges:
        k = int((edges - len(keys)) * 1.2) + 1000
        u = (nodes * rng.random(k) ** 2.2).astype(np.int64)  # density ~ x^(-0.55): hubs
        v = rng.integers(0, nodes, k)
        a, b = np.minimum(u, v), np.maximum(u, v)
        keep = a != b
        keys = np.unique(np.concatenate([keys, a[keep] * nodes + b[keep]]))
    keys = rng.permutation(keys)[:edges]
    a, b = np.divmod(keys, nodes)
    return label[a], label[b]


def run_case(case, path, pythonpath=None):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(path).parent,
    )
    if out.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--old-package", help="another n2v_lite checkout to compare with")
    parser.add_argument("--tmp", default=None, help="folder for the temporary edge list")
    parser.add_argument("--generate-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        write_edge_list(args.generate_only, *power_law_edges(args.nodes, args.edges, args.seed))
        return
    results = {}
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="bench-read-") as folder:
        path = Path(folder) / "edges.tsv"
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--generate-only",
                str(path),
                "--nodes",
                str(args.nodes),
                "--edges",
                str(args.edges),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
        print(
            f"generated {args.edges:,} edges on up to {args.nodes:,} nodes "
            f"({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        cases = [("baseline", None), ("from_edgelist", None)]
        if args.old_package:
            cases.append(("old_from_edgelist", args.old_package))
        for case, pythonpath in cases:
            r = run_case("from_edgelist" if case == "old_from_edgelist" else case, path, pythonpath)
            r["bytes_per_stored_edge"] = r["nbytes"] / r["stored"]
            r["peak_over_finished"] = (r["peak"] - r["before"]) / r["nbytes"]
            results[case] = r
            print(
                f"{case:18s} {r['seconds']:7.2f} s  peak {r['peak'] / 2**30:5.2f} GiB "
                f"(after imports {r['before'] / 2**20:4.0f} MiB)  graph "
                f"{r['nbytes'] / 2**20:6.0f} MiB = {r['bytes_per_stored_edge']:.2f} B/stored "
                f"edge  peak/finished {r['peak_over_finished']:.2f}  "
                f"[{r['nodes']:,} nodes, {r['edges']:,} edges]",
                flush=True,
            )
    base = results["baseline"]
    new = results["from_edgelist"]
    print(
        f"from_edgelist vs baseline: time x{new['seconds'] / base['seconds']:.2f}, "
        f"peak RSS x{new['peak'] / base['peak']:.2f}"
    )
    print(
        json_line(
            {
                "benchmark": "read",
                "nodes": args.nodes,
                "edges": args.edges,
                "seed": args.seed,
                "cases": results,
            }
        )
    )


if __name__ == "__main__":
    main()
