#!/usr/bin/env python
"""Scale benchmark: a 1M-node / 5M-edge power-law graph, n2v_lite against fastnode2vec.

Generates power-law (Chung-Lu, exponent 2.5) undirected graphs with a fixed seed in a
temporary folder (never in the repository): 1M nodes / 5M edges for the whole
pipeline, and 5M nodes / 25M edges for reading only (``--read-big``). With
``--pipeline``, each phase in a fresh subprocess, at the same settings on both sides
(1 walk x 20 nodes per node, p = q = 1, 128 dimensions, window 10, 5 negatives, sample
1e-3, 1 epoch, 2 workers):

* n2v_lite, through the Python API: ``Graph.from_edgelist`` (read) ->
  ``corpus.write_walk_folder`` (walks, written to disk) in one child, then
  ``word2vec.train_word2vec`` on that walk folder in a second child;
* fastnode2vec: ``Graph`` from the edge lines (read), then ``Node2Vec.train``, which
  walks and trains in one pass (its walks cannot be timed apart from its training).

Then what users run and what they get (``--quality``, on by default): 20,000 edges are
held out of the graph (endpoints kept in it), and in fresh processes

* the one command ``n2v-lite embed EDGES --preset fast --num-walks 1 --walk-length 20
  --sample 1e-3 --workers 2`` end to end (its whole process's peak RSS; the memory plan
  it checked beside it), and
* fastnode2vec at the settings above (window 10, 5 negatives),

each scored by the cosine link-prediction AUC of the held-out edges against as many
random non-edges. Bars: the one command's peak at most 2 GiB, and its AUC at least
fastnode2vec's - 0.005 in at most 0.5x its end-to-end time.

Per phase it prints wall seconds, tokens per second, the peak RSS (``VmHWM``, reset
between phases) and bytes of peak RSS per edge, with ratios against fastnode2vec in the
same run. A child's peak is its own ``VmHWM``, not ``ru_maxrss``, which after fork +
exec also counts the parent's resident memory at the fork. Bars: end to end at most
0.6x fastnode2vec's wall time with peak RSS at most 2 GiB; reading the 5M / 25M graph
under 1.5 GiB. The last line is one JSON object.

fastnode2vec lives in its own virtualenv, never in n2v_lite's dependencies::

    python3 -m venv /tmp/fn2v && /tmp/fn2v/bin/pip install fastnode2vec

(``--peer-python`` or ``N2V_LITE_FN2V_PYTHON`` point elsewhere; without it the peer
columns are skipped.) Usage::

    python scripts/bench_scale.py [--nodes 1000000 --edges 5000000] [--skip-peer]
    python scripts/bench_scale.py --pipeline --read-big   # + the phases apart, + 5M / 25M
    python scripts/bench_scale.py --read-big-only      # the 5M / 25M reading run alone
    python scripts/bench_scale.py --presets            # + the presets' table (bench_presets)

It takes minutes: the machine's two cores, and gensim at a 1M-node vocabulary
(~50-70k tokens/s per thread, field notes) set the pace.
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

from _bench import FAST_ONE_WALK, command_here, json_line, reset_peak, status_mib  # noqa: E402

DEFAULT_PEER_PYTHON = "/tmp/fn2v/bin/python"
SETTINGS = {
    "num_walks": 1,
    "walk_length": 20,
    "dimensions": 128,
    "window": 10,
    "negative": 5,
    "sample": 1e-3,
    "epochs": 1,
    "workers": 2,
    "p": 1.0,
    "q": 1.0,
}
GIB = 1024**3


# ------------------------------------------------------------------ the graph
def power_law_edges(path, nodes, edges, seed=0, exponent=2.5):
    """Write a Chung-Lu power-law graph (no loops, no duplicates) as ``u<TAB>v`` lines."""
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = (np.arange(nodes) + 10.0) ** (-1.0 / (exponent - 1.0))
    cdf = np.cumsum(weights / weights.sum())
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < edges:
        draw = int((edges - len(keys)) * 1.1) + 1000
        u = np.minimum(np.searchsorted(cdf, rng.random(draw)), nodes - 1)
        v = np.minimum(np.searchsorted(cdf, rng.random(draw)), nodes - 1)
        keep = u != v
        u, v = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        keys = np.unique(np.concatenate([keys, u * nodes + v]))
    keys = rng.permutation(keys)[:edges]
    u, v = np.divmod(keys, nodes)
    ids = rng.permutation(nodes)  # hubs are not the small ids
    with open(path, "w") as handle:
        for start in range(0, edges, 1 << 20):
            block = slice(start, start + (1 << 20))
            lines = np.char.add(
                np.char.add(ids[u[block]].astype(str), "\t"), ids[v[block]].astype(str)
            )
            handle.write("\n".join(lines.tolist()))
            handle.write("\n")
    return int(len(np.union1d(u, v)))


# ------------------------------------------------------------------ children
_PEAKS = []  # VmHWM readings of this child, taken before each reset and after each phase


def _peak_mib():
    """The child's own peak RSS.

    Not ``ru_maxrss``: after fork + exec it also counts the parent's resident set
    at fork time (the kernel keeps the larger), which is not the child's memory.
    """
    return max(_PEAKS + [status_mib("VmHWM")])


def _phase(name, run, phases):
    """Run one phase; record seconds and its peak RSS (VmHWM after a reset if possible)."""
    _PEAKS.append(status_mib("VmHWM"))
    exact = reset_peak()
    start = time.perf_counter()
    result = run()
    peak = status_mib("VmHWM")
    _PEAKS.append(peak)
    phases[name] = {
        "seconds": round(time.perf_counter() - start, 2),
        "peak_mib": round(peak, 1),
        "peak_exact": exact,
    }
    return result


def child_n2v_walk(spec):
    from n2v_lite import Graph
    from n2v_lite.corpus import write_walk_folder

    phases = {}
    graph = _phase("read", lambda: Graph.from_edgelist(spec["edges"]), phases)
    if spec.get("read_only"):
        return {
            "phases": phases,
            "nodes": graph.num_nodes,
            "edges": int(graph.num_edges),
            "child_peak_mib": round(_peak_mib(), 1),
        }
    s = spec["settings"]
    folder = _phase(
        "walk",
        lambda: write_walk_folder(
            graph,
            spec["folder"],
            s["num_walks"],
            s["walk_length"],
            s["p"],
            s["q"],
            seed=0,
            workers=s["workers"],
            progress=False,
        ),
        phases,
    )
    phases["walk"]["tokens"] = int(folder.tokens)
    return {
        "phases": phases,
        "nodes": graph.num_nodes,
        "edges": int(graph.num_edges),
        "child_peak_mib": round(_peak_mib(), 1),
    }


def child_n2v_train(spec):
    from n2v_lite.corpus import read_walk_folder
    from n2v_lite.word2vec import train_word2vec

    s, phases = spec["settings"], {}
    folder = read_walk_folder(spec["folder"])
    result = _phase(
        "train",
        lambda: train_word2vec(
            folder,
            dimensions=s["dimensions"],
            window=s["window"],
            negative=s["negative"],
            epochs=s["epochs"],
            sample=s["sample"],
            workers=s["workers"],
            seed=0,
            progress=False,
        ),
        phases,
    )
    phases["train"].update(
        tokens=int(folder.tokens),
        gensim_seconds=round(result.train_seconds, 2),
        workers_used=result.workers_used,
        corpus=result.corpus,
    )
    return {"phases": phases, "child_peak_mib": round(_peak_mib(), 1)}


def child_fastnode2vec(spec):
    import numpy as np
    from fastnode2vec import Graph, Node2Vec

    s, phases = spec["settings"], {}

    def read():
        with open(spec["edges"]) as handle:
            return Graph(
                (line.split() for line in handle), directed=False, weighted=False, verbose=False
            )

    graph = _phase("read", read, phases)
    np.random.seed(0)  # fastnode2vec draws its walk order from numpy's global generator

    def train():
        model = Node2Vec(
            graph,
            dim=s["dimensions"],
            walk_length=s["walk_length"],
            window=s["window"],
            p=s["p"],
            q=s["q"],
            workers=s["workers"],
            negative=s["negative"],
            sample=s["sample"],
            seed=0,
        )
        model.train(epochs=s["num_walks"] * s["epochs"], verbose=False)
        return model

    model = _phase("walk+train", train, phases)
    tokens = len(graph.node_names) * s["num_walks"] * s["walk_length"]
    phases["walk+train"]["tokens"] = tokens
    out = {
        "phases": phases,
        "nodes": len(graph.node_names),
        "child_peak_mib": round(_peak_mib(), 1),
    }
    if spec.get("vectors"):
        out["model"] = model
    return out


def child_n2v_embed(spec):
    """The one command a user types, in this process: its own peak is the command's."""
    seconds, peak = command_here(["embed", spec["edges"], *FAST_ONE_WALK, "--out", spec["model"]])
    return {"seconds": round(seconds, 2), "child_peak_mib": round(peak, 1)}


