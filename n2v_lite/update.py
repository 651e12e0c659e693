"""Graphs that change: update an embedding, place nodes it has never seen.

Refitting a whole graph because a few nodes or edges arrived throws away
what the walks already learnt. This module keeps it:

* :func:`adjacency_fingerprints` -- one ``uint64`` per node, a hash of its
  out-adjacency (neighbour *ids*, hashed deterministically, combined with the
  edge weights, summed so that the order of the neighbours does not matter).
  :meth:`Node2Vec.fit <n2v_lite.Node2Vec.fit>` stores them in the embedding
  (8 bytes a node), so no copy of the old graph is needed later.
* :func:`graph_changes` -- what changed between the graph an embedding was
  made from and the graph as it is now: new nodes, removed nodes, and the
  nodes whose out-adjacency changed (an edge added or removed, a weight
  changed, in directed or undirected graphs) -- exactly the nodes whose
  fingerprint differs.
* :func:`update` (``NodeEmbedding.update``) -- a new embedding for the new
  graph: only walks whose distribution changed are walked again, and gensim's
  skip-gram goes on training from the stored input vectors, output weights
  and node counts on those walks alone.
* :func:`infer` (``NodeEmbedding.infer``) -- a vector for one unseen node
  from its neighbours' vectors, optionally refined by a few SGD steps against
  the frozen output weights; the model is not changed.

Which walks are walked again
----------------------------
A walk's distribution changes when it takes a step out of a changed row.
Every node gets a *share* ``s``: the probability that a walk from it meets a
change within ``hops + 1`` steps, approximated from the new graph:

* ``s = 1`` for a new node, and for a node whose row lost an edge or whose
  weights changed;
* for a row whose only change is edges *added towards new nodes* (its
  fingerprint restricted to the nodes it knew equals the stored one: a
  fingerprint is a sum over edges), ``s`` = the weight share of those edges;
* then ``hops`` times ``s <- s0 + (1 - s0) * P s`` with ``P`` the first-order
  transition matrix (in a directed graph this reaches the *predecessors* of a
  changed row, whose walks step into it).

A node then gets ``num_walks * s`` walks (randomised rounding; new nodes
``num_walks``), at most ``budget`` of a full corpus in all (the shares are
scaled down when they ask for more, new nodes' walks kept). ``hops=1`` is
the default. Measured (``scripts/bench_update.py``, MovieLens before/after
2015, 278 new movies of 1405): with the default budget the new nodes' walks
fill it, so hops 0, 1 and 2 walked the same 2,818 walks (update 0.20-0.21 x
the refit's time, genre Macro-F1 0.314-0.318 against the refits' 0.326-0.339);
with ``budget=0.25``, 3,516 walks, 0.26 x the time, Macro-F1 0.332 against
0.330. The hop count matters only when the budget does not bind (small
changes); there a second hop roughly multiplies the re-walked nodes by the
mean degree again.

Models without trainer state (format-1 files, the tutorial backend) are
updated too: their output weights start from the input vectors, and the node
counts from the weighted degrees (the stationary visit rates of a first-order
walk on an undirected graph); ``scripts/bench_update.py`` measures the cost.
Updates are always trained by gensim.

Examples
--------
>>> from n2v_lite import Graph, Node2Vec
>>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])               # a 4-cycle
>>> emb = Node2Vec(dimensions=8, walk_length=10, num_walks=5, window=2, random_state=0,
...                progress=False).fit(g).embedding_
>>> g2 = Graph.from_edges([0, 1, 2, 3, 3], [1, 2, 3, 0, 4])        # node 4 hangs off 3
>>> graph_changes(emb, g2).summary()
{'new_nodes': 1, 'removed_nodes': 0, 'changed_nodes': 1}
>>> emb2 = emb.update(g2, seed=0, progress=False)
>>> emb2.node_ids, len(emb)                                        # the old one untouched
([0, 1, 2, 3, 4], 4)
>>> emb2.info["update"]["new_nodes"]
1
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._utils import as_generator
from .exceptions import NodeNotFoundError, ParameterError
from .graph import as_graph, node_metadata
from .presets import PRESETS
from .validation import check_budget, check_fraction, check_int, check_positive, query_list

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Sequence
    from typing import Any

    import networkx

    from .embedding import NodeEmbedding
    from .graph import Graph


__all__ = [
    "adjacency_fingerprints",
    "node_id_hashes",
    "graph_changes",
    "GraphChanges",
    "update",
    "infer",
    "InferResult",
    "walk_shares",
    "DEFAULT_HOPS",
    "DEFAULT_BUDGET",
    "DEFAULT_INFER_STEPS",
]

#: Default hops around a changed row whose walks are walked again.
DEFAULT_HOPS = 1
#: Default cap on the walks of an update, as a share of a full corpus.
DEFAULT_BUDGET = 0.2
#: Default SGD steps of :func:`infer` after the neighbour mean. Measured with
#: ``scripts/bench_update.py`` (BlogCatalog, late nodes' Macro-F1 against a refit's):
#: the mean alone scores about 0.66 of the refit, 5 steps 1.00, at under 2 ms
#: per node.
DEFAULT_INFER_STEPS = 5

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WEIGHT_SALT = np.uint64(0x5851F42D4C957F2D)
_DEGREE_SALT = np.uint64(0x2545F4914F6CDD1D)
_ID_SEED = np.uint64(0x84222325CBF29CE4)


def _mix(z):
    """splitmix64's finaliser on a uint64 array (a bijection; wraps modulo 2**64)."""
    z = np.asarray(z, dtype=np.uint64)
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


