"""The :class:`Node2Vec` estimator and the fitted model users hold.

``Node2Vec(...).fit(graph)`` runs graph -> walks (:mod:`n2v_lite.walks`) ->
trainer (:mod:`n2v_lite.word2vec`, or :mod:`n2v_lite.tutorial`) and keeps the
result as a gensim :class:`~gensim.models.KeyedVectors` keyed by node id
(``wv_``). On top of it:

* :meth:`Node2Vec.most_similar` -- neighbours of a node id, a movie title
  (exact, or a unique case-insensitive part of one) or a vector, as a
  :class:`SimilarityResult` of ``(label, cosine similarity)`` pairs;
* :meth:`Node2Vec.save` / :func:`load` -- one file holding the vectors, the
  node ids and metadata, the parameters and the n2v_lite version, written
  atomically;
* :meth:`Node2Vec.export` -- word2vec text/binary, Embedding-Projector TSVs,
  ``.npz`` and ``.csv``;
* :func:`fit_movielens` and :data:`MOVIELENS_DEFAULTS` -- the MovieLens
  pipeline with settings chosen by measurement.

Examples
--------
>>> from n2v_lite import Node2Vec, load
>>> from n2v_lite.movielens import movie_graph
>>> model = Node2Vec(**MOVIELENS_DEFAULTS, random_state=42).fit(movie_graph())  # doctest: +SKIP
>>> model.most_similar("godfather", topn=3)                                       # doctest: +SKIP
Nearest to 'Godfather, The (1972)' [858] by cosine similarity:
  1  0.8712  Godfather: Part II, The (1974)  [1221]
  2  0.7316  Apocalypse Now (1979)  [1208]
  3  0.7020  Chinatown (1974)  [1252]
>>> model.save("movies.n2v")                                                      # doctest: +SKIP
>>> load("movies.n2v").most_similar(2571, topn=1)                                 # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import inspect
import io
import json
import re
import time
import zipfile
from pathlib import Path

import numpy as np

from . import __version__
from ._utils import as_generator, atomic_path, atomic_write
from .exceptions import (AmbiguousQueryError, ModelFileError, NodeNotFoundError,
                         NotFittedError)
from .validation import check_fraction, check_int, check_positive
from .word2vec import MAX_WALK_LENGTH

__all__ = [
    "Node2Vec",
    "SimilarityResult",
    "load",
    "fit_movielens",
    "MOVIELENS_DEFAULTS",
    "MOVIELENS_QUERIES",
    "BACKENDS",
    "EXPORT_FORMATS",
    "FORMAT_VERSION",
]

BACKENDS = ("gensim", "tutorial")
#: Formats of :meth:`Node2Vec.export`.
EXPORT_FORMATS = ("word2vec", "word2vec-binary", "projector", "npz", "csv")
#: Version of the saved-model layout (bumped on incompatible changes).
FORMAT_VERSION = 1
_FORMAT_NAME = "n2v_lite-model"
#: The reference Keras example's five query movies.
MOVIELENS_QUERIES = (
    "Matrix, The (1999)",
    "Star Wars: Episode IV - A New Hope (1977)",
    "Lion King, The (1994)",
    "Terminator 2: Judgment Day (1991)",
    "Godfather, The (1972)",
)
#: Settings for the MovieLens movie graph, chosen by measurement: against the
#: paper's (128 dims, 10 x 80 walks, window 10, 1 epoch) they double the share of
#: sequels found among a movie's 10 nearest neighbours and halve the share of
#: obscure (degree <= 5) movies there, in about the same training time.
MOVIELENS_DEFAULTS = {
    "dimensions": 32,
    "walk_length": 40,
    "num_walks": 10,
    "window": 5,
    "p": 1.0,
    "q": 1.0,
    "epochs": 5,
    "negative": 5,
    "sample": 0.0,
    "learning_rate": 0.1,
}
#: Walks bigger than this are streamed in chunks to the trainer, never held whole.
_STREAM_WALK_BYTES = 256 << 20
_ARTICLES = ("the", "a", "an")
_YEAR = re.compile(r"\s*\(\d{4}(?:[-\u2013]\d{0,4})?\)\s*$")


# --------------------------------------------------------------------- results
class SimilarityResult(list):
    """Nearest neighbours: a list of ``(label, similarity)`` pairs, best first.

    Labels are titles when the graph has them, else the node ids. The node
    ids themselves are in :attr:`node_ids` (same order).

    Attributes
    ----------
    node_ids : list
        Node id of each neighbour.
    query : object
        What was asked (id, title or vector).
    query_label : str
        How the query is shown (its title and id, or "vector").
    """

    def __init__(self, pairs, node_ids, query=None, query_label=None):
        super().__init__(pairs)
        self.node_ids = list(node_ids)
        self.query = query
        self.query_label = query_label if query_label is not None else repr(query)

    @property
    def labels(self):
        """Labels of the neighbours, best first."""
        return [label for label, _ in self]

    @property
    def similarities(self):
        """Cosine similarities, best first."""
        return [similarity for _, similarity in self]

    def to_records(self):
        """One dict per neighbour: ``rank``, ``node``, ``label``, ``similarity``."""
        return [{"rank": rank, "node": node, "label": label, "similarity": similarity}
                for rank, (node, (label, similarity)) in enumerate(zip(self.node_ids, self), 1)]

    def to_frame(self):
        """The neighbours as a :class:`pandas.DataFrame` indexed by rank."""
        import pandas as pd

        return pd.DataFrame(self.to_records()).set_index("rank")

    def to_table(self, title=None):
        """A plain-text table (rank, similarity, label and node id)."""
        lines = [title if title is not None else
                 f"Nearest to {self.query_label} by cosine similarity:"]
        for rank, (node, (label, similarity)) in enumerate(zip(self.node_ids, self), 1):
            ident = "" if label == node else f"  [{node}]"
            lines.append(f"{rank:>3}  {similarity:.4f}  {label}{ident}")
        return "\n".join(lines)

    def __repr__(self):
        return self.to_table()

    def __reduce__(self):  # keep the extra attributes through pickle/copy
        return (SimilarityResult, (list(self), self.node_ids, self.query, self.query_label))


# ------------------------------------------------------------------- estimator
class Node2Vec:
    """node2vec embeddings: biased random walks + skip-gram with negative sampling.

    Parameters follow scikit-learn conventions: they are stored unchanged and
    checked by :meth:`fit`; fitted state ends with ``_``. Defaults are the
    node2vec paper's; see :data:`MOVIELENS_DEFAULTS` for the movie graph.

    Parameters
    ----------
    dimensions : int, default 128
        Embedding size.
    walk_length : int, default 80
        Nodes per walk (start node included).
    num_walks : int, default 10
        Walks started from every node.
    window : int, default 10
        Skip-gram context window.
    p, q : float, default 1
        Return and in-out parameters of the biased walk.
    epochs : int, default 1
        Training passes over the walks.
    negative : int, default 5
        Noise nodes per positive pair (the tutorial backend accepts a float ratio).
    sample : float, default 0
        gensim down-sampling of frequent nodes (0: off; gensim's 1e-3 made
        MovieLens neighbours noisier). Ignored by the tutorial backend.
    learning_rate : float, optional
        Initial step size; default: the backend's (gensim 0.025 decaying
        linearly to 0.0001, tutorial Adam 0.001).
    batch_size : int, default 1024
        Tutorial backend only.
    backend : {"gensim", "tutorial"}
        gensim Word2Vec, or the Keras example's trainer in numpy.
    workers : int, optional
        Threads for walks and training (default: the CPUs available).
    random_state : None, int or numpy.random.Generator
        Turned into one Generator per fit. With an int and ``workers=1`` two
        fits give identical vectors (gensim 4 does not depend on
        ``PYTHONHASHSEED``); walks are identical for any ``workers``.
    progress : bool, default True
        Progress bars on stderr.

    Attributes
    ----------
    wv_ : gensim.models.KeyedVectors
        One vector per node, keyed by node id, in node index order.
    loss_history_ : list of float
        Loss per epoch. gensim: the skip-gram negative-sampling loss summed
        over the epoch's training pairs (see :mod:`n2v_lite.word2vec`);
        tutorial: the Keras example's mean loss.
    node_ids_ : ndarray
        Node ids in the order of ``wv_``.
    node_data_ : dict of str to ndarray
        Node metadata (e.g. ``title``, ``genres``) aligned with ``node_ids_``.
    fit_info_ : dict
        Graph size, walk and training times (when the walks were streamed,
        ``walks_streamed`` is True and their time is part of ``train_seconds``),
        corpus mode, loss units, versions.

    Examples
    --------
    >>> from n2v_lite import Graph, Node2Vec
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])          # a 4-cycle
    >>> model = Node2Vec(dimensions=8, walk_length=10, num_walks=5, window=2,
    ...                  epochs=2, random_state=0, workers=1, progress=False).fit(g)
    >>> model.wv_.vectors.shape
    (4, 8)
    >>> len(model.most_similar(0, topn=3))                        # the other three nodes
    3
    """

    def __init__(self, dimensions=128, walk_length=80, num_walks=10, window=10, p=1.0, q=1.0,
                 epochs=1, negative=5, sample=0.0, learning_rate=None, batch_size=1024,
                 backend="gensim", workers=None, random_state=None, progress=True):
        self.dimensions = dimensions
        self.walk_length = walk_length
        self.num_walks = num_walks
        self.window = window
        self.p = p
        self.q = q
        self.epochs = epochs
        self.negative = negative
        self.sample = sample
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.backend = backend
        self.workers = workers
        self.random_state = random_state
        self.progress = progress

    # ------------------------------------------------- scikit-learn protocol
    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep=True):
        """The constructor parameters as a dict (scikit-learn protocol)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor parameters; returns ``self`` (scikit-learn protocol)."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for Node2Vec; "
                                 f"valid: {', '.join(sorted(valid))}")
            setattr(self, name, value)
        return self

    def _check_params(self):
        check_int("dimensions", self.dimensions)
        check_int("walk_length", self.walk_length)
        check_int("num_walks", self.num_walks)
        check_int("window", self.window)
        check_int("epochs", self.epochs)
        check_positive("p", self.p)
        check_positive("q", self.q)
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, "
                             f"got {self.backend!r}")
        if self.backend == "gensim":
            check_int("negative", self.negative)
            if self.walk_length > MAX_WALK_LENGTH:
                raise ValueError(f"walk_length must be <= {MAX_WALK_LENGTH} with the gensim "
                                 f"backend (gensim truncates longer sentences), "
                                 f"got {self.walk_length}")
        else:
            check_positive("negative", self.negative)
        check_fraction("sample", self.sample)
        if self.learning_rate is not None:
            check_positive("learning_rate", self.learning_rate)
        check_int("batch_size", self.batch_size)
        if self.workers is not None:
            check_int("workers", self.workers)

    # ------------------------------------------------------------------ fit
    def fit(self, graph, walks=None):
        """Learn one vector per node of ``graph``.

        Parameters
        ----------
        graph : n2v_lite.Graph or networkx.Graph
            The graph; its node ids key the vectors and its ``title`` metadata
            (if any) labels the results.
        walks : ndarray of int, shape (rows, walk_length), optional
            Precomputed walks of node *indices* (``-1`` padding allowed), e.g.
            to train both backends on the same walks. Default: generate them.

        Returns
        -------
        Node2Vec
            ``self``, fitted.
        """
        self._check_params()
        graph = _as_graph(graph)
        rng = as_generator(self.random_state)
        train_seed = int(rng.integers(2**63 - 1))  # drawn first: same with or without walks=
        n = graph.num_nodes
        start = time.perf_counter()
        if walks is None:
            walks = self._walks(graph, rng)
        else:
            walks = np.asarray(walks)
            if walks.ndim != 2 or walks.dtype.kind not in "iu":
                raise ValueError(f"walks must be a 2-d integer array of node indices, "
                                 f"got shape {walks.shape} and dtype {walks.dtype}")
        walk_seconds = time.perf_counter() - start
        info = {"backend": self.backend}
        if self.backend == "gensim":
            from .word2vec import train_word2vec

            result = train_word2vec(
                walks, n, dimensions=self.dimensions, window=self.window,
                negative=self.negative, epochs=self.epochs, sample=self.sample,
                learning_rate=self.learning_rate, workers=self.workers, seed=train_seed,
                progress=self.progress)
            info.update(corpus=result.corpus, trained_words=result.trained_words,
                        loss_exact=result.loss_exact,
                        loss_units="sum over the epoch's pairs of -log-likelihood (nats)")
        else:
            from .tutorial import train_embeddings

            kwargs = {} if self.learning_rate is None else {"learning_rate": self.learning_rate}
            result = train_embeddings(
                walks, n, dimensions=self.dimensions, window=self.window,
                negative=float(self.negative), epochs=self.epochs, batch_size=self.batch_size,
                seed=train_seed, progress=self.progress, **kwargs)
            info.update(num_examples=result.num_examples,
                        loss_units="mean binary cross-entropy per example (Keras)")
        total_seconds = time.perf_counter() - start
        streamed = not isinstance(walks, np.ndarray)  # walks were made while training
        info.update(
            num_nodes=n, num_edges=int(graph.num_edges), directed=bool(graph.directed),
            weighted=bool(graph.weighted),
            walk_rows=int(n * self.num_walks) if streamed else int(walks.shape[0]),
            walks_streamed=streamed,
            walk_seconds=round(walk_seconds, 4),
            train_seconds=round(total_seconds - walk_seconds, 4),
            n2v_lite_version=__version__, gensim_version=_gensim_version())
        self._set_fitted(graph.node_ids, np.asarray(result.vectors, dtype=np.float32),
                         _node_columns(graph), [float(x) for x in result.loss_history], info)
        return self

    def _walks(self, graph, rng):
        from . import walks as walk_module

        args = (graph, self.num_walks, self.walk_length, self.p, self.q)
        kwargs = {"seed": rng, "workers": self.workers, "progress": self.progress}
        nbytes = graph.num_nodes * self.num_walks * self.walk_length * 4
        if self.backend == "gensim" and nbytes > _STREAM_WALK_BYTES:
            return walk_module.iter_random_walks(*args, **kwargs)  # spooled by the trainer
        return walk_module.random_walks(*args, **kwargs)

    def _set_fitted(self, node_ids, vectors, node_data, loss_history, info):
        from gensim.models import KeyedVectors

        node_ids = np.asarray(node_ids)
        if len(node_ids) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors for {len(node_ids)} nodes")
        wv = KeyedVectors(vector_size=vectors.shape[1], count=0, dtype=np.float32)
        wv.add_vectors(node_ids.tolist(), vectors)
        self.wv_ = wv
        self.node_ids_ = node_ids
        self.node_data_ = node_data
        self.loss_history_ = loss_history
        self.fit_info_ = info
        self._lookup = None

    # ----------------------------------------------------------- inspection
    def _check_fitted(self):
        if not hasattr(self, "wv_"):
            raise NotFittedError("this Node2Vec model is not fitted yet: call fit(graph) first")

    def __repr__(self):
        defaults = {name: p.default for name, p in
                    inspect.signature(type(self).__init__).parameters.items() if name != "self"}
        shown = []
        for name, default in defaults.items():
            value = getattr(self, name, default)
            if not _same(value, default):
                shown.append(f"{name}={value!r}")
        text = f"Node2Vec({', '.join(shown)})"
        if hasattr(self, "wv_"):
            n, d = self.wv_.vectors.shape
            labels = ", titled" if "title" in self.node_data_ else ""
            text += f"  # fitted: {n} nodes x {d} dims{labels}"
            if self.loss_history_:
                epochs = len(self.loss_history_)
                text += (f", {epochs} epoch{'s' if epochs != 1 else ''}, "
                         f"final loss {self.loss_history_[-1]:.4g}")
        return text

    def node_metadata(self):
        """Node metadata columns (e.g. ``title``), aligned with the rows of ``wv_``."""
        self._check_fitted()
        return dict(self.node_data_)

    def describe(self):
        """A summary dict: nodes, dimensions, parameters, versions, source graph."""
        self._check_fitted()
        info = dict(self.fit_info_)
        params = self.get_params()
        if isinstance(params.get("random_state"), np.random.Generator):
            params["random_state"] = "Generator"
        out = {
            "nodes": int(self.wv_.vectors.shape[0]),
            "dimensions": int(self.wv_.vector_size),
            "backend": info.get("backend", self.backend),
            "node_metadata": ", ".join(self.node_data_) or "none",
            "epochs_trained": len(self.loss_history_),
            "final_loss": self.loss_history_[-1] if self.loss_history_ else None,
            "graph": {key: info[key] for key in ("num_nodes", "num_edges", "directed", "weighted")
                      if key in info},
            "params": params,
            "n2v_lite_version": info.get("n2v_lite_version"),
        }
        if "saved_path" in info:
            out["file"] = info["saved_path"]
        return out

    # --------------------------------------------------------------- lookup
    def resolve(self, query):
        """The node id a query refers to.

        Tried in this order: a node id; an exact title; a node id written as
        text (``"2571"``); a title ignoring case; a title ignoring case, its
        year and a leading or trailing article (``"the matrix"`` and
        ``"matrix"`` both mean ``"Matrix, The (1999)"``); a unique
        case-insensitive part of a title (``"godfather: part ii"``).

        Raises
        ------
        NodeNotFoundError
            Nothing matches; the message lists the closest titles.
        AmbiguousQueryError
            Several titles match; the message lists them.
        """
        return self._node_id(self._resolve_index(query))

    def _resolve_index(self, query):
        self._check_fitted()
        if isinstance(query, np.generic):
            query = query.item()
        key_to_index = self.wv_.key_to_index
        # membership first: gensim reads an unknown int key as a row position
        if not isinstance(query, bool):
            try:
                index = key_to_index.get(query)
            except TypeError:
                raise TypeError(f"query must be a node id, a title or a vector, "
                                f"got {type(query).__name__}") from None
            if index is not None:
                return index
        if not isinstance(query, str):
            if isinstance(query, int) and not isinstance(query, bool) and \
                    self.node_ids_.dtype.kind not in "iu" and str(query) in key_to_index:
                return key_to_index[str(query)]  # 42 for a graph whose ids are text
            raise NodeNotFoundError(f"node {query!r} is not in the model")
        lookup = self._title_lookup()
        if lookup is not None:
            found = lookup.exact.get(query)
            if found is not None:
                return self._one(query, found)
        text = query.strip()
        if self.node_ids_.dtype.kind in "iu" and re.fullmatch(r"[-+]?\d+", text):
            index = key_to_index.get(int(text))
            if index is not None:
                return index
        if lookup is None:
            raise NodeNotFoundError(f"node {query!r} is not in the model")
        needle = text.casefold()
        found = lookup.by_folded.get(needle) or lookup.names.get(_normalise_title(text))
        if found is not None:
            return self._one(query, found)
        found = [i for i, title in enumerate(lookup.folded) if needle and needle in title]
        if found:
            return self._one(query, found)
        raise NodeNotFoundError(f"no node id or title matches {query!r}"
                                f"{self._closest_hint(text, lookup)}")

    def _closest_hint(self, text, lookup):
        """'; closest: ...' naming up to three titles resembling ``text`` (or '')."""
        titles = self.node_data_["title"]
        picks = []
        for pool, probe, cutoff in ((lookup.names, _normalise_title(text), 0.6),
                                    (lookup.by_folded, text.casefold(), 0.5)):
            for match in difflib.get_close_matches(probe, list(pool), n=3, cutoff=cutoff):
                for index in pool[match]:
                    if index not in picks:
                        picks.append(index)
        if not picks:
            return ""
        return "; closest: " + ", ".join(repr(str(titles[i])) for i in picks[:3])

    def _one(self, query, indices):
        if len(indices) == 1:
            return indices[0]
        titles = self.node_data_["title"]
        shown = ", ".join(f"{titles[i]!r} [{self.node_ids_[i]}]" for i in indices[:10])
        more = f" and {len(indices) - 10} more" if len(indices) > 10 else ""
        raise AmbiguousQueryError(f"{query!r} matches {len(indices)} titles: {shown}{more}; "
                                  f"give the full title or the node id")

    def _title_lookup(self):
        titles = self.node_data_.get("title")
        if titles is None:
            return None
        if self._lookup is None:
            exact, names, by_folded = {}, {}, {}
            folded = []
            for i, title in enumerate(titles.tolist()):
                title = "" if title is None else str(title)
                exact.setdefault(title, []).append(i)
                names.setdefault(_normalise_title(title), []).append(i)
                by_folded.setdefault(title.casefold(), []).append(i)
                folded.append(title.casefold())
            self._lookup = _TitleLookup(exact, names, by_folded, folded)
        return self._lookup

    def _node_id(self, index):
        value = self.node_ids_[index]
        return value.item() if isinstance(value, np.generic) else value

    def _label(self, index):
        titles = self.node_data_.get("title")
        if titles is not None and titles[index]:
            return str(titles[index])
        return self._node_id(index)

    def _query_label(self, index):
        label = self._label(index)
        node = self._node_id(index)
        return repr(label) if label == node else f"{label!r} [{node}]"

    def vector(self, query):
        """The vector of a node id or title (see :meth:`resolve`)."""
        return self.wv_.vectors[self._resolve_index(query)].copy()

    def similarity(self, a, b):
        """Cosine similarity of two nodes (ids or titles)."""
        i, j = self._resolve_index(a), self._resolve_index(b)
        return float(self.wv_.similarity(self.wv_.index_to_key[i], self.wv_.index_to_key[j]))

    def most_similar(self, query, topn=10):
        """The ``topn`` nodes closest to ``query`` by cosine similarity.

        Parameters
        ----------
        query : node id, str or array of float
            A node id, a title (see :meth:`resolve`), or a vector of
            ``dimensions`` floats. A node is never its own neighbour.
        topn : int
            Number of neighbours.

        Returns
        -------
        SimilarityResult
            ``(label, similarity)`` pairs, labels being titles when the graph
            has them; ``.node_ids`` and ``.to_records()`` give the node ids.

        Examples
        --------
        >>> model.most_similar("matrix", topn=2)                   # doctest: +SKIP
        Nearest to 'Matrix, The (1999)' [2571] by cosine similarity:
          1  0.8943  Matrix Reloaded, The (2003)  [6365]
          2  0.8521  Fight Club (1999)  [2959]
        """
        self._check_fitted()
        topn = check_int("topn", topn)
        if isinstance(query, (np.ndarray, list, tuple)):
            vector = np.asarray(query, dtype=np.float32)
            if vector.shape != (self.wv_.vector_size,):
                raise ValueError(f"a query vector must have {self.wv_.vector_size} values, "
                                 f"got shape {vector.shape}")
            pairs = self.wv_.similar_by_vector(vector, topn=topn)
            query_label = "vector"
        else:
            index = self._resolve_index(query)
            pairs = self.wv_.most_similar(positive=[self.wv_.index_to_key[index]], topn=topn)
            query_label = self._query_label(index)
        key_to_index = self.wv_.key_to_index
        rows = [key_to_index[key] for key, _ in pairs]
        return SimilarityResult([(self._label(i), float(s)) for i, (_, s) in zip(rows, pairs)],
                                node_ids=[self._node_id(i) for i in rows],
                                query=query, query_label=query_label)

    # ------------------------------------------------------------ save/load
    def save(self, path):
        """Save the fitted model as one file (atomically).

        The file is a zip (readable by :func:`numpy.load` too) holding
        ``vectors.npy``, ``node_ids.npy``, one ``node_data/<name>.npy`` per
        metadata column and ``meta.json`` (format version, n2v_lite version,
        parameters, loss history, fit information). The graph itself is not
        saved. Load it with :func:`n2v_lite.load`.
        """
        self._check_fitted()
        params = self.get_params()
        if isinstance(params["random_state"], np.random.Generator):
            params["random_state"] = None  # a generator's state is not a parameter to replay
        meta = {
            "format": _FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "n2v_lite_version": __version__,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "params": _jsonable(params),
            "loss_history": self.loss_history_,
            "fit_info": _jsonable({k: v for k, v in self.fit_info_.items() if k != "saved_path"}),
            "node_id_kind": "int" if self.node_ids_.dtype.kind in "iu" else "str",
            "node_data": list(self.node_data_),
        }
        arrays = {"vectors": self.wv_.vectors, "node_ids": _storable(self.node_ids_)}
        for name, column in self.node_data_.items():
            arrays[f"node_data/{name}"] = _storable(column)
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
            for name, array in arrays.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.ascontiguousarray(array),
                                              allow_pickle=False)
            archive.writestr("meta.json", json.dumps(meta, indent=1))
        return Path(path)

    # --------------------------------------------------------------- export
    def export(self, path, format=None):
        """Write the vectors for other tools (atomically); returns the paths written.

        Parameters
        ----------
        path : path
            Output file; for ``"projector"`` a folder (created if needed)
            that receives ``embeddings.tsv`` and ``metadata.tsv``.
        format : str, optional
            ``"word2vec"`` (text), ``"word2vec-binary"``, ``"projector"``
            (TensorFlow Embedding Projector), ``"npz"`` or ``"csv"``. Default:
            from the suffix (``.txt``/``.vec``, ``.bin``, ``.npz``, ``.csv``;
            no suffix: projector).

        Returns
        -------
        list of pathlib.Path
        """
        self._check_fitted()
        path = Path(path)
        if format is None:
            format = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
            if format is None:
                raise ValueError(f"cannot tell the export format from {str(path)!r}; "
                                 f"pass format= one of {', '.join(EXPORT_FORMATS)}")
        if format not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {format!r}; "
                             f"choose from {', '.join(EXPORT_FORMATS)}")
        if format in ("word2vec", "word2vec-binary"):
            bad = [k for k in self.wv_.index_to_key if isinstance(k, str) and
                   (not k or any(c.isspace() for c in k))]
            if bad:
                raise ValueError(f"node id {bad[0]!r} contains whitespace: not valid in the "
                                 f"word2vec format")
            with atomic_path(path) as tmp:
                self.wv_.save_word2vec_format(str(tmp), binary=(format == "word2vec-binary"))
            return [path]
        if format == "npz":
            arrays = {"vectors": self.wv_.vectors, "node_ids": _storable(self.node_ids_)}
            arrays.update({name: _storable(col) for name, col in self.node_data_.items()
                           if name not in arrays})
            with atomic_write(path, "wb") as handle:
                np.savez(handle, **arrays)
            return [path]
        if format == "csv":
            frame = self._metadata_frame()
            dims = _vector_frame(self.wv_.vectors, [f"dim_{i}" for i in range(self.wv_.vector_size)])
            import pandas as pd

            frame = pd.concat([frame, dims], axis=1)
            with atomic_write(path) as handle:
                frame.to_csv(handle, index=False, float_format="%.9g", lineterminator="\n")
            return [path]
        return self._export_projector(path)

    def _metadata_frame(self):
        import pandas as pd

        columns = {"node": self.node_ids_}
        columns.update((name, col) for name, col in self.node_data_.items() if name != "node")
        return pd.DataFrame(columns)

    def _export_projector(self, folder):
        """embeddings.tsv (no header) and metadata.tsv, row i of one = row i of the other.

        metadata.tsv has a header line only when it has more than one column,
        as the Embedding Projector expects.
        """
        folder.mkdir(parents=False, exist_ok=True)
        meta = self._metadata_frame()
        for name in meta.columns:  # tabs/newlines would shift the rows
            if meta[name].dtype == object:
                meta[name] = meta[name].map(lambda v: re.sub(r"[\t\r\n]+", " ", str(v)))
        emb_path, meta_path = folder / "embeddings.tsv", folder / "metadata.tsv"
        with atomic_write(emb_path) as handle:
            _vector_frame(self.wv_.vectors).to_csv(handle, sep="\t", header=False, index=False,
                                                    float_format="%.6g", lineterminator="\n")
        with atomic_write(meta_path) as handle:
            meta.to_csv(handle, sep="\t", header=len(meta.columns) > 1, index=False,
                        quoting=csv.QUOTE_NONE, lineterminator="\n")
        return [emb_path, meta_path]


