"""Parity between the two trainers: gensim's skip-gram and the Keras example's method.

:func:`parity_report` takes one graph, samples **one** set of walks, trains both
backends on those walks and measures, side by side:

* training time of each backend (walks excluded) and the tutorial backend's
  loss curve (Keras units);
* agreement of the embeddings: the mean overlap of each node's ``k`` nearest
  neighbours (cosine) between the backends, and the Spearman rank correlation
  of cosine similarities over a uniform sample of node pairs. Each backend is
  also trained a second time with another seed on the same walks, so the
  cross-backend figures can be read against each backend's own seed-to-seed
  agreement (a noise floor measured in the same run);
* when :mod:`n2v_lite.evaluate` is available: link-prediction ROC-AUC (both
  backends see the same edge split and the same walks on the residual graph)
  and node-classification Macro/Micro-F1 (labels given, or the genres of a
  MovieLens movie graph).

:func:`format_parity` renders the report as a text table ending in a one-line
verdict. "Parity" here means *same method family*: both learn skip-gram
embeddings with negative sampling from the same walks, but with different
optimisers (linearly decaying SGD vs Adam), sampling (shrunk windows and
unigram^0.75 negatives vs a fixed window, uniform negatives and count
weights) and parameterisation (separate input/output tables vs one shared
table). The figures should be close, not identical; the verdict applies the
tolerances in :data:`PARITY_TOLERANCES`.

Examples
--------
>>> from n2v_lite.movielens import movie_graph
>>> from n2v_lite.parity import parity_report, format_parity
>>> report = parity_report(movie_graph("ml-latest-small"), seed=0)   # doctest: +SKIP
>>> print(format_parity(report).splitlines()[-1])                     # doctest: +SKIP
VERDICT: ...
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from ._utils import as_generator
from .ann import exact_top_k
from .exceptions import ParameterError

if TYPE_CHECKING:
    from collections.abc import Hashable, Mapping
    from typing import Any

    from .graph import Graph


__all__ = [
    "BACKENDS",
    "PARITY_TOLERANCES",
    "nearest_neighbours",
    "neighbour_overlap",
    "sample_node_pairs",
    "cosine_rank_correlation",
    "compare_embeddings",
    "parity_report",
    "format_parity",
]

from .trainers import TRAINERS  # noqa: E402

BACKENDS = tuple(TRAINERS)  # the backends compared, in table order

#: What "close" means in the verdict.
#:
#: * ``auc``: largest allowed difference of link-prediction ROC-AUC (Hadamard);
#: * ``f1``: largest allowed difference of node-classification Macro- and Micro-F1;
#: * ``spearman_ratio``: the cross-backend Spearman correlation must reach this
#:   share of the lower of the two seed-to-seed correlations;
#: * ``overlap_ratio``: the same for the k-nearest-neighbour overlap.
PARITY_TOLERANCES = {"auc": 0.03, "f1": 0.03, "spearman_ratio": 0.8, "overlap_ratio": 0.5}


# --------------------------------------------------------------------------
# Comparing two embeddings of the same nodes
# --------------------------------------------------------------------------


def _unit_rows(vectors):
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def nearest_neighbours(vectors: np.ndarray, k: int = 10, *, block: int = 2048) -> np.ndarray:
    """The ``k`` nearest other rows of every row by cosine similarity, most similar first
    (ties by the smaller row; :func:`n2v_lite.ann.exact_top_k` in blocks of rows).

    Parameters
    ----------
    vectors : array, shape (n, d)
    k : int
        Neighbours per row (at most ``n - 1``).
    block : int
        Rows compared at once (memory is ``block x n`` floats).

    Returns
    -------
    ndarray of int64, shape (n, k)

    Examples
    --------
    >>> nearest_neighbours(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]), k=1).ravel().tolist()
    [1, 0, 1]
    """
    unit = _unit_rows(vectors)
    n = len(unit)
    k = int(min(k, n - 1))
    if k < 1:
        raise ParameterError("need at least two rows and k >= 1 to find neighbours")
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        out[start : start + len(rows)] = exact_top_k(unit, rows, k)[0]
    return out


def neighbour_overlap(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Share of each row's neighbours that two neighbour lists have in common.

    Parameters
    ----------
    first, second : array of int, shape (n, k)
        Neighbour lists (distinct entries per row), e.g. from :func:`nearest_neighbours`.

    Returns
    -------
    ndarray of float, shape (n,)
        ``|first[i] & second[i]| / k``.

    Examples
    --------
    >>> neighbour_overlap(np.array([[1, 2], [0, 2]]), np.array([[2, 3], [3, 4]])).tolist()
    [0.5, 0.0]
    """
    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape or first.ndim != 2:
        raise ParameterError(
            f"neighbour lists must have the same 2-D shape, got {first.shape} and {second.shape}"
        )
    merged = np.sort(np.concatenate([first, second], axis=1), axis=1)
    common = np.count_nonzero(merged[:, 1:] == merged[:, :-1], axis=1)
    return common / first.shape[1]


