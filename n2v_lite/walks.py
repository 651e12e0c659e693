"""Exact node2vec random walks in pure numpy: arrays in, arrays out.

Thousands of walkers advance together with vectorised numpy, so the Python
interpreter runs once per *round of a block*, not once per node visited. No
numba and no compiled extension are needed.

The distribution is exactly node2vec's. From ``cur`` the first step goes to a
neighbour ``x`` with probability proportional to ``w(cur, x)``; a later step,
having come from ``prev``, with probability proportional to
``w(cur, x) * a(prev, x)`` where ``a`` is ``1/p`` if ``x == prev``, ``1`` if
the graph has an edge ``prev -> x``, and ``1/q`` otherwise. Unweighted graphs
use ``w = 1``.

How it is sampled
-----------------
* **First-order proposals** in O(1): an unweighted neighbour is
  ``indices[indptr[cur] + floor(u * degree)]``; a weighted one uses per-node
  alias tables (one probability and one alias per stored edge, built for all
  nodes at once with prefix sums). Weights are only ever compared within one
  node's row, so each row is scaled by a power of two that puts its largest
  weight in [0.5, 1): the same bits as raw weights, and any positive finite
  weights (1e-320 to 1e308) walk as their ratios say.
* **Second-order bias** by rejection against the first-order proposal, as in
  KnightKing: accept ``x`` with probability ``a(prev, x) / envelope``. The
  return edge is handled apart from the envelope ("outlier folding") when
  ``1/p`` is the largest factor, so a small ``p`` does not lower the
  acceptance rate. A proposal whose acceptance does not depend on ``a`` (the
  uniform falls below the smallest factor) skips the edge test; the others
  test ``prev -> x`` in an adjacency bitset (small graphs) or in per-node hash
  tables (O(E) int32).
* Second-order walkers are **asynchronous lanes**: every round, each lane
  proposes one move and only the accepted ones advance, so a rejected walker
  retries in the next round instead of holding up a step; a lane whose walk
  is done takes the block's next row.
* Robust to extreme ``p`` and ``q``: a node with a single out-edge accepts
  at once, and when the lowest possible acceptance rate is tiny, a walker
  rejected 16 times in a row takes an exact inverse-CDF step over its
  neighbours instead.
* ``p == q == 1`` skips all of that: plain lockstep first-order steps.

Memory is O(E + chunk): per-edge tables only (and an adjacency bitset when it
fits in 16 MiB), never per (edge, neighbour). Probabilities are exact up to
float64 rounding (uniforms have 53 bits).

Rows, seeds and threads
-----------------------
Row ``k`` of the output is the walk of round ``k // num_nodes`` that starts at
node index ``k % num_nodes``: round 0 covers nodes ``0..n-1`` in index order,
then round 1, and so on (no shuffling; shuffle the rows if a trainer needs it).
A walk that reaches a node without out-edges (only possible in a directed
graph, or from an isolated node) stops there and the rest of its row is
:data:`PAD` (``-1``), which is never a node index.

Every random number a walk uses is a function of one key drawn from
``seed`` and of its own (row, step, attempt, draw) -- a counter-based stream
(SplitMix64's mixer over a packed counter; see :func:`uniforms`). A walk
therefore never depends on which walks share its block, thread, lane or
machine: the same seed gives the same array whatever ``chunk_size`` and
``workers`` are, and :mod:`n2v_lite.spark`'s broadcast and partitioned
engines give it too. Rows are cut into fixed blocks only to share the work
between threads (numpy releases the GIL inside its kernels). The per-node
tables are built so that each node's are the same bits wherever its edges
sit (see :func:`_segment_cumsum`), which a partitioned graph relies on.
The stream replaced per-block generators in 0.3.0: walks for a given seed
changed once then.

Examples
--------
>>> import numpy as np
>>> from n2v_lite.graph import Graph
>>> g = Graph.from_edges([0, 1, 2], [1, 2, 0])           # a triangle
>>> walks = random_walks(g, num_walks=2, walk_length=5, p=0.5, q=2.0, seed=7)
>>> walks.shape, walks.dtype
((6, 5), dtype('int32'))
>>> walks[:, 0].tolist()                                   # start nodes, round by round
[0, 1, 2, 0, 1, 2]
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ._utils import as_generator, default_workers, progress_bar
from .exceptions import GraphError, ParameterError
from .validation import check_int, check_positive

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import Any, TextIO

    from .graph import Graph


__all__ = ["PAD", "random_walks", "iter_random_walks", "write_walks", "num_walk_rows", "walk_dtype"]

#: Padding written after the end of a walk that stopped at a dead end.
#: Never a valid node index.
PAD = -1

# Block geometry: a block is a run of consecutive rows walked together with its
# own random stream. Wider blocks amortise numpy's per-call overhead; several
# blocks let threads share the work.
_MAX_BLOCK_ROWS = 16384
_MIN_BLOCK_ROWS = 1024
_MAX_BLOCK_CELLS = 1 << 21  # rows * walk_length of one block buffer
_BLOCK_MULTIPLE = 2  # number of blocks rounded up to this (balance for 2 threads)
# Walks advanced together by the second-order sampler (a block may hold more rows).
_LANES = 16384
# Walkers rejected this many times in a row are sampled exactly instead, when
# the lowest possible acceptance rate is below _GUARD_ACCEPTANCE.
_MAX_REJECTIONS = 16
_GUARD_ACCEPTANCE = 1 / 16
# Edges inserted into the per-node hash tables at a time (bounds their scratch).
_HASH_BLOCK_EDGES = 1 << 20
# Adjacency bitset for the prev -> x test while it is at most this large.
_BITSET_MAX_BYTES = 16 << 20
# Threads pay off above this much work (steps; a second-order step counts 5).
_PARALLEL_MIN_WORK = 4_000_000


# ----------------------------------------------------------- random stream
# Every uniform a walk uses is a pure function of (key, row, step, attempt,
# draw): SplitMix64's output function applied to ``key + counter * GOLDEN``
# with ``counter = ((row * walk_length + step) << ATTEMPT_BITS) + 2 * attempt
# + draw``. So a walk never depends on which other walks share its block,
# thread, lane or machine, and any engine that follows the same rules
# (n2v_lite.spark's partitioned walkers do) gives the same array.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_ATTEMPT_BITS = 20  # attempts per step (two draws each) before the counters wrap
_ATTEMPT_MASK = np.uint64((1 << _ATTEMPT_BITS) - 1)
_STEP = np.uint64(1 << _ATTEMPT_BITS)


def stream_key(entropy: Sequence[int]) -> np.uint64:
    """The 64-bit key of the walk stream from the four 32-bit words drawn from a seed."""
    words = [int(x) & 0xFFFFFFFF for x in entropy]
    high = (words[0] << 32) | words[1]
    low = (words[2] << 32) | words[3]
    return np.uint64((high ^ (low * int(_GOLDEN))) & 0xFFFFFFFFFFFFFFFF)


def step_counters(rows: np.ndarray, walk_length: int, step: int) -> np.ndarray:
    """Counters of attempt 0 of ``step`` for absolute ``rows`` (uint64)."""
    rows = np.asarray(rows).astype(np.uint64)
    return (rows * np.uint64(walk_length) + np.uint64(step)) << np.uint64(_ATTEMPT_BITS)


def uniforms(
    key: np.uint64, counters: np.ndarray, draws: int = 1
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Uniforms in [0, 1) with 53 random bits for uint64 ``counters``.

    ``draws=2`` returns two arrays: the draws at ``counters`` and at
    ``counters + 1`` (one pass over twice the length: fewer numpy calls).
    """
    m = len(counters)
    if draws == 2:
        z = np.empty(2 * m, dtype=np.uint64)
        np.multiply(counters, _GOLDEN, out=z[:m])
        np.add(z[:m], _GOLDEN, out=z[m:])
    else:
        z = counters * _GOLDEN
    z += key
    t = z >> np.uint64(30)
    z ^= t
    z *= _MIX1
    np.right_shift(z, np.uint64(27), out=t)
    z ^= t
    z *= _MIX2
    np.right_shift(z, np.uint64(31), out=t)
    z ^= t
    z >>= np.uint64(11)
    u = z.view(np.int64).astype(np.float64)  # 53 bits: exact, and faster than from uint64
    u *= 2.0**-53
    return (u[:m], u[m:]) if draws == 2 else u


