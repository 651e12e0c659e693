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

Duplicate edges are merged and their weights **summed** (in an undirected graph
``u v`` and ``v u`` are the same edge). Self-loops are kept unless
``drop_self_loops=True``.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib

import numpy as np

from .exceptions import GraphError, NodeNotFoundError, ParameterError
from .ids import check_node_ids

__all__ = ["Graph"]

#: A canonical integer: the text ``str(int(text))`` gives back (so not ``-0``, ``+1``, ``007``).
_INT_RE = re.compile(r"0|-?[1-9][0-9]*")
#: The separator value that means "any run of whitespace".
_WHITESPACE = r"\s+"


def _shown(value, limit=40):
    """``value`` for an error message: repr-escaped (no control characters), cut to ~``limit``."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_sep(sep, comment="#"):
    """The field separator to use: ``None`` (detect), one character, or whitespace runs.

    The two characters backslash-t (as typed in a shell) mean a tab.
    """
    if sep is None:
        return None
    if isinstance(sep, str) and sep == "\\t":
        return "\t"
    if isinstance(sep, str) and (sep == _WHITESPACE or (
            len(sep) == 1 and sep not in "\r\n" and sep != comment)):
        return sep
    raise ParameterError("sep must be one character other than a line end or the comment "
                         f"character {comment!r} (or '\\t', or {_WHITESPACE!r} for whitespace), "
                         f"got {_shown(sep)}")


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
    weights : array of float, shape (nnz,)
        Positive, finite edge weights.
    node_ids : array, shape (n,)
        The label of each node (``int`` or ``str``), all distinct.
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

    __slots__ = ("_indptr", "_indices", "_weights", "_node_ids", "_directed",
                 "_node_data", "_id_index", "_weighted")

    def __init__(self, indptr, indices, weights, node_ids, *, directed=False, node_data=None):
        indptr = np.asarray(indptr, dtype=np.int64)
        n = len(node_ids) if not isinstance(node_ids, np.ndarray) else node_ids.shape[0]
        index_dtype = np.int32 if n < 2**31 - 1 else np.int64
        indices = np.asarray(indices, dtype=index_dtype)
        weights = np.asarray(weights, dtype=np.float64)
        if indptr.shape != (n + 1,) or indptr[0] != 0 or indptr[-1] != len(indices):
            raise GraphError(f"indptr must have {n + 1} entries from 0 to {len(indices)}")
        if np.any(np.diff(indptr) < 0):
            raise GraphError("indptr must be non-decreasing")
        if weights.shape != indices.shape:
            raise GraphError("weights and indices must have the same length")
        if len(indices) and (indices.min() < 0 or indices.max() >= n):
            raise GraphError("neighbour index out of range")
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise GraphError("weights must be positive and finite")
        if not isinstance(node_ids, np.ndarray) or node_ids.dtype.kind in "USu":
            node_ids = _id_array(node_ids)
        elif node_ids.ndim != 1:
            raise GraphError(f"node_ids must be one-dimensional, got shape {node_ids.shape}")
        self._indptr = _readonly(indptr)
        self._indices = _readonly(indices)
        self._weights = _readonly(weights)
        self._node_ids = _readonly(node_ids)
        self._directed = bool(directed)
        self._node_data = {}
        for name, column in (node_data or {}).items():
            column = np.asarray(column)
            if len(column) != n:
                raise GraphError(f"node_data[{name!r}] has {len(column)} values for {n} nodes")
            self._node_data[str(name)] = _readonly(column)
        self._id_index = None
        self._weighted = None

    # ------------------------------------------------------------------ arrays
    @property
    def indptr(self):
        """Row pointers, ``int64`` array of length ``num_nodes + 1``."""
        return self._indptr

    @property
    def indices(self):
        """Neighbour indices (sorted within each row), ``int32`` array."""
        return self._indices

    @property
    def weights(self):
        """Edge weights aligned with :attr:`indices`, ``float64`` array."""
        return self._weights

    @property
    def node_ids(self):
        """The node labels, in index order (read-only array)."""
        return self._node_ids

    @property
    def directed(self):
        """True when edges are one-way."""
        return self._directed

    @property
    def num_nodes(self):
        """Number of nodes, isolated ones included."""
        return len(self._node_ids)

    @property
    def num_stored_edges(self):
        """Number of stored CSR entries (an undirected non-loop edge counts twice)."""
        return len(self._indices)

    @property
    def num_edges(self):
        """Number of edges; an undirected edge is counted once."""
        if self._directed:
            return len(self._indices)
        loops = self.num_self_loops
        return (len(self._indices) - loops) // 2 + loops

    @property
    def num_self_loops(self):
        """Number of edges from a node to itself."""
        rows = np.repeat(np.arange(self.num_nodes, dtype=self._indices.dtype), self.degrees())
        return int(np.count_nonzero(rows == self._indices))

    @property
    def weighted(self):
        """True unless every weight is exactly 1."""
        if self._weighted is None:
            self._weighted = bool(np.any(self._weights != 1.0))
        return self._weighted

    @property
    def nbytes(self):
        """Bytes held by the CSR arrays (ids and metadata not included)."""
        return self._indptr.nbytes + self._indices.nbytes + self._weights.nbytes

    def degrees(self):
        """Out-degree (number of stored neighbours) of every node, by index."""
        return np.diff(self._indptr)

    # -------------------------------------------------------------- node ids
    @property
    def node_data(self):
        """Per-node metadata as a :class:`pandas.DataFrame` indexed by node id."""
        import pandas as pd

        return pd.DataFrame(dict(self._node_data), index=pd.Index(self._node_ids, name="node"))

    @property
    def node_attribute_names(self):
        """Names of the per-node metadata columns."""
        return tuple(self._node_data)

    def node_attribute(self, name, default=None):
        """One metadata column as a read-only array aligned with node indices."""
        return self._node_data.get(name, default)

    def with_node_data(self, **columns):
        """A copy of this graph with extra per-node metadata columns (arrays by index)."""
        data = dict(self._node_data)
        data.update(columns)
        return Graph(self._indptr, self._indices, self._weights, self._node_ids,
                     directed=self._directed, node_data=data)

    def _index(self):
        if self._id_index is None:
            import pandas as pd

            self._id_index = pd.Index(self._node_ids, dtype=self._node_ids.dtype,
                                      tupleize_cols=False)
        return self._id_index

    def __contains__(self, node_id):
        try:
            return node_id in self._index()
        except TypeError:
            return False

    def index_of(self, node_id):
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
            raise NodeNotFoundError(f"node {_shown(node_id)} is not in the graph")
        return int(position)

    def indices_of(self, node_ids):
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
            raise NodeNotFoundError(f"node {_shown(missing)} is not in the graph")
        return found

    def neighbors(self, node_id):
        """The ids of the out-neighbours of ``node_id``, sorted by index."""
        i = self.index_of(node_id)
        return self._node_ids[self._indices[self._indptr[i]:self._indptr[i + 1]]].tolist()

    def edges(self):
        """Every edge once, as index arrays ``(src, dst, weight)``.

        Undirected edges come out once with ``src <= dst``.
        """
        src = np.repeat(np.arange(self.num_nodes, dtype=self._indices.dtype), self.degrees())
        dst = self._indices
        if self._directed:
            return src, dst.copy(), self._weights.copy()
        keep = src <= dst
        return src[keep], dst[keep], self._weights[keep]

    def edge_subgraph(self, keep):
        """The same nodes and metadata with only the edges where ``keep`` is True.

        ``keep`` is a boolean mask aligned with :meth:`edges`.
        """
        src, dst, weights = self.edges()
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != src.shape:
            raise ValueError(f"keep must have one entry per edge ({len(src)})")
        return Graph.from_edges(src[keep], dst[keep], weights[keep], node_ids=self._node_ids,
                                directed=self._directed, node_data=self._node_data)

    def __repr__(self):
        kind = "directed" if self._directed else "undirected"
        wkind = "weighted" if self.weighted else "unweighted"
        return f"<Graph {kind}, {self.num_nodes} nodes, {self.num_edges} edges, {wkind}>"

    def __eq__(self, other):
        if not isinstance(other, Graph):
            return NotImplemented
        return (self._directed == other._directed
                and np.array_equal(self._node_ids, other._node_ids)
                and np.array_equal(self._indptr, other._indptr)
                and np.array_equal(self._indices, other._indices)
                and np.array_equal(self._weights, other._weights))

    __hash__ = None

    # ---------------------------------------------------------- constructors
    @classmethod
    def from_edges(cls, src, dst, weights=None, *, node_ids=None, directed=False,
                   drop_self_loops=False, node_data=None):
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

        Returns
        -------
        Graph
        """
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        if node_ids is None:
            n = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
            node_ids = np.arange(n, dtype=np.int64)
        else:
            node_ids = _id_array(node_ids, "node_ids: ")
        n = len(node_ids)
        if weights is None:
            weights = np.ones(len(src), dtype=np.float64)
        weights = np.asarray(weights, dtype=np.float64)
        if drop_self_loops:
            keep = src != dst
            src, dst, weights = src[keep], dst[keep], weights[keep]
        if n == 0 or len(src) == 0:
            raise GraphError("the graph has no edges")
        if not directed:
            mirror = src != dst
            src, dst = np.concatenate([src, dst[mirror]]), np.concatenate([dst, src[mirror]])
            weights = np.concatenate([weights, weights[mirror]])
        key = src * n + dst
        if len(key) > 1 and np.any(key[1:] < key[:-1]):
            order = np.argsort(key, kind="stable")
            key, weights = key[order], weights[order]
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        if len(starts) < len(key):  # duplicates: sum their weights
            weights = np.add.reduceat(weights, starts)
            key = key[starts]
        rows, cols = np.divmod(key, n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return cls(indptr, cols, weights, node_ids, directed=directed, node_data=node_data)

    @classmethod
    def from_pandas(cls, df, source="source", target="target", weight=None, *,
                    directed=False, nodes=None, drop_self_loops=False):
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

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"source": [1, 2], "target": [2, 3], "weight": [0.5, 2.0]})
        >>> Graph.from_pandas(df, directed=True)
        <Graph directed, 3 nodes, 2 edges, weighted>
        """
        for column in (source, target):
            if column not in df.columns:
                raise GraphError(f"DataFrame has no column {column!r} (columns: {list(df.columns)})")
        if weight is None:
            weight = "weight" if "weight" in df.columns else False
        if weight is not False and weight not in df.columns:
            raise GraphError(f"DataFrame has no weight column {weight!r}")
        labels = df.index

        def where(row):
            return f"DataFrame row {_shown(labels[row])}"

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
        return cls.from_edges(src, dst, weights, node_ids=node_ids, directed=directed,
                              drop_self_loops=drop_self_loops)

    @classmethod
    def from_edgelist(cls, path, *, directed=False, weighted=None, sep=None, header=None,
                      comment="#", nodes=None, drop_self_loops=False):
        """Read an edge-list file: ``source target [weight]`` per line.

        Parameters
        ----------
        path : str or os.PathLike
            Text file; ``.gz`` files are decompressed on the fly.
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

        Raises
        ------
        GraphError
            Naming the file, line and value: a missing column, too many
            fields, a weight that is not a positive finite number, no edges.

        Examples
        --------
        >>> g = Graph.from_edgelist("edges.tsv")            # doctest: +SKIP
        >>> g = Graph.from_edgelist("net.csv.gz", directed=True, weighted=True)  # doctest: +SKIP
        """
        import pandas as pd

        path = os.fspath(path)
        sep = _check_sep(sep, comment)
        sample = _sample_lines(path, comment)
        if not sample:
            raise GraphError(f"{path}: no edges (the file has no data lines)")
        if sep is None:
            first = sample[0][1]
            sep = "\t" if "\t" in first else "," if "," in first else r"\s+"
        if header is None:
            header = _looks_like_header(sample, sep)
        options = dict(sep=sep, header=None, comment=comment, na_filter=False,
                       skip_blank_lines=True, engine="c", compression="infer", quoting=3,
                       skiprows=[sample[0][0] - 1] if header else None)
        start = 1 if header else 0
        int_ids = all(len(tokens) >= 2 and all(_INT_RE.fullmatch(t.strip()) for t in tokens[:2])
                      for tokens in (_split(text, sep) for _, text in sample[start:]))
        # "007" or "+7" further down would be parsed as 7: read such files as text
        int_ids = int_ids and not _has_noncanonical_ints(path)
        try:
            # Fast path: let the C parser infer int ids and float weights; ids
            # that are text are re-read as text (object columns are slow).
            df = pd.read_csv(path, dtype=None if int_ids else {0: str, 1: str}, **options)
            if int_ids and (df.shape[1] < 2 or df[0].dtype.kind != "i" or df[1].dtype.kind != "i"):
                df = pd.read_csv(path, dtype={0: str, 1: str}, **options)
        except pd.errors.ParserError:
            raise GraphError(_shape_problem(path, sep, comment, header)) from None
        except pd.errors.EmptyDataError:
            raise GraphError(f"{path}: no edges (the file has no data lines)") from None
        except UnicodeDecodeError as exc:
            raise GraphError(f"{path}: not a UTF-8 text edge list ({exc.reason} at byte "
                             f"{exc.start})") from None
        except (EOFError, OSError, zlib.error) as exc:  # e.g. a truncated .gz
            raise GraphError(f"{path}: cannot read ({exc})") from None
        if len(df) == 0:
            raise GraphError(f"{path}: no edges (the file has no data lines)")

        def where(row):
            return f"{path}, line {_line_of_row(path, comment, header, row)}"

        while df.shape[1] > 2 and (df.iloc[:, -1].astype(str) == "").all():
            df = df.iloc[:, :-1]  # a separator at the end of every line
        df.columns = range(df.shape[1])
        if df.shape[1] > 3 or df.shape[1] < 2:
            raise GraphError(_shape_problem(path, sep, comment, header))
        src_raw = df[0].to_numpy()
        dst_raw = df[1].to_numpy()
        missing = _missing_mask(dst_raw)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise GraphError(f"{where(row)}: missing target column after "
                             f"{_shown(src_raw[row])}")
        if weighted is None:
            weighted = df.shape[1] == 3
        weights = None
        if weighted:
            if df.shape[1] < 3:
                raise GraphError(f"{path}: weighted=True but the file has no weight column")
            weights = _parse_weights(df[2].to_numpy(), where)
        del df
        src, dst, node_ids = _factorize_ids(src_raw, dst_raw, nodes, where, parse_ints=True)
        try:
            return cls.from_edges(src, dst, weights, node_ids=node_ids, directed=directed,
                                  drop_self_loops=drop_self_loops)
        except GraphError as exc:
            raise GraphError(f"{path}: {exc}") from None

    @classmethod
    def from_networkx(cls, graph, weight="weight"):
        """Build a graph from a networkx ``Graph``/``DiGraph`` (multigraphs summed).

        Node order and isolated nodes are kept; node attributes become
        :attr:`node_data` columns; a missing ``weight`` attribute means 1.

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
            return f"networkx edge ({_shown(u)}, {_shown(v)})"

        weights = _parse_weights(raw, where)
        attr_names = sorted({k for _, d in graph.nodes(data=True) for k in d})
        node_data = {name: np.array([graph.nodes[n].get(name) for n in nodes], dtype=object)
                     for name in attr_names}
        return cls.from_edges(src, dst, weights, node_ids=node_ids,
                              directed=graph.is_directed(), node_data=node_data)

    def to_networkx(self):
        """A networkx ``Graph`` or ``DiGraph`` with ``weight`` edge attributes and node metadata."""
        import networkx as nx

        g = nx.DiGraph() if self._directed else nx.Graph()
        ids = self._node_ids.tolist()
        columns = {name: col.tolist() for name, col in self._node_data.items()}
        g.add_nodes_from((node, {name: col[i] for name, col in columns.items()})
                         for i, node in enumerate(ids))
        src, dst, w = self.edges()
        g.add_weighted_edges_from(zip((ids[i] for i in src), (ids[j] for j in dst), w.tolist()))
        return g


