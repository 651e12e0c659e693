"""The embedding users hold: :class:`NodeEmbedding`, its lookups, files and exports.

A :class:`NodeEmbedding` is what ``Node2Vec(...).fit(graph).embedding_`` holds
and what :func:`load` returns: one vector per node keyed by the user's own node
ids, the node metadata (titles, genres, degree, ...), the parameters and
versions that made it and the loss history. Everything people do with an
embedding takes one:

* lookups by node id or title (:meth:`~NodeEmbedding.most_similar`, with
  ``positive=``/``negative=`` "more like these" queries and ``among=``
  candidate filters; :meth:`~NodeEmbedding.most_similar_many` for a batch, one
  matrix product, as a DataFrame; :meth:`~NodeEmbedding.all_neighbours`, every
  node's top k);
* :meth:`~NodeEmbedding.build_index` -- an approximate index (the ``ann``
  extra) for graphs of millions of nodes, saved inside the model file;
* :meth:`~NodeEmbedding.save` / :func:`load` -- one atomic file;
* :meth:`~NodeEmbedding.export` -- word2vec text/binary, Embedding-Projector
  TSVs, ``.npz``, ``.csv``;
* ``.wv`` -- the vectors as a gensim :class:`~gensim.models.KeyedVectors` for
  people who want gensim's API (an unknown id raises ``KeyError`` there too,
  never falls back to a row position).

Examples
--------
>>> import numpy as np
>>> emb = NodeEmbedding(np.eye(3, dtype=np.float32) + 0.1, ["a", "b", "c"])
>>> emb
<NodeEmbedding 3 nodes x 3 dimensions>
>>> emb.most_similar("a", topn=1).node_ids
['b']
"""

from __future__ import annotations

import io
import json
import math
import re
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from ._utils import atomic_path, atomic_write, check_writable, special_kind
from .exceptions import AmbiguousQueryError, ModelFileError, NodeNotFoundError, ParameterError
from .ids import decode_node_ids, decode_values, encode_node_ids, encode_values, id_text, plain_id
from .titles import CLOSEST_SPELLINGS, TitleIndex
from .validation import check_choice, check_int, query_list

if TYPE_CHECKING:
    import os
    from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence

    import networkx
    import pandas
    from gensim.models import KeyedVectors

    from .filters import Where
    from .graph import Graph
    from .update import InferResult

__all__ = [
    "NodeEmbedding",
    "SimilarityResult",
    "load",
    "EXPORT_FORMATS",
    "FORMAT_VERSION",
    "APPROXIMATE_FROM",
    "NEIGHBOUR_FILE_FORMATS",
]

#: Columns of neighbour lists (:meth:`NodeEmbedding.most_similar_many`).
NEIGHBOUR_COLUMNS = ["query", "rank", "node", "label", "similarity"]
#: Columns of every node's neighbours (:meth:`NodeEmbedding.all_neighbours`).
ALL_NEIGHBOUR_COLUMNS = ["node", "rank", "neighbour", "similarity"]
#: Formats of :meth:`NodeEmbedding.save_neighbours`.
NEIGHBOUR_FILE_FORMATS = ("csv", "tsv", "parquet")

#: Formats of :meth:`NodeEmbedding.export`.
EXPORT_FORMATS = ("word2vec", "word2vec-binary", "projector", "npz", "csv")
#: The newest saved-model layout this reads (2: node ids and metadata of any allowed
#: type; 3: text ids may be stored as UTF-8, see :func:`n2v_lite.ids.encode_node_ids`).
#: A file says the oldest layout that reads it: 3 only when its ids need it.
FORMAT_VERSION = 3
_FORMAT_NAME = "n2v_lite-model"
_FORMAT_BY_SUFFIX = {
    ".txt": "word2vec",
    ".vec": "word2vec",
    ".w2v": "word2vec",
    ".bin": "word2vec-binary",
    ".npz": "npz",
    ".csv": "csv",
    "": "projector",
}
#: Queries scored per matrix product in batch lookups (bounds the score matrix).
_BATCH_ROWS = 256
#: Score-matrix cells per block of :meth:`NodeEmbedding.all_neighbours` (exact): 128 MiB.
_BLOCK_CELLS = 1 << 25
#: With ``exact=None``, an index (when there is one) answers queries on embeddings of at
#: least this many nodes; below, an exact query takes a few milliseconds.
APPROXIMATE_FROM = 50_000
#: Fewer queries than this are scored on one BLAS thread: a matrix-vector product is
#: memory-bound, and waking BLAS threads cost 6.8 ms against 0.5 ms per query at 10k
#: nodes on a busy 2-core machine (scripts/bench_query.py).
_THREADED_ROWS = 32
_CONTROLLER: list = []


def _blas_threads(limit):
    """A context limiting BLAS threads to ``limit`` (None: no limit)."""
    import contextlib

    if limit is None:
        return contextlib.nullcontext()
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=limit, user_api="blas")


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
        What was asked (id, title, vector, or the positive/negative lists).
    query_label : str
        How the query is shown (its title and id, or "vector").
    """

    def __init__(
        self,
        pairs: Iterable[tuple[Hashable, float]],
        node_ids: Sequence[Hashable],
        query: Any = None,
        query_label: Any = None,
    ) -> None:
        super().__init__(pairs)
        self.node_ids = list(node_ids)
        self.query = query
        self.query_label = query_label if query_label is not None else repr(query)

    @property
    def labels(self) -> list:
        """Labels of the neighbours, best first."""
        return [label for label, _ in self]

    @property
    def similarities(self) -> list[float]:
        """Cosine similarities, best first."""
        return [similarity for _, similarity in self]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per neighbour: ``rank``, ``node``, ``label``, ``similarity``."""
        return [
            {"rank": rank, "node": node, "label": label, "similarity": similarity}
            for rank, (node, (label, similarity)) in enumerate(zip(self.node_ids, self), 1)
        ]

    def to_frame(self) -> pandas.DataFrame:
        """The neighbours as a :class:`pandas.DataFrame` (``query, rank, node, label,
        similarity``: the layout of :meth:`NodeEmbedding.most_similar_many`)."""
        import pandas as pd

        records, headings = self._rows()
        frame = pd.DataFrame.from_records(records, columns=NEIGHBOUR_COLUMNS)
        frame.attrs["headings"] = headings
        return frame

    def _rows(self, query=None):
        """(rows, headings): :meth:`to_frame`'s rows as tuples and how the query is named,
        without pandas (the CLI's path); ``query`` overrides the query column."""
        if query is None:
            query = (
                self.query if isinstance(self.query, (str, int, float, tuple)) else self.query_label
            )
        rows = [
            (query, rank, node, label, similarity)
            for rank, (node, (label, similarity)) in enumerate(zip(self.node_ids, self), 1)
        ]
        return rows, {query: self.query_label}

    def to_table(self, title: str | None = None) -> str:
        """A plain-text table (rank, similarity, label and node id)."""
        lines = [
            title if title is not None else f"Nearest to {self.query_label} by cosine similarity:"
        ]
        for rank, (node, (label, similarity)) in enumerate(zip(self.node_ids, self), 1):
            ident = "" if label == node else f"  [{node}]"
            lines.append(f"{rank:>3}  {similarity:.4f}  {label}{ident}")
        return "\n".join(lines)

    def __repr__(self):
        return self.to_table()

    def __reduce__(self):  # keep the extra attributes through pickle/copy
        return (SimilarityResult, (list(self), self.node_ids, self.query, self.query_label))


