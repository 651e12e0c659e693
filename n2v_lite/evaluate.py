"""How good are the embeddings? Link prediction and node classification, as in the papers.

* :func:`link_prediction` -- the node2vec paper's protocol: hide a fraction of
  the edges while keeping the residual graph connected (a random spanning forest
  is never removed), draw as many non-edges, embed the residual graph, turn node
  pairs into edge features (Hadamard, average, L1, L2), fit a logistic
  regression on a training part of the pairs and report ROC-AUC on the rest.
  The plain cosine-similarity AUC (no learning) is reported beside it, because
  uniformly drawn non-edges can reward degree information.
* :func:`node_classification` -- DeepWalk/node2vec's protocol: one-vs-rest
  logistic regression; each test node is given as many labels as it truly has
  (top-k); Macro- and Micro-F1 per training ratio, averaged over repeated
  splits.
* :func:`tune` -- ``p`` and ``q`` chosen by successive halving (cheap fits for
  every pair, full fits for the best) on repeated validation splits carved from
  the training data only; the test split is used once, for the pick.

Everything is reproducible from ``seed``: the split depends on the graph and the
seed only, so every method evaluated with the same seed sees the same split.
"""

from __future__ import annotations

import array
import copy
import itertools
import math
import time
import warnings
from typing import TYPE_CHECKING

import numpy as np

from ._text import show
from ._utils import as_generator, progress_bar
from .exceptions import GraphError, N2VLiteError, ParameterError
from .graph import Graph  # noqa: F401  (used by the doctest examples)
from .validation import check_budget, check_choice, check_int, check_positive

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Hashable, Mapping, Sequence
    from typing import Any, Literal

    import pandas
    from gensim.models import KeyedVectors

    from .embedding import NodeEmbedding
    from .model import Node2Vec


__all__ = [
    "OPERATORS",
    "EdgeSplit",
    "split_edges",
    "edge_features",
    "link_prediction",
    "node_classification",
    "evaluate_embeddings",
    "read_labels",
    "movielens_genres",
    "TUNE_METHODS",
    "tune",
]

#: Binary operators that turn two node vectors into one edge feature vector.
OPERATORS = {
    "hadamard": lambda u, v: u * v,
    "average": lambda u, v: (u + v) / 2.0,
    "l1": lambda u, v: np.abs(u - v),
    "l2": lambda u, v: (u - v) ** 2,
}

DEFAULT_TRAIN_RATIOS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The logistic regressions' inverse regularisation strengths tried when ``C="auto"``
#: (the default): chosen per split by 3-fold cross-validation on the training part only.
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
#: Inner folds of that choice.
C_FOLDS = 3
DEFAULT_GRID = (0.25, 0.5, 1.0, 2.0, 4.0)


class EdgeSplit:
    """A link-prediction split: the residual graph and the hidden/absent node pairs.

    Attributes
    ----------
    residual : Graph
        The graph with ``positives`` removed; as connected as the original.
    positives : ndarray, shape (k, 2)
        Removed edges (node indices).
    negatives : ndarray, shape (k, 2)
        Node pairs that are not edges of the original graph.
    """

    __slots__ = ("residual", "positives", "negatives")

    def __init__(self, residual: Graph, positives: np.ndarray, negatives: np.ndarray) -> None:
        self.residual, self.positives, self.negatives = residual, positives, negatives

    def __repr__(self):
        return (
            f"<EdgeSplit {len(self.positives)} removed edges, {len(self.negatives)} "
            f"non-edges, residual {self.residual!r}>"
        )