# --------------------------------------------------------------------- helpers
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
            kind, ids = ("i", ids.astype(np.int64)) if not len(ids) or ids.max() < 2**63 \
                else ("O", ids.astype(object))
        if kind in "US":
            ids, kind = ids.astype(object), "str"
        elif kind == "O":
            kind = {"string": "str", "integer": "int"}.get(
                pd.api.types.infer_dtype(ids, skipna=False), "O")
        if kind in "ifb" or kind in ("str", "int"):
            if kind == "f" and np.isnan(ids).any():
                check_node_ids([np.nan], where)  # raises: nan is not an id
            if len(pd.unique(ids)) != len(ids):
                _refuse_duplicates(check_node_ids(ids.tolist(), where), where)
            if kind == "int":
                try:
                    return ids.astype(np.int64)
                except OverflowError:
                    return ids
            return ids
    if checked:
        values = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
    else:
        values = _refuse_duplicates(check_node_ids(ids, where), where)
    if values and all(type(v) is int for v in values) and \
            all(-2**63 <= v < 2**63 for v in values):
        return np.array(values, dtype=np.int64)
    if values and all(type(v) is float for v in values):
        return np.array(values, dtype=np.float64)
    return _object_array(values)


def _refuse_duplicates(values, where):
    """``values`` (checked ids) unchanged, or a GraphError naming the first repeated id."""
    if len(set(values)) != len(values):
        seen = set()
        for value in values:
            if value in seen:
                raise GraphError(f"{where}node id {_shown(value)} appears twice")
            seen.add(value)
    return values


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
    if dtype.kind == "i" and isinstance(node_id, str) and _INT_RE.fullmatch(node_id.strip()):
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
                problem = f"weight {_shown(value)} is not a number"
            else:
                if not np.isfinite(number):
                    problem = f"weight {_shown(value)} is not finite"
                else:
                    problem = f"weight {_shown(value)} must be positive"
        raise GraphError(f"{where(row)}: {problem}")
    return values