def sample_node_pairs(
    num_nodes: int, count: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """``count`` node pairs ``(u, v)``, ``u != v``, drawn uniformly (with replacement).

    Examples
    --------
    >>> pairs = sample_node_pairs(5, 1000, seed=0)
    >>> pairs.shape, bool(np.all(pairs[:, 0] != pairs[:, 1]))
    ((1000, 2), True)
    """
    if num_nodes < 2:
        raise ParameterError("need at least two nodes to sample pairs")
    rng = as_generator(seed)
    u = rng.integers(0, num_nodes, size=count)
    v = rng.integers(0, num_nodes - 1, size=count)
    v += v >= u
    return np.stack([u, v], axis=1)


def cosine_rank_correlation(first: np.ndarray, second: np.ndarray, pairs: np.ndarray) -> float:
    """Spearman correlation between the cosine similarities two embeddings give ``pairs``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(50, 8))
    >>> pairs = sample_node_pairs(50, 500, seed=1)
    >>> round(cosine_rank_correlation(a, 3 * a, pairs), 6)
    1.0
    """
    from scipy.stats import spearmanr

    pairs = np.asarray(pairs)
    a, b = _unit_rows(first), _unit_rows(second)
    cos_a = np.einsum("ij,ij->i", a[pairs[:, 0]], a[pairs[:, 1]])
    cos_b = np.einsum("ij,ij->i", b[pairs[:, 0]], b[pairs[:, 1]])
    return float(spearmanr(cos_a, cos_b)[0])


def compare_embeddings(
    first: np.ndarray,
    second: np.ndarray,
    *,
    k: int = 10,
    pairs: np.ndarray | None = None,
    focus: np.ndarray | None = None,
    seed: int | np.random.Generator | None = None,
) -> dict[str, Any]:
    """Agreement of two embeddings of the same nodes (rows aligned).

    Parameters
    ----------
    first, second : array, shape (n, d1) and (n, d2)
    k : int
        Neighbours compared per node.
    pairs : array of int, shape (m, 2), optional
        Node pairs for the rank correlation (default: 100,000 uniform pairs).
    focus : array of int, optional
        Nodes for a second, restricted overlap figure (e.g. the highest-degree nodes).
    seed : None, int or numpy.random.Generator
        Used only to draw the default pairs.

    Returns
    -------
    dict
        ``knn_overlap`` (mean over nodes), ``knn_overlap_focus`` (over
        ``focus``, when given) and ``spearman``.

    Examples
    --------
    >>> a = np.random.default_rng(0).normal(size=(30, 4))
    >>> compare_embeddings(a, a, k=5)["knn_overlap"]
    1.0
    """
    first, second = np.asarray(first), np.asarray(second)
    if len(first) != len(second):
        raise ParameterError(f"the embeddings have {len(first)} and {len(second)} rows")
    if pairs is None:
        pairs = sample_node_pairs(len(first), 100_000, seed)
    overlap = neighbour_overlap(nearest_neighbours(first, k), nearest_neighbours(second, k))
    out = {"knn_overlap": float(overlap.mean())}
    if focus is not None:
        out["knn_overlap_focus"] = float(overlap[np.asarray(focus)].mean())
    out["spearman"] = cosine_rank_correlation(first, second, pairs)
    return out


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def _default_estimator(backend, random_state, settings):
    from .model import Node2Vec

    return Node2Vec(backend=backend, random_state=random_state, **settings)


def _vectors(estimator, graph):
    from .evaluate import embedding_matrix

    return embedding_matrix(estimator, graph.node_ids)


def _default_labels(graph):
    if graph.node_attribute("genres") is None:
        return None
    from .evaluate import movielens_genres

    return movielens_genres(graph)


def _evaluation(make, graph, labels, walk_settings, seed, train_ratio, repeats, fitted):
    """Link prediction and node classification of each backend on identical splits and walks."""
    from . import evaluate
    from .walks import random_walks

    def embedder(backend, random_state):
        def embed(residual, rng):
            walks = random_walks(residual, seed=rng, **walk_settings)
            estimator = make(backend, random_state)
            estimator.fit(residual, walks=walks)
            return _vectors(estimator, residual)

        return embed

    out = {}
    for backend in BACKENDS:
        link = evaluate.link_prediction(graph, embedder(backend, seed), seed=seed)
        result = {
            "link_prediction_auc": link["auc"],
            "link_prediction_seconds": link["embed_seconds"],
        }
        if labels is not None:
            scores = evaluate.node_classification(
                fitted[backend], labels, train_ratios=(train_ratio,), repeats=repeats, seed=seed
            )
            result["macro_f1"] = scores["macro_f1"][train_ratio]
            result["micro_f1"] = scores["micro_f1"][train_ratio]
        out[backend] = result
    return out


def parity_report(
    graph: Graph,
    *,
    num_walks: int = 5,
    walk_length: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    dimensions: int = 50,
    window: int = 10,
    negative: int = 4,
    epochs: int = 10,
    k: int = 10,
    sample_pairs: int = 100000,
    evaluate: bool = True,
    labels: Mapping[Hashable, Any] | None = None,
    train_ratio: float = 0.5,
    repeats: int = 5,
    workers: int | None = None,
    seed: int = 0,
    progress: bool = False,
    estimator: Any = None,
) -> dict[str, Any]:
    """Train both backends on the same walks and measure how far apart they are.

    The defaults are the Keras node2vec example's settings (5 walks of 10
    nodes from every node, 50 dimensions, window 10, 4 negatives, 10 epochs).

    Parameters
    ----------
    graph : Graph
    num_walks, walk_length, p, q
        The walks, sampled once and given to both backends.
    dimensions, window, negative, epochs
        Training settings, the same for both backends.
    k : int
        Neighbours compared per node.
    sample_pairs : int
        Node pairs for the rank correlation of cosine similarities.
    evaluate : bool
        Add link prediction and node classification (needs :mod:`n2v_lite.evaluate`).
    labels : dict or sequence, optional
        Node labels for node classification (default: the genres of a MovieLens
        movie graph; skipped when there are none).
    train_ratio, repeats
        Node classification: share of labelled nodes used for training, and
        random splits averaged.
    workers : int, optional
        Passed to the estimators (gensim threads).
    seed : int
        Makes the walks, the pairs, the splits and both trainings reproducible
        (up to gensim's thread scheduling when ``workers > 1``).
    progress : bool
        Progress bars on stderr.
    estimator : callable, optional
        ``estimator(backend, random_state, settings) -> unfitted estimator`` with
        ``fit(graph, walks=...)`` and ``embedding_``; default :class:`n2v_lite.Node2Vec`.

    Returns
    -------
    dict
        JSON-ready: ``graph``, ``settings``, ``walks``, ``backends`` (per backend
        ``train_seconds``, ``loss_history``, ...), ``agreement`` (cross-backend and
        seed-to-seed figures; ``knn_overlap_focus`` is the overlap over the 10%
        highest-degree nodes), ``evaluation`` (or None) and ``verdict``
        (``close``, ``checks``, ``text``).
    """
    from .walks import random_walks

    rng = as_generator(seed)
    walk_rng, pair_rng = rng.spawn(2)
    first_seed, second_seed, eval_seed = (int(s) for s in rng.integers(2**31 - 1, size=3))
    walk_settings: dict[str, Any] = {
        "num_walks": num_walks,
        "walk_length": walk_length,
        "p": p,
        "q": q,
    }
    settings = dict(
        walk_settings,
        dimensions=dimensions,
        window=window,
        negative=negative,
        epochs=epochs,
        progress=progress,
    )
    if workers is not None:
        settings["workers"] = workers
    factory = estimator or _default_estimator

    def make(backend, random_state):
        return factory(backend, random_state, settings)

    start = time.perf_counter()
    walks = random_walks(graph, seed=walk_rng, **walk_settings)
    walk_seconds = time.perf_counter() - start

    backends, vectors, fitted = {}, {}, {}
    for backend in BACKENDS:
        runs = []
        for random_state in (first_seed, second_seed):
            model = make(backend, random_state)
            start = time.perf_counter()
            model.fit(graph, walks=walks)
            runs.append((time.perf_counter() - start, model))
        fitted[backend] = runs[0][1]
        vectors[backend] = [_vectors(model, graph) for _, model in runs]
        embedding = getattr(runs[0][1], "embedding_", None)
        history = embedding.loss_history if embedding is not None else None
        backends[backend] = {
            "train_seconds": round(runs[0][0], 3),
            "train_seconds_second_seed": round(runs[1][0], 3),
            "loss_history": [float(x) for x in history] if history is not None else None,
        }

    pairs = sample_node_pairs(graph.num_nodes, sample_pairs, pair_rng)
    top_degree = np.argsort(-graph.degrees(), kind="stable")[: max(1, graph.num_nodes // 10)]

    def agree(a, b):
        return compare_embeddings(a, b, k=k, pairs=pairs, focus=top_degree)

    agreement = {
        "gensim_vs_tutorial": agree(vectors["gensim"][0], vectors["tutorial"][0]),
        "gensim_vs_gensim": agree(*vectors["gensim"]),
        "tutorial_vs_tutorial": agree(*vectors["tutorial"]),
    }

    evaluation = None
    if evaluate:
        if labels is None:
            labels = _default_labels(graph)
        evaluation = _evaluation(
            make, graph, labels, walk_settings, eval_seed, train_ratio, repeats, fitted
        )

    report = {
        "graph": {
            "nodes": int(graph.num_nodes),
            "edges": int(graph.num_edges),
            "directed": bool(graph.directed),
            "weighted": bool(graph.weighted),
        },
        "settings": {key: value for key, value in settings.items() if key != "progress"}
        | {"k": k, "sample_pairs": sample_pairs, "seed": seed},
        "walks": {
            "count": int(len(walks)),
            "length": int(walks.shape[1]),
            "seconds": round(walk_seconds, 3),
        },
        "backends": backends,
        "agreement": agreement,
        "evaluation": evaluation,
    }
    report["verdict"] = _verdict(report)
    return report


def _verdict(report, tolerances=PARITY_TOLERANCES):
    """Apply the tolerances: a list of (name, passed, detail) checks and an overall word."""
    agreement = report["agreement"]
    cross = agreement["gensim_vs_tutorial"]
    floor = {
        key: min(agreement["gensim_vs_gensim"][key], agreement["tutorial_vs_tutorial"][key])
        for key in ("spearman", "knn_overlap")
    }
    checks = []
    for name, key, label, ratio in (
        ("cosine rank correlation", "spearman", "Spearman", tolerances["spearman_ratio"]),
        ("neighbour overlap", "knn_overlap", "kNN overlap", tolerances["overlap_ratio"]),
    ):
        checks.append(
            (
                name,
                cross[key] >= ratio * floor[key],
                f"{label} {cross[key]:.2f} vs seed-to-seed {floor[key]:.2f} (need >= {ratio:g}x)",
            )
        )
    evaluation = report.get("evaluation")
    if evaluation:
        g, t = evaluation["gensim"], evaluation["tutorial"]
        auc_g, auc_t = g["link_prediction_auc"]["hadamard"], t["link_prediction_auc"]["hadamard"]
        checks.append(
            (
                "link prediction",
                abs(auc_g - auc_t) <= tolerances["auc"],
                f"AUC {auc_g:.3f} vs {auc_t:.3f} (need gap <= {tolerances['auc']:g})",
            )
        )
        if "macro_f1" in g:
            gap = max(abs(g["macro_f1"] - t["macro_f1"]), abs(g["micro_f1"] - t["micro_f1"]))
            checks.append(
                (
                    "node classification",
                    gap <= tolerances["f1"],
                    f"Macro-F1 {g['macro_f1']:.3f} vs {t['macro_f1']:.3f}, Micro-F1 "
                    f"{g['micro_f1']:.3f} vs {t['micro_f1']:.3f} "
                    f"(need gaps <= {tolerances['f1']:g})",
                )
            )
    failed = [check for check in checks if not check[1]]
    close = not failed
    if close:
        text = "CLOSE: " + "; ".join(detail for _, _, detail in checks)
    else:
        text = f"NOT CLOSE ({len(failed)} of {len(checks)} checks fail): " + "; ".join(
            f"{name}: {detail}" for name, _, detail in failed
        )
    return {
        "close": close,
        "checks": [
            {"name": name, "passed": bool(ok), "detail": detail} for name, ok, detail in checks
        ],
        "text": text,
    }


def format_parity(report: dict[str, Any]) -> str:
    """The report as a side-by-side text table ending in one ``VERDICT:`` line.

    Examples
    --------
    >>> text = format_parity(report)          # doctest: +SKIP
    >>> text.splitlines()[-1].startswith("VERDICT:")   # doctest: +SKIP
    True
    """
    s, g, w = report["settings"], report["graph"], report["walks"]
    lines = [
        f"Parity of the gensim and tutorial backends on a graph of {g['nodes']} nodes "
        f"and {g['edges']} edges",
        f"walks: {w['count']} x {w['length']} nodes (p={s['p']:g}, q={s['q']:g}) in "
        f"{w['seconds']:.2f} s; dimensions {s['dimensions']}, window {s['window']}, "
        f"negative {s['negative']}, epochs {s['epochs']}; the same walks for both",
        "",
        f"{'':34}{'gensim':>10}{'tutorial':>10}{'tutorial/gensim':>17}",
    ]

    def row(label, a, b, fmt="{:.3f}", ratio=False):
        text = f"{label:34}{fmt.format(a):>10}{fmt.format(b):>10}"
        if ratio and a:
            text += f"{b / a:>17.2f}"
        lines.append(text)

    gb, tb = report["backends"]["gensim"], report["backends"]["tutorial"]
    row("training time (s)", gb["train_seconds"], tb["train_seconds"], "{:.2f}", ratio=True)
    evaluation = report.get("evaluation")
    if evaluation:
        ge, te = evaluation["gensim"], evaluation["tutorial"]
        for operator in ge["link_prediction_auc"]:
            row(
                f"link prediction AUC ({operator})",
                ge["link_prediction_auc"][operator],
                te["link_prediction_auc"][operator],
            )
        if "macro_f1" in ge:
            row("node classification Macro-F1", ge["macro_f1"], te["macro_f1"])
            row("node classification Micro-F1", ge["micro_f1"], te["micro_f1"])
    else:
        lines.append("(link prediction and node classification not run)")
    if tb.get("loss_history"):
        lines += [
            "",
            "tutorial loss per epoch (Keras units): "
            + " ".join(f"{x:.4f}" for x in tb["loss_history"]),
        ]
    k = s["k"]
    lines += [
        "",
        f"{'agreement':34}{f'kNN@{k} overlap':>16}{'(top-10% degree)':>17}{'Spearman':>10}",
    ]
    names = {
        "gensim_vs_tutorial": "gensim vs tutorial",
        "gensim_vs_gensim": "gensim vs gensim (2 seeds)",
        "tutorial_vs_tutorial": "tutorial vs tutorial (2 seeds)",
    }
    for key, label in names.items():
        a = report["agreement"][key]
        focus = a.get("knn_overlap_focus", float("nan"))
        lines.append(f"{label:34}{a['knn_overlap']:>16.3f}{focus:>17.3f}{a['spearman']:>10.3f}")
    lines += ["", "VERDICT: " + report["verdict"]["text"]]
    return "\n".join(lines)