#: Cells (strings x characters, 4 bytes each) of one block of :func:`_hash_texts`.
_HASH_CELLS = 1 << 22


def _hash_texts(texts):
    """A uint64 per string of a list: splitmix64 over its code points.

    Hashed sorted by length, in blocks of at most :data:`_HASH_CELLS` characters
    (strings x the widest one), so one long id among a million short ones costs its
    own length, not a million times it. Each string's hash is its own, whatever the
    block.
    """
    texts = list(texts)
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    order = np.argsort(lengths, kind="stable")
    widest = np.maximum(lengths[order], 1)  # sorted: a block's last row is its widest
    out = np.empty(n, dtype=np.uint64)
    start = 0
    while start < n:
        stop = min(n, start + max(1, _HASH_CELLS // int(widest[start])))
        cost = (np.arange(start + 1, stop + 1) - start) * widest[start:stop]
        stop = start + max(1, int(np.searchsorted(cost, _HASH_CELLS, side="right")))
        rows = order[start:stop]
        out[rows] = _hash_block(np.array([texts[k] for k in rows.tolist()], dtype=str))
        start = stop
    return out


def _hash_prefixed(prefix, values):
    """:func:`_hash_texts` of ``prefix`` + each value of an int array or a unicode array
    of short strings, a block of :data:`_HASH_CELLS` characters at a time."""
    width = 21 if values.dtype.kind in "iu" else values.dtype.itemsize // 4 + 1
    step = max(1, _HASH_CELLS // width)
    blocks = [
        _hash_block(np.char.add(prefix, values[i : i + step].astype(str)))
        for i in range(0, len(values), step)
    ]
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.uint64)


def _hash_block(texts):
    """:func:`_hash_texts` of one unicode array, every string at once."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    width = texts.dtype.itemsize // 4
    codes = np.ascontiguousarray(texts).view(np.uint32).reshape(n, max(width, 1))
    lengths = np.char.str_len(texts)
    h = np.full(n, _ID_SEED, dtype=np.uint64)
    for col in range(width):  # padding past a string's end leaves its hash alone
        live = lengths > col
        mixed = _mix(h ^ (codes[:, col].astype(np.uint64) + _GOLDEN))
        h = np.where(live, mixed, h)
    return _mix(h ^ lengths.astype(np.uint64))


def node_id_hashes(node_ids: Sequence[Hashable] | np.ndarray) -> np.ndarray:
    """A deterministic uint64 per node id, the same in every process and run.

    Python's ``hash`` is salted per process; this hashes a canonical text of
    each id instead: ``"i"`` + the decimal digits of an ``int``, ``"s"`` + a
    ``str`` itself, ``"j"`` + the JSON text of anything else (floats, bools,
    tuples), so ``1`` and ``"1"`` differ. Vectorised for int and str ids.

    Examples
    --------
    >>> h = node_id_hashes([1, "1", 2])
    >>> h.dtype, len(set(h.tolist()))
    (dtype('uint64'), 3)
    >>> bool(node_id_hashes(["a", "bc"])[1] == node_id_hashes(["bc"])[0])
    True
    """
    ids = node_ids if isinstance(node_ids, np.ndarray) else _object_array(list(node_ids))
    if ids.dtype == object:
        values = ids.tolist()
        if values and all(type(v) is str for v in values):
            if max(map(len, values)) <= 64:  # else hashed by length: no n x widest array
                ids = np.array(values, dtype=str)
        elif (
            values
            and all(type(v) is int for v in values)
            and all(-(2**63) <= v < 2**63 for v in values)
        ):
            ids = np.array(values, dtype=np.int64)
    if ids.dtype.kind in "iu":  # "i" and at most 20 characters
        return _hash_prefixed("i", ids.astype(np.int64))
    if ids.dtype.kind == "U" and ids.dtype.itemsize // 4 <= 64:
        return _hash_prefixed("s", ids)
    from .ids import encode_node_ids

    def text(value):
        if type(value) is int:
            return "i" + str(value)
        if type(value) is str:
            return "s" + value
        return "j" + str(encode_node_ids([value])[0][0])  # the JSON form ids are stored in

    return _hash_texts([text(v) for v in ids.tolist()])


def _object_array(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _edge_hashes(graph, id_hashes, lo=0, hi=None):
    """One uint64 per stored edge ``lo:hi``: the neighbour's id hash mixed with the
    weight's bits."""
    weights = np.asarray(graph.weights[lo:hi], dtype=np.float64)
    wbits = np.ascontiguousarray(weights).view(np.uint64)
    return _mix(id_hashes[np.asarray(graph.indices[lo:hi])] ^ _mix(wbits ^ _WEIGHT_SALT))


def _row_fingerprints(indptr, edge_hashes, keep=None):
    """Order-independent row hashes: mix(sum of edge hashes + mix(degree))."""
    if keep is not None:
        edge_hashes = np.where(keep, edge_hashes, np.uint64(0))
    total = np.zeros(len(edge_hashes) + 1, dtype=np.uint64)
    np.cumsum(edge_hashes, dtype=np.uint64, out=total[1:])  # wraps modulo 2**64
    indptr = np.asarray(indptr, dtype=np.int64)
    sums = total[indptr[1:]] - total[indptr[:-1]]
    if keep is None:
        degree = np.diff(indptr)
    else:
        kept = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept[1:])
        degree = kept[indptr[1:]] - kept[indptr[:-1]]
    return _mix(sums + _mix(degree.astype(np.uint64) ^ _DEGREE_SALT))


def adjacency_fingerprints(graph: Graph) -> np.ndarray:
    """One uint64 per node (by index) hashing its out-adjacency.

    A node's fingerprint depends on the *ids* of its out-neighbours and the
    weights of its out-edges, not on their order or on node indices, so the
    same node in two versions of a graph has the same fingerprint exactly
    when its row is the same (up to 64-bit hash collisions). The hash is
    deterministic (no salted Python ``hash``) and vectorised.

    Examples
    --------
    >>> from n2v_lite import Graph
    >>> a = Graph.from_edges([0, 1], [1, 2], node_ids=["x", "y", "z"])
    >>> b = Graph.from_edges([2, 1], [1, 0], node_ids=["z", "y", "x"])   # same, renumbered
    >>> fa, fb = adjacency_fingerprints(a), adjacency_fingerprints(b)
    >>> bool((fa == fb[::-1]).all())
    True
    """
    id_hashes = node_id_hashes(graph.node_ids)
    indptr = np.asarray(graph.indptr, dtype=np.int64)
    n = len(indptr) - 1
    out = np.empty(n, dtype=np.uint64)
    start = 0
    while start < n:  # rows in blocks of about _FINGERPRINT_BLOCK edges: bounded scratch
        stop = int(np.searchsorted(indptr, indptr[start] + _FINGERPRINT_BLOCK, "right")) - 1
        stop = min(max(stop, start + 1), n)
        lo, hi = int(indptr[start]), int(indptr[stop])
        out[start:stop] = _row_fingerprints(
            indptr[start : stop + 1] - lo, _edge_hashes(graph, id_hashes, lo, hi)
        )
        start = stop
    return out


#: Stored edges hashed at a time by :func:`adjacency_fingerprints` (~40 bytes of scratch
#: each), and summed at a time into new nodes' starting vectors.
_FINGERPRINT_BLOCK = 1 << 20


# ------------------------------------------------------------------ changes
@dataclass
class GraphChanges:
    """What changed between an embedding's graph and a new graph.

    Attributes
    ----------
    new_nodes, removed_nodes, changed_nodes : list
        Node ids: in the new graph only; in the embedding only; in both, with
        a different out-adjacency.
    old_rows : ndarray of int64
        For each node index of the new graph, its row in the embedding (-1: new).
    changed : ndarray of bool
        By new-graph index: the row differs (new nodes included).
    added_only : ndarray of bool
        By new-graph index: a changed row whose only change is edges added
        towards new nodes.
    fingerprints : ndarray of uint64
        The new graph's fingerprints.
    """

    new_nodes: list
    removed_nodes: list
    changed_nodes: list
    old_rows: np.ndarray = field(repr=False)
    changed: np.ndarray = field(repr=False)
    added_only: np.ndarray = field(repr=False)
    fingerprints: np.ndarray = field(repr=False)

    def summary(self) -> dict[str, int]:
        """Counts: ``new_nodes``, ``removed_nodes``, ``changed_nodes``."""
        return {
            "new_nodes": len(self.new_nodes),
            "removed_nodes": len(self.removed_nodes),
            "changed_nodes": len(self.changed_nodes),
        }

    @property
    def unchanged(self) -> bool:
        """True when nothing changed."""
        return not (self.new_nodes or self.removed_nodes or self.changed_nodes)


def _old_rows(embedding, graph):
    """Row in the embedding of each node of ``graph`` (-1 when new)."""
    index = {}
    for row, node in enumerate(embedding.node_ids):
        index[(type(node), node)] = row
    ids = graph.node_ids.tolist()
    return np.fromiter((index.get((type(v), v), -1) for v in ids), dtype=np.int64, count=len(ids))


def graph_changes(embedding: NodeEmbedding, graph: Graph | networkx.Graph) -> GraphChanges:
    """Compare ``graph`` with the graph ``embedding`` was made from, by fingerprints.

    Without stored fingerprints (a model saved before they existed, or
    trained from a walk folder) every node present in both counts as changed.

    Returns
    -------
    GraphChanges
    """
    graph = as_graph(graph, "graph_changes()")
    old_rows = _old_rows(embedding, graph)
    id_hashes = node_id_hashes(graph.node_ids)
    edges = _edge_hashes(graph, id_hashes)
    fingerprints = _row_fingerprints(graph.indptr, edges)
    known = old_rows >= 0
    stored = embedding.fingerprints
    changed = ~known
    added_only = np.zeros(graph.num_nodes, dtype=bool)
    if stored is None:
        changed |= known
    else:
        differs = known & (fingerprints != stored[np.maximum(old_rows, 0)])
        changed |= differs
        if differs.any():
            to_known = known[np.asarray(graph.indices)]
            restricted = _row_fingerprints(graph.indptr, edges, to_known)
            added_only = differs & (restricted == stored[np.maximum(old_rows, 0)])
    kept = np.zeros(len(embedding), dtype=bool)
    kept[old_rows[known]] = True
    ids = graph.node_ids.tolist()
    old_ids = embedding.node_ids
    return GraphChanges(
        new_nodes=[ids[i] for i in np.flatnonzero(~known)],
        removed_nodes=[old_ids[i] for i in np.flatnonzero(~kept)],
        changed_nodes=[ids[i] for i in np.flatnonzero(changed & known)],
        old_rows=old_rows,
        changed=changed,
        added_only=added_only,
        fingerprints=fingerprints,
    )


def walk_shares(graph: Graph, changes: GraphChanges, hops: int = DEFAULT_HOPS) -> np.ndarray:
    """Per node of ``graph``: the share of its walks whose distribution changed.

    See the module notes: 1 for new nodes and rows with removed edges or
    changed weights, the weight share of the new edges for rows that only
    gained edges towards new nodes, then ``hops`` rounds of
    ``s <- s0 + (1 - s0) * P s``.
    """
    hops = check_int("hops", hops, minimum=0)
    indices = np.asarray(graph.indices)
    weights = np.asarray(graph.weights, dtype=np.float64)
    n = graph.num_nodes
    rows = graph.edge_sources()
    wsum = np.bincount(rows, weights=weights, minlength=n)
    safe = np.where(wsum > 0, wsum, 1.0)
    s0 = changes.changed.astype(np.float64)
    if changes.added_only.any():
        towards_new = changes.old_rows[indices] < 0
        new_weight = np.bincount(rows, weights=weights * towards_new, minlength=n)
        s0 = np.where(changes.added_only, new_weight / safe, s0)
    s = s0
    for _ in range(hops):
        reach = np.bincount(rows, weights=weights * s[indices], minlength=n) / safe
        s = s0 + (1.0 - s0) * reach
    return np.clip(s, 0.0, 1.0)


def _expected_walks(shares, new, num_walks, budget):
    """Walks per node, expected: ``num_walks * share``, new nodes in full, scaled
    down to ``budget`` of a full corpus; returns (expected, scaled)."""
    expected = shares * num_walks
    expected[new] = num_walks
    limit = budget * num_walks * len(shares)
    scaled = False
    if budget < 1.0 and expected.sum() > limit:
        old_part = expected[~new].sum()
        room = max(limit - expected[new].sum(), 0.0)
        if old_part > 0:
            expected[~new] *= room / old_part
            scaled = True
    return expected, scaled


def _walk_counts(expected, rng):
    """Walks per node from :func:`_expected_walks` by randomised rounding."""
    counts = np.floor(expected)
    counts += rng.random(len(counts)) < expected - counts
    return counts.astype(np.int64)


def _start_order(counts):
    """Start nodes round by round, as a fit orders them (round r: nodes with > r walks)."""
    if counts.max(initial=0) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.flatnonzero(counts > r) for r in range(int(counts.max()))])


