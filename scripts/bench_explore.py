#!/usr/bin/env python
"""Benchmark: the explorer page -- file sizes, export time, load and redraw in Chromium.

For MovieLens (1,405 nodes), BlogCatalog (10,312 nodes, a quickly trained model)
and a synthetic 20,000-node embedding (the default ``max_points``), in the same run:

* n2v_lite's page (:func:`n2v_lite.explore.explore`, canvas + plain JS): bytes,
  export seconds, load-to-ready seconds in headless Chromium, full-redraw
  milliseconds (median of 15), and one search;
* baseline -- the same data as a Bokeh page with its resources inlined
  (``bokeh.resources.INLINE``: scatter coloured by group with legend, hover tool,
  and the ids, titles and neighbour lists in its data source), when bokeh is
  importable. Bokeh is not a dependency of n2v_lite; to measure it without
  touching the environment: ``pip install --target /tmp/bokehlib bokeh`` and
  ``PYTHONPATH=/tmp/bokehlib python scripts/bench_explore.py``.

Needs Debian's chromium (/usr/bin/chromium) and ``pip install playwright``.

Usage::

    python scripts/bench_explore.py [--shared ../shared] [--skip-bokeh]

Prints a table, the ratios, and as its last line one JSON object.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _bench import json_line  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def embeddings(shared):
    from n2v_lite import Graph, Node2Vec
    from n2v_lite.evaluate import read_labels
    from n2v_lite.movielens import fit_movielens

    out = {}
    ml = fit_movielens(
        shared / "data" / "ml-latest-small", random_state=0, workers=1, progress=False
    )
    out["movielens"] = (ml, {}, "Toy Story")
    folder = shared / "data" / "graphs" / "blogcatalog"
    model = Node2Vec(
        dimensions=128,
        walk_length=10,
        num_walks=1,
        window=3,
        epochs=1,
        workers=1,
        random_state=0,
        progress=False,
    )
    blog = model.fit(Graph.from_edgelist(folder / "edges.tsv")).embedding_
    out["blogcatalog"] = (blog, {"labels": read_labels(folder / "labels.tsv")}, "42")
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(15, 32))
    group = rng.integers(0, 15, size=20_000)
    synthetic = SimpleNamespace(
        vectors=(centres[group] + rng.normal(scale=0.8, size=(20_000, 32))).astype(np.float32),
        node_ids=list(range(20_000)),
        node_data={
            "title": np.array([f"Node {i} ({1950 + i % 70})" for i in range(20_000)], dtype=object),
            "genres": np.array([f"group{g}" for g in group], dtype=object),
        },
    )
    out["synthetic-20k"] = (synthetic, {}, "node 12345")
    return out


def neighbours_kept(data, vectors, k=10):
    """Share of each node's true top-k (cosine, full space) among its k nearest on the
    map (the page's 2-D coordinates): 1 = the map keeps every neighbourhood."""
    from n2v_lite.explore import nearest_neighbours

    true, _ = nearest_neighbours(vectors, k)
    xy = np.column_stack([data["x"], data["y"]])
    kept = []
    for start in range(0, len(xy), 2048):
        block = xy[start : start + 2048]
        d = ((block[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
        d[np.arange(len(block)), np.arange(start, start + len(block))] = np.inf
        near = np.argpartition(d, k, axis=1)[:, :k]
        kept += [
            len(set(a) & set(b)) / k
            for a, b in zip(near.tolist(), true[start : start + 2048].tolist())
        ]
    return float(np.mean(kept))


def layout_table(embs):
    """The default map (``method="auto"``) against PCA: neighbourhoods kept, seconds."""
    from n2v_lite.explore import explorer_data

    out = {}
    print(
        f"{'embedding':14s} {'nodes':>6s}  {'auto method':>11s} {'kept@10':>8s} {'s':>6s}"
        f"   {'PCA kept@10':>11s} {'s':>6s}   ratio (bar: MovieLens >= 3)"
    )
    for name, (emb, kwargs, _) in embs.items():
        vectors = np.asarray(emb.vectors, dtype=np.float32)
        row = {}
        for method in ("auto", "pca"):
            start = time.perf_counter()
            data = explorer_data(emb, method=method, topk=1, **kwargs)
            row[f"{method}_s"] = time.perf_counter() - start
            row[f"{method}_method"] = data["method"]
            row[f"{method}_kept"] = neighbours_kept(data, vectors)
        row["ratio"] = row["auto_kept"] / row["pca_kept"]
        out[name] = row
        print(
            f"{name:14s} {len(vectors):6d}  {row['auto_method']:>11s} {row['auto_kept']:8.3f} "
            f"{row['auto_s']:6.1f}   {row['pca_kept']:11.3f} {row['pca_s']:6.1f}   "
            f"{row['ratio']:.1f}x",
            flush=True,
        )
    return out


def bokeh_page(data, path):
    """The same map and data as a Bokeh page with INLINE resources."""
    from bokeh.embed import file_html
    from bokeh.layouts import row
    from bokeh.models import ColumnDataSource, CustomJS, HoverTool, TextInput
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    n, k = data["n"], data["topk"]
    nbr = np.array(data["nbr"]).reshape(n, k)
    sim = np.array(data["sim"]).reshape(n, k)
    columns = {
        "x": data["x"],
        "y": data["y"],
        "id": data["ids"],
        "title": data["titles"] or data["ids"],
        "group": [data["groups"][g] for g in data["group"]],
        "colour": [data["colours"][g] for g in data["group"]],
        "nbr": [r for r in nbr.tolist()],
        "sim": [r for r in sim.tolist()],
    }
    source = ColumnDataSource(columns)
    fig = figure(width=860, height=700, tools="pan,wheel_zoom,reset", output_backend="webgl")
    fig.scatter("x", "y", source=source, color="colour", legend_field="group", size=5, alpha=0.8)
    fig.add_tools(HoverTool(tooltips=[("", "@title"), ("id", "@id"), ("group", "@group")]))
    box = TextInput(placeholder="Find a node")
    box.js_on_change(
        "value",
        CustomJS(
            args={"source": source},
            code="""
        const t = source.data.title, q = cb_obj.value.toLowerCase();
        const hit = t.findIndex((s) => s.toLowerCase().includes(q));
        source.selected.indices = hit < 0 ? [] : [hit].concat(source.data.nbr[hit]);""",
        ),
    )
    text = file_html(row(box, fig), resources=INLINE, title=data["title"])
    path.write_text(text, encoding="utf-8")
    return path


def measure_n2v(browser, path, query):
    context = browser.new_context(viewport={"width": 1200, "height": 720})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    load = time.perf_counter() - start
    draws = page.evaluate("""() => { const ms = [];
        for (let i = 0; i < 15; i++) { const t = performance.now(); n2vExplorer.draw();
                                       ms.push(performance.now() - t); }
        return ms; }""")
    start = time.perf_counter()
    page.fill("#search", query)
    page.press("#search", "Enter")
    search = time.perf_counter() - start
    status = page.inner_text("#status")
    context.close()
    return {
        "load_s": load,
        "redraw_ms": statistics.median(draws),
        "search_s": search,
        "status": status,
    }


def measure_bokeh(browser, path):
    context = browser.new_context(viewport={"width": 1200, "height": 720})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function(
        "window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle", timeout=120_000
    )
    load = time.perf_counter() - start
    context.close()
    return {"load_s": load}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("N2V_LITE_SHARED", HERE.parent.parent / "shared")),
    )
    parser.add_argument("--skip-bokeh", action="store_true")
    parser.add_argument(
        "--layout-only",
        action="store_true",
        help="only the maps' neighbourhoods (no browser, no page timings)",
    )
    args = parser.parse_args()
    embs = embeddings(args.shared)
    layouts = layout_table(embs)
    if args.layout_only:
        print(json_line({"benchmark": "explore-layout", "layouts": layouts}))
        return
    from playwright.sync_api import sync_playwright

    from n2v_lite.explore import explore, explorer_data

    try:
        import bokeh  # noqa: F401

        have_bokeh = not args.skip_bokeh
    except ImportError:
        have_bokeh = False
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, (emb, kwargs, query) in embs.items():
            start = time.perf_counter()
            path = explore(emb, Path(tmp) / f"{name}.html", **kwargs)
            seconds = time.perf_counter() - start
            row = {
                "nodes": len(emb.node_ids),
                "bytes": path.stat().st_size,
                "export_s": seconds,
                **measure_n2v(browser, path, query),
            }
            if have_bokeh:
                data = explorer_data(emb, **kwargs)
                other = bokeh_page(data, Path(tmp) / f"{name}-bokeh.html")
                row["bokeh_bytes"] = other.stat().st_size
                row["bokeh_load_s"] = measure_bokeh(browser, other)["load_s"]
                row["size_ratio"] = row["bokeh_bytes"] / row["bytes"]
                row["load_ratio"] = row["bokeh_load_s"] / row["load_s"]
            results[name] = row
            print(
                f"{name:14s} {row['nodes']:6d} nodes  {row['bytes'] / 1e6:6.2f} MB  export "
                f"{seconds:5.2f} s  load {row['load_s']:5.2f} s  redraw "
                f"{row['redraw_ms']:6.1f} ms  search {row['search_s']:.2f} s  "
                f"[{row['status']}]",
                flush=True,
            )
            if have_bokeh:
                print(
                    f"{'':14s} Bokeh INLINE: {row['bokeh_bytes'] / 1e6:6.2f} MB "
                    f"({row['size_ratio']:.1f}x), load {row['bokeh_load_s']:5.2f} s "
                    f"({row['load_ratio']:.1f}x)",
                    flush=True,
                )
        browser.close()
    print(json_line({"benchmark": "explore", "results": results, "layouts": layouts}))


if __name__ == "__main__":
    main()