def _spanning_forest_mask(src, dst, n, rng):
    """Mark the edges of a random spanning forest (connectivity taken as undirected)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import minimum_spanning_tree

    a, b = np.minimum(src, dst), np.maximum(src, dst)
    pair_key = a.astype(np.int64) * n + b
    unique_keys, first = np.unique(pair_key, return_index=True)
    # distinct random weights in (1, 2) make a random spanning forest (0 would mean "no edge")
    weights = 1.0 + rng.random(len(unique_keys))
    matrix = sp.coo_matrix((weights, (a[first], b[first])), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(matrix).tocoo()
    tree_keys = np.sort(
        np.minimum(tree.row, tree.col).astype(np.int64) * n + np.maximum(tree.row, tree.col)
    )
    protected = np.zeros(len(src), dtype=bool)
    protected[first[np.isin(unique_keys, tree_keys)]] = True
    return protected


def _sample_non_edges(graph, count, rng, exclude_keys=None):
    """``count`` distinct node pairs (u != v) that are not edges of ``graph``."""
    n = graph.num_nodes
    existing = np.repeat(np.arange(n, dtype=np.int64), graph.degrees()) * n + graph.indices
    possible = n * (n - 1) // (1 if graph.directed else 2)
    if count > possible - graph.num_edges:
        raise GraphError(f"the graph has fewer than {count} non-edges to sample")
    found = np.empty(0, dtype=np.int64)
    for _ in range(100):
        need = count - len(found)
        if need <= 0:
            break
        u = rng.integers(0, n, size=2 * need + 16)
        v = rng.integers(0, n, size=2 * need + 16)
        keep = u != v
        u, v = u[keep], v[keep]
        if not graph.directed:
            u, v = np.minimum(u, v), np.maximum(u, v)
        keys = u * n + v
        keys = keys[~np.isin(keys, existing, assume_unique=False)]
        if exclude_keys is not None:
            keys = keys[~np.isin(keys, exclude_keys)]
        _, order = np.unique(keys, return_index=True)  # drop repeats, keep draw order
        keys = keys[np.sort(order)]
        keys = keys[~np.isin(keys, found)]
        found = np.concatenate([found, keys[:need]])
    if len(found) < count:
        raise GraphError(f"could only draw {len(found)} of {count} non-edges")
    return np.stack(np.divmod(found, n), axis=1)


def split_edges(
    graph: Graph,
    fraction: float = 0.5,
    seed: int | np.random.Generator | None = None,
    *,
    avoid: np.ndarray | None = None,
) -> EdgeSplit:
    """Hide ``fraction`` of the edges, keeping the residual graph connected.

    Self-loops are never hidden. When the graph has too few edges outside a
    spanning forest, as many as possible are hidden (see ``len(positives)``).

    Parameters
    ----------
    graph : Graph
    fraction : float
        Share of the (non-loop) edges to hide, in (0, 1).
    seed : int or numpy.random.Generator, optional
    avoid : ndarray, shape (m, 2), optional
        Node pairs never drawn as non-edges (e.g. edges hidden by an outer split,
        which are absent from ``graph`` but are edges all the same).

    Returns
    -------
    EdgeSplit

    Examples
    --------
    >>> import networkx as nx
    >>> g = Graph.from_networkx(nx.karate_club_graph())
    >>> split = split_edges(g, 0.5, seed=0)
    >>> len(split.positives) == len(split.negatives) == 39
    True
    """
    if not 0 < fraction < 1:
        raise ParameterError(f"fraction must be between 0 and 1, got {fraction}")
    rng = as_generator(seed)
    src, dst, weights = graph.edges()
    loops = src == dst
    protected = _spanning_forest_mask(src, dst, graph.num_nodes, rng) | loops
    candidates = np.flatnonzero(~protected)
    wanted = int(round(fraction * np.count_nonzero(~loops)))
    k = min(wanted, len(candidates))
    if k == 0:
        raise GraphError("no edge can be removed without disconnecting the graph")
    removed = np.sort(rng.choice(candidates, size=k, replace=False))
    keep = np.ones(len(src), dtype=bool)
    keep[removed] = False
    residual = graph.edge_subgraph(keep)
    positives = np.stack([src[removed], dst[removed]], axis=1).astype(np.int64)
    avoid_keys = None
    if avoid is not None and len(avoid):
        avoid = np.asarray(avoid, dtype=np.int64)
        u, v = avoid[:, 0], avoid[:, 1]
        if not graph.directed:
            u, v = np.minimum(u, v), np.maximum(u, v)
        avoid_keys = u * graph.num_nodes + v
    negatives = _sample_non_edges(graph, k, rng, exclude_keys=avoid_keys)
    return EdgeSplit(residual, positives, negatives)


def edge_features(vectors: np.ndarray, pairs: np.ndarray, operator: str = "hadamard") -> np.ndarray:
    """Edge feature vectors of node ``pairs`` (index pairs) with one of :data:`OPERATORS`."""
    try:
        op = OPERATORS[operator]
    except KeyError:
        raise ParameterError(
            f"unknown operator {operator!r}; choose from {', '.join(OPERATORS)}"
        ) from None
    return op(vectors[pairs[:, 0]], vectors[pairs[:, 1]])


def _embed(model, graph, seed):
    """Vectors (by node index) of ``graph`` from a callable or an unfitted estimator."""
    if callable(model) and not hasattr(model, "fit"):
        vectors = np.asarray(model(graph, seed))
    else:
        if model is None:
            from .model import Node2Vec

            estimator = Node2Vec(random_state=seed, progress=False)
        else:
            estimator = copy.deepcopy(model)
        estimator.fit(graph)
        vectors = embedding_matrix(estimator, graph.node_ids)
    if vectors.shape[0] != graph.num_nodes:
        raise N2VLiteError(f"the embedding has {vectors.shape[0]} rows for {graph.num_nodes} nodes")
    return vectors


def _as_embedding(embeddings):
    """A NodeEmbedding from a fitted estimator, an embedding, or gensim KeyedVectors."""
    embeddings = getattr(embeddings, "embedding_", embeddings)
    if hasattr(embeddings, "vectors_of"):
        return embeddings
    if hasattr(embeddings, "index_to_key"):  # gensim KeyedVectors
        from .embedding import NodeEmbedding

        return NodeEmbedding(embeddings.vectors, embeddings.index_to_key)
    raise N2VLiteError(
        f"expected a fitted Node2Vec, a NodeEmbedding or KeyedVectors, "
        f"got {type(embeddings).__name__}"
    )


def embedding_matrix(embeddings, node_ids):
    """Rows of a fitted model / NodeEmbedding / KeyedVectors for ``node_ids`` (float64)."""
    vectors = _as_embedding(embeddings).vectors_of(list(node_ids))
    return np.asarray(vectors, dtype=np.float64)


def _check_c(C):
    """``"auto"`` or a positive finite number (the classifiers' ``C``)."""
    if isinstance(C, str) and C == "auto":
        return C
    try:
        return check_positive("C", C)
    except ParameterError:
        raise ParameterError(f'C must be "auto" or a positive finite number, got {C!r}') from None


def _logistic_regression(seed, C, labels):
    """Scaled logistic regression; ``C="auto"`` picks C from :data:`C_GRID` by inner CV (AUC)
    over at most :data:`C_FOLDS` stratified folds of the training ``labels`` -- fewer when a
    class has fewer members, and C=1 when a class has fewer than two (nothing to validate on)."""
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n_folds = min(C_FOLDS, int(np.bincount(labels.astype(np.int64)).min()))
    if C == "auto" and n_folds < 2:
        C = 1.0
    if C == "auto":
        folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
        last = LogisticRegressionCV(
            Cs=list(C_GRID), cv=folds, scoring="roc_auc", max_iter=2000, random_state=seed
        )
    else:
        last = LogisticRegression(C=C, max_iter=2000, random_state=seed)
    return make_pipeline(StandardScaler(), last)


def _chosen_c(classifier):
    last = classifier[-1]
    return float(last.C_[0]) if hasattr(last, "C_") else float(last.C)


def _pair_auc(vectors, positives, negatives, train_fraction, rng, operators, C="auto"):
    from sklearn.metrics import roc_auc_score

    pairs = np.concatenate([positives, negatives])
    labels = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))])
    order = rng.permutation(len(pairs))
    cut = int(round(train_fraction * len(pairs)))
    train, test = order[:cut], order[cut:]
    if len(np.unique(labels[train])) < 2 or len(np.unique(labels[test])) < 2:
        raise N2VLiteError("too few node pairs to train and test a classifier")
    scores, chosen = {}, {}
    for name in operators:
        features = edge_features(vectors, pairs, name)
        classifier = _logistic_regression(int(rng.integers(2**31)), C, labels[train])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # sklearn's renamed CV options
            classifier.fit(features[train], labels[train])
        chosen[name] = _chosen_c(classifier)
        scores[name] = float(
            roc_auc_score(labels[test], classifier.predict_proba(features[test])[:, 1])
        )
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosine = np.einsum("ij,ij->i", unit[pairs[test, 0]], unit[pairs[test, 1]])
    scores["cosine"] = float(roc_auc_score(labels[test], cosine))
    return scores, len(train), len(test), chosen