def child_fastnode2vec_vectors(spec):
    """fastnode2vec's whole run (read, walk, train) and its vectors saved for scoring."""
    import numpy as np

    result = child_fastnode2vec(spec)
    model = result.pop("model")
    np.save(spec["vectors"], model.wv.vectors)
    np.save(spec["keys"], np.array([int(k) for k in model.wv.index_to_key], dtype=np.int64))
    return result


CHILDREN = {
    "n2v_walk": child_n2v_walk,
    "n2v_train": child_n2v_train,
    "fastnode2vec": child_fastnode2vec,
    "n2v_embed": child_n2v_embed,
    "fastnode2vec_vectors": child_fastnode2vec_vectors,
}


def run_child(python, kind, spec, timeout=7200):
    """Run one child in a fresh interpreter; its result plus wall seconds and ru_maxrss."""
    cmd = [python, str(Path(__file__).resolve()), "--child", kind, json.dumps(spec)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = proc.communicate(timeout=timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = " | ".join(err.strip().splitlines()[-3:])
        raise RuntimeError(f"{kind} failed (exit {proc.returncode}): {tail}")
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 2)
    return result


# ------------------------------------------------------------------ parent
def _row(tool, phase, data, edges):
    seconds = data["seconds"]
    tokens = data.get("tokens")
    return {
        "tool": tool,
        "phase": phase,
        "seconds": seconds,
        "tokens_per_s": round(tokens / seconds) if tokens and seconds else None,
        "peak_mib": data["peak_mib"],
        "bytes_per_edge": round(data["peak_mib"] * 2**20 / edges, 1),
    }


def _pipeline(args, peer, tmp, rows, out):
    """The 1M-node pipeline of both tools; appends table rows, fills ``out``."""
    edges_path = tmp / "edges.tsv"
    start = time.perf_counter()
    nodes = power_law_edges(edges_path, args.nodes, args.edges, seed=0)
    print(
        f"graph: {nodes} nodes with edges, {args.edges} edges, "
        f"{edges_path.stat().st_size / 2**20:.0f} MiB of text, generated in "
        f"{time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    spec = {"edges": str(edges_path), "folder": str(tmp / "walks"), "settings": SETTINGS}
    children = {}
    children["n2v_walk"] = run_child(sys.executable, "n2v_walk", spec)
    print(f"n2v_lite read+walk: {children['n2v_walk']}", file=sys.stderr)
    children["n2v_train"] = run_child(sys.executable, "n2v_train", spec)
    print(f"n2v_lite train: {children['n2v_train']}", file=sys.stderr)
    if peer:
        children["fastnode2vec"] = run_child(peer, "fastnode2vec", spec)
        print(f"fastnode2vec: {children['fastnode2vec']}", file=sys.stderr)
    edges = args.edges
    ours = {**children["n2v_walk"]["phases"], **children["n2v_train"]["phases"]}
    for phase, data in ours.items():
        rows.append(_row("n2v_lite", phase, data, edges))
    n2v_wall = children["n2v_walk"]["wall_seconds"] + children["n2v_train"]["wall_seconds"]
    n2v_peak = max(children["n2v_walk"]["child_peak_mib"], children["n2v_train"]["child_peak_mib"])
    rows.append(
        {
            "tool": "n2v_lite",
            "phase": "end to end (2 processes)",
            "seconds": round(n2v_wall, 2),
            "tokens_per_s": None,
            "peak_mib": n2v_peak,
            "bytes_per_edge": round(n2v_peak * 2**20 / edges, 1),
        }
    )
    if peer:
        fn = children["fastnode2vec"]
        for phase, data in fn["phases"].items():
            rows.append(_row("fastnode2vec", phase, data, edges))
        rows.append(
            {
                "tool": "fastnode2vec",
                "phase": "end to end",
                "seconds": fn["wall_seconds"],
                "tokens_per_s": None,
                "peak_mib": fn["child_peak_mib"],
                "bytes_per_edge": round(fn["child_peak_mib"] * 2**20 / edges, 1),
            }
        )
        ratio = n2v_wall / fn["wall_seconds"]
        out["end_to_end_ratio"] = round(ratio, 3)
        out["bar_time_0.6x"] = ratio <= 0.6
    out["bar_peak_2GiB"] = n2v_peak * 2**20 <= 2 * GIB
    out["children"] = children
    return nodes


def hold_out(path, train_path, count, seed=1):
    """Split an edge list: ``count`` edges held out (both endpoints keep another edge),
    the rest written to ``train_path``; returns (held-out pairs, as many non-edges)."""
    import numpy as np
    import pandas as pd

    edges = pd.read_csv(path, sep="\t", header=None, dtype=np.int64).to_numpy()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(edges))
    degree = np.bincount(edges.ravel())
    held = []
    for i in order:  # skip an edge whose removal would drop an endpoint from the graph
        u, v = edges[i]
        if degree[u] > 1 and degree[v] > 1:
            degree[u] -= 1
            degree[v] -= 1
            held.append(i)
            if len(held) == count:
                break
    keep = np.ones(len(edges), dtype=bool)
    keep[held] = False
    pd.DataFrame(edges[keep]).to_csv(train_path, sep="\t", header=False, index=False)
    nodes = np.flatnonzero(degree)
    known = set(
        (
            np.minimum(edges[:, 0], edges[:, 1]) * (len(degree) + 1)
            + np.maximum(edges[:, 0], edges[:, 1])
        ).tolist()
    )
    negatives = []
    while len(negatives) < count:
        u, v = rng.choice(nodes, 2, replace=False)
        if min(u, v) * (len(degree) + 1) + max(u, v) not in known:
            negatives.append((u, v))
    return edges[held], np.array(negatives, dtype=np.int64)


def cosine_auc(vectors, ids, positives, negatives):
    """AUC of cosine similarity: held-out edges against non-edges."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    row = np.full(int(max(ids.max(), positives.max(), negatives.max())) + 1, -1)
    row[ids] = np.arange(len(ids))
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    pairs = np.concatenate([positives, negatives])
    a, b = row[pairs[:, 0]], row[pairs[:, 1]]
    score = np.where((a >= 0) & (b >= 0), np.einsum("ij,ij->i", unit[a], unit[b]), 0.0)
    labels = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    return float(roc_auc_score(labels, score))


def _quality(args, peer, tmp, out):
    """The one command end to end and time to quality against fastnode2vec."""
    import numpy as np

    full, train = tmp / "edges.tsv", tmp / "train.tsv"
    if not full.exists():
        power_law_edges(full, args.nodes, args.edges, seed=0)
    positives, negatives = hold_out(full, train, args.held_out)
    spec = {
        "edges": str(train),
        "model": str(tmp / "model.n2v"),
        "settings": SETTINGS,
        "vectors": str(tmp / "fn2v-vectors.npy"),
        "keys": str(tmp / "fn2v-keys.npy"),
    }
    one = run_child(sys.executable, "n2v_embed", spec)
    import n2v_lite

    emb = n2v_lite.load(spec["model"])
    ids = np.asarray(emb.node_ids, dtype=np.int64)
    one.update(
        auc=round(cosine_auc(emb.vectors, ids, positives, negatives), 4),
        planned_mib=round(emb.info["memory_plan"]["peak"] / 2**20, 1),
    )
    del emb
    rows = [{"tool": "n2v_lite embed --preset fast", **one}]
    print(f"n2v_lite one command: {one}", file=sys.stderr)
    if peer:
        fn = run_child(peer, "fastnode2vec_vectors", spec)
        fn["auc"] = round(
            cosine_auc(np.load(spec["vectors"]), np.load(spec["keys"]), positives, negatives), 4
        )
        rows.append({"tool": "fastnode2vec (window 10, 5 negatives)", **fn})
        print(f"fastnode2vec: {fn}", file=sys.stderr)
    print(
        f"\n{'one command, held-out edges':<40}{'seconds':>9}{'peak MiB':>10}"
        f"{'planned':>9}{'AUC':>8}{'time vs fn2v':>14}"
    )
    for row in rows:
        ratio = f"{row['wall_seconds'] / rows[-1]['wall_seconds']:.2f}x" if peer else ""
        planned = f"{row['planned_mib']:.0f}" if "planned_mib" in row else "-"
        print(
            f"{row['tool']:<40}{row['wall_seconds']:>9.1f}{row['child_peak_mib']:>10.0f}"
            f"{planned:>9}{row['auc']:>8.4f}{ratio:>14}"
        )
    out["one_command"] = rows
    out["bar_one_command_peak_2GiB"] = one["child_peak_mib"] * 2**20 <= 2 * GIB
    if peer:
        out["bar_auc_and_half_time"] = (
            one["auc"] >= rows[-1]["auc"] - 0.005
            and one["wall_seconds"] <= 0.5 * rows[-1]["wall_seconds"]
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument(
        "--read-big",
        action="store_true",
        help="also read a 5M-node / 25M-edge graph (n2v_lite only)",
    )
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument(
        "--presets",
        action="store_true",
        help="also print the presets' time-to-quality table on the shared "
        "graphs (scripts/bench_presets.py, ~20 min)",
    )
    parser.add_argument(
        "--read-big-only",
        action="store_true",
        help="only the 5M / 25M reading run (no pipeline, no peer)",
    )
    parser.add_argument(
        "--no-quality",
        dest="quality",
        action="store_false",
        help="skip the one command and the held-out-edge comparison",
    )
    parser.add_argument(
        "--pipeline",
        dest="pipeline",
        action="store_true",
        help="also the phases in separate processes (read, walk, train)",
    )
    parser.add_argument("--held-out", type=int, default=20_000)
    parser.add_argument("--peer-python", default=None)
    parser.add_argument("--tmp-dir", default=None)
    args = parser.parse_args(argv)
    if args.child:
        kind, spec = args.child
        print(json.dumps(CHILDREN[kind](json.loads(spec))))
        return

    peer = args.peer_python or os.environ.get("N2V_LITE_FN2V_PYTHON") or DEFAULT_PEER_PYTHON
    if args.read_big_only:
        args.read_big = args.skip_peer = True
        args.quality = False
    if args.skip_peer:
        peer = None
    elif not Path(peer).exists():
        print(
            f"bench_scale: no fastnode2vec interpreter at {peer}; peer skipped (see the docstring)",
            file=sys.stderr,
        )
        peer = None
    out = {
        "benchmark": "scale",
        "settings": SETTINGS,
        "cores": os.cpu_count(),
        "note": "machine shared with other jobs: compare ratios within this run",
    }
    with tempfile.TemporaryDirectory(prefix="n2v-scale-", dir=args.tmp_dir) as tmp:
        tmp = Path(tmp)
        rows, nodes = [], None
        if not args.read_big_only and args.pipeline:
            nodes = _pipeline(args, peer, tmp, rows, out)
        if not args.read_big_only and args.quality:
            _quality(args, peer, tmp, out)
        if args.read_big:
            big = tmp / "big.tsv"
            (tmp / "edges.tsv").unlink(missing_ok=True)
            power_law_edges(big, 5 * args.nodes, 5 * args.edges, seed=1)
            read = run_child(sys.executable, "n2v_walk", {"edges": str(big), "read_only": True})
            rows.append(_row("n2v_lite", "read 5x graph", read["phases"]["read"], 5 * args.edges))
            out["big_read"] = read
            out["bar_big_read_1.5GiB"] = read["child_peak_mib"] * 2**20 <= 1.5 * GIB
    if args.presets:  # its own table first; its JSON goes into ours
        proc = subprocess.run(
            [sys.executable, str(HERE / "bench_presets.py")],
            capture_output=True,
            text=True,
            check=True,
        )
        lines = proc.stdout.strip().splitlines()
        print("\n".join(lines[:-1]) + "\n")
        out["presets"] = json.loads(lines[-1])
    if rows:
        _print_phases(rows)
    out.update(nodes=nodes, edges=args.edges, rows=rows)
    print(json_line(out))


def _print_phases(rows):
    print(
        f"{'tool':<14}{'phase':<26}{'seconds':>9}{'tokens/s':>11}{'peak MiB':>10}"
        f"{'B/edge':>8}{'time vs fn2v':>13}"
    )
    peer_rows = {r["phase"]: r for r in rows if r["tool"] == "fastnode2vec"}
    peer_total = peer_rows.get("end to end")
    for row in rows:
        ratio = ""
        if peer_total and row["tool"] == "n2v_lite":
            ref = peer_rows.get(row["phase"]) or (peer_total if "end" in row["phase"] else None)
            if ref:
                ratio = f"{row['seconds'] / ref['seconds']:.2f}x"
        rate = f"{row['tokens_per_s']:,}" if row["tokens_per_s"] else "-"
        print(
            f"{row['tool']:<14}{row['phase']:<26}{row['seconds']:>9.1f}{rate:>11}"
            f"{row['peak_mib']:>10.0f}{row['bytes_per_edge']:>8.0f}{ratio:>13}"
        )


if __name__ == "__main__":
    main()