# ------------------------------------------------------------------- update
_PARAMS = (
    "num_walks",
    "walk_length",
    "p",
    "q",
    "window",
    "negative",
    "epochs",
    "sample",
    "learning_rate",
)
# for models that did not store a parameter: the paper's settings (Node2Vec's defaults)
_DEFAULTS = {name: {"p": 1.0, "q": 1.0, **PRESETS["paper"]}[name] for name in _PARAMS}


def _update_params(embedding, overrides):
    unknown = sorted(set(overrides) - set(_DEFAULTS))
    if unknown:
        raise ParameterError(
            f"update() got unknown parameter {unknown[0]!r}; expected one of {', '.join(_DEFAULTS)}"
        )
    params = {name: embedding.params.get(name, default) for name, default in _DEFAULTS.items()}
    params.update(overrides)
    for name in ("num_walks", "walk_length", "window", "epochs", "negative"):
        params[name] = check_int(name, params[name])
    for name in ("p", "q"):
        params[name] = check_positive(name, params[name])
    params["sample"] = check_fraction("sample", params["sample"])
    if params["learning_rate"] is not None:
        params["learning_rate"] = check_positive("learning_rate", params["learning_rate"])
    return params


def _rows_of(array, old_rows):
    """``array[old_rows]`` without a temporary copy, as float32; rows of new nodes
    (``old_rows`` -1) are left to the caller."""
    out = np.empty((len(old_rows), array.shape[1]), dtype=np.float32)
    if not len(array):
        return out
    if array.dtype == np.float32:
        np.take(array, np.maximum(old_rows, 0), axis=0, out=out, mode="clip")
    else:
        out[:] = array[np.maximum(old_rows, 0)]
    return out