def link_prediction(
    graph: Graph,
    model: Node2Vec | Callable[[Graph], Any] | None = None,
    *,
    test_fraction: float = 0.5,
    train_fraction: float = 0.5,
    operators: Sequence[str] = tuple(OPERATORS),
    seed: int | np.random.Generator | None = None,
    C: float | Literal["auto"] = "auto",
) -> dict[str, Any]:
    """Link prediction as in the node2vec paper; returns ROC-AUC per operator.

    Parameters
    ----------
    graph : Graph
    model : Node2Vec or callable, optional
        An unfitted estimator (copied, then fitted on the residual graph), or
        ``embed(graph, seed) -> array (num_nodes, d)``. Default ``Node2Vec()``.
    test_fraction : float
        Share of edges hidden (default 0.5, as in the paper).
    train_fraction : float
        Share of the labelled node pairs used to fit the classifier.
    operators : sequence of str
        Names from :data:`OPERATORS`.
    seed : int or numpy.random.Generator, optional
        The same seed gives the same split for every model.
    C : "auto" or float
        The classifier's inverse regularisation strength; ``"auto"`` (default)
        chooses it from :data:`C_GRID` by 3-fold cross-validated AUC on the
        classifier's training pairs only.

    Returns
    -------
    dict
        ``auc`` (per operator, plus ``cosine``: the AUC of plain cosine
        similarity), ``C`` (per operator, the one used), ``removed_edges``,
        ``removed_fraction``, ``train_pairs``, ``test_pairs``, ``embed_seconds``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = Graph.from_networkx(nx.connected_caveman_graph(10, 8))
    >>> result = link_prediction(g, seed=0)               # doctest: +SKIP
    >>> result["auc"]["hadamard"] > 0.9                   # doctest: +SKIP
    True
    """
    C = _check_c(C)
    split_rng, embed_rng, classify_rng = as_generator(seed).spawn(3)
    split = split_edges(graph, test_fraction, split_rng)
    start = time.perf_counter()
    vectors = _embed(model, split.residual, embed_rng)
    embed_seconds = time.perf_counter() - start
    scores, n_train, n_test, chosen = _pair_auc(
        vectors, split.positives, split.negatives, train_fraction, classify_rng, operators, C
    )
    non_loops = int(np.count_nonzero(np.not_equal(*graph.edges()[:2])))
    return {
        "auc": scores,
        "C": chosen,
        "removed_edges": len(split.positives),
        "removed_fraction": len(split.positives) / max(non_loops, 1),
        "train_pairs": n_train,
        "test_pairs": n_test,
        "embed_seconds": round(embed_seconds, 3),
    }


# ------------------------------------------------------------ node labels
def read_labels(
    path: str | os.PathLike[str], *, sep: str | None = None, header: bool | None = None
) -> dict[Hashable, list]:
    r"""Read ``node<TAB>label`` lines (one per pair; multi-label nodes repeat) into a dict.

    Parameters
    ----------
    path : path
        UTF-8 text file (``.gz`` too); ``#`` starts a comment; blank lines are skipped.
    sep : str, optional
        Field separator: one character (``'\\t'`` typed as two characters is a
        tab) or ``r'\s+'``; default: tab, else comma, else whitespace (from the
        first line).
    header : bool, optional
        Whether the first line names the columns; default: detected (a first node
        named ``node``/``id``/``vertex``, or not an integer while all others are).

    Returns
    -------
    dict
        node id -> list of labels, in file order. Ids follow the rule of
        :meth:`Graph.from_edgelist`: all become ``int`` when every id is a
        canonical integer, else every id stays text as written (``"007"``,
        ``"-0"``); so do labels.

    Raises
    ------
    GraphError
        Naming the file, line and value: a missing label, too many fields, no labels.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.tsv"
    >>> _ = path.write_text("node\tlabel\n1\tDrama\n2\tComedy\n1\tCrime\n")
    >>> read_labels(path)
    {1: ['Drama', 'Crime'], 2: ['Comedy']}
    """
    from ._text import (
        INT_RE,
        check_sep,
        data_lines,
        detect_sep,
        line_fields,
        maybe_ints,
        show,
        split_line,
    )

    path = str(path)
    sep = check_sep(sep, "#")
    lines = data_lines(path, "#")  # one pass: only the first 50 lines are held
    head = list(itertools.islice(lines, 50))
    if not head:
        raise GraphError(f"{path}: no labels (the file has no data lines)")
    sep = sep or detect_sep(head[0][1])
    if header is None:
        heads = [(split_line(text, sep)[0].strip()) for _, text in head]
        header = heads[0].lower() in ("node", "nodes", "id", "node_id", "vertex") or (
            len(heads) > 1
            and not INT_RE.fullmatch(heads[0])
            and all(INT_RE.fullmatch(n) for n in heads[1:])
        )
    # each distinct text once, in order of first appearance; a line is two codes
    nodes: dict[str, int] = {}
    labels: dict[str, int] = {}
    codes = array.array("q")
    for number, text in itertools.chain(head[1:] if header else head, lines):
        fields = [t.strip() for t in line_fields(text, sep)]
        if len(fields) > 2:
            raise GraphError(
                f"{path}, line {number}: too many fields in {show(text)} (expected 'node label')"
            )
        if not fields[0]:
            raise GraphError(f"{path}, line {number}: missing node in {show(text)}")
        if len(fields) < 2 or not fields[1]:
            raise GraphError(f"{path}, line {number}: missing label after {show(fields[0])}")
        codes.append(nodes.setdefault(fields[0], len(nodes)))
        codes.append(labels.setdefault(fields[1], len(labels)))
    if not codes:
        raise GraphError(f"{path}: no labels (only a header line)")
    node_values = maybe_ints(np.array(list(nodes), dtype=object)).tolist()
    del nodes
    label_values = maybe_ints(np.array(list(labels), dtype=object)).tolist()
    result: dict = {}
    pairs = iter(codes)
    for node, label in zip(pairs, pairs):
        result.setdefault(node_values[node], []).append(label_values[label])
    return result