# ------------------------------------------------------------------ the result
class NodeEmbedding:
    """One vector per node, keyed by node id, with the node metadata and provenance.

    Parameters
    ----------
    vectors : array of float, shape (num_nodes, dimensions)
        Row ``i`` is the vector of ``node_ids[i]`` (stored as float32).
    node_ids : sequence
        The nodes' ids (int, str, float, bool or tuples of those; distinct).
    node_data : dict of str to array, optional
        Node metadata columns aligned with the rows (``title``, ``genres``,
        ``degree``...). A ``title`` column makes titles queryable.
    params : dict, optional
        The parameters that made the embedding (kept in saved files).
    loss_history : list of float, optional
        Training loss per epoch.
    info : dict, optional
        Graph size, timings, versions.
    state : dict of str to array, optional
        The trainer's state, kept so that training can go on
        (:meth:`update`, :meth:`infer`): ``output_vectors`` (gensim's output
        weights, same shape as ``vectors``) and ``counts`` (node occurrences
        in the walks). Saved in the model file when present: ``n x d x 4``
        bytes more (the file about doubles) plus 8 bytes a node.
    fingerprints : array of uint64, shape (num_nodes,), optional
        One hash per node of its out-adjacency when the embedding was made
        (:func:`n2v_lite.update.adjacency_fingerprints`): :meth:`update`
        finds what changed in a graph by them. 8 bytes a node in the file.
    copy : bool, default True
        Copy ``vectors``, ``state`` and ``fingerprints``. ``False`` adopts
        arrays that already have the stored dtype (float32, int64, uint64)
        without a copy -- for arrays nothing else will write to, such as a
        trainer's fresh result, where a copy would double the peak memory --
        and marks them read-only.

    Examples
    --------
    >>> from n2v_lite import Graph, Node2Vec
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])          # a 4-cycle
    >>> emb = Node2Vec(dimensions=8, walk_length=10, num_walks=5, window=2,
    ...                random_state=0, progress=False).fit(g).embedding_
    >>> emb.vectors.shape, emb.node_ids
    ((4, 8), [0, 1, 2, 3])
    >>> len(emb.most_similar(0, topn=3))                           # the other three nodes
    3
    >>> emb[2].shape                                               # by node id, never by row
    (8,)
    """

    def __init__(
        self,
        vectors: np.ndarray,
        node_ids: Iterable[Hashable],
        *,
        node_data: Mapping[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        loss_history: Sequence[float] | None = None,
        info: dict[str, Any] | None = None,
        state: Mapping[str, Any] | None = None,
        fingerprints: np.ndarray | None = None,
        copy: bool = True,
    ) -> None:
        vectors = _stored(vectors, np.float32, copy)
        if vectors.ndim != 2:
            raise ParameterError(
                f"vectors must be 2-d (nodes x dimensions), got shape {vectors.shape}"
            )
        ids = [plain_id(v) for v in node_ids]
        if len(ids) != len(vectors):
            raise ParameterError(f"{len(vectors)} vectors for {len(ids)} node ids")
        bad = _first_nonfinite_row(vectors)
        if bad is not None:
            raise ParameterError(
                f"the vector of node {ids[bad]!r} (row {bad}) holds NaN or infinite values"
            )
        self._index: dict = {}
        for i, node in enumerate(ids):
            if self._index.setdefault(node, i) != i:
                raise ParameterError(f"node id {node!r} appears twice")
        vectors.flags.writeable = False
        self._vectors = vectors
        self._ids = ids
        columns: dict[str, np.ndarray] = {}
        for name, values in (node_data or {}).items():
            column = values if isinstance(values, np.ndarray) else np.asarray(values)
            if len(column) != len(ids):
                raise ParameterError(
                    f"node metadata {name!r} has {len(column)} values for {len(ids)} nodes"
                )
            columns[str(name)] = column
        self._node_data = columns
        self._state = _check_state(state, vectors.shape, copy)
        kept = None
        if fingerprints is not None:
            kept = _stored(fingerprints, np.uint64, copy)
            if kept.shape != (len(ids),):
                raise ParameterError(
                    f"{kept.shape[0] if kept.ndim else 0} fingerprints for {len(ids)} node ids"
                )
            kept.flags.writeable = False
        self._fingerprints = kept
        self.params = dict(params or {})
        self.loss_history = [float(x) for x in (loss_history or [])]
        self.info = dict(info or {})
        self._unit = None
        self._titles = None
        self._text_ids = None
        self._folded_ids = None
        self._wv: KeyedVectors | None = None
        self._noise_cdf = None  # n2v_lite.update.infer's noise distribution
        self._ann: Any = None  # an AnnIndex, or (bytes, params) read from a file, not yet restored

    # ------------------------------------------------------------ attributes
    @property
    def vectors(self) -> np.ndarray:
        """The vectors (read-only float32 array, row ``i`` = ``node_ids[i]``)."""
        return self._vectors

    @property
    def node_ids(self) -> list:
        """The node ids, in row order (a new list)."""
        return list(self._ids)

    @property
    def node_data(self) -> dict[str, np.ndarray]:
        """Node metadata columns by name, aligned with the rows (a new dict)."""
        return dict(self._node_data)

    @property
    def state(self) -> dict[str, np.ndarray]:
        """The trainer's state (``output_vectors``, ``counts``; read-only arrays), a new
        dict; empty for a model without one (format 1, the tutorial backend)."""
        return dict(self._state)

    @property
    def fingerprints(self) -> np.ndarray | None:
        """Per-node adjacency fingerprints (read-only uint64 array), or None."""
        return self._fingerprints

    def update(self, graph: Graph | networkx.Graph, **options: Any) -> NodeEmbedding:
        """A new embedding for the graph as it is now (see :func:`n2v_lite.update.update`).

        Only the walks whose distribution changed are walked again and
        trained on; this embedding is left untouched.
        """
        from .update import update

        return update(self, graph, **options)

    def infer(
        self,
        neighbours: Hashable | Iterable[Hashable],
        weights: Sequence[float] | None = None,
        **options: Any,
    ) -> InferResult:
        """A vector for a node never seen, from its neighbours (see
        :func:`n2v_lite.update.infer`); the embedding is not changed."""
        from .update import infer

        return infer(self, neighbours, weights, **options)

    @property
    def dimensions(self) -> int:
        """Number of dimensions."""
        return int(self._vectors.shape[1])

    @property
    def wv(self) -> KeyedVectors:
        """The vectors as a gensim ``KeyedVectors`` keyed by node id (built once)."""
        if self._wv is None:
            from ._keyedvectors import NodeKeyedVectors

            wv = NodeKeyedVectors(vector_size=self.dimensions, count=0, dtype=np.float32)
            wv.add_vectors(self._ids, self._vectors)
            self._wv = wv
        return self._wv

    # ------------------------------------------------- container and pickle
    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self):
        """The node ids in row order (as :attr:`node_ids`; never row positions)."""
        return iter(list(self._ids))

    def keys(self) -> list:
        """The node ids in row order (a new list), as a mapping's keys."""
        return list(self._ids)

    def items(self) -> Iterator[tuple[Hashable, np.ndarray]]:
        """``(node id, vector)`` pairs in row order (each vector a copy)."""
        return ((node, self._vectors[row].copy()) for row, node in enumerate(self._ids))

    #: Derived data rebuilt on demand: not pickled (smaller, and never stale).
    _CACHES = ("_wv", "_unit", "_titles", "_text_ids", "_folded_ids", "_noise_cdf")

    def __getstate__(self):
        state = dict(self.__dict__)
        for name in self._CACHES:
            state[name] = None
        if state.get("_ann") is not None and not isinstance(state["_ann"], tuple):
            state["_ann"] = (state["_ann"].to_bytes(), state["_ann"].params)
        return state

    def __setstate__(self, state):
        state.setdefault("_ann", None)
        self.__dict__.update(state)
        for name in ("_vectors", "_fingerprints"):
            if getattr(self, name, None) is not None:
                getattr(self, name).flags.writeable = False
        for array in self._state.values():
            array.flags.writeable = False

    def __contains__(self, node_id: object) -> bool:
        try:
            return self._row_of_id(plain_id(node_id)) is not None
        except TypeError:
            return False

    def __getitem__(self, node_id: Hashable) -> np.ndarray:
        """The vector of a node id (a copy); ids only, never titles or row positions."""
        row = self._row_of_id(plain_id(node_id))
        if row is None:
            raise self._not_found(node_id)
        return self._vectors[row].copy()

    def __repr__(self):
        text = f"<NodeEmbedding {len(self)} nodes x {self.dimensions} dimensions"
        if "title" in self._node_data:
            text += ", titled"
        if self.loss_history:
            epochs = len(self.loss_history)
            text += f", {epochs} epoch{'s' if epochs != 1 else ''}"
        if self._ann is not None:
            text += ", indexed"
        return text + ">"

    def metadata(self) -> pandas.DataFrame:
        """The node metadata as a :class:`pandas.DataFrame` indexed by node id."""
        import pandas as pd

        index = pd.Index(_object_array(self._ids), name="node")
        return pd.DataFrame(dict(self._node_data), index=index)

    def describe(self) -> dict[str, Any]:
        """A summary dict: nodes, dimensions, where it came from, the parameters that
        applied to its trainer, versions, source graph."""
        from .trainers import TRAINERS

        info = self.info
        backend = info.get("backend", self.params.get("backend"))
        unused = set(TRAINERS[backend].unused) if backend in TRAINERS else set()
        unused |= {"progress", "max_memory"}  # how a run went, not what it computed
        out = {
            "nodes": len(self),
            "dimensions": self.dimensions,
            **({"source": info["source"]} if info.get("source") else {}),
            "backend": backend,
            "node_metadata": list(self._node_data),
            **(
                {"degrees": "degree = in_degree + out_degree (a directed graph)"}
                if {"in_degree", "out_degree"} <= set(self._node_data)
                else {}
            ),
            "epochs_trained": len(self.loss_history),
            "final_loss": self.loss_history[-1] if self.loss_history else None,
            "graph": {
                key: info[key]
                for key in ("num_nodes", "num_edges", "directed", "weighted")
                if key in info
            },
            "params": {k: v for k, v in self.params.items() if k not in unused},
            "n2v_lite_version": info.get("n2v_lite_version"),
        }
        if "saved_path" in info:
            out["file"] = info["saved_path"]
        return out

    # --------------------------------------------------------------- lookups
    def _row_of_id(self, node):
        """Row of a node id of the exact type given, or None (TypeError if unhashable)."""
        row = self._index.get(node)
        if row is None:
            return None
        stored = self._ids[row]
        # 1, 1.0 and True are one dict key: a query must have the id's own type
        return row if type(stored) is type(node) else None

    def _row_of_text(self, text):
        """Row of a non-text id written as text (``"2571"``, ``"(0, 1)"``), or None."""
        if self._text_ids is None:
            table = {}
            for i, node in enumerate(self._ids):
                if not isinstance(node, str):
                    table.setdefault(id_text(node), []).append(i)
            self._text_ids = table
        text = text.strip()
        if re.fullmatch(r"[-+]?\d+", text):
            row = self._row_of_id(int(text))
            if row is not None:
                return row
        rows = self._text_ids.get(text, ())
        return rows[0] if len(rows) == 1 else None

    def _title_index(self):
        if self._titles is None and "title" in self._node_data:
            self._titles = TitleIndex(self._node_data["title"].tolist())
        return self._titles

    def index(self, query: Hashable) -> int:
        """The row of the node a query refers to (see :meth:`resolve` for the rules)."""
        if isinstance(query, np.generic):
            query = query.item()
        try:
            row = self._row_of_id(query)
        except TypeError:
            raise ParameterError(
                f"a query must be a node id or a title, got {type(query).__name__} {query!r}"
            ) from None
        if row is not None:
            return row
        if not isinstance(query, str):
            if isinstance(query, int) and not isinstance(query, bool):
                row = self._row_of_id(str(query))  # 42 for a graph whose ids are text
                if row is not None:
                    return row
            raise NodeNotFoundError(f"node {query!r} is not in the embedding")
        titles = self._title_index()
        if titles is not None:
            found = titles.exact_match(query)
            if found:
                return self._one(query, found)
        row = self._row_of_text(query)
        if row is not None:
            return row
        if titles is None:
            raise self._not_found(query)
        found = titles.find(query)
        if found:
            return self._one(query, found)
        raise NodeNotFoundError(
            f"no node id or title matches {query!r}{_closest_hint(titles.closest(query.strip()))}"
        )

    #: The limit of :data:`n2v_lite.titles.CLOSEST_SPELLINGS` (here, to be set per object).
    _CLOSEST_SPELLINGS = CLOSEST_SPELLINGS

    def _not_found(self, node_id):
        closest = self._closest_ids(node_id) if isinstance(node_id, str) else []
        return NodeNotFoundError(
            f"node {node_id!r} is not in the embedding{_closest_hint(closest)}"
        )

    def _closest_ids(self, text, n=3):
        """Up to ``n`` node ids resembling ``text``: the same but for case, then (for
        embeddings of moderate size) similar spellings."""
        import difflib

        if getattr(self, "_folded_ids", None) is None:
            folded_ids = {}
            for node in self._ids:
                folded_ids.setdefault(str(node).casefold(), []).append(node)
            self._folded_ids = folded_ids
        picks = list(self._folded_ids.get(text.strip().casefold(), ()))
        if len(self._ids) <= self._CLOSEST_SPELLINGS:
            by_text = {str(node): node for node in self._ids}
            picks += [
                by_text[match]
                for match in difflib.get_close_matches(text.strip(), list(by_text), n=n, cutoff=0.6)
                if by_text[match] not in picks
            ]
        return picks[:n]

    def _one(self, query, rows):
        if len(rows) == 1:
            return rows[0]
        titles = self._node_data["title"]
        shown = ", ".join(f"{titles[i]!r} [{self._ids[i]}]" for i in rows[:10])
        more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        raise AmbiguousQueryError(
            f"{query!r} matches {len(rows)} titles: {shown}{more}; "
            f"give the full title or the node id"
        )

    def resolve(self, query: Hashable) -> Hashable:
        """The node id a query refers to.

        Tried in this order: a node id (of its own type: ``1`` is not ``"1"``
        nor ``1.0``); an exact title; a node id written as text (``"2571"``,
        ``"(0, 1)"``); then the title rules of :mod:`n2v_lite.titles` (case,
        year and article ignored; a unique part of a title). An int never
        means a row position.

        Raises
        ------
        NodeNotFoundError
            Nothing matches; the message lists the closest titles.
        AmbiguousQueryError
            Several titles match; the message lists them.

        Examples
        --------
        >>> import numpy as np
        >>> emb = NodeEmbedding(np.ones((2, 2)), [10, 20],
        ...                     node_data={"title": ["Matrix, The (1999)", "Heat (1995)"]})
        >>> emb.resolve("the matrix"), emb.resolve("20"), emb.resolve(20)
        (10, 20, 20)
        """
        return self._ids[self.index(query)]

    def label(self, row: int) -> Hashable:
        """How row ``row`` is shown: its title when it has one, else its node id."""
        titles = self._node_data.get("title")
        if titles is not None and titles[row] is not None and str(titles[row]):
            return str(titles[row])
        return self._ids[row]

    def _query_label(self, row):
        label, node = self.label(row), self._ids[row]
        return repr(label) if label == node else f"{label!r} [{node}]"

    def vector(self, query: Hashable) -> np.ndarray:
        """The vector of a node id or title (see :meth:`resolve`), as a copy."""
        return self._vectors[self.index(query)].copy()

    def vectors_of(self, node_ids: Iterable[Hashable]) -> np.ndarray:
        """Rows for ``node_ids`` (ids only, of their own type) as one float32 array."""
        rows = []
        for node in node_ids:
            row = self._row_of_id(plain_id(node))
            if row is None:
                raise NodeNotFoundError(f"node {node!r} has no vector")
            rows.append(row)
        return self._vectors[np.asarray(rows, dtype=np.int64)]

    def similarity(self, a: Hashable, b: Hashable) -> float:
        """Cosine similarity of two nodes (ids or titles)."""
        unit = self._unit_vectors()
        return float(unit[self.index(a)] @ unit[self.index(b)])

    def _unit_vectors(self):
        if self._unit is None:
            norms = np.linalg.norm(self._vectors, axis=1, keepdims=True)
            self._unit = self._vectors / np.where(norms > 0, norms, 1).astype(np.float32)
        return self._unit

    # ------------------------------------------------- approximate index
    def build_index(
        self,
        *,
        connectivity: int | None = None,
        expansion_add: int | None = None,
        expansion_search: int | None = None,
        threads: int | None = None,
        progress: bool = False,
    ) -> NodeEmbedding:
        """Build an approximate nearest-neighbour index over the vectors (HNSW).

        Needs the ``ann`` extra (``pip install "n2v-lite[ann]"``: usearch).
        The index proposes candidates; their similarities are always computed
        exactly, so only recall is approximate. It is kept by :meth:`save`
        (inside the model file) and read back by :func:`load`; an embedding
        made by :meth:`update` has none (its vectors differ).

        Parameters
        ----------
        connectivity, expansion_add, expansion_search : int, optional
            HNSW's graph degree and candidate lists (see
            :data:`n2v_lite.ann.INDEX_DEFAULTS`).
        threads : int, optional
            Threads adding vectors (None: every core).
        progress : bool
            A progress bar on stderr.

        Returns
        -------
        NodeEmbedding
            ``self``.

        Examples
        --------
        >>> emb.build_index()                                           # doctest: +SKIP
        >>> emb.most_similar(42, exact=False)                           # doctest: +SKIP
        """
        from ._utils import progress_bar
        from .ann import AnnIndex

        with progress_bar(total=len(self), desc="index", unit="node", enabled=progress) as bar:

            def advance(done, total):
                bar.update(done - bar.n)

            self._ann = AnnIndex.build(
                self._unit_vectors(),
                connectivity=connectivity,
                expansion_add=expansion_add,
                expansion_search=expansion_search,
                threads=threads,
                progress=advance,
            )
        return self

    @property
    def has_index(self) -> bool:
        """Whether an approximate index was built or loaded (see :meth:`build_index`)."""
        return self._ann is not None

    def drop_index(self) -> NodeEmbedding:
        """Forget the approximate index (a later :meth:`save` writes none)."""
        self._ann = None
        return self

    def _ann_for(self, exact):
        """The index that answers a query given ``exact`` (None: exact scoring)."""
        if exact is not None and not isinstance(exact, bool):
            raise ParameterError(f"exact must be True, False or None, got {exact!r}")
        if exact or self._ann is None:
            if exact is False and self._ann is None:
                raise ParameterError(
                    "exact=False (--approximate) needs an index: call "
                    "build_index() (n2v-lite index MODEL) first"
                )
            return None
        if exact is None and len(self) < APPROXIMATE_FROM:
            return None
        if isinstance(self._ann, tuple):
            from .ann import AnnIndex, ann_available

            if not ann_available():  # a saved index, read where usearch is absent
                if exact is False:
                    import warnings

                    warnings.warn(
                        "the model's index needs usearch (pip install "
                        "'n2v-lite[ann]'); answering exactly",
                        stacklevel=3,
                    )
                return None
            data, params = self._ann
            self._ann = AnnIndex.from_bytes(
                data, len(self), self.dimensions, params, where=self.info.get("saved_path", "index")
            )
        return self._ann

    # -------------------------------------------------------- nearest nodes
    def candidates(self, among: Where | Iterable[Hashable] | None) -> np.ndarray | None:
        """Boolean mask of the rows ``among`` allows (None: all); see :meth:`most_similar`."""
        if among is None:
            return None
        from .filters import Where

        if isinstance(among, Where):
            return among.mask(self._node_data, self._ids)
        if isinstance(among, str):
            from .filters import where

            return where(among).mask(self._node_data, self._ids)
        if isinstance(among, np.ndarray) and among.dtype == bool:
            if among.shape != (len(self),):
                raise ParameterError(
                    f"an among= mask needs {len(self)} values, got shape {among.shape}"
                )
            return among
        if callable(among):
            columns = list(self._node_data.items())
            return np.array(
                [
                    bool(among({"node": node, **{k: plain_id(c[i]) for k, c in columns}}))
                    for i, node in enumerate(self._ids)
                ],
                dtype=bool,
            )
        mask = np.zeros(len(self), dtype=bool)
        for query in query_list(among, "among"):
            mask[self.index(query)] = True
        return mask

    def _query_vector(self, positive, negative):
        """(unit query vector, rows to exclude, label) for positive/negative lists."""
        unit = self._unit_vectors()
        parts, exclude, shown = [], [], {1.0: [], -1.0: []}
        for sign, items in ((1.0, positive), (-1.0, negative)):
            for item in items:
                if isinstance(item, np.ndarray):
                    if item.shape != (self.dimensions,):
                        raise ParameterError(
                            f"a query vector must have {self.dimensions} "
                            f"values, got shape {item.shape}"
                        )
                    norm = float(np.linalg.norm(item))
                    parts.append(sign * (item / norm if norm > 0 else item).astype(np.float32))
                    shown[sign].append("vector")
                    continue
                row = self.index(item)
                parts.append(sign * unit[row])
                exclude.append(row)
                shown[sign].append(self._query_label(row))
        if not parts:
            raise ParameterError("give a query, or positive= and/or negative= nodes")
        mean = np.mean(parts, axis=0).astype(np.float32)
        norm = float(np.linalg.norm(mean))
        if norm > 0:
            mean /= norm
        label = ", ".join(shown[1.0])
        if shown[-1.0]:
            label = f"{label or 'nothing'} minus {', '.join(shown[-1.0])}"
        return mean, exclude, label

    def _top(self, queries, excludes, mask, topn, ann=None):
        """(rows, scores) of the ``topn`` best nodes for each unit query vector (with
        ``ann``, among the index's candidates; exactly where those fall short)."""
        if ann is not None:
            return self._top_approximate(ann, queries, excludes, mask, topn)
        unit = self._unit_vectors()
        out_rows, out_scores = [], []
        for start in range(0, len(queries), _BATCH_ROWS):
            batch = np.asarray(queries[start : start + _BATCH_ROWS], dtype=np.float32)
            with _blas_threads(1 if len(batch) < _THREADED_ROWS else None):
                scores = batch @ unit.T
            if mask is not None:
                scores[:, ~mask] = -np.inf
            for k, exclude in enumerate(excludes[start : start + _BATCH_ROWS]):
                scores[k, exclude] = -np.inf
            for row_scores in scores:
                allowed = int(np.isfinite(row_scores).sum())
                take = min(topn, allowed)
                if take == 0:
                    out_rows.append(np.zeros(0, dtype=np.int64))
                    out_scores.append(np.zeros(0, dtype=np.float32))
                    continue
                best = (
                    np.argpartition(-row_scores, take - 1)[:take]
                    if take < len(row_scores)
                    else np.arange(len(row_scores))
                )
                best = best[np.lexsort((best, -row_scores[best]))][:take]
                out_rows.append(best)
                out_scores.append(row_scores[best])
        return out_rows, out_scores

    def _top_approximate(self, ann, queries, excludes, mask, topn):
        """:meth:`_top` with an index: each query's candidates (over-fetched by the
        share of rows ``mask`` allows, plus its excluded rows) are scored exactly and
        filtered; a query left with fewer than it should have is answered exactly."""
        n = len(self)
        queries = np.asarray(queries, dtype=np.float32).reshape(-1, self.dimensions)
        allowed = n if mask is None else int(np.count_nonzero(mask))
        widest = max((len(e) for e in excludes), default=0)
        fetch = math.ceil((topn + widest) * (n / max(allowed, 1)) * (1.0 if mask is None else 1.5))
        if fetch * 4 > n:  # a large share of the rows: an exact pass costs no more
            return self._top(queries, excludes, mask, topn)
        unit = self._unit_vectors()
        found = ann.search(queries, fetch)
        valid = found >= 0
        rows = np.where(valid, found, 0)
        scores = np.einsum("qkd,qd->qk", unit[rows], queries)
        scores[~valid] = -np.inf
        if mask is not None:
            scores[~mask[rows]] = -np.inf
        out_rows, out_scores, again = [], [], []
        for k, exclude in enumerate(excludes):
            if len(exclude):
                scores[k, np.isin(rows[k], exclude)] = -np.inf
            expected = min(
                topn,
                allowed
                - (
                    len(set(exclude))
                    if mask is None
                    else int(np.count_nonzero(mask[list(set(exclude))]))
                ),
            )
            keep = np.flatnonzero(np.isfinite(scores[k]))
            if len(keep) < expected:
                again.append(k)
            best = keep[np.lexsort((rows[k, keep], -scores[k, keep]))][:topn]
            out_rows.append(rows[k, best].astype(np.int64))
            out_scores.append(scores[k, best])
        if again:  # too few candidates passed the filters: these few are answered exactly
            redo_rows, redo_scores = self._top(
                queries[again], [excludes[k] for k in again], mask, topn
            )
            for k, r, sc in zip(again, redo_rows, redo_scores):
                out_rows[k], out_scores[k] = r, sc
        return out_rows, out_scores

    def most_similar(
        self,
        query: Hashable | np.ndarray | None = None,
        topn: int = 10,
        *,
        positive: Hashable | Iterable[Hashable] | None = None,
        negative: Hashable | Iterable[Hashable] | None = None,
        among: Where | Iterable[Hashable] | None = None,
        exact: bool | None = None,
    ) -> SimilarityResult:
        """The ``topn`` nodes closest to a query by cosine similarity.

        Parameters
        ----------
        query : node id, title or numpy array, optional
            One node (see :meth:`resolve`) or a vector of ``dimensions``
            floats. Same as ``positive=[query]``.
        topn : int
            Number of neighbours (fewer when ``among`` allows fewer).
        positive, negative : list, optional
            "More like these": node ids, titles or vectors. The query vector
            is the mean of the unit vectors of the positives minus those of
            the negatives (as gensim does for words); query nodes are never
            returned.
        among : optional
            Rank only some nodes: an iterable of ids/titles, a boolean mask by
            row, a :class:`n2v_lite.filters.Where` (or its text, e.g.
            ``"degree>=20"``), or a callable taking a dict of one node's
            metadata (and ``"node"``, its id) and returning a bool.
        exact : bool or None
            ``True``: score every node. ``False``: the index's candidates (see
            :meth:`build_index`; similarities still exact, recall approximate).
            None (default): the index when there is one and the embedding has
            at least :data:`APPROXIMATE_FROM` nodes, else exact.

        Returns
        -------
        SimilarityResult
            ``(label, similarity)`` pairs (labels are titles when there are
            titles); ``.node_ids`` and ``.to_frame()`` give the node ids.

        Examples
        --------
        >>> import networkx as nx
        >>> from n2v_lite import Graph, Node2Vec
        >>> g = Graph.from_networkx(nx.barbell_graph(5, 2))            # two 5-cliques + a path
        >>> emb = Node2Vec(dimensions=16, walk_length=20, num_walks=20, window=3, epochs=3,
        ...                random_state=0, progress=False).fit(g).embedding_
        >>> sorted(emb.most_similar(positive=[0, 1], topn=3).node_ids)   # the rest of clique 1
        [2, 3, 4]
        >>> emb.most_similar(0, topn=2, among=[7, 8, 9, 10, 11]).node_ids[0] in range(7, 12)
        True
        """
        topn = check_int("topn", topn)
        plus = query_list(positive, "positive")
        minus = query_list(negative, "negative")
        if query is not None:
            plus = [query, *plus]
        vector, exclude, shown = self._query_vector(plus, minus)
        mask = self.candidates(among)
        rows, scores = self._top(vector[None, :], [exclude], mask, topn, self._ann_for(exact))
        return SimilarityResult(
            [(self.label(r), float(s)) for r, s in zip(rows[0], scores[0])],
            node_ids=[self._ids[r] for r in rows[0]],
            query=query
            if query is not None and len(plus) == 1 and not minus
            else {"positive": plus, "negative": minus},
            query_label=shown,
        )

    def most_similar_many(
        self,
        queries: Iterable[Hashable],
        topn: int = 10,
        *,
        among: Where | Iterable[Hashable] | None = None,
        exact: bool | None = None,
    ) -> pandas.DataFrame:
        """Nearest neighbours of many queries at once, as one DataFrame.

        The queries are resolved one by one, then scored with one matrix
        product per batch of rows (no Python loop over nodes).

        Parameters
        ----------
        queries : iterable
            Node ids, titles or vectors.
        topn : int
        among, exact : optional
            As in :meth:`most_similar`.

        Returns
        -------
        pandas.DataFrame
            Columns ``query, rank, node, label, similarity``, best first per query.

        Examples
        --------
        >>> import numpy as np
        >>> emb = NodeEmbedding(np.array([[1, 0], [0.9, 0.1], [0, 1]]), ["a", "b", "c"])
        >>> emb.most_similar_many(["a", "c"], topn=1)[["query", "node"]].values.tolist()
        [['a', 'b'], ['c', 'b']]
        """
        import pandas as pd

        records, headings = self._neighbour_rows(queries, topn, among, exact)
        frame = pd.DataFrame.from_records(records, columns=NEIGHBOUR_COLUMNS)
        frame.attrs["headings"] = headings  # how each query is named (render_neighbours)
        return frame

    def _neighbour_rows(self, queries, topn=10, among=None, exact=None):
        """(rows, headings) of :meth:`most_similar_many` as tuples, without pandas."""
        topn = check_int("topn", topn)
        queries = query_list(queries, "queries")
        vectors, excludes = [], []
        for query in queries:
            vector, exclude, _ = self._query_vector([query], [])
            vectors.append(vector)
            excludes.append(exclude)
        mask = self.candidates(among)
        rows, scores = self._top(
            np.asarray(vectors).reshape(len(vectors), self.dimensions),
            excludes,
            mask,
            topn,
            self._ann_for(exact),
        )
        records, headings = [], {}
        for query, best, sims, exclude in zip(queries, rows, scores, excludes):
            shown = "vector" if isinstance(query, np.ndarray) else query
            headings[shown] = self._query_label(exclude[0]) if exclude else "vector"
            for rank, (row, sim) in enumerate(zip(best, sims), 1):
                records.append((shown, rank, self._ids[row], self.label(row), float(sim)))
        return records, headings

    def all_neighbours(
        self, k: int = 10, *, exact: bool | None = None, progress: bool = False
    ) -> pandas.DataFrame:
        """Every node's ``k`` nearest other nodes, as one DataFrame.

        Exact: one matrix product per block of rows (at most 128 MiB of scores
        at a time). With an index (see :meth:`build_index` and ``exact`` in
        :meth:`most_similar`): the index's candidates, scored exactly; a row
        whose candidates fall short is answered exactly. For files too large
        to hold, ``n2v-lite neighbours MODEL --out FILE`` writes the same rows
        block by block.

        Parameters
        ----------
        k : int
            Neighbours per node (at most ``len(self) - 1``); a node is never its
            own neighbour.
        exact : bool or None
            As in :meth:`most_similar`.
        progress : bool
            A progress bar on stderr.

        Returns
        -------
        pandas.DataFrame
            Columns ``node, rank, neighbour, similarity``, ``k`` rows per node,
            in row order, best first.

        Examples
        --------
        >>> import numpy as np
        >>> emb = NodeEmbedding(np.array([[1, 0], [0.9, 0.1], [0, 1]]), ["a", "b", "c"])
        >>> emb.all_neighbours(1)[["node", "neighbour"]].values.tolist()
        [['a', 'b'], ['b', 'a'], ['c', 'b']]
        """
        import pandas as pd

        ids = _object_array(self._ids)
        parts = [
            (rows, found, scores)
            for rows, found, scores in self._neighbour_blocks(k, exact, progress)
        ]
        if not parts:
            return pd.DataFrame(columns=ALL_NEIGHBOUR_COLUMNS)
        columns = _neighbour_columns(
            ids, *(np.concatenate([p[i] for p in parts]) for i in range(3))
        )
        columns["similarity"] = columns["similarity"].astype(np.float64)
        return pd.DataFrame(columns)

    def save_neighbours(
        self,
        path: str | os.PathLike[str],
        k: int = 10,
        *,
        exact: bool | None = None,
        format: str | None = None,
        progress: bool = False,
    ) -> str | os.PathLike[str]:
        """Write :meth:`all_neighbours` to a file, block by block; returns its path.

        Memory stays bounded whatever the size (one block of rows at a time),
        and the file appears only when complete (written beside it, then
        renamed), so an interrupted run leaves nothing half-written.

        Parameters
        ----------
        path : str or Path
        k, exact, progress
            As in :meth:`all_neighbours`.
        format : {"csv", "tsv", "parquet"}, optional
            By default from the suffix (``.csv``, ``.parquet``; anything else
            tab-separated). ``path="-"`` writes csv or tsv to stdout. Parquet needs
            pyarrow; it keeps integer ids as integers. Text files hold ids as
            :func:`n2v_lite.ids.id_text` writes them, similarities to 6 decimals, and
            a header line ``node, rank, neighbour, similarity``.
        """
        to_stdout = str(path) == "-"
        if to_stdout:
            format = format or "tsv"
        else:
            path = check_writable(path)
        if format is None:
            format = {".csv": "csv", ".parquet": "parquet"}.get(Path(path).suffix.lower(), "tsv")
        format = check_choice("format", format, NEIGHBOUR_FILE_FORMATS)
        if to_stdout and format == "parquet":
            raise ParameterError("Parquet cannot go to stdout ('-'): give a file name")
        ids, kind = encode_node_ids(self._ids)
        if kind != "int":
            ids = _object_array([id_text(node) for node in self._ids])
        blocks = self._neighbour_blocks(k, exact, progress)
        if to_stdout:
            import sys

            _write_neighbour_text(sys.stdout, ids, blocks, format)
            return path
        if format == "parquet":
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq
            except ImportError:
                raise ParameterError("Parquet output needs pyarrow: pip install pyarrow") from None
        with atomic_path(path) as tmp:
            if format != "parquet":
                with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                    _write_neighbour_text(handle, ids, blocks, format)
                return path
            writer = None
            for rows, found, scores in blocks:
                table = pa.table(_neighbour_columns(ids, rows, found, scores))
                if writer is None:
                    writer = pq.ParquetWriter(str(tmp), table.schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()
            else:  # no rows (a one-node embedding): an empty table
                pq.write_table(pa.table({name: [] for name in ALL_NEIGHBOUR_COLUMNS}), str(tmp))
        return path

    def _neighbour_blocks(self, k, exact=None, progress=False):
        """Yield ``(rows, neighbours, similarities)`` blocks of :meth:`all_neighbours`:
        query rows ``(b,)``, neighbour rows and their similarities ``(b, k)``."""
        from ._utils import progress_bar
        from .ann import exact_top_k

        k = check_int("k", k)
        n = len(self)
        k = min(k, n - 1)
        if k < 1:
            return
        ann = self._ann_for(exact)
        unit = self._unit_vectors()
        block = 4096 if ann is not None else max(1, min(4096, _BLOCK_CELLS // n))
        with progress_bar(total=n, desc="neighbours", unit="node", enabled=progress) as bar:
            for start in range(0, n, block):
                rows = np.arange(start, min(n, start + block))
                if ann is None:
                    found, scores = exact_top_k(unit, rows, k)
                else:
                    found, scores = self._approximate_block(ann, unit, rows, k)
                yield rows, found, scores
                bar.update(len(rows))

    def _approximate_block(self, ann, unit, rows, k):
        """Top ``k`` of ``rows`` among the index's candidates, scored exactly; rows
        whose candidates fall short are answered exactly."""
        from .ann import exact_top_k

        found = ann.search(unit[rows], k + 1)
        valid = (found >= 0) & (found != rows[:, None])
        cand = np.where(valid, found, 0)
        scores = np.einsum("qkd,qd->qk", unit[cand], unit[rows])
        scores[~valid] = -np.inf
        order = np.lexsort((cand, -scores), axis=-1)[:, :k]
        cand = np.take_along_axis(cand, order, axis=1)
        scores = np.take_along_axis(scores, order, axis=1)
        short = np.flatnonzero(~np.isfinite(scores).all(axis=1))
        if len(short):
            cand[short], scores[short] = exact_top_k(unit, rows[short], k)
        return cand, scores

    # ------------------------------------------------------------ save/load
    def save(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        """Save as one file, atomically; returns its path.

        The file is a zip (readable by :func:`numpy.load` too) holding
        ``vectors.npy``, ``node_ids.npy``, one ``node_data/<name>.npy`` per
        metadata column, the trainer state (``state/output_vectors.npy``,
        ``state/counts.npy``) and ``fingerprints.npy`` when present, and
        ``meta.json`` (format version, n2v_lite version, parameters, loss
        history, information, ``"state"``: the state arrays present,
        ``"fingerprints"``: whether they are, ``"index"``: the approximate
        index's settings when ``index.npy`` holds one, see
        :meth:`build_index`). Ids and metadata keep their
        Python types (see :mod:`n2v_lite.ids`); nothing is pickled. The
        output is checked for writability first.
        """
        path = check_writable(path)
        ids, id_kind = encode_node_ids(self._ids, compact=True)
        arrays = {"vectors": self._vectors, "node_ids": ids}
        data_kinds = {}
        for name, column in self._node_data.items():
            arrays[f"node_data/{name}"], data_kinds[name] = encode_values(column)
        for name, array in self._state.items():
            arrays[f"state/{name}"] = array
        if self._fingerprints is not None:
            arrays["fingerprints"] = self._fingerprints
        index_params = None
        if self._ann is not None:
            data, index_params = (
                self._ann
                if isinstance(self._ann, tuple)
                else (self._ann.to_bytes(), self._ann.params)
            )
            arrays["index"] = np.frombuffer(data, dtype=np.uint8)
        meta = {
            "format": _FORMAT_NAME,
            # the oldest format that reads this file: 3 only for UTF-8 text ids
            "format_version": 3 if id_kind == "utf8" else 2,
            "n2v_lite_version": __version__,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "params": _jsonable(self.params),
            "loss_history": self.loss_history,
            "fit_info": _jsonable({k: v for k, v in self.info.items() if k != "saved_path"}),
            "node_id_kind": id_kind,
            "node_data": list(self._node_data),
            "node_data_kinds": data_kinds,
            "state": list(self._state),
            "fingerprints": self._fingerprints is not None,
            "index": None
            if index_params is None
            else {"library": "usearch", "params": index_params},
        }
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
            for name, array in arrays.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(
                        member, np.ascontiguousarray(array), allow_pickle=False
                    )
            archive.writestr("meta.json", json.dumps(meta, indent=1, allow_nan=True))
        return path

    # --------------------------------------------------------------- export
    def export(self, path: str | os.PathLike[str], format: str | None = None) -> list[Path]:
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

        Examples
        --------
        >>> import numpy as np, tempfile, os
        >>> emb = NodeEmbedding(np.arange(6).reshape(3, 2), [0, 1, 2])
        >>> out = os.path.join(tempfile.mkdtemp(), "v.txt")
        >>> _ = emb.export(out)
        >>> open(out).read().splitlines()        # each node once, under its own id
        ['3 2', '0 0 1', '1 2 3', '2 4 5']
        """
        path = Path(path)
        if format is None:
            format = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
            if format is None:
                raise ParameterError(
                    f"cannot tell the export format from {str(path)!r}; "
                    f"pass format= one of {', '.join(EXPORT_FORMATS)}"
                )
        check_choice("format", format, EXPORT_FORMATS)
        if format == "projector":
            return self._export_projector(path)
        check_writable(path)
        if format in ("word2vec", "word2vec-binary"):
            self._export_word2vec(path, binary=format == "word2vec-binary")
        elif format == "npz":
            ids, id_kind = encode_node_ids(self._ids)
            arrays: dict[str, Any] = {
                "vectors": self._vectors,
                "node_ids": ids,
                "node_id_kind": np.array(id_kind),
            }
            for name, column in self._node_data.items():
                if name not in arrays:
                    arrays[name] = encode_values(column)[0]
            with atomic_write(path, "wb") as handle:
                np.savez(handle, **arrays)
        else:
            import pandas as pd

            frame = self._metadata_frame()
            dims = pd.DataFrame(self._vectors, columns=[f"dim_{i}" for i in range(self.dimensions)])
            frame = pd.concat([frame, dims], axis=1)
            with atomic_write(path) as handle:
                frame.to_csv(handle, index=False, float_format="%.9g", lineterminator="\n")
        return [path]

    def _word2vec_keys(self):
        """Each node id as a word2vec token: its text, no spaces, all distinct."""
        keys = []
        for node in self._ids:
            text = str(node).replace(", ", ",") if isinstance(node, tuple) else str(node)
            if not text or any(c.isspace() for c in text):
                raise ParameterError(
                    f"node id {node!r} is empty or contains whitespace: not "
                    f"valid in the word2vec format (use csv or npz)"
                )
            keys.append(text)
        if len(set(keys)) != len(keys):
            seen = {}
            for node, key in zip(self._ids, keys):
                if key in seen:
                    raise ParameterError(
                        f"node ids {seen[key]!r} and {node!r} have the same text "
                        f"{key!r}: the word2vec format cannot tell them apart "
                        f"(use csv or npz)"
                    )
                seen[key] = node
        return keys

    def _export_word2vec(self, path, binary):
        """The word2vec format, written here: gensim 4.4 writes leading int keys twice."""
        keys = self._word2vec_keys()
        n, d = self._vectors.shape
        with atomic_write(path, "wb") as handle:
            handle.write(f"{n} {d}\n".encode())
            if binary:
                vectors = self._vectors.astype("<f4", copy=False)
                for key, vector in zip(keys, vectors):
                    handle.write(key.encode("utf-8") + b" " + vector.tobytes() + b"\n")
            else:
                for key, vector in zip(keys, self._vectors.tolist()):
                    values = " ".join(_float_text(v) for v in vector)
                    handle.write(f"{key} {values}\n".encode())

    def _metadata_frame(self):
        import pandas as pd

        columns = {"node": _object_array(self._ids)}
        columns.update((name, col) for name, col in self._node_data.items() if name != "node")
        return pd.DataFrame(columns)

    def _export_projector(self, folder):
        """embeddings.tsv (no header) and metadata.tsv, row i of one = row i of the other.

        metadata.tsv has a header line only when it has more than one column,
        as the Embedding Projector expects.
        """
        import csv

        import pandas as pd

        folder = Path(folder)
        check_writable(folder / "embeddings.tsv", create_parent=True)
        meta = self._metadata_frame()
        for name in meta.columns:  # tabs/newlines would shift the rows
            if meta[name].dtype == object:
                meta[name] = meta[name].map(lambda v: re.sub(r"[\t\r\n]+", " ", str(v)))
        emb_path, meta_path = folder / "embeddings.tsv", folder / "metadata.tsv"
        with atomic_write(emb_path) as handle:
            pd.DataFrame(self._vectors).to_csv(
                handle,
                sep="\t",
                header=False,
                index=False,
                float_format="%.6g",
                lineterminator="\n",
            )
        with atomic_write(meta_path) as handle:
            meta.to_csv(
                handle,
                sep="\t",
                header=len(meta.columns) > 1,
                index=False,
                quoting=csv.QUOTE_NONE,
                lineterminator="\n",
            )
        return [emb_path, meta_path]

    # --------------------------------------------------------------- pictures
    def explore(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write the offline explorer page (see :func:`n2v_lite.explore.explore`)."""
        from .explore import explore

        return explore(self, path, **options)

    def plot(self, path: str | os.PathLike[str], **options: Any) -> None:
        """Save a 2-D map (see :func:`n2v_lite.plot.plot_embeddings`)."""
        from .plot import plot_embeddings

        return plot_embeddings(self, path, **options)


# ------------------------------------------------------------------- loading
def load(path: str | os.PathLike[str]) -> NodeEmbedding:
    """Load an embedding saved by :meth:`NodeEmbedding.save` (format 1 or 2).

    Returns
    -------
    NodeEmbedding

    Raises
    ------
    ModelFileError
        The file is missing, truncated, corrupt, not an n2v_lite model, or
        from a newer, incompatible format.

    Examples
    --------
    >>> emb = load("movies.n2v")                                    # doctest: +SKIP
    >>> emb.most_similar("Toy Story (1995)", topn=1)                # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else special_kind(path)
        raise ModelFileError(
            f"{path}: {what}, not a model file" if what else f"{path}: no such model file"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            if "meta.json" not in set(archive.namelist()):
                raise ModelFileError(f"{path}: not an n2v_lite model (no meta.json inside)")
            _check_members(path, archive)
            try:
                meta = json.loads(archive.read("meta.json").decode("utf-8"))
            except RecursionError:  # brackets nested thousands deep
                raise ModelFileError(f"{path}: not an n2v_lite model (meta.json)") from None
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT_NAME:
                raise ModelFileError(f"{path}: not an n2v_lite model")
            version = meta.get("format_version")
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise ModelFileError(f"{path}: unknown model format {version!r}")
            if version > FORMAT_VERSION:
                raise ModelFileError(
                    f"{path}: model format {version} is newer than this "
                    f"n2v_lite ({__version__}) reads; upgrade n2v_lite"
                )
            _check_meta(meta)
            vectors = _read_array(archive, "vectors.npy")
            ids = _read_array(archive, "node_ids.npy")
            names = list(meta.get("node_data", []))
            kinds = meta.get("node_data_kinds", {})
            node_data = {
                name: decode_values(_read_array(archive, f"node_data/{name}.npy"), kinds.get(name))
                for name in names
            }
            node_ids = decode_node_ids(
                ids, meta.get("node_id_kind", "int" if ids.dtype.kind in "iu" else "str")
            )
            state = {
                name: _read_array(archive, f"state/{name}.npy") for name in meta.get("state", [])
            }
            fingerprints = (
                _read_array(archive, "fingerprints.npy") if meta.get("fingerprints") else None
            )
            index = meta.get("index")
            if index is not None:  # restored when a query first needs it
                if not isinstance(index, dict) or not isinstance(index.get("params"), dict):
                    raise ModelFileError(f"{path}: corrupt model file (index settings)")
                index = (_read_array(archive, "index.npy"), index["params"])
    except ModelFileError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ModelFileError(f"{path}: {exc}") from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        KeyError,
        ValueError,
        TypeError,
        UnicodeDecodeError,
        OSError,
    ) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{path}: corrupt or truncated model file ({reason})") from None
    if (
        vectors.ndim != 2
        or len(node_ids) != len(vectors)
        or any(len(col) != len(vectors) for col in node_data.values())
    ):
        raise ModelFileError(f"{path}: corrupt model file (array sizes disagree)")
    info = dict(meta.get("fit_info", {}))
    info["saved_path"] = str(path)
    info["format_version"] = version
    info.setdefault("n2v_lite_version", meta.get("n2v_lite_version"))
    try:
        embedding = NodeEmbedding(
            vectors,
            node_ids,
            node_data=node_data,
            params=meta.get("params", {}),
            loss_history=list(meta.get("loss_history", [])),
            info=info,
            state=state or None,
            fingerprints=fingerprints,
            copy=False,
        )
    except ParameterError as exc:
        raise ModelFileError(f"{path}: corrupt model file ({exc})") from None
    embedding._ann = index
    return embedding


def _first_nonfinite_row(vectors, block=1 << 16):
    """The first row holding NaN or an infinity, or None (checked in blocks of rows,
    so the check's scratch stays small)."""
    for start in range(0, len(vectors), block):
        finite = np.isfinite(vectors[start : start + block]).all(axis=1)
        if not finite.all():
            return start + int(np.argmin(finite))
    return None


def _closest_hint(candidates):
    """``"; closest: 'a', 'b'"`` for a not-found message, or nothing."""
    return "; closest: " + ", ".join(map(repr, candidates)) if candidates else ""


def _stored(array, dtype, copy):
    """``array`` as a C-contiguous ``dtype`` array: a copy, or (``copy=False``) the array
    itself when it already is one."""
    if copy:
        return np.array(array, dtype=dtype, copy=True, order="C")
    return np.ascontiguousarray(array, dtype=dtype)


def _check_state(state, shape, copy=True):
    """The trainer state as read-only arrays: ``output_vectors`` like the vectors,
    ``counts`` one non-negative int per node."""
    out = {}
    for name, array in (state or {}).items():
        if name == "output_vectors":
            array = _stored(array, np.float32, copy)
            expected = shape
        elif name == "counts":
            array = np.asarray(array)
            if array.dtype.kind not in "iu" or (array.size and array.min() < 0):
                raise ParameterError("state counts must be non-negative integers")
            array = _stored(array, np.int64, copy)
            expected = shape[:1]
        else:
            raise ParameterError(f"unknown trainer state {name!r}; expected output_vectors, counts")
        if array.shape != expected:
            raise ParameterError(f"state {name} has shape {array.shape}, expected {expected}")
        array.flags.writeable = False
        out[name] = array
    return out


#: Largest meta.json read (real ones hold parameters and a loss history: kilobytes).
MAX_META_BYTES = 16 << 20


def _check_members(path, archive):
    """Refuse, before reading anything, members whose sizes no n2v_lite model has.

    Models are written uncompressed, so a member that claims to unpack to much
    more than it occupies (a zip bomb) or more than the file holds is refused:
    reading a model never takes more memory than its arrays' size on disk.
    """
    on_disk = path.stat().st_size
    for info in archive.infolist():
        if info.filename == "meta.json" and info.file_size > MAX_META_BYTES:
            raise ModelFileError(
                f"{path}: meta.json claims {info.file_size} bytes (at most "
                f"{MAX_META_BYTES}); not an n2v_lite model"
            )
        if info.file_size > max(on_disk, 1 << 20) and info.file_size > 20 * info.compress_size:
            raise ModelFileError(
                f"{path}: member {info.filename} claims {info.file_size} bytes "
                f"from {info.compress_size} on disk; not an n2v_lite model"
            )


#: The type of each meta.json field a model may hold (absent ones take their defaults).
_META_TYPES = {
    "params": dict,
    "fit_info": dict,
    "loss_history": list,
    "node_data": list,
    "node_data_kinds": dict,
    "state": list,
    "node_id_kind": str,
}


#: The graph kind and reader options a model keeps (None, or of these types).
_GRAPH_KIND_TYPES = {
    "directed": bool,
    "weighted": bool,
    "header": bool,
    "sep": str,
    "duplicates": str,
}


def _check_meta(meta):
    """Refuse a meta.json whose fields have types no n2v_lite wrote."""
    for name, kind in _META_TYPES.items():
        if name in meta and not isinstance(meta[name], kind):
            raise ModelFileError(f"corrupt model file (meta.json: {name} is not a {kind.__name__})")
    for name in ("node_data", "state"):
        if not all(isinstance(item, str) for item in meta.get(name, [])):
            raise ModelFileError(f"corrupt model file (meta.json: {name} holds a non-name)")
    if not all(
        isinstance(x, (int, float)) and not isinstance(x, bool)
        for x in meta.get("loss_history", [])
    ):
        raise ModelFileError("corrupt model file (meta.json: loss_history holds a non-number)")
    info = meta.get("fit_info", {})
    reader = info.get("reader")  # how `embed` read the edge list: `update` reads alike
    if reader is not None and not isinstance(reader, dict):
        raise ModelFileError("corrupt model file (meta.json: fit_info.reader is not a dict)")
    for where, values in (("fit_info", info), ("fit_info.reader", reader or {})):
        for key, kinds in _GRAPH_KIND_TYPES.items():
            if values.get(key) is not None and not isinstance(values[key], kinds):
                raise ModelFileError(
                    f"corrupt model file (meta.json: {where}.{key} is {values[key]!r})"
                )


def _read_array(archive, name):
    """One ``.npy`` member, its header's claims checked against the bytes it holds
    (a header claiming terabytes would otherwise be allocated before the read)."""
    with archive.open(name) as member:
        data = member.read()  # a CRC mismatch raises BadZipFile here
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ModelFileError(f"corrupt model file ({name}: .npy format {version})")
    claimed = dtype.itemsize * math.prod(shape)
    if not dtype.hasobject and claimed > len(data) - stream.tell():
        raise ModelFileError(
            f"corrupt model file ({name} claims shape {shape}: {claimed} bytes, "
            f"more than the {len(data) - stream.tell()} it holds)"
        )
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)


# ------------------------------------------------------------------- helpers
def _write_neighbour_text(handle, ids, blocks, format):
    """Blocks of :meth:`NodeEmbedding.all_neighbours` as csv/tsv text with a header."""
    import pandas as pd

    sep = "," if format == "csv" else "\t"
    handle.write(sep.join(ALL_NEIGHBOUR_COLUMNS) + "\n")
    for rows, found, scores in blocks:
        pd.DataFrame(_neighbour_columns(ids, rows, found, scores)).to_csv(
            handle, sep=sep, header=False, index=False, float_format="%.6f"
        )


def _neighbour_columns(ids, rows, found, scores):
    """The :data:`ALL_NEIGHBOUR_COLUMNS` of a block: query rows ``(b,)``, their
    neighbours' rows and similarities ``(b, k)``; ``ids`` an array by row."""
    width = found.shape[1]
    return {
        "node": np.repeat(ids[rows], width),
        "rank": np.tile(np.arange(1, width + 1), len(rows)),
        "neighbour": ids[found.reshape(-1)],
        "similarity": scores.reshape(-1),
    }


def _object_array(values):
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _float_text(value):
    """Shortest text that reads back to the same float32."""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")