def draw_entropy(seed: int | np.random.Generator | None) -> list[int]:
    """The one draw from ``seed`` that keys every walk (four 32-bit words; see
    :func:`stream_key`): every engine makes exactly this draw, first."""
    rng = as_generator(seed)
    return [int(x) for x in rng.integers(0, 2**32, size=4, dtype=np.uint64)]


def check_stream_capacity(total_rows: int, walk_length: int) -> None:
    """Refuse more walk cells than the stream's counters can tell apart (2**44)."""
    cells = int(total_rows) * int(walk_length)
    if cells >= 1 << (64 - _ATTEMPT_BITS):
        raise ParameterError(
            f"{total_rows:,} walks x {walk_length} nodes is more than the walk "
            f"stream can number ({1 << (64 - _ATTEMPT_BITS):,} cells): walk "
            "fewer rows per call (e.g. one round of num_walks at a time, with "
            "seeds of their own)"
        )


def _next_step(counters):
    """Counters of attempt 0 of the next step (after an accepted move)."""
    return (counters | _ATTEMPT_MASK) + np.uint64(1)


def _attempts(counters):
    """The attempt number within the current step."""
    return (counters & _ATTEMPT_MASK) >> np.uint64(1)


# ---------------------------------------------------------------- validation
def _check_graph(graph):
    for attr in ("indptr", "indices", "weights", "num_nodes", "directed"):
        if not hasattr(graph, attr):
            raise ParameterError(f"graph must be an n2v_lite Graph, got {type(graph).__name__}")
    return graph


def walk_dtype(graph: Graph | GraphShard) -> np.dtype:
    """The integer dtype of walks over ``graph``: int32, or int64 from 2**31 nodes on.

    Examples
    --------
    >>> from n2v_lite.graph import Graph
    >>> walk_dtype(Graph.from_edges([0, 1], [1, 2]))
    dtype('int32')
    """
    return np.dtype(np.int32 if graph.num_nodes < 2**31 else np.int64)


def num_walk_rows(graph: Graph, num_walks: int) -> int:
    """Number of rows (walks) that :func:`random_walks` returns: ``num_walks * num_nodes``.

    Examples
    --------
    >>> from n2v_lite.graph import Graph
    >>> num_walk_rows(Graph.from_edges([0, 1], [1, 2]), num_walks=10)
    30
    """
    return check_int("num_walks", num_walks) * int(graph.num_nodes)


def _check_start_nodes(start_nodes, n):
    """``start_nodes`` as a non-empty int64 array of node indices in ``0..n-1``."""
    starts = np.asarray(start_nodes)
    if starts.ndim != 1 or starts.size == 0 or (starts.dtype.kind not in "iu"):
        raise ParameterError(
            f"start_nodes must be a non-empty 1-d array of node indices, "
            f"got shape {starts.shape} and dtype {starts.dtype}"
        )
    bad = (starts < 0) | (starts >= n)
    if bad.any():
        raise ParameterError(
            f"start_nodes must be node indices in 0..{n - 1}, got {int(starts[bad][0])}"
        )
    return starts.astype(np.int64)


# -------------------------------------------------------- per-graph tables
def _segment_offsets(first, lengths):
    """Position of every item within its segment (segments of ``lengths`` items)."""
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(first, lengths)


def _segment_items(starts, lengths):
    """Indices of the items of segments ``starts[i] .. starts[i] + lengths[i] - 1``, in order."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.repeat(np.asarray(starts, dtype=np.int64), lengths) + _segment_offsets(
        np.cumsum(lengths) - lengths, lengths
    )


def _segment_cumsum(values, offset):
    """Inclusive cumulative sums of ``values`` restarted at each segment.

    ``offset[i]`` is item ``i``'s position within its segment. The sums are
    a scan by doubling (``x[i] += x[i - k]`` for ``k = 1, 2, 4, ...``), so
    the additions, and hence the rounding, of an item depend only on its own
    segment's values: a node's tables are bit-identical wherever its edges
    sit (one machine, or one shard of a partitioned graph).
    """
    total = np.array(values, dtype=np.float64)
    k = 1
    todo = np.flatnonzero(offset >= 1)
    while len(todo):
        total[todo] += total[todo - k]
        k *= 2
        todo = todo[offset[todo] >= k]
    return total


def _search(rows, positions, query_rows, query_positions, side):
    """``searchsorted`` on (row, position) pairs, both sorted by row then position."""
    keys = rows + 1j * positions  # complex numbers compare by real, then imaginary part
    return np.searchsorted(keys, query_rows + 1j * query_positions, side=side)


def _reverse_weights(indptr, indices, weights):
    """For each stored edge ``u -> v``, the weight of ``v -> u`` (0 when absent)."""
    n = len(indptr) - 1
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    keys = rows * n + indices  # sorted: CSR rows in order, columns sorted
    wanted = indices.astype(np.int64) * n + rows
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, weights[at], 0.0)


def _offsets_in_rows(rows):
    """Position of each item within its run of equal (sorted) ``rows``."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return _segment_offsets(first, np.diff(np.r_[first, len(rows)]))


def _row_exponents(indptr, weights):
    """Per node, the binary exponent ``e`` of its largest out-weight (0 without edges):
    ``ldexp(w, -e)`` puts that node's weights in (0, 1) exactly, a power of two apart.

    Weights enter the walks only as ratios within one node's row, and scaling by a
    power of two changes no rounding, so sums, ratios and comparisons of scaled weights
    give the same bits as the raw ones -- but cannot overflow (weights near 1e308) or
    divide by a sum that underflowed (weights near 5e-324).
    """
    deg = np.diff(indptr)
    exponents = np.zeros(len(deg), dtype=np.int32)
    nonempty = deg > 0
    if len(weights):
        exponents[nonempty] = np.frexp(np.maximum.reduceat(weights, indptr[:-1][nonempty]))[1]
    return exponents


def _alias_tables(indptr, weights, exponents=None):
    """Per-node alias tables for all nodes at once (no Python loop per node).

    Returns ``prob`` (float64) and ``alias`` (int64 absolute edge index), one
    entry per stored edge. Drawing ``e = indptr[v] + floor(u * deg)`` and
    keeping ``e`` when ``frac(u * deg) < prob[e]``, else ``alias[e]``, picks
    edge ``e`` with probability ``weights[e] / sum of v's weights``.

    Each node's table depends only on its own weights, bit for bit (each row scaled
    by the power of two :func:`_row_exponents` gives, ``exponents``, which changes no
    bit of the result and keeps extreme weights finite).

    Built by the sweep construction (light buckets take their alias from the
    heavy item whose cumulative surplus covers the start of their deficit; a
    heavy item borrows what it gave away beyond its surplus from the next
    heavy item), expressed with prefix sums and binary searches.
    """
    num_edges = len(weights)
    deg = np.diff(indptr)
    row = np.repeat(np.arange(len(deg), dtype=np.int64), deg)
    if exponents is None:
        exponents = _row_exponents(indptr, weights)
    scaled = np.ldexp(weights, (-exponents)[row])  # each row's largest weight in [0.5, 1)
    totals = np.zeros(len(deg))
    nonempty = deg > 0
    totals[nonempty] = np.add.reduceat(scaled, indptr[:-1][nonempty])
    scaled *= deg[row] / totals[row]  # mean 1 within each node
    prob = np.ones(num_edges)
    alias = np.arange(num_edges, dtype=np.int64)

    light = np.flatnonzero(scaled <= 1.0)
    heavy = np.flatnonzero(scaled > 1.0)
    if len(heavy) == 0:
        return prob, alias
    # Positions on each node's own line (0 .. its total deficit), compared as
    # (node, position) pairs.
    row_l, row_h = row[light], row[heavy]
    deficit = 1.0 - scaled[light]
    surplus = scaled[heavy] - 1.0
    end_l = _segment_cumsum(deficit, _offsets_in_rows(row_l))
    start_l = end_l - deficit
    end_h = _segment_cumsum(surplus, _offsets_in_rows(row_h))
    first_h = np.flatnonzero(np.r_[True, row_h[1:] != row_h[:-1]])
    # last heavy position of each node, for clipping rounding overshoots
    last_h = np.r_[first_h[1:], len(heavy)] - 1
    # light bucket: keeps scaled weight, alias = heavy covering its deficit start
    h_of_l = _search(row_h, end_h, row_l, start_l, "right")
    if len(light):
        node_last = np.full(len(deg), -1, dtype=np.int64)
        node_last[row_h[first_h]] = last_h
        limit = node_last[row_l]
        has_heavy = limit >= 0
        h_of_l = np.minimum(h_of_l, np.maximum(limit, 0))
        prob[light] = np.where(has_heavy, scaled[light], 1.0)
        alias[light] = np.where(has_heavy, heavy[h_of_l], light)
    # heavy bucket: what the sweep gave beyond its surplus is borrowed from the next heavy
    if len(light):
        i = _search(row_l, end_l, row_h, end_h, "left")
        inside = i < len(light)
        i = np.minimum(i, len(light) - 1)
        inside &= row_l[i] == row_h
        borrowed = np.where(inside, end_l[i] - end_h, 0.0)
    else:
        borrowed = np.zeros(len(heavy))
    has_next = np.r_[row_h[1:] == row_h[:-1], False]
    borrowed = np.where(has_next, np.clip(borrowed, 0.0, 1.0), 0.0)
    prob[heavy] = 1.0 - borrowed
    alias[heavy] = np.where(has_next, np.roll(heavy, -1), heavy)
    return prob, alias