def movielens_genres(graph: Graph) -> dict[Hashable, list[str]]:
    """Genres of each movie of a movie graph as labels: node id -> list of genres."""
    genres = graph.node_attribute("genres")
    if genres is None:
        raise N2VLiteError("the graph has no 'genres' node metadata")
    return {
        node: [g for g in str(text).split("|") if g and g != "(no genres listed)"]
        for node, text in zip(graph.node_ids.tolist(), genres)
    }


def _labelled_matrix(embeddings, labels):
    """(X, Y, classes) for the nodes that have both a vector and at least one label."""
    from sklearn.preprocessing import MultiLabelBinarizer

    if isinstance(embeddings, np.ndarray):
        if isinstance(labels, dict):
            raise ParameterError(
                "with an embedding array, give labels as a sequence aligned with its rows"
            )
        label_lists = [
            list(x) if isinstance(x, (list, tuple, set, np.ndarray)) else [x] for x in labels
        ]
        vectors = np.asarray(embeddings, dtype=np.float64)
    else:
        embedding = _as_embedding(embeddings)
        if not isinstance(labels, dict):
            labels = _pairs_to_dict(labels)
        nodes = [node for node in labels if node in embedding]
        if not nodes:
            raise N2VLiteError("no labelled node has a vector (do the node ids match?)")
        vectors = embedding_matrix(embedding, nodes)
        label_lists = [
            labels[node] if isinstance(labels[node], (list, tuple, set)) else [labels[node]]
            for node in nodes
        ]
    keep = np.array([len(x) > 0 for x in label_lists])
    binarizer = MultiLabelBinarizer()
    y = binarizer.fit_transform([x for x, k in zip(label_lists, keep) if k])
    return vectors[keep], y, binarizer.classes_


def _pairs_to_dict(labels):
    """A DataFrame or sequence of (node, label) pairs -> node -> list of labels."""
    out = {}
    rows = labels.itertuples(index=False) if hasattr(labels, "itertuples") else labels
    for node, label in rows:
        out.setdefault(node, []).append(label)
    return out


def _top_k_predictions(probabilities, counts):
    """Give each row its ``counts[i]`` most probable labels."""
    order = np.argsort(-probabilities, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(probabilities.shape[1])[None, :], axis=1)
    return (ranks < counts[:, None]).astype(int)


def _fit_and_score(x_train, y_train, x_test, y_test, seed, C="auto"):
    """(Macro-F1, Micro-F1, the C used) of one-vs-rest logistic regression with top-k
    predictions; ``C="auto"`` picks C from :data:`C_GRID` by :func:`_choose_c`."""
    if C == "auto":
        C = _choose_c(x_train, y_train, seed)
    predicted = _top_k_predictions(
        _ovr_probabilities(x_train, y_train, x_test, seed, C), y_test.sum(axis=1)
    )
    return (*_f1_scores(y_test, predicted), C)


def _ovr_probabilities(x_train, y_train, x_test, seed, C):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a label absent from training
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier = OneVsRestClassifier(
            LogisticRegression(solver="liblinear", C=C, random_state=seed)
        )
        classifier.fit(x_train, y_train)
        return classifier.predict_proba(x_test)


def _f1_scores(y_true, predicted):
    from sklearn.metrics import f1_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # F1 of labels with no support
        return (
            float(f1_score(y_true, predicted, average="macro", zero_division=0)),
            float(f1_score(y_true, predicted, average="micro", zero_division=0)),
        )


def _choose_c(x, y, seed):
    """The C of :data:`C_GRID` with the best mean Macro-F1 over :data:`C_FOLDS` folds of
    the training part (``x``, ``y``) alone -- the test part never takes part.

    Ties go to the smaller C (the stronger regularisation)."""
    from sklearn.model_selection import KFold

    if len(x) < 2:
        raise ParameterError(
            f"too few labelled nodes to choose C by cross-validation: {len(x)} in a "
            "training part (at least 2); label more nodes, train on a larger share or "
            "fix C (--C 1)"
        )
    folds = list(KFold(min(C_FOLDS, len(x)), shuffle=True, random_state=seed).split(x))
    means = []
    for C in C_GRID:
        scores = [
            _f1_scores(
                y[val],
                _top_k_predictions(
                    _ovr_probabilities(x[fit], y[fit], x[val], seed, C), y[val].sum(axis=1)
                ),
            )[0]
            for fit, val in folds
        ]
        means.append(float(np.mean(scores)))
    return C_GRID[int(np.argmax(means))]


