"""The explorer page: one self-contained HTML file to look at an embedding.

:func:`explore` writes a page that works offline, from a ``file://`` URL, with
no server and no network: its script, style and data are all inline. It shows

* a 2-D map of the nodes that keeps neighbourhoods (t-SNE from scikit-learn on
  the unit vectors, seeded, up to :data:`TSNE_UP_TO` nodes -- about a minute
  here -- PCA above; UMAP when ``umap-learn`` is installed), its axes set
  robustly (quartiles widened by three interquartile ranges) so that a few
  far-off nodes (small components) do not squeeze the rest into a corner (they
  are drawn at the edge);
* colours that mean something, with a legend of the ten largest groups plus a
  grey "other": the labels you pass, else a metadata column (MovieLens: of a
  movie's ``genres``, the one whose members' mean vector is nearest the
  movie's own), else k-means clusters of the vectors;
* a hover card (title or id, degree when present, the node's metadata);
* a search box that finds a node by id or title with the rules of
  ``NodeEmbedding.resolve`` / :meth:`n2v_lite.model.Node2Vec.resolve` (exact id
  or exact title; the id written as text; the title ignoring case; ignoring
  case, year and article; a unique part of a title; several matches are listed
  to choose from), and
* the chosen node's ``topk`` nearest neighbours by cosine similarity in the
  full embedding space (not in 2-D), listed and highlighted on the map;
  clicking a neighbour selects it.

The neighbours are computed here, at export time (:func:`nearest_neighbours`:
blocked float32 matrix products, no loop per node; for a model with an approximate
index and 50,000 nodes or more, the index's candidates scored exactly, as its
queries are), so the page does no heavy maths. Above ``max_points`` nodes (default
:data:`MAX_POINTS` = 20,000, which draws in well under 100 ms) the map draws a fixed
random sample, plus every node a search reaches; every node keeps its id, title and
neighbours, so all stay searchable, and the page says so.

Sizes (k = 10): MovieLens (1,405 nodes, titles and genres) makes a page of
0.26 MB, BlogCatalog (10,312 nodes, labels) 1.34 MB, 20,000 titled nodes 3.2 MB:
about 130-190 bytes per node plus 25 KB of script and style.

Examples
--------
>>> from types import SimpleNamespace
>>> import numpy as np
>>> emb = SimpleNamespace(vectors=np.eye(4, dtype=np.float32) + 0.1,
...                       node_ids=["a", "b", "c", "d"],
...                       node_data={"title": np.array(["Heat (1995)", "Alien (1979)",
...                                                    "Aliens (1986)", "Up (2009)"])})
>>> data = explorer_data(emb, topk=2)
>>> data["ids"], data["topk"]
(['a', 'b', 'c', 'd'], 2)
>>> page = explore(emb, getfixture("tmp_path") / "map.html")
>>> page.read_text(encoding="utf-8").count("<script")   # everything inline
2
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._utils import as_generator, atomic_write, progress_bar
from .ann import exact_top_k
from .exceptions import N2VLiteError, ParameterError
from .ids import check_node_ids, encode_node_ids, id_text, plain_id
from .titles import CLOSEST_SPELLINGS
from .validation import check_choice, check_int, check_seed

if TYPE_CHECKING:
    import os
    from collections.abc import Hashable, Mapping
    from typing import Any

    from .embedding import NodeEmbedding


__all__ = [
    "explore",
    "explorer_data",
    "nearest_neighbours",
    "METHODS",
    "MAX_POINTS",
    "TOPK",
    "MAX_GROUPS",
    "TSNE_UP_TO",
    "CLUSTERS",
]

#: 2-D projections: ``auto`` (default: t-SNE up to :data:`TSNE_UP_TO` nodes, PCA above),
#: PCA, t-SNE (scikit-learn), UMAP (needs umap-learn).
METHODS = ("auto", "pca", "tsne", "umap")
#: Largest embedding ``method="auto"`` lays out with t-SNE (scikit-learn's Barnes-Hut t-SNE
#: of 5,000 nodes x 128 dimensions takes about a minute on this project's 2-core machine).
TSNE_UP_TO = 5_000
#: Clusters coloured when there are no labels and no metadata column to colour by.
CLUSTERS = 10
#: The map's extent: each axis's quartiles widened by this many interquartile ranges;
#: nodes beyond are drawn at its edge.
EXTENT_FENCE = 3.0
#: Default number of nodes drawn before the map switches to a sample.
MAX_POINTS = 20_000
#: Default number of neighbours listed per node.
TOPK = 10
#: Groups with their own colour in the legend; the rest are grey "other".
MAX_GROUPS = 10
# tab10 with its grey swapped for a dark blue, so that only "other" is grey
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
)
OTHER_COLOUR = "#c4c4c4"
#: Similarities are stored in units of 1/SIM_SCALE (4 decimals, as printed by the CLI).
SIM_SCALE = 10_000
_BLOCK_BYTES = 64 << 20


# ----------------------------------------------------------------- pieces
def nearest_neighbours(vectors: np.ndarray, topk: int = TOPK) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``topk`` nearest other rows by cosine similarity.

    Parameters
    ----------
    vectors : array of shape (n, d)
    topk : int
        Neighbours per row (at most ``n - 1``).

    Returns
    -------
    indices : int32 array of shape (n, k)
        Best first; ties broken by the smaller row index. A row is never its
        own neighbour. A zero vector has similarity 0 to everything.
    similarities : float32 array of shape (n, k)

    Examples
    --------
    >>> idx, sim = nearest_neighbours(np.array([[1, 0], [1, 0.1], [0, 1]]), topk=1)
    >>> idx.ravel().tolist(), [round(float(s), 3) for s in sim.ravel()]
    ([1, 0, 1], [0.995, 0.995, 0.1])
    """
    raw = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    unit = raw / np.where(norms > 0, norms, 1).astype(np.float32)
    n = len(unit)
    k = min(check_int("topk", topk), max(n - 1, 0))
    indices = np.zeros((n, k), dtype=np.int32)
    sims = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return indices, sims
    block = max(1, min(n, _BLOCK_BYTES // (4 * n)))
    for start in range(0, n, block):
        stop = min(n, start + block)
        # one (block x n) float32 product
        indices[start:stop], sims[start:stop] = exact_top_k(unit, np.arange(start, stop), k)
    return indices, sims


def _neighbours_of(embedding, vectors, topk, progress):
    """:func:`nearest_neighbours`, or for a :class:`~n2v_lite.NodeEmbedding` its own
    every-node neighbours (``all_neighbours``), which use its approximate index by
    the rule of its queries (a model with an index and 50,000 nodes or more)."""
    blocks = getattr(embedding, "_neighbour_blocks", None)
    if blocks is None:
        return nearest_neighbours(vectors, topk)
    n = len(vectors)
    k = min(topk, max(n - 1, 0))
    indices = np.zeros((n, k), dtype=np.int32)
    sims = np.zeros((n, k), dtype=np.float32)
    for rows, found, scores in blocks(topk, None, progress):
        indices[rows], sims[rows] = found, scores
    return indices, sims


def _project(vectors, method, seed):
    """(n, 2) coordinates of the rows; PCA and t-SNE through :mod:`n2v_lite.plot`."""
    if method == "umap":
        try:
            import umap
        except ImportError:
            raise N2VLiteError(
                "method='umap' needs umap-learn: pip install umap-learn "
                "(or use method='pca' or 'tsne')"
            ) from None
        return umap.UMAP(n_components=2, random_state=seed).fit_transform(vectors)
    from .plot import project_2d

    if len(vectors) < 3:  # too few points to project: put them on a line
        return np.column_stack([np.arange(len(vectors), dtype=float), np.zeros(len(vectors))])
    from threadpoolctl import threadpool_limits

    # small inputs: one thread (idle OpenMP threads spinning on a busy machine made a
    # 40-point t-SNE take 15 s instead of 0.5 s)
    with threadpool_limits(limits=1 if len(vectors) < 5000 else None):
        return project_2d(vectors, method, seed)


def _choices(value):
    """A node's group names: the parts of 'A|B', the items of a label list; [] if none."""
    value = plain_id(value)
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    names = []
    for item in items:
        item = plain_id(item)
        if item is None or (isinstance(item, float) and math.isnan(item)):
            continue
        parts = str(item).split("|") if isinstance(item, str) else [str(item)]
        names += [part.strip() for part in parts if part.strip()]
    return names


def _group_names(values, unit=None):
    """One group name per node; '(none)' if it has none. Of several (genres 'A|B', a
    list of labels), the one whose members' mean unit vector is nearest the node's own
    unit vector (``unit``; without it, the first): the group that best places it."""
    choices = [_choices(value) for value in values]
    if unit is None or all(len(c) <= 1 for c in choices):
        return [c[0] if c else "(none)" for c in choices]
    index = {}
    pairs = [
        (row, index.setdefault(name, len(index)))
        for row, names in enumerate(choices)
        for name in names
    ]
    rows, groups = (np.array(a, dtype=np.int64) for a in zip(*pairs))
    centres = np.zeros((len(index), unit.shape[1]))
    np.add.at(centres, groups, unit[rows])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    score = np.einsum("ij,ij->i", unit[rows], centres[groups])
    best = {}
    for row, group, value in zip(rows.tolist(), groups.tolist(), score.tolist()):
        if row not in best or value > best[row][1]:
            best[row] = (group, value)
    names = list(index)
    return [names[best[row][0]] if row in best else "(none)" for row in range(len(choices))]


def _kmeans(unit, k, rng, iterations=25):
    """Cluster of each row: k-means (k-means++ start, Lloyd steps) on the unit vectors."""
    n = len(unit)
    k = min(k, n)
    sample = unit if n <= 20_000 else unit[rng.choice(n, 20_000, replace=False)]
    centres = [sample[rng.integers(len(sample))]]
    closest = np.full(len(sample), np.inf)
    for _ in range(1, k):  # k-means++: far points are likelier starts
        closest = np.minimum(closest, ((sample - centres[-1]) ** 2).sum(axis=1))
        total = closest.sum()
        pick = (
            rng.choice(len(sample), p=closest / total) if total > 0 else rng.integers(len(sample))
        )
        centres.append(sample[pick])
    centres = np.array(centres, dtype=np.float64)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmax(unit @ centres.T - 0.5 * (centres**2).sum(axis=1), axis=1)
        sums = np.array([unit[labels == c].sum(axis=0) for c in range(k)])  # k passes
        counts = np.bincount(labels, minlength=k)
        moved = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
        if np.allclose(moved, centres):
            break
        centres = moved
    return labels


def _extent(xy):
    """``(xy, scale)``: the coordinates to draw, divided by ``scale`` on the page.

    Far-off nodes (small components, say) would squeeze everything else into a
    corner, so each axis is clipped at :data:`EXTENT_FENCE` interquartile ranges
    beyond its quartiles (nothing of one normal-looking cloud is clipped) and,
    when that moves any node, centred on the kept box: those nodes are drawn at
    its edge."""
    if len(xy) >= 20:
        q1, q3 = np.percentile(xy, [25, 75], axis=0)
        lo = np.maximum(q1 - EXTENT_FENCE * (q3 - q1), xy.min(axis=0))
        hi = np.minimum(q3 + EXTENT_FENCE * (q3 - q1), xy.max(axis=0))
        if (xy < lo).any() or (xy > hi).any():
            xy = np.clip(xy, lo, hi) - (lo + hi) / 2
    return xy, float(np.abs(xy).max()) or 1.0


def _groups(names, max_groups=MAX_GROUPS):
    """(legend names, colours, counts, group number per node): top groups + 'other'."""
    unique, inverse, counts = np.unique(
        np.array(names, dtype=object), return_inverse=True, return_counts=True
    )
    order = sorted(range(len(unique)), key=lambda g: (-counts[g], str(unique[g])))
    keep = order[:max_groups] if len(unique) > max_groups else order
    legend = [str(unique[g]) for g in keep]
    colours = list(PALETTE[: len(keep)])
    counts_out = [int(counts[g]) for g in keep]
    number = np.full(len(unique), len(keep), dtype=np.int32)
    number[keep] = np.arange(len(keep), dtype=np.int32)
    group = number[inverse.ravel()]
    if len(unique) > len(keep):
        legend.append("other")
        colours.append(OTHER_COLOUR)
        counts_out.append(int(len(names) - sum(counts_out)))
    return legend, colours, counts_out, group


def _label_column(labels, node_ids):
    """Labels given as a dict (node id -> label or list) or a sequence aligned with rows."""
    if isinstance(labels, dict):
        found = [labels.get(node) for node in node_ids]
        if labels and all(value is None for value in found):
            example = next(iter(labels))
            raise ParameterError(
                f"labels: none of the {len(labels)} labelled ids is a node of "
                f"the embedding (a label id is {example!r}, a node id "
                f"{node_ids[0]!r})"
            )
        return found
    found = list(labels)
    if len(found) != len(node_ids):
        raise ParameterError(
            f"labels must be a dict of node id -> label or one label per "
            f"node ({len(node_ids)}), got {len(found)} values"
        )
    return found


def _cell(value):
    """A metadata value as page text."""
    value = plain_id(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return format(value, ".6g")
    return str(value)


def _sample(n, max_points, rng):
    """None when every node is drawn, else a sorted random sample of ``max_points`` rows."""
    if n <= max_points:
        return None
    return np.sort(rng.choice(n, size=max_points, replace=False)).tolist()


# ----------------------------------------------------------------- data
def explorer_data(
    embedding: NodeEmbedding,
    *,
    color_by: str | None = None,
    labels: Mapping[Hashable, Any] | None = None,
    method: str = "auto",
    topk: int = TOPK,
    max_points: int = MAX_POINTS,
    seed: int = 0,
    title: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Everything the explorer page shows, as a JSON-ready dict (no file written).

    Parameters
    ----------
    embedding : object
        Has ``vectors`` (n x d floats, row i is node i), ``node_ids`` (n Python
        ids) and ``node_data`` (dict of column -> array of n values; ``title``
        names nodes, ``degree`` is shown when present).
    color_by : str, optional
        Metadata column that colours the map. Default: ``genres`` when present,
        else :data:`CLUSTERS` k-means clusters of the vectors. A node with
        several values (``A|B``, a list) takes the one whose members' mean unit
        vector is nearest its own.
    labels : dict or sequence, optional
        Colours instead of a column: node id -> label (or list of labels,
        chosen as for ``color_by``), e.g. from
        :func:`n2v_lite.evaluate.read_labels`, or one label per row. Not
        together with ``color_by``.
    method : {"auto", "pca", "tsne", "umap"}
        The 2-D projection, seeded with ``seed``; ``auto``: t-SNE up to
        :data:`TSNE_UP_TO` nodes, PCA above.
    topk : int
        Neighbours listed per node (default 10).
    max_points : int
        Above this many nodes the map draws a seeded random sample of this size
        (plus the nodes a search reaches).
    seed : int
        Seed of the projection and of the sample.
    title : str, optional
        Page title.
    progress : bool
        Progress bars on stderr: the layout, then the neighbours by node.

    Returns
    -------
    dict
        ``ids`` (id texts, see :func:`n2v_lite.ids.id_text`), ``id_kind`` and
        ``id_types`` (to read ids back, see :mod:`n2v_lite.ids`), ``titles``,
        ``columns`` (metadata texts), ``x``/``y`` (the projection divided by
        ``scale``, 4 decimals), ``groups``/``colours``/``counts``/``group``
        (legend), ``sample`` (rows drawn, or None for all), ``nbr`` and ``sim``
        (row-major n x ``topk`` neighbour rows and similarities x 10^4), ...

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> emb = SimpleNamespace(vectors=np.random.default_rng(0).normal(size=(30, 4)),
    ...                       node_ids=list(range(30)), node_data={})
    >>> data = explorer_data(emb, topk=3, max_points=20, seed=1)
    >>> len(data["nbr"]), len(data["sample"]), data["shown"]
    (90, 20, 20)
    """
    vectors = np.asarray(embedding.vectors, dtype=np.float32)
    node_ids = check_node_ids(list(embedding.node_ids), where="explore: ")
    node_data = dict(getattr(embedding, "node_data", None) or {})
    if vectors.ndim != 2 or len(vectors) != len(node_ids) or len(vectors) == 0:
        raise ParameterError(
            f"explore needs n x d vectors for n >= 1 node ids, got vectors of "
            f"shape {vectors.shape} for {len(node_ids)} ids"
        )
    method = check_choice("method", method, METHODS)
    topk = check_int("topk", topk)
    max_points = check_int("max_points", max_points)
    seed = check_seed("seed", seed)
    if labels is not None and color_by is not None:
        raise ParameterError("give color_by or labels, not both")
    if color_by is not None:
        check_choice("color_by", color_by, tuple(node_data))
    elif labels is None and "genres" in node_data:
        color_by = "genres"
    n = len(node_ids)
    rng = as_generator(seed)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1).astype(np.float32)

    if labels is not None:
        legend_title = "label"
        names = _group_names(_label_column(labels, node_ids), unit)
        legend = "Colour: label"
    elif color_by is not None:
        legend_title = color_by
        values = np.asarray(node_data[color_by]).tolist()
        names = _group_names(values, unit)
        several = any(len(_choices(v)) > 1 for v in values)
        legend = f"Colour: {color_by}" + (
            " (of several, the one nearest the node)" if several else ""
        )
    else:
        legend_title = "cluster"
        clusters = _kmeans(unit.astype(np.float64), CLUSTERS, rng)
        sizes = np.bincount(clusters)
        rank = np.empty(len(sizes), dtype=np.int64)
        rank[sorted(range(len(sizes)), key=lambda c: (-sizes[c], c))] = np.arange(len(sizes))
        names = [f"cluster {r + 1}" for r in rank[clusters].tolist()]
        legend = f"Colour: k-means clusters of the vectors ({min(CLUSTERS, n)})"
    groups, colours, counts, group = _groups(names)

    if method == "auto":
        method = "tsne" if n <= TSNE_UP_TO else "pca"
    projected = unit if method == "tsne" else vectors  # t-SNE on cosine geometry
    with progress_bar(total=1, desc=f"layout ({method})", unit="map", enabled=progress) as bar:
        xy = np.asarray(
            _project(
                projected,
                method,
                seed if not isinstance(seed, np.random.Generator) else int(rng.integers(2**31)),
            ),
            dtype=np.float64,
        )
        bar.update()
    xy, scale = _extent(xy)
    nbr, sim = _neighbours_of(embedding, vectors, topk, progress)

    id_array, id_kind = encode_node_ids(node_ids)
    titles = node_data.get("title")
    columns = {
        name: [_cell(v) for v in np.asarray(col, dtype=object).tolist()]
        for name, col in node_data.items()
        if name != "title"
    }
    sample = _sample(n, max_points, rng)
    return {
        "format": 1,
        "title": title or f"n2v_lite explorer: {n:,} nodes",
        "n": n,
        "dims": int(vectors.shape[1]),
        "method": method,
        "seed": seed if isinstance(seed, int) else None,
        "ids": [id_text(v) for v in node_ids],
        "id_kind": id_kind,
        "id_types": None
        if id_kind != "json"
        else "".join(
            "s" if isinstance(v, str) else "i" if type(v) is int else "o" for v in node_ids
        ),
        "id_json": None if id_kind != "json" else id_array.tolist(),
        "titles": None
        if titles is None
        else [_cell(v) for v in np.asarray(titles, dtype=object).tolist()],
        "columns": columns,
        "color_by": legend_title,
        "legend": legend,
        "groups": groups,
        "colours": colours,
        "counts": counts,
        "has_other": len(groups) > MAX_GROUPS,
        "group": group.tolist(),
        "x": np.round(xy[:, 0] / scale, 4).tolist(),
        "y": np.round(xy[:, 1] / scale, 4).tolist(),
        "scale": scale,
        "max_points": max_points,
        "sample": sample,
        "shown": n if sample is None else len(sample),
        "topk": int(nbr.shape[1]),
        "nbr": nbr.ravel().tolist(),
        "sim": np.rint(sim.astype(np.float64) * SIM_SCALE).astype(np.int64).ravel().tolist(),
        "sim_scale": SIM_SCALE,
        "closest_spellings": CLOSEST_SPELLINGS,
    }


# ----------------------------------------------------------------- page
def _script_json(data):
    """JSON that is safe inside <script type="application/json">: no '<', '>' or '&'."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


#: The page's own files (package data, read when a page is written): the HTML skeleton
#: with ``@TITLE@``, ``@STYLE@``, ``@SCRIPT@`` and ``@DATA@`` slots, its stylesheet, and
#: its script (the drawing, and the search rules of :mod:`n2v_lite.titles` in JavaScript).
PAGE_FILES = Path(__file__).resolve().parent / "data" / "explorer"


def _page_file(name):
    return (PAGE_FILES / name).read_text(encoding="utf-8")


def render_page(data):
    """The explorer page for :func:`explorer_data`'s dict, as one HTML string."""
    slots = {
        "TITLE": html.escape(data["title"]),
        "STYLE": _page_file("style.css"),
        "SCRIPT": _page_file("script.js"),
        "DATA": _script_json(data),
    }
    # one pass: a slot's text (a title such as "@DATA@") is never filled in again
    return re.sub(
        r"@(TITLE|STYLE|SCRIPT|DATA)@", lambda m: slots[m.group(1)], _page_file("page.html")
    )


def explore(
    embedding: NodeEmbedding,
    path: str | os.PathLike[str],
    *,
    color_by: str | None = None,
    labels: Mapping[Hashable, Any] | None = None,
    method: str = "auto",
    topk: int = TOPK,
    max_points: int = MAX_POINTS,
    seed: int = 0,
    title: str | None = None,
    progress: bool = False,
) -> Path:
    """Write the explorer page of an embedding to ``path`` (atomically); return its path.

    The parameters are those of :func:`explorer_data`. The page needs no
    network and no server: open it in any browser.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> emb = SimpleNamespace(vectors=np.random.default_rng(0).normal(size=(5, 3)),
    ...                       node_ids=[(0, 1), "007", 3, 2.5, "x"], node_data={})
    >>> path = explore(emb, getfixture("tmp_path") / "ids.html", topk=2)
    >>> '"(0, 1)"' in path.read_text(encoding="utf-8")
    True
    """
    data = explorer_data(
        embedding,
        color_by=color_by,
        labels=labels,
        method=method,
        topk=topk,
        max_points=max_points,
        seed=seed,
        title=title,
        progress=progress,
    )
    path = Path(path)
    with atomic_write(path) as handle:
        handle.write(render_page(data))
    return path
