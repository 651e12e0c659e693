"""The :class:`Node2Vec` estimator: graph -> walks -> trainer -> :class:`NodeEmbedding`.

``Node2Vec(...).fit(graph)`` runs the walks (:mod:`n2v_lite.walks`) and a
trainer from :mod:`n2v_lite.trainers`, and keeps the result in ``embedding_``,
a :class:`~n2v_lite.embedding.NodeEmbedding` -- the object people query, save,
export and explore. The estimator follows scikit-learn's conventions
(``BaseEstimator``: parameters stored unchanged, checked by ``fit``, ``fit``
returns ``self``, ``sklearn.base.clone`` works).

Examples
--------
>>> from sklearn.base import clone
>>> clone(Node2Vec(p=0.5))
Node2Vec(p=0.5)
"""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator

from . import __version__
from ._utils import as_generator, default_workers
from .embedding import NodeEmbedding
from .exceptions import NotFittedError, ParameterError
from .graph import as_graph, node_metadata
from .trainers import get_trainer
from .validation import check_fraction, check_int, check_positive, check_seed

if TYPE_CHECKING:
    import os
    from pathlib import Path

    import networkx
    from gensim.models import KeyedVectors

    from .corpus import WalkFolder
    from .embedding import SimilarityResult
    from .graph import Graph

__all__ = ["Node2Vec", "training_workers", "node_metadata"]

#: Walks bigger than this are streamed in chunks to the trainer, never held whole.
_STREAM_WALK_BYTES = 256 << 20


def training_workers(random_state: Any, workers: int | None) -> int:
    """Threads to train on: ``workers``, or with a seed and no ``workers`` one thread.

    gensim's threads race, so only one training thread gives vectors that are
    identical from run to run; a seed asks for that. Walks are identical for
    any number of threads and always use ``workers`` (default: all cores).

    Examples
    --------
    >>> training_workers(0, None), training_workers(0, 2), training_workers(None, 3)
    (1, 2, 3)
    """
    if workers is not None:
        return workers
    return 1 if random_state is not None else default_workers()