def node_classification(
    embeddings: Node2Vec | NodeEmbedding | KeyedVectors | np.ndarray,
    labels: Mapping[Hashable, Any] | pandas.DataFrame | Sequence,
    *,
    train_ratios: Sequence[float] = DEFAULT_TRAIN_RATIOS,
    repeats: int = 10,
    seed: int | np.random.Generator | None = None,
    progress: bool = False,
    C: float | Literal["auto"] = "auto",
) -> dict[str, Any]:
    """Multi-label node classification (DeepWalk/node2vec protocol).

    Parameters
    ----------
    embeddings : Node2Vec, NodeEmbedding, KeyedVectors or ndarray
        A fitted model (or its ``embedding_``), or an array whose rows align with ``labels``.
    labels : dict, DataFrame or sequence
        node id -> label or list of labels; (node, label) pairs; or, with an
        array, one label / list of labels per row.
    train_ratios : sequence of float
        Shares of the labelled nodes used for training.
    repeats : int
        Random splits per ratio; figures are means over them.
    seed : int or numpy.random.Generator, optional
    C : "auto" or float
        The logistic regressions' inverse regularisation strength. ``"auto"``
        (default, as the literature tunes it) chooses C per split from
        :data:`C_GRID` by 3-fold cross-validated Macro-F1 on that split's
        training part only; a number fixes it (scikit-learn's default is 1).

    Returns
    -------
    dict
        ``macro_f1`` and ``micro_f1`` (ratio -> mean), ``macro_f1_std`` and
        ``micro_f1_std``, ``C`` (ratio -> the C of each split), ``num_nodes``,
        ``num_labels``, ``repeats``.

    Examples
    --------
    >>> labels = read_labels("labels.tsv")                       # doctest: +SKIP
    >>> scores = node_classification(model, labels, train_ratios=[0.5])  # doctest: +SKIP
    >>> scores["macro_f1"][0.5]                                          # doctest: +SKIP
    0.26...
    """
    repeats = check_int("repeats", repeats)
    ratios = [float(r) for r in train_ratios]
    if not ratios or any(not 0 < r < 1 for r in ratios):
        raise ParameterError(f"train ratios must be between 0 and 1, got {list(train_ratios)}")
    C = _check_c(C)
    x, y, classes = _labelled_matrix(embeddings, labels)
    if len(classes) < 2:
        raise ParameterError(
            f"node classification needs two or more labels; every labelled node has "
            f"{show(classes[0]) if len(classes) else 'none'}"
        )
    rng = as_generator(seed)
    macro, micro, chosen = {}, {}, {}
    runs = progress_bar(
        total=len(ratios) * repeats, desc="classify", unit="split", enabled=progress
    )
    with runs:
        for ratio in ratios:
            m_scores, u_scores, cs = [], [], []
            for _ in range(repeats):
                order = rng.permutation(len(x))
                cut = max(1, min(len(x) - 1, int(round(ratio * len(x)))))
                train, test = order[:cut], order[cut:]
                m, u, c = _fit_and_score(
                    x[train], y[train], x[test], y[test], int(rng.integers(2**31)), C
                )
                m_scores.append(m)
                u_scores.append(u)
                cs.append(c)
                runs.update()
            macro[ratio], micro[ratio], chosen[ratio] = m_scores, u_scores, cs
    return {
        "macro_f1": {r: float(np.mean(v)) for r, v in macro.items()},
        "micro_f1": {r: float(np.mean(v)) for r, v in micro.items()},
        "macro_f1_std": {r: float(np.std(v)) for r, v in macro.items()},
        "micro_f1_std": {r: float(np.std(v)) for r, v in micro.items()},
        "C": chosen,
        "num_nodes": int(len(x)),
        "num_labels": int(len(classes)),
        "repeats": repeats,
    }


def evaluate_embeddings(
    graph: Graph,
    model: Node2Vec | None = None,
    *,
    labels: Mapping[Hashable, Any] | pandas.DataFrame | Sequence | None = None,
    task: str = "both",
    test_fraction: float = 0.5,
    train_ratios: Sequence[float] = DEFAULT_TRAIN_RATIOS,
    repeats: int = 5,
    seed: int | np.random.Generator | None = None,
    progress: bool = False,
    C: float | Literal["auto"] = "auto",
) -> dict[str, Any]:
    """Run link prediction and/or node classification with one model and one seed.

    Parameters
    ----------
    graph : Graph
    model : Node2Vec, optional
        Unfitted estimator (default ``Node2Vec()``); copied for each task.
    labels : dict, optional
        node id -> labels; needed for node classification.
    task : {"link", "node", "both"}
        ``"both"`` skips node classification when there are no labels.
    C : "auto" or float
        The classifiers' C, as in :func:`node_classification`.

    Returns
    -------
    dict
        ``link_prediction`` and/or ``node_classification`` results.
    """
    if task not in ("link", "node", "both"):
        raise ParameterError(f"unknown task {task!r}; choose link, node or both")
    C = _check_c(C)
    if task == "node" and not labels:
        raise N2VLiteError("node classification needs labels (a node<TAB>label file)")
    link_rng, node_rng = as_generator(seed).spawn(2)
    results = {}
    if task in ("link", "both"):
        results["link_prediction"] = link_prediction(
            graph, model, test_fraction=test_fraction, seed=link_rng, C=C
        )
    if labels and task in ("node", "both"):
        vectors_seed = int(node_rng.integers(2**31))
        if model is None:
            from .model import Node2Vec

            estimator = Node2Vec(random_state=vectors_seed, progress=progress)
        else:
            estimator = copy.deepcopy(model)
        estimator.fit(graph)
        results["node_classification"] = node_classification(
            estimator,
            labels,
            train_ratios=train_ratios,
            repeats=repeats,
            seed=node_rng,
            progress=progress,
            C=C,
        )
    return results


# -------------------------------------------------------------------- tuning
#: Tuning methods: successive halving (default) or every pair fully fitted.
TUNE_METHODS = ("halving", "grid")