def _initial_vectors(embedding, graph, old_rows, rng):
    """Kept nodes: their vectors; new nodes: the weighted mean of their known
    neighbours' vectors (out-neighbours, else in-neighbours), else gensim's
    small random start."""
    old = embedding.vectors
    n, d = graph.num_nodes, embedding.dimensions
    known = old_rows >= 0
    vectors = _rows_of(old, old_rows)
    new = np.flatnonzero(~known)
    if len(new) == 0:
        return vectors
    indptr = np.asarray(graph.indptr)
    total = np.zeros((n, d))  # calloc'd: only new nodes' rows are ever touched
    mass = np.zeros(n)
    for forward in (True, False) if graph.directed else (True,):
        empty = mass == 0  # in-neighbours count only where out-neighbours gave nothing
        for lo in range(0, graph.num_stored_edges, _FINGERPRINT_BLOCK):
            hi = min(lo + _FINGERPRINT_BLOCK, graph.num_stored_edges)
            src = np.searchsorted(indptr, np.arange(lo, hi), side="right") - 1
            dst = np.asarray(graph.indices[lo:hi], dtype=np.int64)
            a, b = (src, dst) if forward else (dst, src)
            use = ~known[a] & known[b] & empty[a]
            weights = np.asarray(graph.weights[lo:hi][use], dtype=np.float64)
            np.add.at(total, a[use], old[old_rows[b[use]]] * weights[:, None])
            np.add.at(mass, a[use], weights)
    has = mass[new] > 0
    vectors[new[has]] = (total[new[has]] / mass[new[has], None]).astype(np.float32)
    lonely = new[~has]
    vectors[lonely] = ((rng.random((len(lonely), d)) - 0.5) / d).astype(np.float32)
    return vectors