class _EdgeBitset:
    """Exact ``src -> dst`` edge test with one bit per node pair (small graphs)."""

    def __init__(self, n, rows, cols, num_rows=None):
        self.n = n  # columns; rows are 0 .. num_rows - 1 (default n)
        keys = rows * n + cols
        self.bits = np.zeros(self.nbytes_for(n, num_rows), dtype=np.uint8)
        np.bitwise_or.at(self.bits, keys >> 3, np.left_shift(1, keys & 7).astype(np.uint8))

    @staticmethod
    def nbytes_for(n, num_rows=None):
        return (n * (n if num_rows is None else num_rows) + 7) // 8

    def contains(self, src, dst):
        keys = src * self.n + dst
        return (self.bits[keys >> 3] >> (keys & 7).astype(np.uint8)) & 1 == 1


class _EdgeHash:
    """Exact ``src -> dst`` edge test with one open-addressing table per node.

    Node ``v`` owns ``2**k >= 2 * deg(v)`` int32 slots holding its neighbours
    (double hashing: an odd probe step per key), so the whole structure is
    O(E) and a lookup touches one node's slots.
    """

    _EMPTY = -1
    _MULT = np.uint32(0x9E3779B1)
    _MULT_STEP = np.uint32(0x85EBCA6B)

    def __init__(self, indptr, cols):
        indptr = np.asarray(indptr, dtype=np.int64)
        deg = np.diff(indptr)
        size = np.ones(len(deg), dtype=np.int64)
        nz = deg > 0
        size[nz] = np.left_shift(1, np.ceil(np.log2(2 * deg[nz])).astype(np.int64))
        offset = np.zeros(len(deg) + 1, dtype=np.int64)
        np.cumsum(size, out=offset[1:])
        self.offset = offset[:-1]
        self.mask = size - 1
        self.table = np.full(int(offset[-1]), self._EMPTY, dtype=cols.dtype)
        # inserted a block of nodes at a time: the scratch (40 bytes per edge) stays small
        first = 0
        while first < len(deg):
            last = int(np.searchsorted(indptr, indptr[first] + _HASH_BLOCK_EDGES, side="right"))
            last = max(first + 1, min(len(deg), last - 1))
            rows = np.repeat(np.arange(first, last, dtype=np.int64), deg[first:last])
            self._insert(rows, cols[indptr[first] : indptr[last]])
            first = last

    def _insert(self, rows, key):
        base, mask = self.offset[rows], self.mask[rows]
        slot, step = self._hash(key) & mask, self._step(key)
        while len(key):
            pos = base + slot
            free = self.table[pos] == self._EMPTY
            self.table[pos[free]] = key[free]
            left = self.table[pos] != key
            base, mask, key, step = base[left], mask[left], key[left], step[left]
            slot = (slot[left] + step) & mask

    @classmethod
    def _hash(cls, key):
        h = key.astype(np.uint32) * cls._MULT
        h ^= h >> np.uint32(16)
        return h.astype(np.int64)

    @classmethod
    def _step(cls, key):
        h = key.astype(np.uint32) * cls._MULT_STEP
        return ((h >> np.uint32(16)) | np.uint32(1)).astype(np.int64)

    def contains(self, src, dst):
        base, mask = self.offset[src], self.mask[src]
        slot = self._hash(dst) & mask
        found = self.table[base + slot]
        hit = found == dst
        todo = np.flatnonzero(~hit & (found != self._EMPTY))
        step = self._step(dst[todo])
        while len(todo):
            slot[todo] = (slot[todo] + step) & mask[todo]
            found = self.table[base[todo] + slot[todo]]
            now = found == dst[todo]
            hit[todo[now]] = True
            going = ~now & (found != self._EMPTY)
            todo, step = todo[going], step[going]
        return hit