def _with_pq(model, p, q, seed, budget=1.0):
    """A copy of ``model`` (default ``Node2Vec()``) with ``p``, ``q`` and a walk budget.

    ``budget`` < 1 shrinks the walks to about that share of the full walk (and
    so training) tokens: fewer walks per node first, then shorter walks, never
    fewer than one walk per node or walks shorter than two nodes.
    """
    if model is None:
        from .model import Node2Vec

        estimator = Node2Vec(random_state=seed, progress=False)
    else:
        estimator = copy.deepcopy(model)
        if getattr(estimator, "random_state", 0) is None:
            estimator.random_state = seed  # one seed for every pair: paired comparisons
    estimator.p, estimator.q = p, q
    if budget < 1 and hasattr(estimator, "num_walks") and hasattr(estimator, "walk_length"):
        walks, length = estimator.num_walks, estimator.walk_length
        estimator.num_walks = max(1, int(budget * walks))
        estimator.walk_length = max(
            2, min(length, int(round(budget * walks * length / estimator.num_walks)))
        )
    return estimator


def _fit_tokens(estimator, num_nodes):
    """Walk plus training tokens of one fit (the unit of ``cost_full_fits``)."""
    walks = num_nodes * getattr(estimator, "num_walks", 1) * getattr(estimator, "walk_length", 1)
    return walks * (1 + getattr(estimator, "epochs", 1))


#: The cheapest fit :func:`tune` makes by default: a fifth of a full fit's walk tokens.
#: On MovieLens fits at 1/25 (one walk of 32 nodes per node) ranked the pairs unlike
#: full fits did, and halving's pick fell more than one sd below the grid's best; fits
#: at 1/5 (two whole walks per node) did not (README, "Results").
DEFAULT_MIN_BUDGET = 0.2


