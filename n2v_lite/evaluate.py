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
* :func:`tune` -- a grid over ``p`` and ``q`` scored on a validation split carved
  from the training data only; the test split is used once, for the best pair.

Everything is reproducible from ``seed``: the split depends on the graph and the
seed only, so every method evaluated with the same seed sees the same split.
"""

from __future__ import annotations

import copy
import time
import warnings

import numpy as np

from ._utils import as_generator, progress_bar
from .exceptions import GraphError, N2VLiteError
from .graph import Graph  # noqa: F401  (used by the doctest examples)

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

    def __init__(self, residual, positives, negatives):
        self.residual, self.positives, self.negatives = residual, positives, negatives

    def __repr__(self):
        return (f"<EdgeSplit {len(self.positives)} removed edges, {len(self.negatives)} "
                f"non-edges, residual {self.residual!r}>")


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
    tree_keys = np.sort(np.minimum(tree.row, tree.col).astype(np.int64) * n
                        + np.maximum(tree.row, tree.col))
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


def split_edges(graph, fraction=0.5, seed=None, *, avoid=None):
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
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
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


def edge_features(vectors, pairs, operator="hadamard"):
    """Edge feature vectors of node ``pairs`` (index pairs) with one of :data:`OPERATORS`."""
    try:
        op = OPERATORS[operator]
    except KeyError:
        raise ValueError(f"unknown operator {operator!r}; choose from {', '.join(OPERATORS)}") \
            from None
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
        raise N2VLiteError(f"the embedding has {vectors.shape[0]} rows for "
                           f"{graph.num_nodes} nodes")
    return vectors


def _as_embedding(embeddings):
    """A NodeEmbedding from a fitted estimator, an embedding, or gensim KeyedVectors."""
    embeddings = getattr(embeddings, "embedding_", embeddings)
    if hasattr(embeddings, "vectors_of"):
        return embeddings
    if hasattr(embeddings, "index_to_key"):  # gensim KeyedVectors
        from .embedding import NodeEmbedding

        return NodeEmbedding(embeddings.vectors, embeddings.index_to_key)
    raise N2VLiteError(f"expected a fitted Node2Vec, a NodeEmbedding or KeyedVectors, "
                       f"got {type(embeddings).__name__}")


def embedding_matrix(embeddings, node_ids):
    """Rows of a fitted model / NodeEmbedding / KeyedVectors for ``node_ids`` (float64)."""
    vectors = _as_embedding(embeddings).vectors_of(list(node_ids))
    return np.asarray(vectors, dtype=np.float64)


def _logistic_regression(seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))


def _pair_auc(vectors, positives, negatives, train_fraction, rng, operators):
    from sklearn.metrics import roc_auc_score

    pairs = np.concatenate([positives, negatives])
    labels = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))])
    order = rng.permutation(len(pairs))
    cut = int(round(train_fraction * len(pairs)))
    train, test = order[:cut], order[cut:]
    if len(np.unique(labels[train])) < 2 or len(np.unique(labels[test])) < 2:
        raise N2VLiteError("too few node pairs to train and test a classifier")
    scores = {}
    for name in operators:
        features = edge_features(vectors, pairs, name)
        classifier = _logistic_regression(int(rng.integers(2**31)))
        classifier.fit(features[train], labels[train])
        scores[name] = float(roc_auc_score(labels[test],
                                           classifier.predict_proba(features[test])[:, 1]))
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosine = np.einsum("ij,ij->i", unit[pairs[test, 0]], unit[pairs[test, 1]])
    scores["cosine"] = float(roc_auc_score(labels[test], cosine))
    return scores, len(train), len(test)


def link_prediction(graph, model=None, *, test_fraction=0.5, train_fraction=0.5,
                    operators=tuple(OPERATORS), seed=None):
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

    Returns
    -------
    dict
        ``auc`` (per operator, plus ``cosine``: the AUC of plain cosine
        similarity), ``removed_edges``, ``removed_fraction``, ``train_pairs``,
        ``test_pairs``, ``embed_seconds``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = Graph.from_networkx(nx.connected_caveman_graph(10, 8))
    >>> result = link_prediction(g, seed=0)               # doctest: +SKIP
    >>> result["auc"]["hadamard"] > 0.9                   # doctest: +SKIP
    True
    """
    split_rng, embed_rng, classify_rng = as_generator(seed).spawn(3)
    split = split_edges(graph, test_fraction, split_rng)
    start = time.perf_counter()
    vectors = _embed(model, split.residual, embed_rng)
    embed_seconds = time.perf_counter() - start
    scores, n_train, n_test = _pair_auc(vectors, split.positives, split.negatives,
                                        train_fraction, classify_rng, operators)
    non_loops = int(np.count_nonzero(np.not_equal(*graph.edges()[:2])))
    return {"auc": scores, "removed_edges": len(split.positives),
            "removed_fraction": len(split.positives) / max(non_loops, 1),
            "train_pairs": n_train, "test_pairs": n_test,
            "embed_seconds": round(embed_seconds, 3)}