class _TitleLookup:
    """Title -> node indices maps: exact, normalised name, case-folded; folded list."""

    __slots__ = ("exact", "names", "by_folded", "folded")

    def __init__(self, exact, names, by_folded, folded):
        self.exact, self.names, self.by_folded, self.folded = exact, names, by_folded, folded


_FORMAT_BY_SUFFIX = {".txt": "word2vec", ".vec": "word2vec", ".w2v": "word2vec",
                     ".bin": "word2vec-binary", ".npz": "npz", ".csv": "csv", "": "projector"}


# ------------------------------------------------------------------- loading
def load(path):
    """Load a model saved with :meth:`Node2Vec.save`.

    Returns
    -------
    Node2Vec
        Fitted (vectors, node metadata, parameters and loss history restored).

    Raises
    ------
    ModelFileError
        The file is missing, truncated, corrupt, not an n2v_lite model, or
        from a newer, incompatible format.

    Examples
    --------
    >>> model = load("movies.n2v")                                  # doctest: +SKIP
    >>> model.most_similar("Toy Story (1995)", topn=1)              # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "meta.json" not in names:
                raise ModelFileError(f"{path}: not an n2v_lite model (no meta.json inside)")
            meta = json.loads(archive.read("meta.json").decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT_NAME:
                raise ModelFileError(f"{path}: not an n2v_lite model")
            version = meta.get("format_version")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise ModelFileError(f"{path}: model format {version!r} is newer than this "
                                     f"n2v_lite ({__version__}) reads; upgrade n2v_lite")
            vectors = _read_array(archive, "vectors.npy")
            node_ids = _read_array(archive, "node_ids.npy")
            node_data = {name: _read_array(archive, f"node_data/{name}.npy")
                         for name in meta.get("node_data", [])}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, ValueError,
            UnicodeDecodeError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{path}: corrupt or truncated model file ({reason})") from None
    if vectors.ndim != 2 or len(node_ids) != len(vectors) or any(
            len(col) != len(vectors) for col in node_data.values()):
        raise ModelFileError(f"{path}: corrupt model file (array sizes disagree)")
    if node_ids.dtype.kind == "U":
        node_ids = node_ids.astype(object)
    node_data = {name: (col.astype(object) if col.dtype.kind == "U" else col)
                 for name, col in node_data.items()}
    model = Node2Vec()
    params = meta.get("params", {})
    model.set_params(**{k: v for k, v in params.items() if k in Node2Vec._param_names()})
    info = dict(meta.get("fit_info", {}))
    info["saved_path"] = str(path)
    info.setdefault("n2v_lite_version", meta.get("n2v_lite_version"))
    model._set_fitted(node_ids, vectors.astype(np.float32, copy=False), node_data,
                      list(meta.get("loss_history", [])), info)
    return model


def _read_array(archive, name):
    with archive.open(name) as member:
        data = member.read()  # a CRC mismatch raises BadZipFile here
    return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)


# ----------------------------------------------------------------- movielens
def fit_movielens(path=None, *, download=False, min_rating=5.0, min_weight=10.0,
                  random_state=None, progress=True, **params):
    """Embed the MovieLens movie graph with :data:`MOVIELENS_DEFAULTS`.

    Parameters
    ----------
    path : path, optional
        The ml-latest-small folder or zip (default: the download cache).
    download : bool
        Fetch the data when it is not in the cache.
    min_rating, min_weight : float
        Graph construction, as in :func:`n2v_lite.movielens.movie_graph`.
    random_state, progress
        As in :class:`Node2Vec`.
    **params
        Overrides of :data:`MOVIELENS_DEFAULTS` (any :class:`Node2Vec` parameter).

    Returns
    -------
    Node2Vec
        Fitted; neighbours are labelled with movie titles.

    Examples
    --------
    >>> model = fit_movielens("ml-latest-small", random_state=1)          # doctest: +SKIP
    >>> for query in MOVIELENS_QUERIES:                                   # doctest: +SKIP
    ...     print(model.most_similar(query, topn=5))
    """
    from .movielens import movie_graph

    graph = movie_graph(path, min_rating=min_rating, min_weight=min_weight,
                        download=download, progress=progress)
    settings = dict(MOVIELENS_DEFAULTS)
    if params.get("backend", "gensim") != "gensim":
        settings["learning_rate"] = None  # 0.1 was measured for gensim's SGD, not for Adam
    settings.update({k: v for k, v in params.items() if v is not None})
    return Node2Vec(**settings, random_state=random_state, progress=progress).fit(graph)


# ------------------------------------------------------------------- helpers
def _as_graph(graph):
    from .graph import Graph

    if isinstance(graph, Graph):
        return graph
    if type(graph).__module__.split(".")[0] == "networkx":
        return Graph.from_networkx(graph)
    raise TypeError(f"fit() needs an n2v_lite.Graph (or a networkx graph), "
                    f"got {type(graph).__name__}")


def _node_columns(graph):
    """The graph's node metadata columns as arrays by node index."""
    return {name: np.asarray(graph.node_attribute(name)) for name in graph.node_attribute_names}


def _normalise_title(title):
    """'Matrix, The (1999)' -> 'matrix'; 'The Matrix' -> 'matrix' (for matching only)."""
    text = _YEAR.sub("", title).strip().casefold()
    for article in _ARTICLES:
        if text.endswith(", " + article):
            text = text[: -len(article) - 2]
            break
        if text.startswith(article + " "):
            text = text[len(article) + 1:]
            break
    return text.strip()


def _same(value, default):
    if value is default:
        return True
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:  # noqa: BLE001 - arrays, generators: not equal to a default
        return False


def _storable(column):
    """An array numpy can save without pickle (object strings -> unicode)."""
    column = np.asarray(column)
    if column.dtype.kind != "O":
        return column
    values = column.tolist()
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        return np.array(["" if v is None else str(v) for v in values], dtype=str)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _vector_frame(vectors, columns=None):
    import pandas as pd

    return pd.DataFrame(vectors, columns=columns)


def _gensim_version():
    with contextlib.suppress(Exception):
        import gensim

        return gensim.__version__
    return None
