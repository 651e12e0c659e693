"""The graph: one immutable CSR type and its readers.

A :class:`Graph` stores the out-neighbours of every node in compressed sparse
row (CSR) form: ``indices[indptr[i]:indptr[i + 1]]`` are the neighbours of node
``i`` (sorted ascending) and ``weights[...]`` the matching edge weights. Nodes
are integer indices ``0..n-1`` inside; the user's labels (``str`` or ``int``)
live in :attr:`Graph.node_ids` and are used only at the edges of the library.

An undirected graph stores each edge in both directions (a self-loop once), so
the walk engine never needs to know which kind of graph it walks.

Readers (all vectorised, no Python loop per edge):

* :meth:`Graph.from_edgelist` -- tab, comma or whitespace separated text, ``.gz`` too;
* :meth:`Graph.from_pandas` -- a DataFrame of edges;
* :meth:`Graph.from_networkx` -- any networkx graph; :meth:`Graph.to_networkx` goes back.

Duplicate edges, one rule for every reader (in an undirected graph ``u v`` and
``v u`` are the same edge; in a directed one they are two):

* an edge listed more than once is **one edge**; an unweighted input stays
  unweighted (a pair listed in both directions does not become weight 2);
* in a weighted input, copies with equal weights are one edge with that
  weight, and copies with **unequal** weights are an error naming both places
  (file lines, DataFrame rows, networkx edges) unless ``duplicates=`` says
  what to do: ``"sum"``, ``"max"``, ``"min"``, ``"first"`` or ``"last"``
  (``"sum"`` on an unweighted input makes the number of copies the weight);
* :attr:`Graph.duplicates_merged` (and the repr) says how many copies were merged.

Self-loops are kept unless ``drop_self_loops=True``.

Ids come back exactly as given: from a file, every id is an ``int`` when every
id is a canonical integer (``0``, ``-3``, ``42``), and every id stays text as
written otherwise (``"0"``, ``"-0"``, ``"+1"`` and ``"007"`` are four nodes).

Memory: an edge list is read in chunks with ids factorised incrementally, and
the CSR is built by a counting sort in bounded blocks, so reading peaks at
about twice the finished graph. An unweighted graph stores no weights;
weights are ``float32`` when that is exact; ``indptr`` and ``indices`` are
``int32`` below 2**31 entries.
"""

from __future__ import annotations

import os
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from . import ids as ids_module
from ._text import (
    INT_RE,
    check_sep,
    data_lines,
    detect_sep,
    has_noncanonical_ints,
    line_fields,
    line_of_row,
    looks_like_header,
    maybe_ints,
    readable_twice,
    sample_lines,
    shape_problem,
    show,
    split_line,
)
from .exceptions import GraphError, NodeNotFoundError, ParameterError
from .ids import check_id_length, check_node_ids

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Sequence

    import networkx
    import pandas

__all__ = ["Graph", "DUPLICATE_POLICIES", "node_metadata"]

#: What ``duplicates=`` may say about copies of an edge with unequal weights
#: (``None``, the default, makes them an error).
DUPLICATE_POLICIES = ("sum", "max", "min", "first", "last")


def _readonly(array):
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


