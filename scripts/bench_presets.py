#!/usr/bin/env python
"""Time to quality: the ``paper`` and ``fast`` presets on the shared graphs (and ``tune``).

For each graph, both presets embed the same graph with the same seed, one after the
other in the same run (the machine is shared: only ratios within a run mean much), and
the script prints quality, walk seconds, training seconds and the ratio to ``paper``:

* BlogCatalog (p = q = 0.25): node classification, Macro-F1 at 50% training;
* Cora (undirected, as in bench_quality): Macro-F1 at 50%;
* ego-Facebook, ca-AstroPh: link prediction, Hadamard ROC-AUC (50% of edges hidden);
* MovieLens movie graph: genre Macro-F1 at 50%.

Training time is ``model.embedding_.info["train_seconds"]`` (wall clock); the CPU
seconds of the whole fit (walks + training, ``time.process_time``) are shown beside
it, because on a shared machine they move less than wall time. With a seed every fit
trains on ONE thread (``--workers`` changes that) so the vectors are reproducible.
BlogCatalog runs several seeds (``--seeds``): quality is noisy, so the mean and the
spread (sample std) are printed.

Usage::

    python scripts/bench_presets.py [--datasets blogcatalog,cora,...] [--seeds 0,1,2]
    python scripts/bench_presets.py --explore [--candidates a,b,...]   # the search for `fast`
    python scripts/bench_presets.py --tune                             # tune vs the full grid
                                              # (Cora and MovieLens, every --seeds seed)

``--explore`` scores the candidate settings of :data:`CANDIDATES` (BlogCatalog unless
``--datasets`` says otherwise) against ``paper`` in the same run. ``--tune`` runs
:func:`n2v_lite.evaluate.tune` (successive halving, repeated validation splits) and the
exhaustive grid (every pair fully fitted, scored on the same validation splits) on Cora
(5 x 5 grid) and BlogCatalog (3 x 3 grid, 0.25/1/4: the full 5 x 5 grid takes 14 min),
and prints each method's pick, its test score, its cost in full fits and its seconds.

The last line printed is one JSON object with every figure.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SHARED = Path(os.environ.get("N2V_LITE_SHARED", HERE.parent.parent / "shared"))

from _bench import json_line  # noqa: E402

DATASETS = ("blogcatalog", "cora", "ego-facebook", "ca-astroph", "movielens")
PQ = {"blogcatalog": (0.25, 0.25)}  # others: p = q = 1

#: Settings tried while choosing ``fast`` (changes from ``paper``).
CANDIDATES = {
    "w5": {"window": 5},
    "neg2": {"negative": 2},
    "w5neg2": {"window": 5, "negative": 2},
    "w5neg2lr05": {"window": 5, "negative": 2, "learning_rate": 0.05},
    "sample": {"sample": 1e-3},
    "r5lr05": {"num_walks": 5, "learning_rate": 0.05},
    "l40lr05": {"walk_length": 40, "learning_rate": 0.05},
    "d64": {"dimensions": 64},
    "r5e2w5": {"num_walks": 5, "epochs": 2, "window": 5},
    "neg1": {"negative": 1},
}


def load(name):
    """(graph, labels or None, task) of a shared dataset."""
    from n2v_lite import Graph
    from n2v_lite.evaluate import movielens_genres, read_labels

    graphs = SHARED / "data" / "graphs"
    if name == "movielens":
        from n2v_lite.movielens import movie_graph

        g = movie_graph(SHARED / "data" / "ml-latest-small")
        return g, movielens_genres(g), "node"
    if not (graphs / name / "edges.tsv").is_file():
        sys.exit(f"bench_presets: no {graphs / name / 'edges.tsv'} (set N2V_LITE_SHARED)")
    g = Graph.from_edgelist(graphs / name / "edges.tsv", directed=False)
    if name in ("blogcatalog", "cora"):
        return g, read_labels(graphs / name / "labels.tsv"), "node"
    return g, None, "link"


def run_one(name, data, params, seed, args):
    """Fit once and score: quality, walk and train seconds."""
    from n2v_lite import Node2Vec
    from n2v_lite.evaluate import link_prediction, node_classification

    graph, labels, task = data
    p, q = PQ.get(name, (1.0, 1.0))
    kwargs = dict(params, p=p, q=q, workers=args.workers, progress=False)
    info = {}
    cpu = time.process_time()
    if task == "node":
        model = Node2Vec(**kwargs, random_state=seed).fit(graph)
        cpu = time.process_time() - cpu
        info = model.embedding_.info
        scores = node_classification(
            model, labels, train_ratios=[0.5], repeats=args.repeats, seed=seed, C=args.C
        )
        quality, metric = scores["macro_f1"][0.5], "macro_f1"
    else:

        def embed(residual, rng):
            start = time.process_time()
            model = Node2Vec(**kwargs, random_state=rng).fit(residual)
            info.update(model.embedding_.info, fit_cpu=time.process_time() - start)
            return model.embedding_.vectors_of(residual.node_ids.tolist())

        quality = link_prediction(graph, embed, seed=seed, C=args.C)["auc"]["hadamard"]
        metric, cpu = "hadamard_auc", info["fit_cpu"]
    return {
        "dataset": name,
        "metric": metric,
        "seed": seed,
        "quality": round(quality, 4),
        "walk_s": info["walk_seconds"],
        "train_s": info["train_seconds"],
        "fit_cpu_s": round(cpu, 2),
        "workers": info["training_workers"],
    }


def _summary(rows, base):
    base = base or rows  # no paper row in this run (--no-paper): ratios are 1
    quality = [r["quality"] for r in rows]
    train = [r["train_s"] for r in rows]
    cpu = [r["fit_cpu_s"] for r in rows]
    return {
        "quality": round(statistics.mean(quality), 4),
        "quality_sd": round(statistics.stdev(quality), 4) if len(quality) > 1 else 0.0,
        "walk_s": round(statistics.mean(r["walk_s"] for r in rows), 2),
        "train_s": round(statistics.mean(train), 2),
        "train_ratio": round(sum(train) / sum(r["train_s"] for r in base), 3),
        "fit_cpu_s": round(statistics.mean(cpu), 2),
        "cpu_ratio": round(sum(cpu) / sum(r["fit_cpu_s"] for r in base), 3),
        "runs": len(rows),
    }


def compare(args, names, settings):
    """Every setting on every graph, interleaved per seed; returns the summary rows."""
    table = []
    for name in names:
        data = load(name)
        seeds = args.seeds if name == "blogcatalog" else args.seeds[: args.other_seeds]
        runs = {label: [] for label in settings}
        for seed in seeds:
            for label, params in settings.items():
                runs[label].append(run_one(name, data, params, seed, args))
                print(f"  {label}: {runs[label][-1]}", file=sys.stderr)
        for label in settings:
            table.append(
                {
                    "dataset": name,
                    "setting": label,
                    "metric": runs[label][0]["metric"],
                    **_summary(runs[label], runs.get("paper")),
                }
            )
    print(
        f"{'graph':<14}{'setting':<12}{'metric':<14}{'quality (sd)':>16}{'d vs paper':>11}"
        f"{'walk s':>8}{'train s':>9}{'train ratio':>12}{'fit cpu s':>10}{'cpu ratio':>10}"
        f"{'runs':>5}"
    )
    paper = {row["dataset"]: row["quality"] for row in table if row["setting"] == "paper"}
    for row in table:
        row["delta_vs_paper"] = round(row["quality"] - paper.get(row["dataset"], row["quality"]), 4)
        print(
            f"{row['dataset']:<14}{row['setting']:<12}{row['metric']:<14}"
            f"{row['quality']:>9.4f} ({row['quality_sd']:.3f}){row['delta_vs_paper']:>+11.4f}"
            f"{row['walk_s']:>8.1f}{row['train_s']:>9.1f}{row['train_ratio']:>12.3f}"
            f"{row['fit_cpu_s']:>10.1f}{row['cpu_ratio']:>10.3f}{row['runs']:>5}"
        )
    return table


def tune_vs_grid(args):
    """tune (halving) against the exhaustive grid on the same validation splits, per seed.

    The check the issue asks for: the halving pick's full-fit validation score in the
    grid run is within one sd of the grid's best (``within_sd``)."""
    from n2v_lite import Node2Vec
    from n2v_lite.evaluate import tune

    rows = []
    for name in args.datasets or ("cora", "movielens"):
        grid = (
            args.grid
            if args.grid
            else (0.25, 0.5, 1.0, 2.0, 4.0)
            if name == "cora"
            else (0.25, 1.0, 4.0)
        )
        graph, labels, _ = load(name)
        model = Node2Vec(workers=args.workers, progress=False)
        for seed in args.seeds:
            pair = {}
            for method in ("halving", "grid"):
                start = time.perf_counter()
                result = tune(
                    graph,
                    labels,
                    ps=grid,
                    qs=grid,
                    model=model,
                    seed=seed,
                    C=args.C,
                    method=method,
                    progress=not args.quiet,
                )
                seconds = time.perf_counter() - start
                best = result["best"]
                pair[method] = {
                    "dataset": name,
                    "seed": seed,
                    "method": method,
                    "grid": f"{len(grid)}x{len(grid)}",
                    "p": best["p"],
                    "q": best["q"],
                    "validation": round(best["validation"], 4),
                    "validation_sd": round(best.get("validation_sd", 0.0), 4),
                    "test": round(best["test"], 4),
                    "cost_full_fits": result.get("cost_full_fits"),
                    "seconds": round(seconds, 1),
                    "result": result,
                }
                print(
                    f"  {name} seed {seed} {method}: {best['p']},{best['q']} "
                    f"{pair[method]['seconds']} s",
                    file=sys.stderr,
                )
            full = {(r["p"], r["q"]): r for r in pair["grid"]["result"]["table"]}
            top = pair["grid"]
            for row in pair.values():
                score = full[(row["p"], row["q"])]["validation"]
                row["grid_score_of_pick"] = round(score, 4)
                row["within_sd"] = bool(score >= top["validation"] - top["validation_sd"])
                row["time_ratio"] = round(row["seconds"] / top["seconds"], 3)
                rows.append(row)
    print(
        f"{'graph':<11}{'seed':>5} {'method':<9}{'grid':<5}{'pick p,q':>10}"
        f"{'validation (sd)':>18}{'in grid':>9}{'within sd':>10}{'test':>8}{'full fits':>10}"
        f"{'seconds':>9}{'time ratio':>11}"
    )
    for row in rows:
        print(
            f"{row['dataset']:<11}{row['seed']:>5} {row['method']:<9}{row['grid']:<5}"
            f"{row['p']:>5g},{row['q']:<4g}{row['validation']:>10.4f}"
            f" ({row['validation_sd']:.3f}){row['grid_score_of_pick']:>9.4f}"
            f"{'yes' if row['within_sd'] else 'NO':>10}"
            f"{row['test']:>8.4f}{row['cost_full_fits']:>10.2f}{row['seconds']:>9.1f}"
            f"{row['time_ratio']:>11.3f}"
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=None, help=f"comma-separated: {','.join(DATASETS)}")
    parser.add_argument("--seeds", default="0,1,2", help="BlogCatalog seeds (comma-separated)")
    parser.add_argument(
        "--other-seeds", type=int, default=1, help="how many of the seeds the other graphs run"
    )
    parser.add_argument("--repeats", type=int, default=10, help="classification splits")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="training threads (default: one, as a seed implies)",
    )
    parser.add_argument("--explore", action="store_true", help="score CANDIDATES")
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument(
        "--no-paper",
        action="store_true",
        help="with --explore: skip the paper baseline (ratios become 1)",
    )
    parser.add_argument("--tune", action="store_true", help="tune against the full grid")
    parser.add_argument(
        "--grid",
        default=None,
        help="with --tune: the p and q values (default: Cora 5 values, BlogCatalog 0.25,1,4)",
    )
    parser.add_argument(
        "--C",
        default="auto",
        type=lambda v: v if v == "auto" else float(v),
        help="the classifiers' C: auto (tuned per split, the default) or a number",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    args.grid = tuple(float(v) for v in args.grid.split(",")) if args.grid else None
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.datasets = args.datasets.split(",") if args.datasets else None

    from n2v_lite.presets import PRESETS

    start = time.perf_counter()
    out = {
        "benchmark": "presets",
        "workers": args.workers or 1,
        "seeds": args.seeds,
        "repeats": args.repeats,
        "note": "shared machine: compare ratios within this run",
    }
    if args.tune:
        rows = tune_vs_grid(args)
        for row in rows:
            row.pop("result")
        out.update(mode="tune", results=rows)
    else:
        settings = {} if args.explore and args.no_paper else {"paper": PRESETS["paper"]}
        if args.explore:
            for label in args.candidates.split(","):
                settings[label] = {**PRESETS["paper"], **CANDIDATES[label]}
        else:
            settings["fast"] = PRESETS["fast"]
        names = args.datasets or (["blogcatalog"] if args.explore else list(DATASETS))
        out.update(
            mode="explore" if args.explore else "presets",
            settings=settings,
            results=compare(args, names, settings),
        )
    out["seconds"] = round(time.perf_counter() - start, 1)
    print(json_line(out))


if __name__ == "__main__":
    main()