# ------------------------------------------------------------ node labels
def read_labels(path, *, sep=None, header=None):
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
    from .graph import (_INT_RE, _check_sep, _data_lines, _detect_sep, _fields, _maybe_ints,
                        _shown, _split)

    path = str(path)
    sep = _check_sep(sep, "#")
    lines = list(_data_lines(path, "#"))
    if not lines:
        raise GraphError(f"{path}: no labels (the file has no data lines)")
    sep = sep or _detect_sep(lines[0][1])
    if header is None:
        heads = [(_split(text, sep)[0].strip()) for _, text in lines[:50]]
        header = heads[0].lower() in ("node", "nodes", "id", "node_id", "vertex") or (
            len(heads) > 1 and not _INT_RE.fullmatch(heads[0])
            and all(_INT_RE.fullmatch(n) for n in heads[1:]))
    if header:
        lines = lines[1:]
        if not lines:
            raise GraphError(f"{path}: no labels (only a header line)")
    nodes, labels = [], []
    for number, text in lines:
        fields = [t.strip() for t in _fields(text, sep)]
        if len(fields) > 2:
            raise GraphError(f"{path}, line {number}: too many fields in {_shown(text)} "
                             "(expected 'node label')")
        if not fields[0]:
            raise GraphError(f"{path}, line {number}: missing node in {_shown(text)}")
        if len(fields) < 2 or not fields[1]:
            raise GraphError(f"{path}, line {number}: missing label after {_shown(fields[0])}")
        nodes.append(fields[0])
        labels.append(fields[1])
    columns = []
    for values in (nodes, labels):
        uniques, codes = np.unique(np.array(values, dtype=object), return_inverse=True)
        columns.append(_maybe_ints(uniques)[codes].tolist())
    result = {}
    for node, label in zip(*columns):
        result.setdefault(node, []).append(label)
    return result


def movielens_genres(graph):
    """Genres of each movie of a movie graph as labels: node id -> list of genres."""
    genres = graph.node_attribute("genres")
    if genres is None:
        raise N2VLiteError("the graph has no 'genres' node metadata")
    return {node: [g for g in str(text).split("|") if g and g != "(no genres listed)"]
            for node, text in zip(graph.node_ids.tolist(), genres)}


def _labelled_matrix(embeddings, labels):
    """(X, Y, classes) for the nodes that have both a vector and at least one label."""
    from sklearn.preprocessing import MultiLabelBinarizer

    if isinstance(embeddings, np.ndarray):
        if isinstance(labels, dict):
            raise ValueError("with an embedding array, give labels as a sequence aligned "
                             "with its rows")
        label_lists = [list(x) if isinstance(x, (list, tuple, set, np.ndarray)) else [x]
                       for x in labels]
        vectors = np.asarray(embeddings, dtype=np.float64)
    else:
        embedding = _as_embedding(embeddings)
        if not isinstance(labels, dict):
            labels = _pairs_to_dict(labels)
        nodes = [node for node in labels if node in embedding]
        if not nodes:
            raise N2VLiteError("no labelled node has a vector (do the node ids match?)")
        vectors = embedding_matrix(embedding, nodes)
        label_lists = [labels[node] if isinstance(labels[node], (list, tuple, set))
                       else [labels[node]] for node in nodes]
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