class _Walker:
    """Read-only tables for one (graph, p, q), shared by every block and thread.

    ``graph`` is a :class:`Graph`, or a :class:`GraphShard`: the out-edges of
    the nodes ``v`` with ``v % num_shards == shard`` only, whose tables are
    indexed by the local row ``v // num_shards`` (node indices stay global).
    """

    def __init__(self, graph, p, q):
        indptr = np.asarray(graph.indptr, dtype=np.int64)
        self.n = int(graph.num_nodes)
        self.num_shards = getattr(graph, "num_shards", 1)
        num_rows = len(indptr) - 1
        self.starts = None  # start node of each row (mod its length); None: row % n
        self.dtype = walk_dtype(graph)
        self.start = indptr[:-1]
        deg = np.diff(indptr)
        self.degf = deg.astype(np.float64)
        self.has_dead_ends = bool(np.any(deg == 0))
        self.indices = np.asarray(graph.indices)  # int32: half the cache footprint of int64
        # an unweighted graph's weights are a read-only view of ones: keep it a view
        weights = self.weights = (
            np.asarray(graph.weights, dtype=np.float64) if graph.weighted else graph.weights
        )
        self.weighted = bool(graph.weighted)
        if self.weighted:
            # weights are used scaled by a power of two per node: the same bits, no
            # overflow (see _row_exponents); walker state carries raw weights
            self.exponents = _row_exponents(indptr, weights)
            self.prob, self.alias = _alias_tables(indptr, weights, self.exponents)
        self.first_order = p == 1.0 and q == 1.0
        self.state = 0
        self.needs_edge_test = self.guard = False
        if self.first_order:
            return
        ip, iq = 1.0 / p, 1.0 / q
        env = max(1.0, iq)  # envelope of a() over every x but prev
        self.ip, self.iq, self.q_large = ip, iq, q > 1.0
        self.fold = ip > env
        # Extra per-walker state: none, or w(cur, prev) ("back"), and in a
        # weighted directed graph also w(prev, cur) ("forward"); undirected
        # graphs have forward == back, unweighted directed ones forward == 1.
        self.state = 0
        if self.fold:
            # Outlier folding: the return edge gets an extra region of area
            # (1/p - env) * w(cur, prev) beside the envelope env * W(cur).
            extra = ip - env
            self.extra, self.env = extra, env
            self.low_ratio = min(1.0, iq) / env
            if self.weighted or graph.directed:
                self.state = 2 if graph.directed and self.weighted else 1
                self.directed = graph.directed
                self.wsum = np.zeros(num_rows)
                nonempty = deg > 0
                scaled = (
                    np.ldexp(weights, np.repeat(-self.exponents, deg)) if self.weighted else weights
                )
                self.wsum[nonempty] = np.add.reduceat(scaled, indptr[:-1][nonempty])
                del scaled
                # weight of each edge's reverse (0 when a directed edge has none)
                self.rev_weights = (
                    weights
                    if not graph.directed
                    else _reverse_weights(indptr, self.indices, weights)
                    if self.num_shards == 1
                    else np.asarray(graph.reverse_weights, dtype=np.float64)
                )
            else:  # undirected, unweighted: w(cur, prev) = 1, a table per node
                fold_p = extra / (env * self.degf + extra)
                self.fold_p = fold_p
                self.low = fold_p + self.low_ratio * (1.0 - fold_p)
        else:
            bound = max(env, ip)
            self.accept_return = ip / bound
            self.accept_sure = min(1.0, iq) / bound
            self.accept_max = env / bound
            # A node with one out-edge has one candidate: accept it at once
            # (else a leaf, whose only way is back, waits 1 / accept_return rounds).
            self.accept_single = self.accept_return < 1.0 and bool(np.any(deg == 1))
        # Lowest acceptance rate a walker can meet; when very low (extreme p
        # or q) walkers rejected many times in a row are sampled exactly.
        low = min(1.0, iq) / env if self.fold else min(ip, 1.0, iq) / max(env, ip)
        self.guard = low < _GUARD_ACCEPTANCE
        self.needs_edge_test = q != 1.0
        if self.needs_edge_test:
            if _EdgeBitset.nbytes_for(self.n, num_rows) <= _BITSET_MAX_BYTES:
                rows = np.repeat(np.arange(num_rows, dtype=np.int64), deg)
                self.edges = _EdgeBitset(self.n, rows, self.indices.astype(np.int64), num_rows)
            else:
                self.edges = _EdgeHash(indptr, self.indices)

    def _linked(self, src, dst):
        """Whether the graph has ``src -> dst`` (``src`` owned by this table's shard)."""
        if self.num_shards != 1:
            src = src // self.num_shards
        return self.edges.contains(src, dst)

    def _start_nodes(self, rows):
        """Start node of each absolute row number (int64)."""
        if self.starts is None:
            return rows % self.n
        return self.starts[rows % len(self.starts)]

    # ---------------------------------------------------------------- steps
    def _first_order(self, cur, u):
        """Edge indices drawn with probability w(cur, x) / W(cur), one per walker."""
        u *= self.degf[cur]
        k = u.astype(np.int64)
        e = self.start[cur]
        e += k
        if self.weighted:
            u -= k
            e = np.where(u < self.prob[e], e, self.alias[e])
        return e

    def _propose(self, cur, prev, state, counters, key):
        """One proposal per walker, without the ``prev -> x`` edge test.

        ``cur`` indexes this walker's node tables, ``prev`` and the returned
        ``x`` are node indices. Returns ``(x, e, new_state, accepted,
        todo)``: the proposal, its edge, the state arrays after taking it,
        whether it is accepted so far, and the walkers (positions) whose
        acceptance still depends on whether the graph has ``prev -> x``
        (settle them with :meth:`_settle`). ``state`` holds ``self.state``
        arrays: ``back`` = w(cur, prev) and, for directed graphs,
        ``forward`` = w(prev, cur).
        """
        u, v = uniforms(key, counters, draws=2)
        e = self._first_order(cur, u)
        x = self.indices[e]
        new_state = ()
        if self.fold:
            if self.state:
                back = state[0]
                kw = self.extra * self._scaled(back, cur)  # on the scale of wsum[cur]
                fold_p = kw / (self.env * self.wsum[cur] + kw)
                low = fold_p + self.low_ratio * (1.0 - fold_p)
            else:
                fold_p = self.fold_p[cur]
                low = self.low[cur]
            folded = v < fold_p
            accepted = (v < low) | (x == prev)
            x = np.where(folded, prev, x)
            if self.state:  # going back swaps the two weights
                forward = state[1] if self.state == 2 else 1.0 if self.directed else back
                new_state = (np.where(folded, forward, self.rev_weights[e]),)
                if self.state == 2:
                    new_state += (np.where(folded, back, self.weights[e]),)
            undecided = ~accepted
        else:
            is_return = x == prev
            accepted = np.where(is_return, v < self.accept_return, v < self.accept_sure)
            if self.accept_single:
                accepted |= self.degf[cur] == 1
            undecided = ~accepted & ~is_return & (v < self.accept_max)
        todo = np.flatnonzero(undecided) if self.needs_edge_test else undecided[:0].nonzero()[0]
        return x, e, new_state, accepted, todo

    def _settle(self, accepted, todo, linked):
        """Accept the undecided walkers ``todo`` whose ``prev -> x`` test gave ``linked``."""
        # q > 1: common neighbours (a = 1) are the envelope; q < 1: the others are
        accepted[todo[linked == self.q_large]] = True

    def _attempt(self, cur, prev, state, counters, key):
        """One proposal per walker: returns (x, new state arrays, accepted mask)."""
        x, _, new_state, accepted, todo = self._propose(cur, prev, state, counters, key)
        if len(todo):
            self._settle(accepted, todo, self._linked(prev[todo], x[todo]))
        return x, new_state, accepted

    def walk_block(self, first_row, out, key):
        """Fill ``out`` (C-contiguous, rows x walk_length) with rows ``first_row, ...``."""
        if self.has_dead_ends and out.shape[1] > 1:
            out[:, 1:] = PAD
        if self.first_order or out.shape[1] <= 2:
            self._walk_lockstep(first_row, out, key)
        else:
            self._walk_lanes(first_row, out, key)

    def _walk_lockstep(self, first_row, out, key):
        """First-order walks: every walker takes step t together, no rejection."""
        num_rows, walk_length = out.shape
        rows = np.arange(num_rows, dtype=np.int64)  # rows still walking
        cur = self._start_nodes(rows + first_row)
        out[:, 0] = cur
        counters = step_counters(rows + first_row, walk_length, 0)
        for t in range(1, walk_length):
            if self.has_dead_ends:
                alive = self.degf[cur] > 0
                if not alive.all():
                    rows, cur, counters = rows[alive], cur[alive], counters[alive]
                    if len(cur) == 0:
                        break
            counters += _STEP
            u = uniforms(key, counters)
            cur = self.indices[self._first_order(cur, u)].astype(np.intp)  # index once
            if len(rows) == num_rows:
                out[:, t] = cur  # strided writes beat a transposed buffer here
            else:
                out[rows, t] = cur

    def _scaled(self, weights, rows):
        """Out-weights of nodes ``rows`` on their rows' scale (see :func:`_row_exponents`);
        unweighted graphs keep their weights of one."""
        if not self.weighted:
            return weights
        return np.ldexp(weights, -self.exponents[rows])

    def _state_after(self, e):
        """Walker state arrays after taking edges ``e`` (no folding involved)."""
        if not self.state:
            return ()
        return (self.rev_weights[e],) + ((self.weights[e],) if self.state == 2 else ())

    def _exact_step(self, cur, prev, counters, key, linked=None):
        """Edges drawn from the exact second-order distribution, by inverse CDF.

        O(sum of the walkers' degrees): the fallback for walkers that
        rejection sampling keeps rejecting (extreme ``p`` or ``q``). Each
        walker's draw depends only on its own node, ``prev`` and counter.
        ``linked(before, x)`` answers the edge tests (default: this graph's).
        """
        deg = self.degf[cur].astype(np.int64)
        owner = np.repeat(np.arange(len(cur)), deg)
        first = np.cumsum(deg) - deg
        offset = _segment_offsets(first, deg)
        e = self.start[cur][owner] + offset
        x = self.indices[e]
        before = prev[owner]
        if self.needs_edge_test:
            test = self._linked if linked is None else linked
            bias = np.where(test(before, x), 1.0, self.iq)
        else:
            bias = np.ones(len(x))
        bias[x == before] = self.ip
        mass = bias * self._scaled(self.weights[e], cur[owner]) if self.weighted else bias
        total = _segment_cumsum(mass, offset)
        target = uniforms(key, counters) * total[first + deg - 1]
        pick = _search(
            owner.astype(np.float64), total, np.arange(len(cur), dtype=np.float64), target, "right"
        )
        return e[np.clip(pick, first, first + deg - 1)]

    def _start_walks(self, queue, count, flat, walk_length, key):
        """Start up to ``count`` walks from ``queue`` and take their first step.

        Returns lane arrays ``(cur, prev, pos, end, counters, *state)`` for
        the walks that can go on (``pos`` indexes the next cell of ``flat``),
        or None when the queue is empty. Walks that reach a node without
        out-edges in these first two nodes end at once and take no lane.
        """
        parts = []
        while count and queue[0] < queue[1]:
            rows = np.arange(queue[0], min(queue[1], queue[0] + count), dtype=np.int64)
            queue[0] += len(rows)
            start = self._start_nodes(rows + queue[2])
            base = rows * walk_length
            flat[base] = start
            counters = step_counters(rows + queue[2], walk_length, 1)
            if self.has_dead_ends:
                alive = self.degf[start] > 0
                if not alive.all():
                    start, base, counters = start[alive], base[alive], counters[alive]
            e = self._first_order(start, uniforms(key, counters))
            x = self.indices[e].astype(np.int64)
            flat[base + 1] = x
            if self.has_dead_ends:
                alive = self.degf[x] > 0
                if not alive.all():
                    x, start, base, e = x[alive], start[alive], base[alive], e[alive]
                    counters = counters[alive]
            count -= len(start)
            parts.append(
                (x, start, base + 2, base + walk_length, counters + _STEP) + self._state_after(e)
            )
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))

    def _walk_lanes(self, first_row, out, key):
        """Second-order walks on asynchronous lanes.

        Each lane holds one walk; every round, all lanes propose a move at
        once and those accepted advance, so rejected walkers simply try again
        in the next round and no round runs on a small leftover set. A lane
        whose walk ends takes the next row of the block. Every draw is keyed
        by the walk's row, step and attempt, so the lanes' order is free.
        """
        num_rows, walk_length = out.shape
        flat = out.reshape(-1)
        queue = [0, num_rows, first_row]  # next row, end, node offset
        lanes = self._start_walks(queue, min(_LANES, num_rows), flat, walk_length, key)
        if lanes is None:
            return
        cur, prev, pos, end, counters, *state = lanes
        while True:
            finished = pos == end
            if self.has_dead_ends:
                finished |= self.degf[cur] == 0
            done = np.flatnonzero(finished)
            if len(done):
                fresh = self._start_walks(queue, len(done), flat, walk_length, key)
                k = 0 if fresh is None else len(fresh[0])
                if k:
                    for array, values in zip((cur, prev, pos, end, counters, *state), fresh):
                        array[done[:k]] = values
                if k < len(done):  # queue empty: drop the idle lanes
                    keep = np.ones(len(cur), dtype=bool)
                    keep[done[k:]] = False
                    cur, prev, pos, end, counters, *state = (
                        a[keep] for a in (cur, prev, pos, end, counters, *state)
                    )
                    if len(cur) == 0:
                        return
            x, new_state, accepted = self._attempt(cur, prev, state, counters, key)
            if self.guard:
                self._guard(cur, prev, counters, key, x, new_state, accepted)
            flat[pos] = x  # a rejected proposal is overwritten by a later one
            pos += accepted
            np.putmask(prev, accepted, cur)
            np.putmask(cur, accepted, x)
            for array, values in zip(state, new_state):
                np.putmask(array, accepted, values)
            advanced = _next_step(counters)  # accepted walkers: the next step
            counters += np.uint64(2)  # the others: their next attempt
            np.putmask(counters, accepted, advanced)

    def _guard(self, cur, prev, counters, key, x, new_state, accepted, linked=None):
        """Walkers at attempt ``_MAX_REJECTIONS`` take an exact step instead (in place)."""
        stuck = np.flatnonzero(_attempts(counters) >= _MAX_REJECTIONS)
        if len(stuck):
            e = self._exact_step(cur[stuck], prev[stuck], counters[stuck], key, linked)
            x[stuck] = self.indices[e]
            accepted[stuck] = True
            for values, fresh in zip(new_state, self._state_after(e)):
                values[stuck] = fresh