def _halving_rounds(num_pairs, eta, method, min_budget=DEFAULT_MIN_BUDGET):
    """[(pairs kept, budget)] per round: keep the best 1/eta, eta times the budget.

    Budgets are ``eta**-k``, none below ``min_budget``; the last round fully fits
    the pairs left (one, or more when ``min_budget`` stops the halving early).

    >>> _halving_rounds(25, 5, "halving", 0.04), _halving_rounds(25, 5, "halving")
    ([(25, 0.04), (5, 0.2), (1, 1.0)], [(25, 0.2), (5, 1.0)])
    >>> _halving_rounds(9, 5, "halving", 1.0), _halving_rounds(9, 5, "grid", 0.04)
    ([(9, 1.0)], [(9, 1.0)])
    """
    if method == "grid":
        return [(num_pairs, 1.0)]
    counts = [num_pairs]
    while counts[-1] > 1 and float(eta) ** -len(counts) >= min_budget * (1 - 1e-9):
        counts.append(-(-counts[-1] // eta))
    last = len(counts) - 1
    return [(count, float(eta) ** (i - last)) for i, count in enumerate(counts)]


class _NodeTask:
    """Node classification: a fixed test split, repeated validation splits of the rest."""

    name, metric = "node_classification", "macro_f1"

    def __init__(self, graph, labels, test_fraction, validation_fraction, splits, rng, C):
        self.graph, self.labels, self.C = graph, labels, C
        self.nodes = _labelled_nodes(graph, labels)
        order = rng.permutation(len(self.nodes))
        n_test = int(round(test_fraction * len(order)))
        self.test, self.train = order[:n_test], order[n_test:]
        n_val = max(1, int(round(validation_fraction * len(self.train))))
        self.folds = []
        for _ in range(splits):
            shuffled = rng.permutation(self.train)
            self.folds.append((shuffled[n_val:], shuffled[:n_val], int(rng.integers(2**31))))
        self.test_seed = int(rng.integers(2**31))
        self.fit_graph = graph

    def validate(self, estimator):
        """Validation scores (one per split) of a fitted estimator."""
        x, y = _xy(estimator, self.graph, self.labels, self.nodes)
        return [
            _fit_and_score(x[fit], y[fit], x[val], y[val], seed, self.C)[0]
            for fit, val, seed in self.folds
        ]

    def final(self, estimator, refit):
        """(test score, extra full fits) of the pick."""
        x, y = _xy(estimator, self.graph, self.labels, self.nodes)  # the pick's full fit
        return _fit_and_score(
            x[self.train], y[self.train], x[self.test], y[self.test], self.test_seed, self.C
        )[0], 0.0


class _LinkTask:
    """Link prediction: test edges hidden, then validation edges hidden from the rest.

    The validation score is the Hadamard AUC over ``splits`` random halvings of
    the validation pairs into classifier training and scoring pairs.
    """

    name, metric = "link_prediction", "hadamard_auc"

    def __init__(self, graph, test_fraction, validation_fraction, splits, rng, C):
        self.C = C
        self.outer = split_edges(graph, test_fraction, rng)
        try:
            self.inner = split_edges(
                self.outer.residual, validation_fraction, rng, avoid=self.outer.positives
            )
        except GraphError:
            raise GraphError(
                f"no validation edge is left: the {len(self.outer.positives):,} test edges "
                f"hidden (test_fraction {test_fraction:g}) leave only edges the graph needs "
                "to stay connected; lower test_fraction (--test-fraction)"
            ) from None
        self.fit_graph = self.inner.residual
        self.seeds = [int(rng.integers(2**31)) for _ in range(splits)]
        self.test_seed = int(rng.integers(2**31))

    def _auc(self, vectors, split, seed):
        return _pair_auc(
            vectors,
            split.positives,
            split.negatives,
            0.5,
            as_generator(seed),
            ("hadamard",),
            self.C,
        )[0]["hadamard"]

    def validate(self, estimator):
        vectors = embedding_matrix(estimator, self.fit_graph.node_ids)
        return [self._auc(vectors, self.inner, seed) for seed in self.seeds]

    def final(self, estimator, refit):
        """(test score, extra full fits) of the pick."""
        estimator = refit(self.outer.residual)  # the pick, on the graph less the test edges
        vectors = embedding_matrix(estimator, self.outer.residual.node_ids)
        return self._auc(vectors, self.outer, self.test_seed), 1.0


#: The most (p, q) pairs :func:`tune` takes (a 31 x 31 grid): each is at least one fit.
MAX_GRID_PAIRS = 1_000


def tune(
    graph: Graph,
    labels: Mapping[Hashable, Any] | pandas.DataFrame | Sequence | None = None,
    *,
    ps: Sequence[float] = DEFAULT_GRID,
    qs: Sequence[float] = DEFAULT_GRID,
    model: Node2Vec | None = None,
    seed: int | np.random.Generator | None = None,
    test_fraction: float = 0.5,
    validation_fraction: float = 0.2,
    method: str = "halving",
    splits: int = 5,
    eta: int = 5,
    min_budget: float = DEFAULT_MIN_BUDGET,
    progress: bool = False,
    C: float | Literal["auto"] = "auto",
) -> dict[str, Any]:
    """Choose ``p`` and ``q`` on validation data carved from the training data.

    With ``labels`` the task is node classification (score: Macro-F1): the
    labelled nodes are split once into train and test (``test_fraction``), and
    ``splits`` random validation parts are carved from the training nodes; each
    (p, q) embeds the graph once and is scored on every validation part (mean
    and standard deviation). Without labels the task is link prediction (score:
    Hadamard AUC): the test edges are hidden first, validation edges are then
    hidden from the residual graph, each (p, q) embeds what is left, and the
    validation pairs are split ``splits`` times into classifier training and
    scoring halves. Only the pick ever sees the test split.

    ``method="halving"`` (successive halving) embeds every pair cheaply
    (``eta**-k`` of the walk tokens, the smallest such share not below
    ``min_budget``: fewer walks first, then shorter ones), keeps the best
    ``1/eta`` of them for a fit ``eta`` times bigger, and so on until the pairs
    left get full fits -- one pair, unless ``min_budget`` ends the halving
    first. With the defaults (``eta=5``, ``min_budget=0.2``) a 5 x 5 grid costs
    25/5 + 5 = 10 full fits (link prediction: one more, to embed the graph
    without the test edges), against 25 for ``method="grid"``, which fully
    fits every pair; ``min_budget=0.04`` gives the cheaper 25/25 + 5/5 + 1 = 3,
    from fits of one short walk per node, which on MovieLens ranked the pairs
    unlike full fits did.
    A promotion never splits a close call: every pair whose mean lies within
    one standard deviation of the round's best goes on too, and when a round
    tells none of its pairs apart they all go straight to full fits -- so
    where cheap fits are noise the search costs up to the grid's (plus the
    first cheap round) rather than picking by noise, and the pick is always
    the best *full* fit.
    Every fit uses the same seed, so pairs are compared on the same random
    numbers.

    Parameters
    ----------
    graph : Graph
    labels : dict, optional
        node id -> labels; without them the task is link prediction.
    ps, qs : sequence of float
        The grid: positive finite values, each taken once; at most
        :data:`MAX_GRID_PAIRS` pairs.
    model : Node2Vec, optional
        Unfitted estimator whose other parameters are used (default
        ``Node2Vec()``); a ``random_state`` of None is replaced by one drawn
        from ``seed``.
    seed : int or numpy.random.Generator, optional
        The same seed gives the same splits, fits and result (on one training
        thread, the default with a seed).
    test_fraction, validation_fraction : float
        Share kept for the final test; share of the rest used for validation.
    method : {"halving", "grid"}
    splits : int
        Repeated validation splits per pair.
    eta : int
        Halving factor (>= 2).
    min_budget : float
        The cheapest fit's share of a full fit's walk tokens, in (0, 1]
        (1: every pair fully fitted, as ``method="grid"``).
    progress : bool
        A progress bar (fits) on stderr.
    C : "auto" or float
        The classifiers' C, as in :func:`node_classification` and
        :func:`link_prediction` (the same protocol, so tune's pick is what
        ``evaluate`` would pick).

    Returns
    -------
    dict
        ``task``, ``metric``; ``table``: one row per (p, q) with ``p``, ``q``,
        ``validation`` (mean over the splits, at the biggest budget the pair
        reached), ``validation_sd``, ``budget`` (share of a full fit),
        ``round``, ``cheap`` / ``cheap_sd`` (the first round's score, None
        with ``method="grid"``), ``full`` / ``full_sd`` (the full fit's score,
        None for a pair never fully fitted) and ``seconds`` (all its fits and
        scoring); ``best``:
        ``p``, ``q``, ``validation``, ``validation_sd``, ``test``; ``spread``:
        ``splits``, ``best_sd`` and ``ties`` (the pairs of the last round with
        two or more pairs whose mean lies within one standard deviation of
        that round's best); ``rounds``: per round the ``budget``,
        ``num_walks``, ``walk_length`` and the ``pairs`` fitted;
        ``cost_full_fits`` (walk plus training tokens of every fit, test fit
        included, over those of one full fit); ``method``, ``min_budget``.

    Examples
    --------
    >>> import networkx as nx
    >>> from n2v_lite import Node2Vec
    >>> g = Graph.from_networkx(nx.connected_caveman_graph(8, 6))
    >>> model = Node2Vec(dimensions=16, num_walks=10, walk_length=20, window=4)
    >>> result = tune(g, ps=[1, 4], qs=[0.5, 2], model=model, seed=0)
    >>> [r["pairs"] for r in result["rounds"]]   # one pair was clearly behind ...
    [4, 3]
    >>> result["cost_full_fits"]          # ... so: 4 fits at 1/5, 3 full, 1 without the test edges
    4.8
    """
    check_choice("method", method, TUNE_METHODS)
    splits, eta = check_int("splits", splits), check_int("eta", eta, minimum=2)
    min_budget = check_budget("min_budget", min_budget)
    C = _check_c(C)
    if not 0 < test_fraction < 1 or not 0 < validation_fraction < 1:
        raise ParameterError("test_fraction and validation_fraction must be between 0 and 1")
    ps, qs = (list(dict.fromkeys(float(v) for v in values)) for values in (ps, qs))  # once each
    grid = [(p, q) for p in ps for q in qs]
    if not grid or any(not (0 < v < math.inf) for pair in grid for v in pair):
        raise ParameterError("p and q values must be positive finite numbers")
    if len(grid) > MAX_GRID_PAIRS:
        raise ParameterError(
            f"the grid has {len(ps)} x {len(qs)} = {len(grid):,} pairs; at most "
            f"{MAX_GRID_PAIRS:,} (each is an embedding)"
        )
    split_rng, embed_rng = as_generator(seed).spawn(2)
    embed_seed = int(embed_rng.integers(2**31))
    task: _NodeTask | _LinkTask
    if labels is not None:
        task = _NodeTask(graph, labels, test_fraction, validation_fraction, splits, split_rng, C)
    else:
        task = _LinkTask(graph, test_fraction, validation_fraction, splits, split_rng, C)
    full_tokens = _fit_tokens(_with_pq(model, 1.0, 1.0, embed_seed), task.fit_graph.num_nodes)
    schedule = _halving_rounds(len(grid), eta, method, min_budget)
    rows: dict[tuple[float, float], dict[str, Any]] = {
        pair: {
            "p": pair[0],
            "q": pair[1],
            "seconds": 0.0,
            "cheap": None,
            "cheap_sd": None,
            "full": None,
            "full_sd": None,
        }
        for pair in grid
    }
    fitted, cost, alive = {}, 0.0, list(grid)
    rounds: list[dict[str, Any]] = []
    bar = progress_bar(
        total=sum(count for count, _ in schedule), desc="tune", unit="fit", enabled=progress
    )
    with bar:
        step = 0
        while step < len(schedule):
            count, budget = schedule[step]
            number = len(rounds)
            if number:  # promote the scheduled share, and every pair as good within one sd
                last = rounds[-1]["scores"]
                top_mean, top_sd = last[alive[0]]
                close = sum(top_mean - last[pair][0] <= top_sd for pair in alive)
                if close == len(alive) > 1:  # nothing told apart: full fits for them all
                    step = len(schedule) - 1
                    count, budget = schedule[step]
                alive = alive[: max(count, close)]
                bar.total = bar.n + len(alive) + sum(c for c, _ in schedule[step + 1 :])
                bar.refresh()
            step += 1
            for pair in alive:
                start = time.perf_counter()
                estimator = _with_pq(model, *pair, embed_seed, budget)
                cost += _fit_tokens(estimator, task.fit_graph.num_nodes) / full_tokens
                estimator.fit(task.fit_graph)
                scores = task.validate(estimator)
                fitted[pair] = estimator
                mean, sd = float(np.mean(scores)), float(np.std(scores))
                rows[pair].update(validation=mean, validation_sd=sd, budget=budget, round=number)
                if number == 0 and budget < 1:
                    rows[pair].update(cheap=mean, cheap_sd=sd)
                if budget == 1:
                    rows[pair].update(full=mean, full_sd=sd)
                rows[pair]["seconds"] += time.perf_counter() - start
                bar.update()
            alive.sort(key=lambda pair: -rows[pair]["validation"])  # stable: grid order on ties
            rounds.append(
                {
                    "round": number,
                    "budget": budget,
                    "pairs": len(alive),
                    "num_walks": getattr(estimator, "num_walks", None),
                    "walk_length": getattr(estimator, "walk_length", None),
                    "scores": {
                        pair: (rows[pair]["validation"], rows[pair]["validation_sd"])
                        for pair in alive
                    },
                }
            )
    best = rows[alive[0]]
    contest = [r for r in rounds if r["pairs"] > 1]
    ties = []
    if contest:  # the last round that compared pairs: the final one when several were close
        scores = contest[-1]["scores"]
        top_mean, top_sd = max(scores.values())
        ties = [pair for pair, (mean, _) in scores.items() if top_mean - mean <= top_sd]
    for r in rounds:
        r["scores"] = [[p, q, mean, sd] for (p, q), (mean, sd) in r["scores"].items()]
    start = time.perf_counter()
    test, extra = task.final(
        fitted[alive[0]], lambda g: _with_pq(model, best["p"], best["q"], embed_seed).fit(g)
    )
    cost += extra
    best["seconds"] += time.perf_counter() - start
    table = [dict(row, seconds=round(row["seconds"], 2)) for row in rows.values()]
    return {
        "task": task.name,
        "metric": task.metric,
        "method": method,
        "min_budget": min_budget,
        "C": C,
        "table": table,
        "best": {
            "p": best["p"],
            "q": best["q"],
            "validation": best["validation"],
            "validation_sd": best["validation_sd"],
            "test": test,
        },
        "spread": {"splits": splits, "best_sd": best["validation_sd"], "ties": ties},
        "rounds": rounds,
        "cost_full_fits": round(cost, 4),
    }


def _labelled_nodes(graph, labels):
    labels = labels if isinstance(labels, dict) else _pairs_to_dict(labels)
    nodes = [node for node in graph.node_ids.tolist() if labels.get(node)]
    if len(nodes) < 4:
        raise N2VLiteError("fewer than 4 graph nodes have labels (do the node ids match?)")
    return nodes


def _xy(estimator, graph, labels, nodes):
    from sklearn.preprocessing import MultiLabelBinarizer

    labels = labels if isinstance(labels, dict) else _pairs_to_dict(labels)
    x = embedding_matrix(estimator, np.array(nodes, dtype=object))
    y = MultiLabelBinarizer().fit_transform([labels[node] for node in nodes])
    return x, y