def _initial_state(embedding, graph, old_rows, vectors, params):
    """Output weights and prior counts for training: stored when present, else the
    input vectors and degree-based counts (see the module notes)."""
    state = embedding.state
    known = old_rows >= 0
    n = len(vectors)
    counts = np.zeros(n, dtype=np.int64)
    if "output_vectors" in state:
        output = _rows_of(state["output_vectors"], old_rows)
    else:
        output = vectors.copy()
    output[~known] = 0  # gensim's start for new nodes
    if "counts" in state:
        counts[known] = state["counts"][old_rows[known]]
    else:
        wdeg = np.bincount(
            graph.edge_sources(), weights=np.asarray(graph.weights, dtype=np.float64), minlength=n
        )
        tokens = params["num_walks"] * params["walk_length"] * n
        estimate = np.rint(tokens * wdeg / max(wdeg.sum(), 1e-300)).astype(np.int64)
        counts[known] = estimate[known]
    return output, counts, bool(state)


def update(
    embedding: NodeEmbedding,
    graph: Graph | networkx.Graph,
    *,
    hops: int = DEFAULT_HOPS,
    budget: float = DEFAULT_BUDGET,
    seed: int | np.random.Generator | None = None,
    workers: int | None = None,
    progress: bool = True,
    max_memory: int | str | None = None,
    **params: Any,
) -> NodeEmbedding:
    """A new embedding for ``graph`` (the whole graph as it is now).

    Finds what changed by the stored fingerprints (:func:`graph_changes`),
    walks again only where the walk distribution changed (see the module
    notes), starts new nodes at the mean of their known neighbours' vectors
    and goes on training skip-gram (gensim) on those walks from the stored
    vectors, output weights and counts. Removed nodes are dropped. The
    ``embedding`` itself is left untouched.

    Parameters
    ----------
    embedding : NodeEmbedding
    graph : n2v_lite.Graph or networkx graph
    hops : int, default 1
        How far from a changed row walks are walked again (0: changed rows
        and new nodes only).
    budget : float, default 0.2
        At most this share of a full corpus (``num_walks`` per node) is
        walked; 1 for no cap.
    seed : None, int or numpy.random.Generator
        The same seed gives the same update (with one training thread).
    workers : int, optional
        Threads for walks and training (training: one thread when ``seed``
        is given, as in a fit).
    progress : bool
    max_memory : int or str, optional
        Refuse to start walking and training (``MemoryPlanError``) when the
        memory plan (:func:`n2v_lite.memory.estimate_update_memory`) needs more;
        default: the memory available.
    **params
        Walk and training parameters (``num_walks``, ``walk_length``, ``p``,
        ``q``, ``window``, ``negative``, ``epochs``, ``sample``,
        ``learning_rate``); default: the embedding's stored ``params``.

    Returns
    -------
    NodeEmbedding
        With updated state and fingerprints; ``info["update"]`` records what
        changed and what was walked again, ``info["memory_plan"]`` the plan
        checked (peak bytes and phase).
    """
    from .embedding import NodeEmbedding
    from .memory import check_memory, estimate_update_memory
    from .model import training_workers
    from .walks import random_walks
    from .word2vec import continue_word2vec

    start = time.perf_counter()
    graph = as_graph(graph, "update()")
    check_same_kind(embedding, graph)
    params = _update_params(embedding, params)
    hops = check_int("hops", hops, minimum=0)
    budget = check_budget("budget", budget)
    rng = as_generator(seed)
    changes = graph_changes(embedding, graph)
    old_rows = changes.old_rows
    known = old_rows >= 0
    shares = walk_shares(graph, changes, hops)
    expected, scaled = _expected_walks(shares, ~known, params["num_walks"], budget)
    plan = estimate_update_memory(
        len(embedding),
        graph.num_nodes,
        graph.num_stored_edges,
        dimensions=embedding.dimensions,
        walks=int(np.ceil(expected.sum())),
        walk_length=params["walk_length"],
        weighted=graph.weighted,
        p=params["p"],
        q=params["q"],
    )
    check_memory(plan, max_memory)
    vectors = _initial_vectors(embedding, graph, old_rows, rng)
    output, counts, had_state = _initial_state(embedding, graph, old_rows, vectors, params)
    walk_counts = _walk_counts(expected, rng)
    starts = _start_order(walk_counts)
    report = dict(
        changes.summary(),
        rewalked_nodes=int(np.count_nonzero(walk_counts)),
        walks=int(len(starts)),
        full_walks=int(params["num_walks"] * graph.num_nodes),
        hops=hops,
        budget=budget,
        budget_scaled=scaled,
        had_state=had_state,
    )
    loss = None
    if len(starts):
        walks = random_walks(
            graph,
            1,
            params["walk_length"],
            params["p"],
            params["q"],
            seed=rng,
            workers=workers,
            progress=progress,
            start_nodes=starts,
        )
        train_seed = int(rng.integers(2**63 - 1))
        result = continue_word2vec(
            walks,
            vectors,
            output,
            counts,
            window=params["window"],
            negative=params["negative"],
            epochs=params["epochs"],
            sample=params["sample"],
            learning_rate=params["learning_rate"],
            workers=training_workers(seed, workers),
            seed=train_seed,
            progress=progress,
            copy=False,  # the starting arrays are this function's own
        )
        del walks
        vectors, output, counts = result.vectors, result.output_vectors, result.counts
        loss = result.loss_history
    report.update(loss=loss, seconds=round(time.perf_counter() - start, 4))
    info = {
        key: value for key, value in embedding.info.items() if key not in ("saved_path", "update")
    }
    info.update(
        num_nodes=int(graph.num_nodes),
        num_edges=int(graph.num_edges),
        directed=bool(graph.directed),
        weighted=bool(graph.weighted),
        updates=int(embedding.info.get("updates", 0)) + 1,
        update=report,
        memory_plan={"peak": int(plan["peak"]), "phase": plan["phase"]},
    )
    return NodeEmbedding(
        vectors,
        graph.node_ids.tolist(),
        node_data=node_metadata(graph),
        params=embedding.params,
        loss_history=embedding.loss_history,
        info=info,
        state={"output_vectors": output, "counts": counts},
        fingerprints=changes.fingerprints,
        copy=False,
    )