def _fit_and_score(x_train, y_train, x_test, y_test, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)        # a label absent from training
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier = OneVsRestClassifier(
            LogisticRegression(solver="liblinear", random_state=seed))
        classifier.fit(x_train, y_train)
        probabilities = classifier.predict_proba(x_test)
    predicted = _top_k_predictions(probabilities, y_test.sum(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                     # F1 of labels with no support
        return (float(f1_score(y_test, predicted, average="macro", zero_division=0)),
                float(f1_score(y_test, predicted, average="micro", zero_division=0)))


def node_classification(embeddings, labels, *, train_ratios=DEFAULT_TRAIN_RATIOS, repeats=10,
                        seed=None, progress=False):
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

    Returns
    -------
    dict
        ``macro_f1`` and ``micro_f1`` (ratio -> mean), ``macro_f1_std`` and
        ``micro_f1_std``, ``num_nodes``, ``num_labels``, ``repeats``.

    Examples
    --------
    >>> scores = node_classification(model, read_labels("labels.tsv"), train_ratios=[0.5])  # doctest: +SKIP
    >>> scores["macro_f1"][0.5]                                                            # doctest: +SKIP
    0.26...
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    ratios = [float(r) for r in train_ratios]
    if not ratios or any(not 0 < r < 1 for r in ratios):
        raise ValueError(f"train ratios must be between 0 and 1, got {list(train_ratios)}")
    x, y, classes = _labelled_matrix(embeddings, labels)
    rng = as_generator(seed)
    macro, micro = {}, {}
    runs = progress_bar(total=len(ratios) * repeats, desc="classify", unit="split",
                        enabled=progress)
    with runs:
        for ratio in ratios:
            m_scores, u_scores = [], []
            for _ in range(repeats):
                order = rng.permutation(len(x))
                cut = max(1, min(len(x) - 1, int(round(ratio * len(x)))))
                train, test = order[:cut], order[cut:]
                m, u = _fit_and_score(x[train], y[train], x[test], y[test],
                                      int(rng.integers(2**31)))
                m_scores.append(m)
                u_scores.append(u)
                runs.update()
            macro[ratio], micro[ratio] = m_scores, u_scores
    return {"macro_f1": {r: float(np.mean(v)) for r, v in macro.items()},
            "micro_f1": {r: float(np.mean(v)) for r, v in micro.items()},
            "macro_f1_std": {r: float(np.std(v)) for r, v in macro.items()},
            "micro_f1_std": {r: float(np.std(v)) for r, v in micro.items()},
            "num_nodes": int(len(x)), "num_labels": int(len(classes)), "repeats": repeats}


def evaluate_embeddings(graph, model=None, *, labels=None, task="both", test_fraction=0.5,
                        train_ratios=DEFAULT_TRAIN_RATIOS, repeats=5, seed=None, progress=False):
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

    Returns
    -------
    dict
        ``link_prediction`` and/or ``node_classification`` results.
    """
    if task not in ("link", "node", "both"):
        raise ValueError(f"unknown task {task!r}; choose link, node or both")
    if task == "node" and not labels:
        raise N2VLiteError("node classification needs labels (a node<TAB>label file)")
    link_rng, node_rng = as_generator(seed).spawn(2)
    results = {}
    if task in ("link", "both"):
        results["link_prediction"] = link_prediction(graph, model, test_fraction=test_fraction,
                                                     seed=link_rng)
    if labels and task in ("node", "both"):
        vectors_seed = int(node_rng.integers(2**31))
        if model is None:
            from .model import Node2Vec

            estimator = Node2Vec(random_state=vectors_seed, progress=progress)
        else:
            estimator = copy.deepcopy(model)
        estimator.fit(graph)
        results["node_classification"] = node_classification(
            estimator, labels, train_ratios=train_ratios, repeats=repeats, seed=node_rng,
            progress=progress)
    return results


# -------------------------------------------------------------------- tuning
def _with_pq(model, p, q, seed):
    if model is None:
        from .model import Node2Vec

        return Node2Vec(p=p, q=q, random_state=seed, progress=False)
    estimator = copy.deepcopy(model)
    estimator.p, estimator.q = p, q
    return estimator


def tune(graph, labels=None, *, ps=DEFAULT_GRID, qs=DEFAULT_GRID, model=None, seed=None,
         test_fraction=0.5, validation_fraction=0.2, progress=False):
    """Grid search over ``p`` and ``q``, scored on validation data carved from training data.

    With ``labels`` the task is node classification (score: Macro-F1): labelled
    nodes are split into train and test (``test_fraction``), a validation part is
    carved from the training nodes, each (p, q) embeds the graph and is scored on
    the validation nodes. Without labels the task is link prediction (score:
    Hadamard AUC): the test edges are hidden first, validation edges are then
    hidden from the residual graph, and each (p, q) embeds what is left.
    Only the best pair ever sees the test split.

    Returns
    -------
    dict
        ``task``, ``metric``, ``table`` (one row per (p, q): ``p``, ``q``,
        ``validation``, ``seconds``), ``best`` (``p``, ``q``, ``validation``,
        ``test``).
    """
    if not 0 < test_fraction < 1 or not 0 < validation_fraction < 1:
        raise ValueError("test_fraction and validation_fraction must be between 0 and 1")
    grid = [(float(p), float(q)) for p in ps for q in qs]
    if not grid or any(p <= 0 or q <= 0 for p, q in grid):
        raise ValueError("p and q values must be > 0")
    split_rng, embed_rng, score_rng = as_generator(seed).spawn(3)
    embed_seed = int(embed_rng.integers(2**31))
    if labels is not None:
        task, metric = "node_classification", "macro_f1"
        x_nodes = _labelled_nodes(graph, labels)
        order = split_rng.permutation(len(x_nodes))
        n_test = int(round(test_fraction * len(order)))
        test, train = order[:n_test], order[n_test:]
        n_val = max(1, int(round(validation_fraction * len(train))))
        val, fit = train[:n_val], train[n_val:]

        def score(p, q, train_idx, test_idx, g=graph):
            estimator = _with_pq(model, p, q, embed_seed).fit(g)
            x, y = _xy(estimator, graph, labels, x_nodes)
            return _fit_and_score(x[train_idx], y[train_idx], x[test_idx], y[test_idx],
                                  int(score_rng.integers(2**31)))[0]

        validate = lambda p, q: score(p, q, fit, val)  # noqa: E731
        final = lambda p, q: score(p, q, train, test)  # noqa: E731
    else:
        task, metric = "link_prediction", "hadamard_auc"
        outer = split_edges(graph, test_fraction, split_rng)
        inner = split_edges(outer.residual, validation_fraction, split_rng,
                            avoid=outer.positives)

        def score(p, q, split):
            vectors = _embed(_with_pq(model, p, q, embed_seed), split.residual, None)
            return _pair_auc(vectors, split.positives, split.negatives, 0.5,
                             as_generator(int(score_rng.integers(2**31))),
                             ("hadamard",))[0]["hadamard"]

        validate = lambda p, q: score(p, q, inner)  # noqa: E731
        final = lambda p, q: score(p, q, outer)  # noqa: E731
    table = []
    for p, q in progress_bar(grid, desc="tune", unit="pair", enabled=progress):
        start = time.perf_counter()
        value = validate(p, q)
        table.append({"p": p, "q": q, "validation": value,
                      "seconds": round(time.perf_counter() - start, 2)})
    best = max(table, key=lambda row: row["validation"])
    return {"task": task, "metric": metric, "table": table,
            "best": {"p": best["p"], "q": best["q"], "validation": best["validation"],
                     "test": final(best["p"], best["q"])}}


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