class Node2Vec(BaseEstimator):
    """node2vec embeddings: biased random walks + skip-gram.

    Parameters follow scikit-learn conventions: they are stored unchanged and
    checked by :meth:`fit`; fitted state ends with ``_``. Defaults are the
    node2vec paper's; see :data:`n2v_lite.movielens.MOVIELENS_DEFAULTS` for
    the movie graph.

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
        gensim down-sampling of frequent nodes (0: off). Ignored by the
        tutorial backend.
    learning_rate : float, optional
        Initial step size; default: the backend's (gensim 0.025 decaying
        linearly to 0.0001, tutorial Adam 0.001).
    batch_size : int, default 1024
        Tutorial backend only.
    backend : str, default "gensim"
        A trainer of :data:`n2v_lite.trainers.TRAINERS`: ``"gensim"``, or
        ``"tutorial"`` (the Keras example's trainer in numpy).
    workers : int, optional
        Threads for walks and training. Default: all cores for the walks;
        for training too, except that with ``random_state`` set training
        uses one thread so that the vectors are reproducible.
    random_state : None, int or numpy.random.Generator
        Turned into one Generator per fit. The same int gives the same walks
        and (on one training thread) the same vectors.
    max_memory : int or str, optional
        Refuse to start (``MemoryPlanError``, with a suggestion) when the
        memory plan of :mod:`n2v_lite.memory` (graph, walk tables, walks,
        gensim's two ``nodes x dimensions`` matrices, vocabulary) exceeds
        this (bytes, or ``"4G"``, ``"512M"``). Default: the memory available.
    progress : bool, default True
        Progress bars on stderr.

    Attributes
    ----------
    embedding_ : NodeEmbedding
        The result: vectors keyed by node id, node metadata, parameters,
        loss history.

    Examples
    --------
    >>> from n2v_lite import Graph
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])          # a 4-cycle
    >>> model = Node2Vec(dimensions=8, walk_length=10, num_walks=5, window=2,
    ...                  epochs=2, random_state=0, progress=False).fit(g)
    >>> model.embedding_
    <NodeEmbedding 4 nodes x 8 dimensions, 2 epochs>
    >>> len(model.most_similar(0, topn=3))                        # the other three nodes
    3
    """

    def __init__(
        self,
        dimensions: int = 128,
        walk_length: int = 80,
        num_walks: int = 10,
        window: int = 10,
        p: float = 1.0,
        q: float = 1.0,
        epochs: int = 1,
        negative: float = 5,
        sample: float = 0.0,
        learning_rate: float | None = None,
        batch_size: int = 1024,
        backend: str = "gensim",
        workers: int | None = None,
        random_state: int | np.random.Generator | None = None,
        max_memory: int | str | None = None,
        progress: bool = True,
    ) -> None:
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
        self.max_memory = max_memory
        self.progress = progress

    def _check_params(self):
        for name in ("dimensions", "walk_length", "num_walks", "window", "epochs"):
            check_int(name, getattr(self, name))
        check_positive("p", self.p)
        check_positive("q", self.q)
        check_fraction("sample", self.sample)
        if self.learning_rate is not None:
            check_positive("learning_rate", self.learning_rate)
        if self.workers is not None:
            check_int("workers", self.workers)
        check_seed("random_state", self.random_state)
        trainer = get_trainer(self.backend)
        trainer.check(self.get_params())
        return trainer

    # ------------------------------------------------------------------ fit
    def fit(self, graph: Graph | networkx.Graph, walks: np.ndarray | None = None) -> Node2Vec:
        """Learn one vector per node of ``graph``.

        Parameters
        ----------
        graph : n2v_lite.Graph or networkx.Graph
            The graph; its node ids key the vectors and its metadata (with
            each node's ``degree`` added) travels with them.
        walks : ndarray of int, shape (rows, walk_length), optional
            Precomputed walks of node *indices* (``-1`` padding allowed), e.g.
            to train both backends on the same walks. Default: generate them.

        Returns
        -------
        Node2Vec
            ``self``, fitted: the result is ``self.embedding_``.
        """
        trainer = self._check_params()
        graph = as_graph(graph)
        plan = self._check_memory(
            graph.num_nodes,
            graph.num_stored_edges,
            graph.weighted,
            "auto" if walks is None else "memory",
        )
        rng = as_generator(self.random_state)
        train_seed = int(rng.integers(2**63 - 1))  # drawn first: same with or without walks=
        start = time.perf_counter()
        if walks is None:
            walks = self._walks(graph, rng, trainer.streams)
        else:
            walks = np.asarray(walks)
            if walks.ndim != 2 or walks.dtype.kind not in "iu":
                raise ParameterError(
                    f"walks must be a 2-d integer array of node indices, "
                    f"got shape {walks.shape} and dtype {walks.dtype}"
                )
        streamed = not isinstance(walks, np.ndarray)  # walks are made while training
        source = {
            "num_edges": int(graph.num_edges),
            "directed": bool(graph.directed),
            "weighted": bool(graph.weighted),
            "walk_rows": int(graph.num_nodes * self.num_walks) if streamed else int(walks.shape[0]),
            "walks_streamed": streamed,
            "memory_plan": plan,
        }
        return self._train(
            trainer,
            walks,
            train_seed,
            graph.node_ids,
            node_metadata(graph),
            source,
            start,
            self._stored_params(),
            graph,
        )

    def fit_walks(self, walks: str | os.PathLike[str] | WalkFolder) -> Node2Vec:
        """Learn the vectors from a walk folder written earlier.

        The walks of ``n2v-lite walks EDGES --out DIR`` (or
        :func:`n2v_lite.corpus.write_walk_folder`, or Spark) are trained as
        they are, so an interrupted training restarts from them, not from the
        graph. The walk parameters stored with the result are the folder's;
        this estimator's ``num_walks``, ``walk_length``, ``p`` and ``q`` are
        not used.

        Parameters
        ----------
        walks : path or n2v_lite.corpus.WalkFolder

        Returns
        -------
        Node2Vec
            ``self``, fitted.

        Examples
        --------
        >>> import tempfile
        >>> from n2v_lite import Graph
        >>> from n2v_lite.corpus import write_walk_folder
        >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], node_ids=["a", "b", "c", "d"])
        >>> folder = write_walk_folder(g, tempfile.mkdtemp(), 5, 10, seed=0, progress=False)
        >>> Node2Vec(dimensions=4, window=2, random_state=0,
        ...          progress=False).fit_walks(folder).embedding_.node_ids
        ['a', 'b', 'c', 'd']
        """
        from .corpus import WalkFolder

        trainer = self._check_params()
        folder = walks if isinstance(walks, WalkFolder) else WalkFolder(walks)
        plan = self._check_memory(folder.num_nodes, 0, folder.graph_info["weighted"], "folder")
        train_seed = int(as_generator(self.random_state).integers(2**63 - 1))
        params = self._stored_params()
        params.update({k: folder.params[k] for k in ("num_walks", "walk_length", "p", "q")})
        source = dict(
            folder.graph_info,
            walk_rows=int(folder.rows),
            walks_streamed=False,
            walk_folder=str(folder.folder),
            walk_seed=folder.params.get("seed"),
            memory_plan=plan,
        )
        return self._train(
            trainer,
            folder,
            train_seed,
            folder.node_ids,
            folder.node_data,
            source,
            time.perf_counter(),
            params,
        )

    def _check_memory(self, num_nodes, num_stored_edges, weighted, corpus):
        from .memory import check_memory, estimate_memory

        plan = estimate_memory(
            max(num_nodes, 1),
            num_stored_edges,
            dimensions=self.dimensions,
            num_walks=self.num_walks,
            walk_length=self.walk_length,
            weighted=weighted,
            p=self.p,
            q=self.q,
            corpus=corpus,
            workers=self.workers or default_workers(),
            from_file=False,
        )
        check_memory(plan, self.max_memory)
        return {"peak": int(plan["peak"]), "phase": plan["phase"]}

    def _train(
        self, trainer, walks, train_seed, node_ids, node_data, source, start, params, graph=None
    ):
        """Train on ``walks`` (array, chunk stream or walk folder) and keep the embedding.

        The trainer's state (gensim's output weights and node counts) and,
        given the ``graph``, its adjacency fingerprints travel with the
        embedding, so that it can be updated later (:mod:`n2v_lite.update`).
        """
        walk_seconds = time.perf_counter() - start
        n = len(node_ids)
        workers = training_workers(self.random_state, self.workers)
        result = trainer.train(walks, n, self.get_params(), train_seed, workers, self.progress)
        total_seconds = time.perf_counter() - start
        info = {
            "backend": self.backend,
            **result.info,
            "num_nodes": n,
            **source,
            "training_workers": workers,
            "walk_seconds": round(walk_seconds, 4),
            "train_seconds": round(total_seconds - walk_seconds, 4),
            "n2v_lite_version": __version__,
            "gensim_version": _gensim_version(),
        }
        fingerprints = None
        if graph is not None:
            from .update import adjacency_fingerprints

            fingerprints = adjacency_fingerprints(graph)
        self.embedding_ = NodeEmbedding(
            result.vectors,
            node_ids,
            node_data=node_data,
            params=params,
            loss_history=result.loss_history,
            info=info,
            state=result.state or None,
            fingerprints=fingerprints,
            copy=False,
        )
        return self

    def _walks(self, graph, rng, streams):
        from . import walks as walk_module

        args = (graph, self.num_walks, self.walk_length, self.p, self.q)
        kwargs = {"seed": rng, "workers": self.workers, "progress": self.progress}
        nbytes = graph.num_nodes * self.num_walks * self.walk_length * 4
        if streams and nbytes > _STREAM_WALK_BYTES:
            return walk_module.iter_random_walks(*args, **kwargs)  # spooled by the trainer
        return walk_module.random_walks(*args, **kwargs)

    def _stored_params(self):
        params = self.get_params()
        if isinstance(params["random_state"], np.random.Generator):
            params["random_state"] = None  # a generator's state is not a parameter to replay
        return params

    # ------------------------------------------ conveniences (delegations)
    def _fitted(self):
        embedding = getattr(self, "embedding_", None)
        if embedding is None:
            raise NotFittedError("this Node2Vec model is not fitted yet: call fit(graph) first")
        return embedding

    # ------------------------------------- deprecated 0.1 attributes (remove in 0.3)
    def _deprecated(self, old, new):
        warnings.warn(
            f"Node2Vec.{old} is deprecated since 0.2 and will be removed in 0.3; "
            f"use Node2Vec.{new}",
            FutureWarning,
            stacklevel=3,
        )
        return self._fitted()

    @property
    def wv_(self) -> KeyedVectors:
        """Deprecated: use ``embedding_.wv``."""
        return self._deprecated("wv_", "embedding_.wv").wv

    @property
    def loss_history_(self) -> list[float]:
        """Deprecated: use ``embedding_.loss_history``."""
        return self._deprecated("loss_history_", "embedding_.loss_history").loss_history

    @property
    def fit_info_(self) -> dict[str, Any]:
        """Deprecated: use ``embedding_.info``."""
        return self._deprecated("fit_info_", "embedding_.info").info

    def most_similar(self, *args: Any, **kwargs: Any) -> SimilarityResult:
        """``self.embedding_.most_similar(...)`` (see :meth:`NodeEmbedding.most_similar`)."""
        return self._fitted().most_similar(*args, **kwargs)

    def save(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        """``self.embedding_.save(path)``; load it back with :func:`n2v_lite.load`."""
        return self._fitted().save(path)

    def export(self, path: str | os.PathLike[str], format: str | None = None) -> list[Path]:
        """``self.embedding_.export(path, format)`` (see :meth:`NodeEmbedding.export`)."""
        return self._fitted().export(path, format)


# ------------------------------------------------------------------- helpers
def _gensim_version():
    try:
        import gensim
    except ImportError:  # pragma: no cover - gensim is a dependency
        return None
    return gensim.__version__