def check_same_kind(embedding, graph):
    """Refuse a graph of another kind than the model's: directed vs undirected, or
    ids of another type (int vs text) -- updating with it would silently refit."""
    directed = embedding.info.get("directed")
    if directed is not None and bool(directed) != graph.directed:
        kinds = ("undirected", "directed")
        raise ParameterError(
            f"the model was fitted on {('an', 'a')[bool(directed)]} {kinds[bool(directed)]} "
            "graph and this "
            f"graph is {kinds[graph.directed]}; read it as "
            f"{kinds[bool(directed)]} (--{kinds[bool(directed)]}), or fit a "
            "new model"
        )
    old, new = _id_kind(embedding.node_ids), _id_kind(graph.node_ids.tolist())
    if old and new and old != new:
        raise ParameterError(
            f"the model's node ids are {old} and this graph's are {new} "
            f"(e.g. {embedding.node_ids[0]!r} vs {graph.node_ids[0]!r}); "
            "read the graph so that the ids match"
        )


def _id_kind(ids):
    """ "integers" or "text" when every id is one kind, else None."""
    if all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return "integers"
    if all(isinstance(i, str) for i in ids):
        return "text"
    return None


# -------------------------------------------------------------------- infer
@dataclass
class InferResult:
    """A vector for an unseen node.

    Attributes
    ----------
    vector : ndarray of float32
    used : list
        Neighbour ids found in the model (as given).
    missing : list
        Neighbour ids not in the model (not used).
    """

    vector: np.ndarray
    used: list
    missing: list