def _factorize_ids(src_raw, dst_raw, nodes, where, parse_ints=False):
    """Map two columns of ids to indices into one sorted (or given) id array.

    ``parse_ints``: the columns hold text as written in a file; they become
    int only when every id is a canonical integer (see :func:`_maybe_ints`).
    Otherwise every id keeps its Python type and value.
    """
    import pandas as pd

    both = np.concatenate([np.asarray(src_raw), np.asarray(dst_raw)])
    if both.dtype.kind in "US":
        both = both.astype(object)
    if both.dtype == object and not parse_ints and pd.api.types.infer_dtype(
            both, skipna=False) not in ("string", "integer"):
        # mixed ids: check them all before hashing merges 1, 1.0 and True
        check_node_ids(both.tolist(), "DataFrame: ")
    codes, uniques = pd.factorize(both, sort=False)
    uniques = np.asarray(uniques)
    if parse_ints and uniques.dtype == object:
        uniques = _maybe_ints(uniques)
    elif uniques.dtype.kind == "i":
        pass
    else:
        uniques = _id_array(uniques, checked=True) if uniques.dtype == object \
            else _id_array(uniques)
    if nodes is None:
        order = _sort_order(uniques)
        node_ids = uniques[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
    else:
        node_ids = _id_array(nodes if isinstance(nodes, np.ndarray) else list(nodes), "nodes: ")
        query = uniques
        if node_ids.dtype != object and uniques.dtype != node_ids.dtype:
            try:
                query = uniques.astype(node_ids.dtype)
            except (TypeError, ValueError, OverflowError):
                query = uniques
        index = pd.Index(node_ids, dtype=node_ids.dtype, tupleize_cols=False)
        rank = index.get_indexer(query)
        if np.any(rank < 0):
            first = int(np.flatnonzero(rank < 0)[0])
            row = int(np.flatnonzero(codes == first)[0])
            raise GraphError(f"{where(row % len(src_raw))}: node {_shown(uniques[first])} "
                             "is not in nodes")
    mapped = rank[codes]
    n_edges = len(src_raw)
    return mapped[:n_edges], mapped[n_edges:], node_ids


def _maybe_ints(uniques):
    """Ids read as text become int64 when every one is a canonical integer, else stay text."""
    import pandas as pd

    text = pd.Series(uniques, dtype=object)
    if len(text) and text.str.fullmatch(_INT_RE.pattern).all():
        try:
            return text.astype(np.int64).to_numpy()
        except (OverflowError, ValueError):
            pass
    return uniques.astype(object)


def _noncanonical_in(block):
    """True when a token in ``block`` (bytes) starts like ``+7``, ``007``, ``-0`` or ``-07``."""
    b = np.frombuffer(block, dtype=np.uint8)
    if len(b) == 0:
        return False
    start = np.empty(len(b), dtype=bool)
    start[0] = True
    prev = b[:-1]
    start[1:] = (prev == 9) | (prev == 32) | (prev == 44) | (prev == 10) | (prev == 13)
    after = np.append(b[1:], 0)
    digit_after = (after >= 48) & (after <= 57)
    bad = (b == 43) | ((b == 48) & digit_after) | ((b == 45) & (after == 48))
    return bool((start & bad).any())


def _has_noncanonical_ints(path, block_size=8 << 20):
    """True when a token starts like ``+7`` or ``007`` (ids that must stay text)."""
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            while True:
                block = handle.read(block_size)
                if not block:
                    return False
                block += handle.readline()  # end the block at a line end
                if _noncanonical_in(block):
                    return True
    except (OSError, EOFError, zlib.error):
        return True  # let the text path report the problem


def _open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, "r", encoding="utf-8", newline="")