# ------------------------------------------------------------------ blocks
def _block_rows(total_rows, walk_length):
    """Rows per block: a function of the problem size only (never of threads or chunks)."""
    cap = max(_MIN_BLOCK_ROWS, min(_MAX_BLOCK_ROWS, _MAX_BLOCK_CELLS // walk_length))
    blocks = -(-total_rows // cap)
    blocks = -(-blocks // _BLOCK_MULTIPLE) * _BLOCK_MULTIPLE
    return max(min(_MIN_BLOCK_ROWS, total_rows), -(-total_rows // blocks))


class _Plan:
    """Everything one call needs: validated arguments, tables, block seeds."""

    def __init__(self, graph, num_walks, walk_length, p, q, seed, workers, start_nodes=None):
        graph = _check_graph(graph)
        self.num_walks = check_int("num_walks", num_walks)
        self.walk_length = check_int("walk_length", walk_length)
        p, q = check_positive("p", p), check_positive("q", q)
        if workers is not None:
            workers = check_int("workers", workers)
        self.entropy = draw_entropy(seed)
        self.walker = _Walker(graph, p, q)
        if start_nodes is not None:
            self.walker.starts = _check_start_nodes(start_nodes, self.walker.n)
        starts = self.walker.n if start_nodes is None else len(self.walker.starts)
        self.total_rows = self.num_walks * starts
        check_stream_capacity(self.total_rows, self.walk_length)
        self.block = _block_rows(self.total_rows, self.walk_length)
        self.num_blocks = -(-self.total_rows // self.block)
        if workers is None:
            workers = default_workers()
            work = self.total_rows * (self.walk_length - 1) * (1 if self.walker.first_order else 5)
            if work < _PARALLEL_MIN_WORK:
                workers = 1
        self.workers = max(1, min(workers, self.num_blocks))

    def fill(self, out, b):
        """Write the walks of block ``b`` into ``out``, its rows of the result."""
        self.walker.walk_block(b * self.block, out, stream_key(self.entropy))
        return out

    def block_rows(self, b):
        """Block ``b`` as a new (rows, walk_length) array."""
        rows = min(self.block, self.total_rows - b * self.block)
        return self.fill(np.empty((rows, self.walk_length), dtype=self.walker.dtype), b)

    def fill_result(self, out, b):
        """Write block ``b`` into its rows of the full result; returns its row count."""
        return len(self.fill(out[b * self.block : (b + 1) * self.block], b))

    def blocks(self):
        """Yield the block arrays in order, computing up to ``workers`` ahead."""
        if self.workers == 1:
            for b in range(self.num_blocks):
                yield self.block_rows(b)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="n2v-walks") as pool:
            pending = []
            try:
                for b in range(self.num_blocks):
                    pending.append(pool.submit(self.block_rows, b))
                    if len(pending) > self.workers:
                        yield pending.pop(0).result()
                while pending:
                    yield pending.pop(0).result()
            finally:
                for future in pending:
                    future.cancel()


# ------------------------------------------------------- partitioned walks
class GraphShard:
    """The out-edges of the nodes one shard owns: ``v`` with ``v % num_shards == shard``.

    Rows are local (node ``v`` is row ``v // num_shards``), node indices in
    ``indices`` stay global, and each row's edges are sorted by target, as in
    :class:`~n2v_lite.graph.Graph`. ``reverse_weights`` (directed graphs
    only) holds, for each edge ``v -> x``, the weight of ``x -> v`` (0 when
    absent); a partitioned engine computes it with a join.
    """

    def __init__(
        self,
        shard: int,
        num_shards: int,
        num_nodes: int,
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray | None = None,
        directed: bool = False,
        reverse_weights: np.ndarray | None = None,
    ) -> None:
        self.shard, self.num_shards = int(shard), int(num_shards)
        self.num_nodes = int(num_nodes)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices)
        self.weighted = weights is not None
        self.weights = (
            np.asarray(weights, dtype=np.float64)
            if self.weighted
            else np.broadcast_to(np.float64(1.0), (len(self.indices),))
        )
        self.directed = bool(directed)
        self.reverse_weights = reverse_weights
        rows = -(-(self.num_nodes - self.shard) // self.num_shards)
        if len(self.indptr) != rows + 1:
            raise GraphError(
                f"shard {shard} of {num_shards} over {num_nodes} nodes needs "
                f"{rows + 1} row pointers, got {len(self.indptr)}"
            )


def graph_shard(graph: Graph, shard: int, num_shards: int) -> GraphShard:
    """One :class:`GraphShard` of an in-memory :class:`Graph` (for tests and small runs)."""
    graph = _check_graph(graph)
    indptr = np.asarray(graph.indptr, dtype=np.int64)
    nodes = np.arange(shard, graph.num_nodes, num_shards)
    deg = np.diff(indptr)[nodes]
    local = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(deg, out=local[1:])
    edges = _segment_items(indptr[nodes], deg)
    reverse = None
    if graph.directed:
        reverse = _reverse_weights(
            indptr, graph.indices, np.asarray(graph.weights, dtype=np.float64)
        )[edges]
    return GraphShard(
        shard,
        num_shards,
        graph.num_nodes,
        local,
        graph.indices[edges],
        graph.weights[edges] if graph.weighted else None,
        graph.directed,
        reverse,
    )


#: Message kinds between shards: walkers to move on at the owner of their
#: current node; ``prev -> x`` edge tests and exact-step queries answered by
#: the owner of ``prev``; exact-step replies back at the owner of ``cur``.
SHARD_MESSAGES = ("walk", "test", "query", "reply")
#: Proposals a ``test`` message carries: the one that needs the owner of
#: ``prev`` and the walker's next attempts, up to the first one the owner of
#: ``cur`` accepts alone, so a rejected test costs no extra round trip.
TEST_PROPOSALS = 8
# what the owner of cur knows about each proposal of a test message
_REJECTED, _ACCEPTED, _NEEDS_TEST, _UNUSED = 0, 1, 2, 3


def _take(batch, keep):
    """Walkers ``keep`` (indices or mask) of a batch; per-candidate arrays follow."""
    out = {k: v[keep] for k, v in batch.items() if k not in ("cand", "linked")}
    if "count" in batch:
        idx = np.flatnonzero(keep) if np.asarray(keep).dtype == bool else np.asarray(keep)
        first = np.cumsum(batch["count"]) - batch["count"]
        flat = _segment_items(first[idx], batch["count"][idx])
        for k in ("cand", "linked"):
            if k in batch:
                out[k] = batch[k][flat]
    return out


def _concat(batches):
    batches = [b for b in batches if b is not None and len(b["row"])]
    if not batches:
        return None
    return {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}


_START_ROWS = 1 << 16  # rows of a wave looked at a time for the walkers a shard starts


class ShardWalker:
    """Walk the rows of :func:`random_walks` on one shard of a partitioned graph.

    Walkers move between shards as messages (dicts of arrays, see
    :data:`SHARD_MESSAGES`). Each draw comes from the same counter-based
    stream as the local engine's, keyed by (row, step, attempt), and each
    decision is made with the same tables (a node's are the same bits in
    its shard), so the walks equal ``random_walks(graph, num_walks,
    walk_length, p, q, seed)`` whatever the number of shards and wherever
    they run. A walker carries its state, not its path (``row``, step ``t``,
    stream counter, ``cur`` and ``prev`` nodes, the walk tables' state floats:
    40-56 bytes whatever the walk length); each superstep returns the steps
    taken in it, which the caller puts in place (a walk's cells that no step
    reached are padding).

    Parameters
    ----------
    shard : GraphShard
    p, q, walk_length
        As in :func:`random_walks`.
    key : numpy.uint64
        :func:`stream_key` of the entropy from :func:`walk_block_layout`.
    """

    def __init__(
        self, shard: GraphShard, p: float, q: float, walk_length: int, key: np.uint64
    ) -> None:
        self.walker = _Walker(shard, check_positive("p", p), check_positive("q", q))
        self.shard, self.num_shards = shard.shard, shard.num_shards
        self.walk_length = check_int("walk_length", walk_length)
        self.key = np.uint64(key)
        self.dtype = walk_dtype(shard)
        self.slots = self.walker.state  # walker state floats carried along
        self._steps: list = []  # (rows, t, nodes) of the current superstep's steps

    def start(self, first_row: int, stop_row: int) -> dict[str, np.ndarray]:
        """The walkers of rows ``first_row .. stop_row - 1`` that start on this shard."""
        mine = []
        for start in range(first_row, stop_row, _START_ROWS):  # memory: a chunk, not a wave
            rows = np.arange(start, min(stop_row, start + _START_ROWS), dtype=np.int64)
            mine.append(rows[self.walker._start_nodes(rows) % self.num_shards == self.shard])
        rows = np.concatenate(mine) if mine else np.zeros(0, dtype=np.int64)
        return {
            "row": rows,
            "t": np.ones(len(rows), dtype=np.int64),  # 1: at its start node, no step yet
            "ctr": step_counters(rows, self.walk_length, 1),
            "cur": self.walker._start_nodes(rows).astype(np.int64),
            "prev": np.full(len(rows), PAD, dtype=np.int64),
            "state": np.zeros((len(rows), self.slots)),
        }

    # ------------------------------------------------------------ helpers
    def _owner(self, nodes):
        return nodes % self.num_shards

    @staticmethod
    def _node(batch, back):
        """Each walker's current node (``back=1``) or the one before it (``back=2``)."""
        return (batch["cur"] if back == 1 else batch["prev"]).copy()  # advances write those

    def _record(self, rows, t, x):
        self._steps.append((rows, t, np.asarray(x, dtype=np.int64)))

    def _advance(self, batch, idx, x, new_state):
        """Walkers ``idx`` move to ``x`` (their next step, attempt 0), recorded."""
        self._record(batch["row"][idx], batch["t"][idx].copy(), x)
        batch["prev"][idx] = batch["cur"][idx]
        batch["cur"][idx] = x
        batch["t"][idx] += 1
        batch["ctr"][idx] = _next_step(batch["ctr"][idx])
        for slot, values in enumerate(new_state):
            batch["state"][idx, slot] = values

    def _route(self, batch, outbox, kind="walk", to=None):
        """Send walkers to the owners of ``to`` (default: their current node)."""
        if batch is None or not len(batch["row"]):
            return None
        owner = self._owner(self._node(batch, 1) if to is None else to)
        for dest in np.unique(owner).tolist():
            if dest != self.shard or kind != "walk":
                outbox.setdefault(dest, {}).setdefault(kind, []).append(_take(batch, owner == dest))
        here = owner == self.shard
        return _take(batch, here) if kind == "walk" and here.any() else None

    # ------------------------------------------------------------ messages
    def _send_tests(self, batch, idx, local, prev, state, x, new_state, outbox):
        """Walkers ``idx`` wait on the ``prev -> x`` test of proposal ``x``: send
        it to the owner of ``prev`` with their next attempts (see
        :data:`TEST_PROPOSALS`), never past the exact-step guard."""
        w, n, width = self.walker, len(idx), TEST_PROPOSALS
        ctr = batch["ctr"][idx]
        xs = np.zeros((n, width), dtype=np.int64)
        states = np.zeros((n, width, self.slots))
        status = np.full((n, width), _UNUSED, dtype=np.int8)
        xs[:, 0], status[:, 0] = x, _NEEDS_TEST
        for k, values in enumerate(new_state):
            states[:, 0, k] = values
        limit = _MAX_REJECTIONS - _attempts(ctr).astype(np.int64) if w.guard else width
        open_ = np.ones(n, dtype=bool)  # none of its proposals accepted here yet
        for j in range(1, width):
            live = np.flatnonzero(open_ & (j < limit))
            if not len(live):
                break
            xj, _, state_j, accepted, todo = w._propose(
                local[live],
                prev[live],
                tuple(v[live] for v in state),
                ctr[live] + np.uint64(2 * j),
                self.key,
            )
            codes = np.where(accepted, _ACCEPTED, _REJECTED).astype(np.int8)
            codes[todo] = _NEEDS_TEST
            xs[live, j], status[live, j] = xj, codes
            for k, values in enumerate(state_j):
                states[live, j, k] = values
            open_[live[accepted]] = False
        test = _take(batch, idx)
        test.update(x=xs, next_state=states, status=status)
        self._route(test, outbox, "test", to=prev)

    def _answer_tests(self, batch):
        """At the owner of ``prev``: the first accepted proposal of each walker, if any."""
        w = self.walker
        xs, states, status = batch.pop("x"), batch.pop("next_state"), batch.pop("status")
        ok = status == _ACCEPTED
        rows, cols = np.nonzero(status == _NEEDS_TEST)
        ok[rows, cols] = w._linked(self._node(batch, 2)[rows], xs[rows, cols]) == w.q_large
        first = ok.argmax(axis=1)
        accepted = np.flatnonzero(ok.any(axis=1))
        rejected = np.flatnonzero(~ok.any(axis=1))
        take = first[accepted]
        self._advance(
            batch,
            accepted,
            xs[accepted, take],
            [states[accepted, take, k] for k in range(self.slots)],
        )
        used = (status[rejected] != _UNUSED).sum(axis=1).astype(np.uint64)
        batch["ctr"][rejected] += np.uint64(2) * used
        return batch

    def _answer_queries(self, batch):
        """At the owner of ``prev``: the edge tests of an exact step, one per candidate."""
        prev = np.repeat(self._node(batch, 2), batch["count"])
        batch["linked"] = self.walker._linked(prev, batch["cand"])
        del batch["cand"]
        return batch

    def _exact_replies(self, batch):
        """At the owner of ``cur``: exact steps with the edge tests a reply brought."""
        w = self.walker
        cur = self._node(batch, 1)
        flags = batch.pop("linked")
        e = w._exact_step(
            cur // self.num_shards,
            self._node(batch, 2),
            batch["ctr"],
            self.key,
            linked=lambda before, x: flags,
        )
        del batch["count"]
        self._advance(batch, np.arange(len(e)), w.indices[e], w._state_after(e))
        return batch

    # ------------------------------------------------------------ superstep
    def superstep(
        self, inbox: Iterable[dict[str, Any]]
    ) -> tuple[dict[int, dict[str, Any]], tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
        """Process the messages that reached this shard.

        Parameters
        ----------
        inbox : iterable of dict
            Messages: ``{kind: batch}`` with kinds from :data:`SHARD_MESSAGES`
            (the walkers of :meth:`start` as ``{"walk": batch}``).

        Returns
        -------
        outbox : dict
            ``{shard: {kind: batch}}`` to deliver before the next superstep.
        steps : tuple of arrays or None
            ``(rows, t, nodes)``: walk ``rows[i]`` is at ``nodes[i]`` after
            ``t[i]`` steps (``t = 0``: its start node), for every step taken in
            this superstep; ``walks[rows, t] = nodes`` over all supersteps, on
            an array filled with :data:`PAD`, gives ``random_walks``'s rows.
        """
        inbox = list(inbox)
        merged = {kind: _concat([m[kind] for m in inbox if kind in m]) for kind in SHARD_MESSAGES}
        outbox: dict = {}
        local: list = []
        self._steps = []
        fresh = merged["walk"]
        if fresh is not None and (fresh["t"] == 1).any():
            # walkers from start(): a first step is always taken where a walker starts,
            # so t == 1 is seen once per walk, here
            new = fresh["t"] == 1
            self._record(
                fresh["row"][new], np.zeros(int(new.sum()), dtype=np.int64), fresh["cur"][new]
            )
        if merged["test"] is not None:
            local.append(self._route(self._answer_tests(merged["test"]), outbox))
        if merged["query"] is not None:
            batch = self._answer_queries(merged["query"])
            self._route(batch, outbox, "reply", to=self._node(batch, 1))
        if merged["reply"] is not None:
            local.append(self._route(self._exact_replies(merged["reply"]), outbox))
        local.append(merged["walk"])
        batch = _concat(local)
        while batch is not None:
            batch = self._walk_here(batch, outbox)
        outbox = {
            dest: {kind: _concat(parts) for kind, parts in kinds.items()}
            for dest, kinds in outbox.items()
        }
        steps, self._steps = self._steps, []
        if not steps:
            return outbox, None
        rows, t, nodes = (np.concatenate(column) for column in zip(*steps))
        return outbox, (rows, t, nodes)

    def _walk_here(self, batch, outbox):
        """One round for the walkers on this shard; returns those still here."""
        w, shards = self.walker, self.num_shards
        cur = self._node(batch, 1)
        local = cur // shards
        finished = (batch["t"] == self.walk_length) | (w.degf[local] == 0)
        if finished.any():  # its steps are recorded: it simply stops here
            batch = _take(batch, ~finished)
            if not len(batch["row"]):
                return None
            cur, local = cur[~finished], local[~finished]
        first = np.ones(len(cur), dtype=bool) if w.first_order else batch["t"] == 1
        stay = np.ones(len(cur), dtype=bool)  # walkers not sent away as tests or queries
        idx = np.flatnonzero(first)
        if len(idx):
            e = w._first_order(local[idx], uniforms(self.key, batch["ctr"][idx]))
            self._advance(batch, idx, w.indices[e], w._state_after(e))
        idx = np.flatnonzero(~first)
        if len(idx):
            prev = self._node(batch, 2)[idx]
            remote = self._owner(prev) != self.shard
            if w.guard:
                stuck = _attempts(batch["ctr"][idx]) >= _MAX_REJECTIONS
                here, away = idx[stuck & ~remote], idx[stuck & remote]
                if len(here):
                    e = w._exact_step(
                        local[here], prev[stuck & ~remote], batch["ctr"][here], self.key
                    )
                    self._advance(batch, here, w.indices[e], w._state_after(e))
                if len(away):
                    self._query(batch, away, local[away], outbox)
                    stay[away] = False
                idx, prev, remote = idx[~stuck], prev[~stuck], remote[~stuck]
            state = tuple(batch["state"][idx, k] for k in range(self.slots))
            x, e, new_state, accepted, todo = w._propose(
                local[idx], prev, state, batch["ctr"][idx], self.key
            )
            ask = todo[remote[todo]]
            todo = todo[~remote[todo]]
            if len(todo):
                w._settle(accepted, todo, w._linked(prev[todo], x[todo]))
            if len(ask):
                self._send_tests(
                    batch,
                    idx[ask],
                    local[idx[ask]],
                    prev[ask],
                    tuple(v[ask] for v in state),
                    x[ask],
                    [v[ask] for v in new_state],
                    outbox,
                )
                stay[idx[ask]] = False
                accepted[ask] = False
            go = np.flatnonzero(accepted)
            self._advance(batch, idx[go], x[go], [v[go] for v in new_state])
            wait = np.ones(len(idx), dtype=bool)
            wait[go] = False
            wait[ask] = False
            batch["ctr"][idx[wait]] += np.uint64(2)
        return self._route(_take(batch, stay), outbox)

    def _query(self, batch, idx, local, outbox):
        """Walkers ``idx`` need an exact step: ask the owner of ``prev`` about every candidate."""
        w = self.walker
        count = w.degf[local].astype(np.int64)
        query = _take(batch, idx)
        query["count"] = count
        query["cand"] = w.indices[_segment_items(w.start[local], count)].astype(np.int64)
        self._route(query, outbox, "query", to=self._node(query, 2))


# ---------------------------------------------------------------- public API
def random_walks(
    graph: Graph,
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    seed: int | np.random.Generator | None = None,
    *,
    workers: int | None = None,
    progress: bool = False,
    start_nodes: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """Sample ``num_walks`` node2vec walks from every node.

    Parameters
    ----------
    graph : n2v_lite.Graph
        The CSR graph (directed or not, weighted or not).
    num_walks : int
        Rounds over all nodes (walks per node), >= 1.
    walk_length : int
        Nodes per walk, the start node included, >= 1.
    p : float
        Return parameter: the unnormalised weight of going back is ``1/p``.
    q : float
        In-out parameter: moving to a node not adjacent to the previous one
        has weight ``1/q``.
    seed : None, int or numpy.random.Generator
        Source of randomness; a Generator passed in is advanced by one draw.
    workers : int, optional
        Threads to use; default: all available cores when the job is large
        enough to gain from them. Never changes the walks.
    progress : bool
        A progress bar (walks done) on stderr.
    start_nodes : array of int, optional
        Walk only from these node indices (repeats allowed: a node listed
        twice gets twice the walks), e.g. to re-walk the part of a graph that
        changed. Row ``k`` then starts at ``start_nodes[k % len(start_nodes)]``
        in round ``k // len(start_nodes)``. Default: every node once per round.
        The same seed and the same starts give the same walks, whatever
        ``workers`` is.

    Returns
    -------
    numpy.ndarray
        Shape ``(num_walks * num_nodes, walk_length)`` (``num_nodes``: the
        number of ``start_nodes`` when given), dtype int32 (int64
        from 2**31 nodes on), node **indices**. Row ``k`` starts at node
        ``k % num_nodes`` (round ``k // num_nodes``). After a dead end the
        row is padded with :data:`PAD` (``-1``).

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a positive finite number, or ``num_walks``,
        ``walk_length`` or ``workers`` is not a positive integer.

    See Also
    --------
    iter_random_walks : the same walks in bounded chunks.

    Examples
    --------
    >>> from n2v_lite.graph import Graph
    >>> g = Graph.from_edges([0, 0, 1], [1, 2, 2], [1.0, 2.0, 1.0])
    >>> w = random_walks(g, num_walks=3, walk_length=4, p=0.25, q=4.0, seed=1)
    >>> w.shape
    (9, 4)
    >>> bool((w >= 0).all())            # undirected, no isolated node: no padding
    True
    >>> random_walks(g, 2, 3, seed=1, start_nodes=[2, 0])[:, 0].tolist()
    [2, 0, 2, 0]
    """
    plan = _Plan(graph, num_walks, walk_length, p, q, seed, workers, start_nodes)
    out = np.empty((plan.total_rows, plan.walk_length), dtype=plan.walker.dtype)
    with _walk_bar(plan, progress) as bar:
        if plan.workers == 1:
            done = (plan.fill_result(out, b) for b in range(plan.num_blocks))
        else:
            pool = ThreadPoolExecutor(plan.workers, thread_name_prefix="n2v-walks")
            done = pool.map(lambda b: plan.fill_result(out, b), range(plan.num_blocks))
        try:
            for rows in done:
                bar.update(rows)
        finally:
            if plan.workers != 1:
                pool.shutdown(cancel_futures=True)
    return out


def iter_random_walks(
    graph: Graph,
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    seed: int | np.random.Generator | None = None,
    chunk_size: int | None = None,
    *,
    workers: int | None = None,
    progress: bool = False,
    start_nodes: Sequence[int] | np.ndarray | None = None,
) -> Iterator[np.ndarray]:
    """Stream the walks of :func:`random_walks` in chunks of consecutive rows.

    Arguments are checked and ``seed`` is drawn from when this function is
    called, not when iteration starts.

    Parameters
    ----------
    graph, num_walks, walk_length, p, q, seed, workers, start_nodes
        As in :func:`random_walks`.
    chunk_size : int, optional
        Rows per chunk (the last chunk may be shorter). Default: the internal
        block size (at most 16384 rows). Memory stays bounded by a few blocks
        plus one chunk.
    progress : bool
        A progress bar (walks yielded) on stderr.

    Yields
    ------
    numpy.ndarray
        2-D arrays of walks; ``np.concatenate`` of all chunks equals
        ``random_walks(...)`` with the same arguments and seed, whatever
        ``chunk_size`` and ``workers`` are.

    Examples
    --------
    >>> import numpy as np
    >>> from n2v_lite.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])
    >>> chunks = list(iter_random_walks(g, 5, 6, p=2.0, seed=3, chunk_size=7))
    >>> [len(c) for c in chunks]
    [7, 7, 6]
    >>> bool((np.concatenate(chunks) == random_walks(g, 5, 6, p=2.0, seed=3)).all())
    True
    """
    plan = _Plan(graph, num_walks, walk_length, p, q, seed, workers, start_nodes)
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size)
    return _counted(_rechunk(plan.blocks(), chunk_size), plan, progress)


def _walk_bar(plan, progress):
    return progress_bar(total=plan.total_rows, desc="walks", unit="walk", enabled=progress)


def _counted(chunks, plan, progress):
    """Pass the chunks through, advancing a progress bar by their rows."""
    with _walk_bar(plan, progress) as bar:
        for chunk in chunks:
            bar.update(len(chunk))
            yield chunk


def write_walks(
    handle: TextIO,
    graph: Graph,
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    seed: int | np.random.Generator | None = None,
    *,
    workers: int | None = None,
    progress: bool = False,
) -> None:
    """Write the walks as text: one walk per line, node ids separated by spaces.

    The walks are those of :func:`random_walks` with the same arguments,
    streamed chunk by chunk; padding after a dead end is left out, so a line
    can be shorter than ``walk_length``.

    Parameters
    ----------
    handle : file-like
        Open text file (or ``sys.stdout``).
    graph, num_walks, walk_length, p, q, seed, workers
        As in :func:`random_walks`.
    progress : bool
        A progress bar on stderr.

    Raises
    ------
    ValueError
        If a node id contains whitespace (it could not be read back).

    Examples
    --------
    >>> import io
    >>> from n2v_lite.graph import Graph
    >>> out = io.StringIO()
    >>> write_walks(out, Graph.from_edges([0], [1]), num_walks=1, walk_length=3, seed=0)
    >>> print(out.getvalue(), end="")
    0 1 0
    1 0 1
    """
    labels = np.array([str(x) for x in graph.node_ids.tolist()], dtype=object)
    bad = [label for label in labels if not label or any(c.isspace() for c in label)]
    if bad:
        raise GraphError(
            f"node id {bad[0]!r} is empty or contains whitespace: "
            "it cannot be written as a walk token (a walk folder, --out DIR, "
            "stores node indices instead)"
        )
    chunks = iter_random_walks(
        graph, num_walks, walk_length, p, q, seed, workers=workers, progress=progress
    )
    for chunk in chunks:
        if (chunk == PAD).any():
            rows = (labels[row[row != PAD]] for row in chunk)
        else:
            rows = labels[chunk].tolist()
        handle.write("".join(" ".join(row) + "\n" for row in rows))


def _rechunk(blocks, chunk_size):
    if chunk_size is None:
        yield from blocks
        return
    parts, held = [], 0
    for block in blocks:
        while len(block):
            take = min(chunk_size - held, len(block))
            parts.append(block[:take])
            held += take
            block = block[take:]
            if held == chunk_size:
                yield parts[0] if len(parts) == 1 else np.concatenate(parts)
                parts, held = [], 0
    if held:
        yield parts[0] if len(parts) == 1 else np.concatenate(parts)


# ------------------------------------------------- distributed engines (hook)
def walk_block_layout(
    graph: Graph, num_walks: int, walk_length: int, seed: int | np.random.Generator | None = None
) -> tuple[int, int, list[int]]:
    """How :func:`random_walks` cuts its rows into seeded blocks, for engines that
    run the blocks elsewhere (e.g. :mod:`n2v_lite.spark`).

    Returns ``(num_blocks, block_rows, entropy)``: block ``b`` holds rows
    ``b * block_rows`` up to ``(b + 1) * block_rows`` (the last one fewer), and
    ``entropy`` (four ints) is the one draw from ``seed`` that seeds every
    block, exactly as :func:`random_walks` draws it. Pass it to
    :func:`walk_blocks`.

    Examples
    --------
    >>> from n2v_lite.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0])
    >>> num_blocks, block_rows, entropy = walk_block_layout(g, 2, 5, seed=7)
    >>> num_blocks, block_rows, len(entropy)
    (1, 6, 4)
    """
    total_rows = check_int("num_walks", num_walks) * int(_check_graph(graph).num_nodes)
    block = _block_rows(total_rows, check_int("walk_length", walk_length))
    entropy = draw_entropy(seed)  # the same single draw as _Plan
    return -(-total_rows // block), block, entropy


def walk_blocks(
    graph: Graph,
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    *,
    entropy: Sequence[int],
    block_ids: Iterable[int],
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield ``(block_id, first_row, walks)`` for some blocks of :func:`random_walks`.

    With ``entropy`` from :func:`walk_block_layout` (same graph, ``num_walks``,
    ``walk_length`` and seed), the blocks are exactly the rows
    ``random_walks`` returns there, whichever subset is computed and where.

    Examples
    --------
    >>> import numpy as np
    >>> from n2v_lite.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0])
    >>> _, _, entropy = walk_block_layout(g, 2, 5, seed=7)
    >>> [(b, first, rows.shape) for b, first, rows in walk_blocks(
    ...     g, 2, 5, 0.5, 2.0, entropy=entropy, block_ids=[0])]
    [(0, 0, (6, 5))]
    >>> (b, first, rows), = walk_blocks(g, 2, 5, 0.5, 2.0, entropy=entropy, block_ids=[0])
    >>> bool((rows == random_walks(g, 2, 5, 0.5, 2.0, seed=7)).all())
    True
    """
    plan = _Plan(graph, num_walks, walk_length, p, q, 0, 1)
    plan.entropy = [int(x) for x in entropy]
    for b in block_ids:
        b = int(b)
        if not 0 <= b < plan.num_blocks:
            raise ParameterError(f"block id {b} is out of range (0..{plan.num_blocks - 1})")
        yield b, b * plan.block, plan.block_rows(b)


__all__ += [
    "walk_block_layout",
    "walk_blocks",
    "GraphShard",
    "graph_shard",
    "ShardWalker",
    "SHARD_MESSAGES",
    "TEST_PROPOSALS",
    "stream_key",
    "step_counters",
    "uniforms",
    "check_stream_capacity",
    "draw_entropy",
]