def infer(
    embedding: NodeEmbedding,
    neighbours: Hashable | Iterable[Hashable],
    weights: Sequence[float] | None = None,
    *,
    steps: int = DEFAULT_INFER_STEPS,
    learning_rate: float = 0.025,
    negative: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> InferResult:
    """A vector for a node the model has never seen, from its neighbours.

    Starts at the weighted mean of the known neighbours' vectors; with
    ``steps`` > 0 (default :data:`DEFAULT_INFER_STEPS`) that vector is then
    trained alone for ``steps`` SGD passes of skip-gram against the frozen
    output weights (positives: the neighbours; ``negative`` noise nodes per
    neighbour drawn from the stored ``counts ** 0.75``; step size decaying
    linearly from ``learning_rate``), which is what a refit would have asked of
    it. ``steps=0`` returns the plain weighted mean. Without trainer state
    (first-release files, the tutorial backend) the input vectors stand for
    the output weights and the ``degree`` metadata (else 1) for the counts.
    The model is not changed; the same seed gives the same vector.

    Parameters
    ----------
    embedding : NodeEmbedding
    neighbours : sequence of node ids (or titles)
    weights : sequence of float, optional
        One positive weight per neighbour (default 1).
    steps : int, default DEFAULT_INFER_STEPS
    learning_rate : float, default 0.025
    negative : int, optional
        Noise nodes per neighbour (default: the embedding's ``negative``, 5).
    seed : None, int or numpy.random.Generator

    Returns
    -------
    InferResult
        ``vector``, ``used`` and ``missing`` (ids not in the model).

    Raises
    ------
    NodeNotFoundError
        When no neighbour is in the model.

    Examples
    --------
    >>> import numpy as np
    >>> from n2v_lite.embedding import NodeEmbedding
    >>> emb = NodeEmbedding(np.array([[1.0, 0.0], [0.0, 1.0]]), ["a", "b"])
    >>> found = infer(emb, ["a", "b", "zz"], weights=[3, 1, 1], steps=0)
    >>> found.vector.tolist(), found.used, found.missing
    ([0.75, 0.25], ['a', 'b'], ['zz'])
    """

    neighbours = query_list(neighbours, "neighbours")
    if weights is None:
        given = np.ones(len(neighbours))
    else:
        given = np.asarray(weights, dtype=np.float64)
        if (
            given.shape != (len(neighbours),)
            or not np.all(np.isfinite(given))
            or np.any(given <= 0)
        ):
            raise ParameterError(
                f"weights must be {len(neighbours)} positive finite numbers, got {given.tolist()!r}"
            )
    steps = check_int("steps", steps, minimum=0)
    found: list[int] = []
    used, missing, kept = [], [], []
    for i, node in enumerate(neighbours):
        try:
            found.append(embedding.index(node))
        except NodeNotFoundError:
            missing.append(node)
            continue
        used.append(node)
        kept.append(i)
    if not found:
        shown = ", ".join(map(repr, neighbours[:5])) or "none given"
        raise NodeNotFoundError(f"none of the neighbours is in the model ({shown})")
    rows = np.asarray(found, dtype=np.int64)
    w = given[kept]
    vector = (embedding.vectors[rows].astype(np.float64) * w[:, None]).sum(0) / w.sum()
    if steps:
        vector = _refine(embedding, vector, rows, w, steps, learning_rate, negative, seed)
    return InferResult(vector.astype(np.float32), used, missing)


def _refine(embedding, vector, rows, w, steps, learning_rate, negative, seed):
    """``steps`` SGD passes of one input vector against frozen output weights.

    Only the rows it touches are read (the positives once, the noise nodes per
    step), so a step costs O(neighbours x negative x dimensions) whatever the
    model's size; the noise distribution is built once per embedding.
    """
    learning_rate = check_positive("learning_rate", learning_rate)
    negative = check_int(
        "negative", negative if negative is not None else embedding.params.get("negative", 5)
    )
    output = embedding.state.get("output_vectors", embedding.vectors)
    cdf = _noise_cdf(embedding)
    rng = as_generator(seed)
    pairs = w * (len(w) / w.sum())  # as many pairs as neighbours, weighted
    noise_pairs = np.repeat(pairs, negative)
    positive = output[rows].astype(np.float64)
    for step in range(steps):
        rate = learning_rate * (1.0 - step / steps)
        noise = np.searchsorted(cdf, rng.random(len(rows) * negative) * cdf[-1], side="right")
        negatives = output[np.minimum(noise, len(cdf) - 1)].astype(np.float64)
        g_pos = 1.0 - _sigmoid(positive @ vector)
        g_neg = -_sigmoid(negatives @ vector)
        vector = vector + rate * ((pairs * g_pos) @ positive + (noise_pairs * g_neg) @ negatives)
    return vector


def _noise_cdf(embedding):
    """Cumulative ``counts ** 0.75`` of an embedding's nodes (gensim's noise), kept on it."""
    cdf = embedding._noise_cdf
    if cdf is None:
        state = embedding.state
        if "counts" in state:
            counts = state["counts"].astype(np.float64)
        else:
            counts = np.asarray(
                embedding.node_data.get("degree", np.ones(len(embedding))), dtype=np.float64
            )
        cdf = embedding._noise_cdf = np.cumsum(np.maximum(counts, 1.0) ** 0.75)
    return cdf


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