class Graph:
    """An immutable weighted graph in CSR form.

    Build one with :meth:`from_edgelist`, :meth:`from_pandas`,
    :meth:`from_networkx` or :meth:`from_edges`; the constructor itself takes
    ready CSR arrays and checks them.

    Parameters
    ----------
    indptr : array of int, shape (n + 1,)
        Row pointers.
    indices : array of int, shape (nnz,)
        Column (neighbour) indices, sorted within each row, no duplicates.
    weights : array of float, shape (nnz,), or None
        Positive, finite edge weights; ``None`` (or all 1) stores none.
    node_ids : array, shape (n,)
        The label of each node, all distinct: ``int``, ``str``, ``float``,
        ``bool`` or tuples of those (see :func:`n2v_lite.ids.check_node_ids`).
    directed : bool
        Whether edges are one-way. Undirected graphs store both directions.
    node_data : dict of str to array, optional
        Per-node metadata columns aligned with ``node_ids`` (e.g. ``title``).

    Examples
    --------
    >>> import pandas as pd
    >>> g = Graph.from_pandas(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}))
    >>> g
    <Graph undirected, 3 nodes, 2 edges, unweighted>
    >>> g.neighbors("b")
    ['a', 'c']
    """

    __slots__ = (
        "_indptr",
        "_indices",
        "_weights",
        "_node_ids",
        "_directed",
        "_node_data",
        "_id_index",
        "_duplicates_merged",
    )

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray | None,
        node_ids: Sequence[Hashable] | np.ndarray,
        *,
        directed: bool = False,
        node_data: dict[str, Sequence] | None = None,
    ) -> None:
        n = len(node_ids) if not isinstance(node_ids, np.ndarray) else node_ids.shape[0]
        index_dtype = np.int32 if n < 2**31 - 1 else np.int64
        indices = np.asarray(indices, dtype=index_dtype)
        indptr = np.asarray(indptr, dtype=np.int32 if len(indices) < 2**31 else np.int64)
        if indptr.shape != (n + 1,) or indptr[0] != 0 or indptr[-1] != len(indices):
            raise GraphError(f"indptr must have {n + 1} entries from 0 to {len(indices)}")
        if np.any(indptr[1:] < indptr[:-1]):
            raise GraphError("indptr must be non-decreasing")
        if weights is not None:
            weights = np.asarray(weights)
            if weights.shape != indices.shape:
                raise GraphError("weights and indices must have the same length")
            if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
                raise GraphError("weights must be positive and finite")
            weights = _compact_weights(weights)
        if len(indices) and (indices.min() < 0 or indices.max() >= n):
            raise GraphError("neighbour index out of range")
        if not isinstance(node_ids, np.ndarray) or node_ids.dtype.kind in "USu":
            node_ids = _id_array(node_ids)
        elif node_ids.ndim != 1:
            raise GraphError(f"node_ids must be one-dimensional, got shape {node_ids.shape}")
        _check_id_lengths(node_ids)
        self._indptr = _readonly(indptr)
        self._indices = _readonly(indices)
        self._weights = None if weights is None else _readonly(weights)
        self._node_ids = _readonly(node_ids)
        self._directed = bool(directed)
        self._node_data = {}
        for name, values in (node_data or {}).items():
            column = np.asarray(values)
            if len(column) != n:
                raise GraphError(f"node_data[{name!r}] has {len(column)} values for {n} nodes")
            self._node_data[str(name)] = _readonly(column)
        self._id_index = None
        self._duplicates_merged = 0

    # ------------------------------------------------------------------ arrays
    @property
    def indptr(self) -> np.ndarray:
        """Row pointers, array of length ``num_nodes + 1`` (``int32`` below 2**31 entries)."""
        return self._indptr

    @property
    def indices(self) -> np.ndarray:
        """Neighbour indices (sorted within each row), ``int32`` array."""
        return self._indices

    @property
    def weights(self) -> np.ndarray:
        """Edge weights aligned with :attr:`indices` (read-only float array).

        An unweighted graph stores no weights: this is then a read-only view of
        ``1.0`` repeated (no memory per edge). Weights are ``float32`` when every
        one is exactly a float32, else ``float64``.
        """
        if self._weights is None:
            return np.broadcast_to(np.float32(1.0), self._indices.shape)
        return self._weights

    @property
    def node_ids(self) -> np.ndarray:
        """The node labels, in index order (read-only array)."""
        return self._node_ids

    @property
    def directed(self) -> bool:
        """True when edges are one-way."""
        return self._directed

    @property
    def num_nodes(self) -> int:
        """Number of nodes, isolated ones included."""
        return len(self._node_ids)

    @property
    def num_stored_edges(self) -> int:
        """Number of stored CSR entries (an undirected non-loop edge counts twice)."""
        return len(self._indices)

    @property
    def num_edges(self) -> int:
        """Number of edges; an undirected edge is counted once."""
        if self._directed:
            return len(self._indices)
        loops = self.num_self_loops
        return (len(self._indices) - loops) // 2 + loops

    @property
    def duplicates_merged(self) -> int:
        """How many edge copies the reader merged into edges already listed (0 if none).

        See the module docstring for the rule.
        """
        return self._duplicates_merged

    @property
    def num_self_loops(self) -> int:
        """Number of edges from a node to itself."""
        return int(np.count_nonzero(self.edge_sources() == self._indices))

    @property
    def weighted(self) -> bool:
        """True unless every weight is exactly 1 (then no weights are stored)."""
        return self._weights is not None

    @property
    def nbytes(self) -> int:
        """Bytes held by the CSR arrays and the id array (metadata not included)."""
        ids = self._node_ids.nbytes
        if self._node_ids.dtype == object:
            import sys

            ids += sum(sys.getsizeof(x) for x in self._node_ids.tolist())
        weights = 0 if self._weights is None else self._weights.nbytes
        return self._indptr.nbytes + self._indices.nbytes + weights + ids

    def degrees(self) -> np.ndarray:
        """Out-degree (number of stored neighbours) of every node, by index."""
        return np.diff(self._indptr)

    def edge_sources(self) -> np.ndarray:
        """The source node index of every stored edge, aligned with :attr:`indices`."""
        return np.repeat(np.arange(self.num_nodes, dtype=self._indices.dtype), self.degrees())

    # -------------------------------------------------------------- node ids
    @property
    def node_data(self) -> pandas.DataFrame:
        """Per-node metadata as a :class:`pandas.DataFrame` indexed by node id."""
        import pandas as pd

        return pd.DataFrame(dict(self._node_data), index=pd.Index(self._node_ids, name="node"))

    @property
    def node_attribute_names(self) -> tuple[str, ...]:
        """Names of the per-node metadata columns."""
        return tuple(self._node_data)

    def node_attribute(self, name: str, default: Any = None) -> Any:
        """One metadata column as a read-only array aligned with node indices."""
        return self._node_data.get(name, default)

    def with_node_data(self, **columns: Sequence) -> Graph:
        """A copy of this graph with extra per-node metadata columns (arrays by index)."""
        data = dict(self._node_data)
        data.update(columns)
        return Graph(
            self._indptr,
            self._indices,
            self._weights,
            self._node_ids,
            directed=self._directed,
            node_data=data,
        )

    def _index(self):
        if self._id_index is None:
            import pandas as pd

            self._id_index = pd.Index(
                self._node_ids, dtype=self._node_ids.dtype, tupleize_cols=False
            )
        return self._id_index

    def __contains__(self, node_id: object) -> bool:
        try:
            return node_id in self._index()
        except TypeError:
            return False

    def index_of(self, node_id: Hashable) -> int:
        """The integer index of one node id; :class:`NodeNotFoundError` if absent."""
        try:
            position = self._index().get_loc(node_id)
        except (KeyError, TypeError):
            position = None
        if not isinstance(position, (int, np.integer)):
            # an int id given as text ("42") or a str id given as a number
            alt = _coerce_id(node_id, self._node_ids.dtype)
            if alt is not None and alt != node_id:
                return self.index_of(alt)
            raise NodeNotFoundError(f"node {show(node_id)} is not in the graph")
        return int(position)

    def indices_of(self, node_ids: Iterable[Hashable]) -> np.ndarray:
        """Integer indices of many node ids at once (vectorised)."""
        query = None
        if self._node_ids.dtype != object:
            try:
                query = np.asarray(node_ids, dtype=self._node_ids.dtype)
            except (TypeError, ValueError, OverflowError):
                pass
        if query is None or query.ndim != 1:
            query = _object_array(node_ids)
        found = self._index().get_indexer(query)
        if np.any(found < 0):
            missing = query[found < 0][0]
            raise NodeNotFoundError(f"node {show(missing)} is not in the graph")
        return found

    def neighbors(self, node_id: Hashable) -> list:
        """The ids of the out-neighbours of ``node_id``, sorted by index."""
        i = self.index_of(node_id)
        return self._node_ids[self._indices[self._indptr[i] : self._indptr[i + 1]]].tolist()

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every edge once, as index arrays ``(src, dst, weight)``.

        Undirected edges come out once with ``src <= dst``.
        """
        src = self.edge_sources()
        dst = self._indices
        weights = np.asarray(self.weights, dtype=np.float64)
        if self._directed:
            return src, dst.copy(), weights.copy()
        keep = src <= dst
        return src[keep], dst[keep], weights[keep]

    def edge_subgraph(self, keep: np.ndarray) -> Graph:
        """The same nodes and metadata with only the edges where ``keep`` is True.

        ``keep`` is a boolean mask aligned with :meth:`edges`.
        """
        src, dst, weights = self.edges()
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != src.shape:
            raise ParameterError(f"keep must have one entry per edge ({len(src)})")
        return Graph.from_edges(
            src[keep],
            dst[keep],
            weights[keep],
            node_ids=self._node_ids,
            directed=self._directed,
            node_data=self._node_data,
        )

    def __repr__(self) -> str:
        kind = "directed" if self._directed else "undirected"
        wkind = "weighted" if self.weighted else "unweighted"
        count = self._duplicates_merged
        merged = f", {count} duplicate{'s' if count > 1 else ''} merged" if count else ""
        return f"<Graph {kind}, {self.num_nodes} nodes, {self.num_edges} edges, {wkind}{merged}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return (
            self._directed == other._directed
            and np.array_equal(self._node_ids, other._node_ids)
            and np.array_equal(self._indptr, other._indptr)
            and np.array_equal(self._indices, other._indices)
            and np.array_equal(self.weights, other.weights)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, compared by value

    # ---------------------------------------------------------- constructors
    @classmethod
    def from_edges(
        cls,
        src: Sequence[int] | np.ndarray,
        dst: Sequence[int] | np.ndarray,
        weights: Sequence[float] | np.ndarray | None = None,
        *,
        node_ids: Sequence[Hashable] | np.ndarray | None = None,
        directed: bool = False,
        drop_self_loops: bool = False,
        node_data: dict[str, Sequence] | None = None,
        duplicates: str | None = None,
    ) -> Graph:
        """Build a graph from index arrays (the common path of every reader).

        Parameters
        ----------
        src, dst : array of int
            Endpoint indices into ``node_ids``.
        weights : array of float, optional
            Edge weights (default 1). Must be positive and finite.
        node_ids : array, optional
            Node labels; default ``0..max index``.
        directed : bool
        drop_self_loops : bool
        node_data : dict, optional
        duplicates : {None, "sum", "max", "min", "first", "last"}
            How copies of an edge with unequal weights merge (module docstring);
            ``None`` makes them an error.

        Returns
        -------
        Graph
        """
        return cls._from_edges(
            src,
            dst,
            weights,
            node_ids=node_ids,
            directed=directed,
            drop_self_loops=drop_self_loops,
            node_data=node_data,
            duplicates=duplicates,
            where=None,
        )

    @classmethod
    def _from_edges(
        cls, src, dst, weights, *, node_ids, directed, drop_self_loops, node_data, duplicates, where
    ):
        """:meth:`from_edges`, with ``where(row)`` naming input rows in a conflict message."""
        check_duplicates(duplicates)
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        if node_ids is None:
            n = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
            node_ids = np.arange(n, dtype=np.int64)
        else:
            node_ids = _id_array(node_ids, "node_ids: ")
        n = len(node_ids)
        if src.shape != dst.shape:
            raise GraphError("src and dst must have the same length")
        if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
            raise GraphError("edge endpoint index out of range")
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
            if weights.shape != src.shape:
                raise GraphError("weights must have one value per edge")
        rows = None
        if drop_self_loops:
            keep = src != dst
            rows = np.flatnonzero(keep) if where is not None and not keep.all() else None
            src, dst = src[keep], dst[keep]
            weights = None if weights is None else weights[keep]
        try:
            indptr, indices, weights, merged = _build_csr(
                [(src, dst, weights)], n, directed, weights is not None, duplicates
            )
        except _DuplicateConflict as conflict:
            pair = (src == conflict.row) & (dst == conflict.col)
            if not directed:
                pair |= (src == conflict.col) & (dst == conflict.row)
            found = np.flatnonzero(pair)
            found = found[list(_two_different(weights[found]))]
            pair_weights = weights[found]
            if rows is not None:
                found = rows[found]
            places = (
                [where(int(r)) for r in found]
                if where is not None
                else [f"edges {found[0]} and {found[1]} (by position)"]
            )
            u, v = node_ids[conflict.row], node_ids[conflict.col]
            raise GraphError(_conflict_message(u, v, directed, places, pair_weights)) from None
        graph = cls(indptr, indices, weights, node_ids, directed=directed, node_data=node_data)
        graph._duplicates_merged = merged
        return graph

    @classmethod
    def from_pandas(
        cls,
        df: pandas.DataFrame,
        source: Hashable = "source",
        target: Hashable = "target",
        weight: Hashable | None = None,
        *,
        directed: bool = False,
        nodes: Iterable[Hashable] | None = None,
        drop_self_loops: bool = False,
        duplicates: str | None = None,
    ) -> Graph:
        """Build a graph from a DataFrame with one edge per row.

        Parameters
        ----------
        df : pandas.DataFrame
        source, target : str
            Column names of the endpoints.
        weight : str or None
            Column of weights; ``None`` uses a ``"weight"`` column when there is
            one, and weight 1 otherwise. ``False`` ignores weights.
        directed : bool
        nodes : sequence, optional
            All node ids in the order wanted (isolated nodes included).
            Default: the sorted ids seen in the edges.
        drop_self_loops : bool
        duplicates : {None, "sum", "max", "min", "first", "last"}
            How rows that repeat an edge with unequal weights merge (module
            docstring); ``None`` makes them an error naming both rows.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"source": [1, 2], "target": [2, 3], "weight": [0.5, 2.0]})
        >>> Graph.from_pandas(df, directed=True)
        <Graph directed, 3 nodes, 2 edges, weighted>
        """
        for column in (source, target):
            if column not in df.columns:
                raise GraphError(
                    f"DataFrame has no column {column!r} (columns: {list(df.columns)})"
                )
        if weight is None:
            weight = "weight" if "weight" in df.columns else False
        if weight is not False and weight not in df.columns:
            raise GraphError(f"DataFrame has no weight column {weight!r}")
        labels = df.index

        def where(row):
            return f"DataFrame row {show(labels[row])}"

        src_raw, dst_raw = df[source].to_numpy(), df[target].to_numpy()
        for column, values in ((source, src_raw), (target, dst_raw)):
            missing = _missing_mask(values)
            if missing.any():
                row = int(np.flatnonzero(missing)[0])
                raise GraphError(f"{where(row)}: missing {column} value")
        weights = None
        if weight is not False:
            weights = _parse_weights(df[weight].to_numpy(), where)
        src, dst, node_ids = _factorize_ids(src_raw, dst_raw, nodes, where)
        return cls._from_edges(
            src,
            dst,
            weights,
            node_ids=node_ids,
            directed=directed,
            drop_self_loops=drop_self_loops,
            node_data=None,
            duplicates=duplicates,
            where=where,
        )

    @classmethod
    def from_edgelist(
        cls,
        path: str | os.PathLike[str],
        *,
        directed: bool = False,
        weighted: bool | None = None,
        sep: str | None = None,
        header: bool | None = None,
        comment: str | None = "#",
        nodes: Iterable[Hashable] | None = None,
        drop_self_loops: bool = False,
        duplicates: str | None = None,
    ) -> Graph:
        """Read an edge-list file: ``source target [weight]`` per line.

        Parameters
        ----------
        path : str or os.PathLike
            Text file; ``.gz`` files are decompressed on the fly. A pipe
            (``<(zcat edges.gz)``) or ``"-"`` (standard input) is first copied to a
            scratch file in ``TMPDIR``.
        directed : bool
            Read ``u v`` as ``u -> v`` only (default: undirected).
        weighted : bool or None
            ``None`` (default) uses a third column when the file has one;
            ``False`` ignores it; ``True`` requires it.
        sep : str or None
            Field separator; ``None`` detects tab, then comma, then whitespace.
        header : bool or None
            Whether the first data line is a header; ``None`` detects it (a
            first line whose weight is not a number, or whose ids are not
            integers when all the other ids are).
        comment : str
            Text from this character to the end of a line is ignored.
        nodes : sequence, optional
            All node ids in the wanted order (isolated nodes included).
        drop_self_loops : bool
        duplicates : {None, "sum", "max", "min", "first", "last"}
            How lines that repeat an edge with unequal weights merge (module
            docstring); ``None`` makes them an error naming both lines.

        Raises
        ------
        GraphError
            Naming the file, line and value: a missing column, too many
            fields, a weight that is not a positive finite number, no edges,
            text that is not UTF-8, one edge with two different weights.
        ParameterError
            A ``sep`` that cannot be a separator (``'\\t'`` typed as two
            characters is taken as a tab).

        Examples
        --------
        >>> g = Graph.from_edgelist("edges.tsv")            # doctest: +SKIP
        >>> g = Graph.from_edgelist("net.csv.gz", directed=True, weighted=True)  # doctest: +SKIP
        """
        path = os.fspath(path)
        sep = check_sep(sep, comment)
        check_duplicates(duplicates)
        with readable_twice(path) as (copy, name):
            try:
                return cls._from_edgelist(
                    copy, directed, weighted, sep, header, comment, nodes, drop_self_loops,
                    duplicates,
                )  # fmt: skip
            except GraphError as exc:
                if copy == name:
                    raise
                raise GraphError(str(exc).replace(copy, name)) from None  # not the scratch copy

    @classmethod
    def _from_edgelist(
        cls, path, directed, weighted, sep, header, comment, nodes, drop_self_loops, duplicates
    ):
        sample = sample_lines(path, comment)
        if not sample:
            raise GraphError(f"{path}: no edges (the file has no data lines)")
        sep = sep or detect_sep(sample[0][1])
        if header is None:
            header = looks_like_header(sample, sep)
        start = 1 if header else 0
        int_ids = all(
            len(tokens) >= 2 and all(INT_RE.fullmatch(t.strip()) for t in tokens[:2])
            for tokens in (split_line(text, sep) for _, text in sample[start:])
        )
        # "007", "-0" or "+7" anywhere must keep every id as text: read such files as text
        int_ids = int_ids and not has_noncanonical_ints(path)
        read = dict(
            sep=sep,
            comment=comment,
            header=header,
            sample=sample,
            weighted=weighted,
            drop_self_loops=drop_self_loops,
        )
        parts = None
        if int_ids:
            try:
                parts, table, has_weights = _read_edge_parts(path, "int", **read)
            except _TextNeeded:
                parts = None
        if parts is None:
            parts, table, has_weights = _read_edge_parts(path, "text", **read)
        uniques = table.uniques()
        del table
        if uniques.dtype == object:
            uniques = maybe_ints(uniques)
        node_ids, rank, missing = _rank_ids(uniques, nodes)
        if missing is not None:
            line = _line_with_id(path, sep, comment, header, str(uniques[missing]))
            raise GraphError(f"{path}, line {line}: node {show(uniques[missing])} is not in nodes")
        del uniques
        for k, (src, dst, weights) in enumerate(parts):
            parts[k] = (rank[src], rank[dst], weights)
        del rank
        try:
            indptr, indices, weights, merged = _build_csr(
                parts, len(node_ids), directed, has_weights, duplicates
            )
        except GraphError as exc:
            raise GraphError(f"{path}: {exc}") from None
        except _DuplicateConflict as conflict:
            u, v = node_ids[conflict.row], node_ids[conflict.col]
            lines, weights = _lines_with_edge(
                path, sep, comment, header, (str(u), str(v)), directed
            )
            if len(lines) < 2:  # cannot happen for a file read as written; say what we know
                lines, weights = (
                    ["?", "?"],
                    conflict.weights[list(_two_different(conflict.weights))],
                )
            raise GraphError(
                _conflict_message(
                    u, v, directed, [f"{path}, lines {lines[0]} and {lines[1]}"], weights
                )
            ) from None
        try:
            graph = cls(indptr, indices, weights, node_ids, directed=directed)
        except GraphError as exc:  # an id too long: say where it is
            node = getattr(exc, "node_id", None)
            if node is None:
                raise
            line = _line_with_id(path, sep, comment, header, node)
            raise GraphError(f"{path}, line {line}: {exc}") from None
        graph._duplicates_merged = merged
        return graph

    @classmethod
    def from_networkx(
        cls, graph: networkx.Graph, weight: str | None = "weight", *, duplicates: str | None = None
    ) -> Graph:
        """Build a graph from a networkx ``Graph``/``DiGraph`` or multigraph.

        Node order and isolated nodes are kept; node attributes become
        :attr:`node_data` columns; a missing ``weight`` attribute means 1.
        Parallel edges of a multigraph follow the duplicate rule of the module
        docstring (``duplicates="sum"`` adds their weights).

        Examples
        --------
        >>> import networkx as nx
        >>> Graph.from_networkx(nx.path_graph(4))
        <Graph undirected, 4 nodes, 3 edges, unweighted>
        """
        nodes = list(graph.nodes)
        node_ids = _id_array(check_node_ids(nodes, where="networkx graph: "), checked=True)
        position = {node: i for i, node in enumerate(nodes)}
        edges = graph.edges(data=weight, default=1.0)
        src = np.fromiter((position[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
        dst = np.fromiter((position[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
        raw = np.fromiter((w for _, _, w in edges), dtype=object, count=len(edges))

        def where(row):
            u, v, _ = list(edges)[row]
            return f"networkx edge ({show(u)}, {show(v)})"

        weights = _parse_weights(raw, where)
        attr_names = sorted({k for _, d in graph.nodes(data=True) for k in d})
        node_data = {
            name: np.array([graph.nodes[n].get(name) for n in nodes], dtype=object)
            for name in attr_names
        }
        return cls._from_edges(
            src,
            dst,
            weights,
            node_ids=node_ids,
            directed=graph.is_directed(),
            drop_self_loops=False,
            node_data=node_data,
            duplicates=duplicates,
            where=where,
        )

    def to_networkx(self) -> networkx.Graph:
        """A networkx ``Graph`` or ``DiGraph`` with ``weight`` edge attributes and node metadata."""
        import networkx as nx

        g = nx.DiGraph() if self._directed else nx.Graph()
        ids = self._node_ids.tolist()
        columns = {name: col.tolist() for name, col in self._node_data.items()}
        g.add_nodes_from(
            (node, {name: col[i] for name, col in columns.items()}) for i, node in enumerate(ids)
        )
        src, dst, w = self.edges()
        g.add_weighted_edges_from(zip((ids[i] for i in src), (ids[j] for j in dst), w.tolist()))
        return g


# --------------------------------------------------------------------- helpers
def _check_id_lengths(node_ids):
    """Refuse a text id longer than :data:`n2v_lite.ids.MAX_ID_CHARS` (ids checked by
    :func:`~n2v_lite.ids.check_node_ids` are refused there already)."""
    if node_ids.dtype.kind == "U" and node_ids.dtype.itemsize // 4 <= ids_module.MAX_ID_CHARS:
        return
    if node_ids.dtype.kind in "UO":
        for value in node_ids.tolist():
            check_id_length(value)


def _object_array(values):
    """A 1-D object array holding ``values`` as they are (tuples stay single items)."""
    values = values.tolist() if isinstance(values, np.ndarray) else list(values)
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


def _id_array(ids, where="", checked=False):
    """Node ids as a 1-D array with every id's type and value kept, checked.

    All-``int`` ids become int64, all-``float`` float64, ``bool`` bool; ``str``
    and mixed ids an object array. Ids are checked by
    :func:`n2v_lite.ids.check_node_ids` (``checked=True``: already done), with
    vectorised shortcuts for plain int, float and str columns.
    """
    import pandas as pd

    if isinstance(ids, np.ndarray):
        if ids.ndim != 1:
            raise GraphError(f"{where}node ids must be one-dimensional, got shape {ids.shape}")
        kind = ids.dtype.kind
        if kind == "u":
            kind, ids = (
                ("i", ids.astype(np.int64))
                if not len(ids) or ids.max() < 2**63
                else ("O", ids.astype(object))
            )
        if kind in "US":
            ids, kind = ids.astype(object), "str"
        elif kind == "O":
            kind = {"string": "str", "integer": "int"}.get(
                pd.api.types.infer_dtype(ids, skipna=False), "O"
            )
        if kind in "ifb" or kind in ("str", "int"):
            if kind == "f" and np.isnan(ids).any():
                check_node_ids([np.nan], where)  # raises: nan is not an id
            if len(pd.unique(ids)) != len(ids):
                check_node_ids(ids.tolist(), where)
            if kind == "int":
                try:
                    return ids.astype(np.int64)
                except OverflowError:
                    return ids
            return ids
    if checked:
        values = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
    else:
        values = check_node_ids(ids, where)
    if (
        values
        and all(type(v) is int for v in values)
        and all(-(2**63) <= v < 2**63 for v in values)
    ):
        return np.array(values, dtype=np.int64)
    if values and all(type(v) is float for v in values):
        return np.array(values, dtype=np.float64)
    return _object_array(values)


def _sort_order(ids):
    """A stable order of the ids (by value; mixed types grouped by type name)."""
    try:
        return np.argsort(ids, kind="stable")
    except TypeError:
        pass

    def key(i):
        value = ids[i]
        return type(value).__name__, value

    try:
        order = sorted(range(len(ids)), key=key)
    except TypeError:
        order = sorted(range(len(ids)), key=lambda i: (type(ids[i]).__name__, repr(ids[i])))
    return np.asarray(order, dtype=np.int64)


def _coerce_id(node_id, dtype):
    """``"42"`` -> ``42`` for int-id graphs, ``42`` -> ``"42"`` for str-id graphs."""
    if dtype.kind == "i" and isinstance(node_id, str) and INT_RE.fullmatch(node_id.strip()):
        return int(node_id)
    if dtype.kind == "O" and isinstance(node_id, (int, np.integer)):
        return str(node_id)
    return None


def _missing_mask(values):
    import pandas as pd

    mask = pd.isna(values)
    if values.dtype == object:
        mask |= values == ""
    return np.asarray(mask, dtype=bool)


def _parse_weights(raw, where):
    """Turn a column of weights into float64, raising GraphError on the first bad one."""
    import pandas as pd

    values = pd.to_numeric(pd.Series(raw, copy=False), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = raw[row].item() if isinstance(raw[row], np.generic) else raw[row]
        if isinstance(value, str) and value.strip() == "":
            problem = "missing weight"
        else:
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                problem = f"weight {show(value)} is not a number"
            else:
                # a number is shown as written, unquoted: "weight -1 must be positive"
                text = show(value.strip() if isinstance(value, str) else value)
                if isinstance(value, str) and text[0] in "'\"" and text.endswith(text[0]):
                    text = text[1:-1]
                if not np.isfinite(number):
                    problem = f"weight {text} is not finite"
                else:
                    problem = f"weight {text} must be positive"
        raise GraphError(f"{where(row)}: {problem}")
    return values


def _factorize_ids(src_raw, dst_raw, nodes, where, parse_ints=False):
    """Map two columns of ids to indices into one sorted (or given) id array.

    ``parse_ints``: the columns hold text as written in a file; they become
    int only when every id is a canonical integer (see :func:`maybe_ints`).
    Otherwise every id keeps its Python type and value.
    """
    import pandas as pd

    src_raw, dst_raw = np.asarray(src_raw), np.asarray(dst_raw)
    kinds = {src_raw.dtype.kind, dst_raw.dtype.kind}
    if len(kinds) > 1 and not kinds <= set("US"):
        # columns of two kinds (int64 and uint64, int and float, bool and int): numpy
        # would promote one to the other (2**63 - 1 and 2**63 to one float, True to
        # 1); as objects every id keeps its type and value, and the check below sees
        # the ids Python takes as one key
        src_raw, dst_raw = src_raw.astype(object), dst_raw.astype(object)
    both = np.concatenate([src_raw, dst_raw])
    if both.dtype.kind in "US":
        both = both.astype(object)
    if (
        both.dtype == object
        and not parse_ints
        and pd.api.types.infer_dtype(both, skipna=False) not in ("string", "integer")
    ):
        # mixed ids: check them all before hashing merges 1, 1.0 and True
        check_node_ids(both.tolist(), "DataFrame: ", distinct=False)
    codes, uniques = pd.factorize(both, sort=False)
    uniques = np.asarray(uniques)
    if parse_ints and uniques.dtype == object:
        uniques = maybe_ints(uniques)
    elif uniques.dtype.kind == "i":
        pass
    else:
        uniques = (
            _id_array(uniques, checked=True) if uniques.dtype == object else _id_array(uniques)
        )
    node_ids, rank, missing = _rank_ids(uniques, nodes)
    if missing is not None:
        row = int(np.flatnonzero(codes == missing)[0])
        raise GraphError(
            f"{where(row % len(src_raw))}: node {show(uniques[missing])} is not in nodes"
        )
    mapped = rank[codes]
    n_edges = len(src_raw)
    return mapped[:n_edges], mapped[n_edges:], node_ids


def _rank_ids(uniques, nodes):
    """``(node_ids, rank, missing)``: ``uniques[k]`` is node ``rank[k]``.

    ``node_ids`` are the sorted uniques, or ``nodes`` (checked) when given;
    ``missing`` is the position of the first unique not in ``nodes`` (or None).
    """
    import pandas as pd

    if nodes is None:
        order = _sort_order(uniques)
        rank = np.empty(len(order), dtype=np.int32 if len(order) < 2**31 - 1 else np.int64)
        rank[order] = np.arange(len(order))
        return uniques[order], rank, None
    node_ids = _id_array(nodes if isinstance(nodes, np.ndarray) else list(nodes), "nodes: ")
    query = uniques
    if node_ids.dtype != object and uniques.dtype != node_ids.dtype:
        try:
            query = uniques.astype(node_ids.dtype)
        except (TypeError, ValueError, OverflowError):
            query = uniques
    index = pd.Index(node_ids, dtype=node_ids.dtype, tupleize_cols=False)
    rank = index.get_indexer(query)
    missing = int(np.flatnonzero(rank < 0)[0]) if np.any(rank < 0) else None
    return node_ids, rank, missing


# ------------------------------------------------------------ CSR building
_ROW_BLOCK = 1 << 19  # CSR entries sorted at a time (bounded temporaries)
_SCATTER_ROWS = 1 << 19  # edges placed at a time
_LOW32 = np.int64(0xFFFFFFFF)


def _compact_weights(weights):
    """``None`` when every weight is 1; float32 when every weight is exactly a float32;
    else float64."""
    weights = np.asarray(weights)
    if weights.dtype == np.float32:
        return None if np.all(weights == 1) else weights
    weights = np.asarray(weights, dtype=np.float64)
    if np.all(weights == 1.0):
        return None
    with np.errstate(over="ignore"):  # a weight above float32's range stays float64
        narrow = weights.astype(np.float32)
    return narrow if np.array_equal(narrow, weights) else weights


def _scatter(rows, cols, weights, cursor, indices, values):
    """Put entries ``(rows, cols[, weights])`` into their CSR rows (a counting sort step)."""
    if len(rows) == 0:
        return
    order = np.argsort(rows)
    r = rows[order]
    first = np.empty(len(r), dtype=bool)
    first[0] = True
    np.not_equal(r[1:], r[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(r)))
    slots = cursor[r] + (np.arange(len(r)) - np.repeat(starts, counts))
    indices[slots] = cols[order]
    if values is not None:
        values[slots] = 1.0 if weights is None else weights[order]
    cursor[r[starts]] += counts


class _DuplicateConflict(Exception):
    """Copies of one edge with unequal weights (``row``, ``col`` are node indices)."""

    def __init__(self, row, col, weights):
        super().__init__(row, col, weights)
        self.row, self.col, self.weights = row, col, weights


def check_duplicates(duplicates: str | None) -> str | None:
    """``duplicates`` checked against :data:`DUPLICATE_POLICIES` (every reader's rule)."""
    if duplicates is not None and duplicates not in DUPLICATE_POLICIES:
        raise ParameterError(
            f"duplicates must be one of {', '.join(DUPLICATE_POLICIES)} "
            f"(or None: unequal weights are an error), got {duplicates!r}"
        )
    return duplicates


def _reduce_copies(key, block, order, policy):
    """Merge runs of equal ``key`` (sorted): ``(key, block)`` with one entry per run.

    ``block`` holds the weights (None: unweighted), ``order`` each entry's
    position in the input (only for ``"first"``/``"last"``). The rule is the
    module docstring's; unequal weights under ``policy=None`` raise
    :class:`_DuplicateConflict` with the first such run.
    """
    first = np.empty(len(key), dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    if first.all():
        return key, block
    starts = np.flatnonzero(first)
    if block is None:
        if policy == "sum":  # the number of copies becomes the weight
            block = np.diff(np.append(starts, len(key))).astype(np.float64)
        return key[starts], block
    if policy in ("first", "last"):
        # within each run, input order decides (the sort by key is not stable)
        ends = np.append(starts[1:], len(key))
        group = np.repeat(np.arange(len(starts)), ends - starts)
        by_order = np.lexsort((order, group))
        pick = by_order[starts] if policy == "first" else by_order[ends - 1]
        return key[starts], block[pick]
    if policy == "sum":
        return key[starts], np.add.reduceat(block, starts)
    low, high = np.minimum.reduceat(block, starts), np.maximum.reduceat(block, starts)
    if policy is None:
        bad = np.flatnonzero(low != high)
        if len(bad):
            run = starts[bad[0]]
            size = np.diff(np.append(starts, len(key)))[bad[0]]
            raise _DuplicateConflict(
                int(key[run] >> 32), int(key[run] & _LOW32), block[run : run + size]
            )
    return key[starts], high if policy == "max" else low


def _build_csr(parts, n, directed, weighted, duplicates=None):
    """CSR arrays from edge parts ``(src, dst, weights or None)`` of node indices.

    A counting sort by row, then each block of rows sorted and its duplicates
    merged by the rule of the module docstring (``duplicates`` is the policy).
    Memory: the parts (freed one by one as they are placed), the output arrays
    and temporaries of one part or block. ``parts`` is emptied.

    Returns ``(indptr, indices, weights, merged)``, ``merged`` being the number
    of input edges merged into others. Raises :class:`_DuplicateConflict`
    (node indices; the reader names the places) for unequal weights under
    ``duplicates=None``.
    """
    ordered = weighted and duplicates in ("first", "last")
    index_dtype = np.int32 if n < 2**31 - 1 else np.int64
    edges_in = sum(len(part[0]) for part in parts)
    most = 2 * edges_in  # stored entries at most
    deg = np.zeros(n, dtype=np.int32 if most < 2**31 - 1 else np.int64)
    for part in parts:
        for a in range(0, len(part[0]), _SCATTER_ROWS):
            src, dst = part[0][a : a + _SCATTER_ROWS], part[1][a : a + _SCATTER_ROWS]
            deg += np.bincount(src, minlength=n)
            if not directed:
                deg += np.bincount(dst[src != dst], minlength=n)
    total = int(deg.sum())
    if n == 0 or total == 0:
        parts.clear()
        raise GraphError("the graph has no edges")
    start = np.zeros(n + 1, dtype=deg.dtype)
    np.cumsum(deg, out=start[1:])
    cursor = start[:-1].copy()
    indices = np.empty(total, dtype=index_dtype)
    values = np.empty(total, dtype=np.float64) if weighted else None
    # the input position of each stored entry, for "first"/"last": stored as a weight
    positions = np.empty(total, dtype=np.float64) if ordered else None
    seen = 0
    while parts:
        part = parts.pop(0)
        for a in range(0, len(part[0]), _SCATTER_ROWS):
            src, dst, weights = (None if x is None else x[a : a + _SCATTER_ROWS] for x in part)
            at = np.arange(seen, seen + len(src), dtype=np.float64) if ordered else None
            seen += len(src)
            entries = [(src, dst, weights, at)]
            if not directed:  # the mirror entry of every edge but a self-loop
                mirror = src != dst
                entries.append(
                    (
                        dst[mirror],
                        src[mirror],
                        None if weights is None else weights[mirror],
                        None if at is None else at[mirror],
                    )
                )
            for rows, cols, row_weights, row_positions in entries:
                if ordered:  # the same slots as the weights (same rows, same cursor)
                    _scatter(rows, cols, row_positions, cursor.copy(), indices, positions)
                _scatter(rows, cols, row_weights, cursor, indices, values)
        del part, src, dst, weights
    del cursor
    write, r0, loops = 0, 0, 0
    while r0 < n:
        r1 = int(np.searchsorted(start, int(start[r0]) + _ROW_BLOCK, side="right")) - 1
        r1 = min(max(r1, r0 + 1), n)
        p0, p1 = int(start[r0]), int(start[r1])
        if p1 == p0:
            deg[r0:r1] = 0
            r0 = r1
            continue
        rows = np.repeat(np.arange(r1 - r0, dtype=np.int64), deg[r0:r1])
        key = (rows << 32) | indices[p0:p1].astype(np.int64)
        del rows
        order = None
        if values is not None:
            sort = np.argsort(key)
            key, block = key[sort], values[p0:p1][sort]
            if ordered:
                order = positions[p0:p1][sort]
            del sort
        else:
            key.sort()
            block = None
        try:
            key, block = _reduce_copies(key, block, order, duplicates)
        except _DuplicateConflict as conflict:
            conflict.row += r0
            raise
        unique = len(key)
        if block is not None and values is None:  # "sum" of an unweighted input: counts
            values = np.ones(total, dtype=np.float32)  # small counts are exact
        indices[write : write + unique] = key & _LOW32
        if values is not None:
            values[write : write + unique] = 1.0 if block is None else block
        local = key >> 32
        deg[r0:r1] = np.bincount(local, minlength=r1 - r0)
        loops += int(np.count_nonzero(local + r0 == (key & _LOW32)))
        write += unique
        r0 = r1
    indptr = np.zeros(n + 1, dtype=np.int32 if write < 2**31 else np.int64)
    np.cumsum(deg, out=indptr[1:])
    if write < total:  # duplicates were merged: shrink in place (realloc, no copy)
        indices.resize(write, refcheck=False)
        if values is not None:
            values.resize(write, refcheck=False)
    edges_out = write if directed else (write - loops) // 2 + loops
    weights = None if values is None else _compact_weights(values)
    return indptr, indices, weights, edges_in - edges_out


class _IdTable:
    """Incremental factorisation: ids get codes 0, 1, 2, ... in order of first sight.

    Only the distinct ids are kept (pandas' hash tables), so an edge list can be
    read chunk by chunk.
    """

    def __init__(self, kind):
        from pandas._libs import hashtable

        if kind == "int":
            self._table, self._vector = hashtable.Int64HashTable(1 << 16), hashtable.Int64Vector
        else:
            self._table, self._vector = hashtable.PyObjectHashTable(1 << 16), hashtable.ObjectVector
        self._parts = []
        self.count = 0

    def codes(self, values):
        vector = self._vector()
        codes = self._table.get_labels(values, vector, self.count, -1)
        new = vector.to_array()
        if len(new):
            self._parts.append(new)
            self.count += len(new)
        return codes.astype(np.int32 if self.count < 2**31 - 1 else np.int64)

    def uniques(self):
        if not self._parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(self._parts)


# ------------------------------------------------------- chunked edge lists
_CHUNK_ROWS = {"int": 1 << 18, "text": 1 << 16}


def as_graph(graph: Graph | networkx.Graph, what: str = "fit()") -> Graph:
    """``graph`` as a :class:`Graph`: a Graph itself, or one built from a networkx graph.

    ``what`` names the caller in the error for anything else.
    """
    if isinstance(graph, Graph):
        return graph
    if type(graph).__module__.split(".")[0] == "networkx":
        return Graph.from_networkx(graph)
    raise ParameterError(
        f"{what} needs an n2v_lite.Graph (or a networkx graph), got {type(graph).__name__}"
    )


def node_metadata(graph: Graph) -> dict[str, np.ndarray]:
    """The graph's node metadata columns by node index, with degrees added.

    Undirected: ``degree``, the number of distinct neighbours (a self-loop
    counts once). Directed: ``in_degree`` (edges in), ``out_degree`` (edges
    out) and ``degree``, their sum. So filters such as ``degree>=20`` work on
    every embedding; a column the graph already has is kept as it is.
    """
    columns = {name: np.asarray(graph.node_attribute(name)) for name in graph.node_attribute_names}
    out_degree = np.asarray(graph.degrees(), dtype=np.int64)
    if graph.directed:
        in_degree = np.bincount(graph.indices, minlength=graph.num_nodes).astype(np.int64)
        columns.setdefault("degree", in_degree + out_degree)
        columns.setdefault("in_degree", in_degree)
        columns.setdefault("out_degree", out_degree)
    else:
        columns.setdefault("degree", out_degree)
    return columns


class _TextNeeded(Exception):
    """The integer fast path cannot read this file: read it again as text."""


def _read_edge_parts(path, mode, *, sep, comment, header, sample, weighted, drop_self_loops):
    """Read an edge list chunk by chunk: ``(parts, id_table, has_weights)``.

    ``parts`` holds ``(src, dst, weights or None)`` codes per chunk; ids are
    factorised incrementally (only distinct ids are kept). ``mode="int"``
    lets the C parser read integer ids and numeric weights and raises
    :class:`_TextNeeded` at anything else; ``"text"`` reads every field as
    written and names the first bad line.
    """
    import pandas as pd

    options = dict(
        sep=sep,
        header=None,
        comment=comment,
        na_filter=False,
        skip_blank_lines=True,
        engine="c",
        compression="infer",
        quoting=3,
        skiprows=[sample[0][0] - 1] if header else None,
        chunksize=_CHUNK_ROWS[mode],
        dtype=str if mode == "text" else None,
    )
    table = _IdTable(mode)
    parts = []
    has_weights = None
    row0 = 0

    def where(row):
        return f"{path}, line {line_of_row(path, comment, header, row0 + row)}"

    try:
        with pd.read_csv(path, **options) as reader:
            for chunk in reader:
                columns = list(range(chunk.shape[1]))
                while len(columns) > 2 and _missing_mask(chunk[columns[-1]].to_numpy()).all():
                    columns.pop()  # separators at the end of the lines
                if not 2 <= len(columns) <= 3:
                    raise GraphError(shape_problem(path, sep, comment, header))
                if has_weights is None:
                    if weighted and len(columns) < 3:
                        raise GraphError(f"{path}: weighted=True but the file has no weight column")
                    has_weights = len(columns) == 3 if weighted is None else bool(weighted)
                elif has_weights and chunk.shape[1] < 3:
                    raise GraphError(f"{where(0)}: missing weight")
                elif weighted is None and not has_weights and len(columns) == 3:
                    row = int(np.flatnonzero(~_missing_mask(chunk[2].to_numpy()))[0])
                    raise GraphError(f"{where(row)}: a weight where the first lines have none")
                part = _edge_part(chunk, mode, has_weights, table, where)
                if drop_self_loops:
                    keep = part[0] != part[1]
                    part = tuple(None if a is None else a[keep] for a in part)
                parts.append(part)
                row0 += len(chunk)
    except pd.errors.ParserError:
        raise GraphError(shape_problem(path, sep, comment, header)) from None
    except pd.errors.EmptyDataError:
        raise GraphError(f"{path}: no edges (the file has no data lines)") from None
    except UnicodeDecodeError as exc:
        raise GraphError(
            f"{path}: not a UTF-8 text edge list ({exc.reason} at byte {exc.start})"
        ) from None
    except (EOFError, OSError, zlib.error) as exc:  # e.g. a truncated .gz
        raise GraphError(f"{path}: cannot read ({show(str(exc), 80)})") from None
    if row0 == 0:
        raise GraphError(f"{path}: no edges (the file has no data lines)")
    return parts, table, has_weights


def _edge_part(chunk, mode, has_weights, table, where):
    """``(src, dst, weights)`` codes of one chunk, checked."""
    src, dst = chunk[0].to_numpy(), chunk[1].to_numpy()
    weights = None
    if mode == "int":
        if src.dtype.kind != "i" or dst.dtype.kind != "i":
            raise _TextNeeded
        if has_weights:
            weights = chunk[2].to_numpy()
            if weights.dtype.kind not in "iuf":
                raise _TextNeeded
            weights = weights.astype(np.float64)
            if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
                raise _TextNeeded  # the text path names the value as written
        codes = table.codes(np.concatenate([src, dst]).astype(np.int64, copy=False))
    else:
        src = chunk[0].str.strip().to_numpy(dtype=object)
        dst = chunk[1].str.strip().to_numpy(dtype=object)
        for name, values in (("source", src), ("target column after", dst)):
            missing = values == ""
            if missing.any():
                row = int(np.flatnonzero(missing)[0])
                after = f" {show(src[row])}" if values is dst else ""
                raise GraphError(f"{where(row)}: missing {name}{after}")
        if has_weights:
            weights = _parse_weights(chunk[2].to_numpy(dtype=object), where)
        codes = table.codes(np.concatenate([src, dst]))
    n = len(chunk)
    return codes[:n], codes[n:], weights


def _conflict_message(u, v, directed, places, weights):
    """One line for two copies of an edge with unequal weights, naming where they are."""
    arrow = "->" if directed else "--"
    return (
        f"{' and '.join(places)}: edge {show(u)} {arrow} {show(v)} is listed with "
        f"different weights ({weights[0]:g} and {weights[1]:g}); say how to merge them: "
        f"duplicates= (--duplicates) {', '.join(DUPLICATE_POLICIES)}"
    )


def _two_different(weights):
    """Positions of the first weight and of the first one unequal to it."""
    return 0, int(np.flatnonzero(weights != weights[0])[0])


def _lines_with_edge(path, sep, comment, header, ids, directed):
    """``(line numbers, weights)`` of the first listing of the edge ``ids`` (either way
    round if undirected) and of the first one with another weight."""
    lines, weights = [], []
    wanted = {ids} if directed else {ids, ids[::-1]}
    for k, (number, text) in enumerate(data_lines(path, comment)):
        fields = [t.strip() for t in line_fields(text, sep)]
        if not (header and k == 0) and tuple(fields[:2]) in wanted:
            weight = float(fields[2])
            if not weights or weight != weights[0]:
                lines.append(number)
                weights.append(weight)
                if len(lines) == 2:
                    break
    return lines, weights


def _line_with_id(path, sep, comment, header, node):
    """The first data line with ``node`` as its source or target."""
    for k, (number, text) in enumerate(data_lines(path, comment)):
        if not (header and k == 0) and node in [t.strip() for t in line_fields(text, sep)[:2]]:
            return number
    return "?"