def _data_lines(path, comment):
    """Yield ``(line_number, text)`` for every non-blank, non-comment line."""
    try:
        handle = _open_text(path)
    except OSError as exc:
        raise GraphError(f"{path}: cannot read ({exc.strerror or exc})") from None
    number = 0
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                text = line.split(comment, 1)[0] if comment else line
                text = text.rstrip("\r\n")
                if text.strip():
                    yield number, text
        except UnicodeDecodeError as exc:
            raise GraphError(f"{path}, line {number + 1}: not UTF-8 text ({exc.reason})") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise GraphError(f"{path}: cannot read ({_shown(str(exc), 80)})") from None


def _sample_lines(path, comment, size=50):
    sample = []
    for item in _data_lines(path, comment):
        sample.append(item)
        if len(sample) >= size:
            break
    return sample


def _split(text, sep):
    return text.split() if sep == r"\s+" else text.split(sep)


def _is_number(token):
    try:
        float(token)
    except ValueError:
        return False
    return True


def _looks_like_header(sample, sep):
    """A first line is a header when it does not parse like the lines after it."""
    first = [t.strip() for t in _split(sample[0][1], sep)]
    rest = [[t.strip() for t in _split(text, sep)] for _, text in sample[1:]]
    rest = [tokens for tokens in rest if len(tokens) == len(first)]
    if len(first) not in (2, 3) or (sample[1:] and not rest):
        return False
    if len(first) == 3 and not _is_number(first[2]):
        return all(_is_number(tokens[2]) for tokens in rest)

    def int_ids(tokens):
        return all(_INT_RE.fullmatch(t) for t in tokens[:2])

    return bool(rest) and not int_ids(first) and all(int_ids(tokens) for tokens in rest)


def _line_of_row(path, comment, header, row):
    """File line number of data row ``row`` (0-based, after the header)."""
    skip = 1 if header else 0
    for k, (number, _) in enumerate(_data_lines(path, comment)):
        if k == row + skip:
            return number
    return "?"


def _fields(text, sep):
    """The fields of one line, without empty ones left by separators at its end."""
    tokens = _split(text, sep)
    while len(tokens) > 2 and not tokens[-1].strip():
        tokens.pop()
    return tokens


def _shape_problem(path, sep, comment, header):
    """The message for the first line with a wrong number of fields."""
    expected = None
    for k, (number, text) in enumerate(_data_lines(path, comment)):
        if header and k == 0:
            continue
        fields = len(_fields(text, sep))
        if fields < 2 and expected is None:
            return (f"{path}, line {number}: expected 'source target [weight]', got {fields} "
                    f"field in {_shown(text)}")
        if fields > 3 or (expected is not None and fields > expected):
            return (f"{path}, line {number}: too many fields in {_shown(text)} "
                    "(expected source, target and an optional weight)")
        expected = fields if expected is None else expected
    return f"{path}: cannot split the lines into fields with separator {_shown(sep)}"
