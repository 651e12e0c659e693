"""Tests of the walk engine: exact distribution, dead ends, reproducibility, validation."""

import threading

import numpy as np
import pytest
from scipy import stats

from n2v_lite import walks as W
from n2v_lite.graph import Graph
from n2v_lite.walks import PAD, iter_random_walks, num_walk_rows, random_walks

# Chi-square tests use fixed seeds; a correct sampler fails one with probability
# ALPHA per seed, so these never flake, while a wrong one gives p-values < 1e-30.
ALPHA = 1e-5
PQ = [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25), (0.5, 2.0)]


# ------------------------------------------------------------------ graphs
def _undirected(weighted):
    # two triangles sharing node 2, a tail, a square and a self-loop:
    # common neighbours, non-neighbours and returns all occur.
    src = [0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 5, 8]
    dst = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 8, 8]
    w = [1.0, 3.0, 0.5, 2.0, 1.0, 4.0, 1.5, 1.0, 2.5, 0.7, 1.2, 2.0] if weighted else None
    return Graph.from_edges(src, dst, w)


def _directed(weighted):
    # reciprocal pairs (so x == prev happens), one-way edges, a self-loop and
    # node 6 without out-edges (a dead end).
    src = [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0, 3, 2]
    dst = [1, 0, 2, 0, 3, 1, 4, 3, 5, 4, 6, 3, 3, 4]
    w = [1.0, 2.0, 1.0, 0.5, 3.0, 1.0, 2.0, 1.5, 1.0, 0.8, 2.0, 1.0, 0.6, 1.4] if weighted else None
    return Graph.from_edges(src, dst, w, directed=True)


def _leaves():
    # a tree with leaves (out-degree 1) and one triangle
    src = [0, 0, 0, 1, 1, 2, 3, 4]
    dst = [1, 2, 3, 4, 5, 6, 7, 5]
    return Graph.from_edges(src, dst, [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.5, 2.0])


GRAPHS = {
    "undirected": lambda: _undirected(False),
    "tree-weighted": _leaves,
    "undirected-weighted": lambda: _undirected(True),
    "directed": lambda: _directed(False),
    "directed-weighted": lambda: _directed(True),
}


# ------------------------------------------------------- exact probabilities
def _neighbours(g, v):
    lo, hi = g.indptr[v], g.indptr[v + 1]
    return g.indices[lo:hi], g.weights[lo:hi]


def _exact_second(g, prev, cur, p, q):
    """node2vec transition probabilities from cur having come from prev, computed naively."""
    nbrs, w = _neighbours(g, cur)
    prev_out = set(_neighbours(g, prev)[0].tolist())
    bias = np.array([1 / p if x == prev else 1.0 if x in prev_out else 1 / q for x in nbrs])
    probs = w * bias
    return nbrs, probs / probs.sum()


def _chi2_pvalue(observed_keys, contexts, n):
    """Pooled chi-square p-value of observed (context, x) pairs against exact probabilities.

    ``contexts`` maps a context key to (candidate nodes, probabilities).
    """
    counts = {}
    keys, freq = np.unique(observed_keys, return_counts=True)
    for key, f in zip(keys.tolist(), freq.tolist()):
        counts[key] = f
    stat, dof = 0.0, 0
    by_context = {}
    for key, f in counts.items():
        by_context.setdefault(key // n, {})[key % n] = f
    for ctx, seen in by_context.items():
        nodes, probs = contexts[ctx]
        assert set(seen) <= set(nodes.tolist()), "a walk used an edge that does not exist"
        total = sum(seen.values())
        obs = np.array([seen.get(x, 0) for x in nodes.tolist()], dtype=float)
        exp = total * probs
        stat += float(((obs - exp) ** 2 / exp).sum())
        dof += len(nodes) - 1
    assert dof > 0
    return stats.chi2.sf(stat, dof)


def _second_order_pvalue(g, walks, p, q):
    n = g.num_nodes
    prev, cur, nxt = walks[:, :-2].ravel(), walks[:, 1:-1].ravel(), walks[:, 2:].ravel()
    ok = nxt != PAD
    prev, cur, nxt = prev[ok].astype(np.int64), cur[ok].astype(np.int64), nxt[ok].astype(np.int64)
    ctx_keys = np.unique(prev * n + cur)
    contexts = {int(k): _exact_second(g, int(k) // n, int(k) % n, p, q) for k in ctx_keys}
    return _chi2_pvalue((prev * n + cur) * n + nxt, contexts, n)


def _first_step_pvalue(g, walks):
    n = g.num_nodes
    start, nxt = walks[:, 0].astype(np.int64), walks[:, 1].astype(np.int64)
    ok = nxt != PAD
    contexts = {}
    for v in np.unique(start[ok]).tolist():
        nbrs, w = _neighbours(g, v)
        contexts[v] = (nbrs, w / w.sum())
    return _chi2_pvalue(start[ok] * n + nxt[ok], contexts, n)


# ------------------------------------------------------------ distribution
@pytest.mark.parametrize("p,q", PQ)
@pytest.mark.parametrize("name", list(GRAPHS))
def test_second_order_transitions_match_node2vec(name, p, q):
    g = GRAPHS[name]()
    walks = random_walks(g, num_walks=2500, walk_length=10, p=p, q=q, seed=12345)
    assert _second_order_pvalue(g, walks, p, q) > ALPHA


@pytest.mark.parametrize("p,q", PQ[1:])
@pytest.mark.parametrize("name", ["undirected-weighted", "directed"])
def test_second_order_with_few_lanes_refilled(monkeypatch, name, p, q):
    # lanes much fewer than rows: walks end and lanes take new rows all the time
    monkeypatch.setattr(W, "_LANES", 7)
    g = GRAPHS[name]()
    walks = random_walks(g, num_walks=400, walk_length=12, p=p, q=q, seed=77)
    assert _second_order_pvalue(g, walks, p, q) > ALPHA
    assert _first_step_pvalue(g, walks) > ALPHA


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0)])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_first_step_is_proportional_to_weights(name, p, q):
    g = GRAPHS[name]()
    walks = random_walks(g, num_walks=4000, walk_length=2, p=p, q=q, seed=99)
    assert _first_step_pvalue(g, walks) > ALPHA


def test_chi_square_check_detects_a_wrong_bias():
    # the same check must reject walks drawn with other (p, q): it has power
    g = _undirected(True)
    walks = random_walks(g, num_walks=2500, walk_length=10, p=1.0, q=1.0, seed=5)
    assert _second_order_pvalue(g, walks, 0.25, 4.0) < 1e-30
    walks = random_walks(g, num_walks=2500, walk_length=10, p=0.5, q=2.0, seed=5)
    assert _second_order_pvalue(g, walks, 2.0, 0.5) < 1e-30


@pytest.mark.parametrize("p,q", [(1.0, 1e-6), (1e-6, 1e6), (1e6, 1e-3), (50.0, 1.0)])
@pytest.mark.parametrize("name", ["undirected-weighted", "directed", "tree-weighted"])
def test_extreme_parameters_stay_exact_and_finish(name, p, q):
    # acceptance rates down to 1e-9: walkers rejected many times are sampled exactly
    g = GRAPHS[name]()
    walks = random_walks(g, num_walks=500, walk_length=10, p=p, q=q, seed=21)
    assert _second_order_pvalue(g, walks, p, q) > ALPHA


@pytest.mark.parametrize("p,q", PQ[1:])
@pytest.mark.parametrize("name", ["undirected-weighted", "directed-weighted", "tree-weighted"])
def test_exact_fallback_step_matches_node2vec(monkeypatch, name, p, q):
    # every rejected walker goes through the exact inverse-CDF step
    monkeypatch.setattr(W, "_GUARD_ACCEPTANCE", 2.0)
    monkeypatch.setattr(W, "_MAX_REJECTIONS", 1)
    g = GRAPHS[name]()
    walks = random_walks(g, num_walks=1500, walk_length=10, p=p, q=q, seed=4)
    assert _second_order_pvalue(g, walks, p, q) > ALPHA


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0)])
def test_pairs_listed_both_ways_are_walked_as_one_unweighted_edge(tmp_path, p, q):
    # an unweighted undirected edge list with many pairs listed in both directions
    # (as Cora has): the walks follow the plain graph networkx reads, no pair favoured
    import networkx as nx

    rng = np.random.default_rng(5)
    pairs = {tuple(sorted(e)) for e in rng.integers(0, 40, (150, 2)).tolist() if e[0] != e[1]}
    lines = [f"{u}\t{v}" for u, v in sorted(pairs)]
    lines += [f"{v}\t{u}" for u, v in sorted(pairs)[::3]]  # a third listed again, reversed
    path = tmp_path / "edges.tsv"
    path.write_text("\n".join(lines) + "\n")
    g = Graph.from_edgelist(path)
    plain = nx.read_edgelist(path, nodetype=int)
    reference = Graph.from_edges(*zip(*plain.edges), node_ids=np.arange(g.num_nodes))
    assert g.node_ids.tolist() == list(range(g.num_nodes)) and g == reference
    walks = random_walks(g, num_walks=300, walk_length=10, p=p, q=q, seed=11)
    assert _first_step_pvalue(reference, walks) > ALPHA
    assert _second_order_pvalue(reference, walks, p, q) > ALPHA


def test_high_degree_weighted_graph_with_skewed_weights():
    # a hub with a wide weight range exercises alias tables and rejection at scale
    rng = np.random.default_rng(0)
    n = 60
    src = np.r_[np.zeros(n - 1, int), rng.integers(1, n, 80)]
    dst = np.r_[np.arange(1, n), rng.integers(1, n, 80)]
    w = np.exp(rng.normal(0, 2, len(src)))
    g = Graph.from_edges(src, dst, w, duplicates="sum")
    walks = random_walks(g, num_walks=600, walk_length=12, p=0.5, q=2.0, seed=3)
    assert _second_order_pvalue(g, walks, 0.5, 2.0) > ALPHA
    assert _first_step_pvalue(g, walks) > ALPHA


def test_large_graph_uses_hash_edge_test(monkeypatch):
    # force the O(E) per-node hash tables instead of the bitset
    monkeypatch.setattr(W, "_BITSET_MAX_BYTES", 0)
    g = _undirected(False)
    walker = W._Walker(g, 0.25, 4.0)
    assert isinstance(walker.edges, W._EdgeHash)
    walks = random_walks(g, num_walks=2500, walk_length=10, p=0.25, q=4.0, seed=8)
    assert _second_order_pvalue(g, walks, 0.25, 4.0) > ALPHA


# ------------------------------------------------------------- internals
def _implied_alias_probs(indptr, prob, alias):
    deg = np.diff(indptr)
    row = np.repeat(np.arange(len(deg)), deg)
    mass = prob.copy()
    np.add.at(mass, alias, 1.0 - prob)
    return mass / deg[row]


@pytest.mark.parametrize("spread", [0.0, 0.5, 3.0, 8.0])
def test_alias_tables_are_exact(spread):
    rng = np.random.default_rng(int(spread * 10))
    deg = rng.integers(0, 40, 300)
    deg[:5] = [1, 2, 0, 1000, 3]
    indptr = np.r_[0, np.cumsum(deg)]
    weights = np.exp(rng.normal(0, spread, indptr[-1]))
    prob, alias = W._alias_tables(indptr, weights)
    row = np.repeat(np.arange(len(deg)), deg)
    # every alias points inside its own node, probabilities in [0, 1]
    assert np.all(row[alias] == row)
    assert np.all((prob >= 0) & (prob <= 1))
    totals = np.bincount(row, weights, minlength=len(deg))
    np.testing.assert_allclose(
        _implied_alias_probs(indptr, prob, alias), weights / totals[row], rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("cls", ["bitset", "hash", "hash in blocks"])
def test_edge_tests_are_exact(cls, monkeypatch):
    monkeypatch.setattr(W, "_HASH_BLOCK_EDGES", 100 if cls == "hash in blocks" else 1 << 20)
    rng = np.random.default_rng(1)
    n = 200
    # random edges plus a hub linked to every node (long probe sequences)
    src = np.r_[rng.integers(0, n, 3000), np.zeros(n, int)]
    dst = np.r_[rng.integers(0, n, 3000), np.arange(n)]
    g = Graph.from_edges(src, dst, node_ids=np.arange(n), directed=True)
    rows = np.repeat(np.arange(n), g.degrees())
    if cls == "bitset":
        edges = W._EdgeBitset(n, rows, g.indices.astype(np.int64))
    else:
        edges = W._EdgeHash(g.indptr, g.indices)
    src, dst = rng.integers(0, n, 20000), rng.integers(0, n, 20000)
    truth = set(zip(rows.tolist(), g.indices.tolist()))
    expected = np.array([(s, d) in truth for s, d in zip(src.tolist(), dst.tolist())])
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(edges.contains(src, dst), expected)


def test_reverse_weights():
    g = _directed(True)
    rev = W._reverse_weights(g.indptr, g.indices, g.weights)
    rows = np.repeat(np.arange(g.num_nodes), g.degrees())
    weight = {(u, v): w for u, v, w in zip(rows.tolist(), g.indices.tolist(), g.weights.tolist())}
    expected = [weight.get((v, u), 0.0) for u, v in zip(rows.tolist(), g.indices.tolist())]
    assert 0 < np.count_nonzero(expected) < len(expected)
    np.testing.assert_array_equal(rev, expected)


# --------------------------------------------------------------- behaviour
def test_shape_dtype_and_row_order():
    g = _undirected(True)
    walks = random_walks(g, num_walks=3, walk_length=7, seed=0)
    assert walks.shape == (3 * g.num_nodes, 7) == (num_walk_rows(g, 3), 7)
    assert walks.dtype == np.int32
    np.testing.assert_array_equal(walks[:, 0], np.tile(np.arange(g.num_nodes), 3))
    # consecutive nodes are joined by an edge
    edges = set(zip(np.repeat(np.arange(g.num_nodes), g.degrees()).tolist(), g.indices.tolist()))
    pairs = zip(walks[:, :-1].ravel().tolist(), walks[:, 1:].ravel().tolist())
    assert all(pair in edges for pair in pairs)


def test_walk_length_one_is_the_start_nodes():
    g = _directed(False)
    walks = random_walks(g, num_walks=2, walk_length=1, p=0.5, q=2, seed=0)
    np.testing.assert_array_equal(walks, np.tile(np.arange(g.num_nodes), 2)[:, None])


@pytest.mark.parametrize("lanes", [1, 2, 8192])
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0)])
def test_dead_ends_pad_the_rest_of_the_walk(monkeypatch, p, q, lanes):
    monkeypatch.setattr(W, "_LANES", lanes)
    g = Graph.from_edges([0, 1, 3], [1, 2, 3], directed=True)  # 0 -> 1 -> 2 (dead end), 3 loops
    walks = random_walks(g, num_walks=2, walk_length=5, p=p, q=q, seed=1)
    np.testing.assert_array_equal(
        walks[:4],
        [[0, 1, 2, PAD, PAD], [1, 2, PAD, PAD, PAD], [2, PAD, PAD, PAD, PAD], [3, 3, 3, 3, 3]],
    )
    assert PAD < 0  # never a node index


@pytest.mark.parametrize("lanes", [1, 8192])
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (4.0, 0.25)])
def test_isolated_nodes_give_walks_of_length_one(monkeypatch, p, q, lanes):
    monkeypatch.setattr(W, "_LANES", lanes)
    g = Graph.from_edges([0, 1], [1, 2], node_ids=np.array([10, 11, 12, 13]))  # node 13 isolated
    walks = random_walks(g, num_walks=3, walk_length=6, p=p, q=q, seed=2)
    isolated = walks[3::4]
    np.testing.assert_array_equal(isolated, [[3] + [PAD] * 5] * 3)
    assert (walks[walks[:, 0] != 3] >= 0).all()


def test_dead_end_walks_are_padded_in_a_large_run():
    g = _directed(True)
    walks = random_walks(g, num_walks=500, walk_length=8, p=0.5, q=2.0, seed=4)
    padded = walks == PAD
    # once padded, always padded; padding only follows the dead-end node 6
    assert not (padded[:, :-1] & ~padded[:, 1:]).any()
    first_pad = np.argmax(padded, axis=1)
    hit = padded.any(axis=1)
    assert hit.any()
    assert (walks[hit, first_pad[hit] - 1] == 6).all()


def test_self_loop_only_node_stays():
    g = Graph.from_edges([0, 1], [0, 2])
    walks = random_walks(g, num_walks=1, walk_length=6, p=0.25, q=4.0, seed=0)
    np.testing.assert_array_equal(walks[0], [0] * 6)


# -------------------------------------------------------- reproducibility
@pytest.fixture
def small_blocks(monkeypatch):
    """Many small blocks, so chunks and threads cross block boundaries, and few lanes."""
    monkeypatch.setattr(W, "_MIN_BLOCK_ROWS", 16)
    monkeypatch.setattr(W, "_MAX_BLOCK_ROWS", 40)
    monkeypatch.setattr(W, "_LANES", 8)


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0), (4.0, 0.25)])
@pytest.mark.parametrize("name", ["undirected-weighted", "directed"])
def test_same_seed_same_walks_whatever_chunks_and_workers(small_blocks, name, p, q):
    g = GRAPHS[name]()
    ref = random_walks(g, 30, 9, p, q, seed=42, workers=1)
    assert W._Plan(g, 30, 9, p, q, 0, None).num_blocks > 4
    np.testing.assert_array_equal(random_walks(g, 30, 9, p, q, seed=42, workers=2), ref)
    for chunk_size in (None, 1, 7, 40, 41, 10_000):
        chunks = list(
            iter_random_walks(
                g, 30, 9, p, q, seed=42, chunk_size=chunk_size, workers=2 if chunk_size == 7 else 1
            )
        )
        if chunk_size is not None:
            assert all(len(c) == chunk_size for c in chunks[:-1])
            assert 0 < len(chunks[-1]) <= chunk_size
        assert all(c.flags.c_contiguous and c.dtype == np.int32 for c in chunks)
        np.testing.assert_array_equal(np.concatenate(chunks), ref)


@pytest.mark.parametrize("guard", [False, True])
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0), (4.0, 0.25), (1e-3, 1e3)])
@pytest.mark.parametrize("name", ["undirected-weighted", "directed-weighted", "tree-weighted"])
def test_walks_do_not_depend_on_blocks_or_lanes(monkeypatch, name, p, q, guard):
    # every draw is keyed by (row, step, attempt): another cut into blocks and
    # lanes (so other walkers share a numpy call) gives the same array
    g = GRAPHS[name]()
    if guard:  # every rejected walker takes the exact step
        monkeypatch.setattr(W, "_GUARD_ACCEPTANCE", 2.0)
        monkeypatch.setattr(W, "_MAX_REJECTIONS", 1)
    ref = random_walks(g, 40, 12, p, q, seed=8, workers=1)
    for low, high, lanes in [(16, 40, 8), (3, 5, 1), (64, 64, 1000)]:
        monkeypatch.setattr(W, "_MIN_BLOCK_ROWS", low)
        monkeypatch.setattr(W, "_MAX_BLOCK_ROWS", high)
        monkeypatch.setattr(W, "_LANES", lanes)
        np.testing.assert_array_equal(random_walks(g, 40, 12, p, q, seed=8, workers=2), ref)


def test_a_row_can_be_walked_alone():
    # the rows of a bigger run, walked one at a time from their own start nodes,
    # are the same walks (what a partitioned engine relies on)
    g = _undirected(True)
    ref = random_walks(g, 6, 10, 0.5, 2.0, seed=3)
    plan = W._Plan(g, 6, 10, 0.5, 2.0, 3, 1)
    key = W.stream_key(plan.entropy)
    for row in [0, 7, 53]:
        out = np.empty((1, 10), dtype=np.int32)
        plan.walker.walk_block(row, out, key)
        np.testing.assert_array_equal(out[0], ref[row])


def test_stream_is_uniform_and_independent_across_its_counters():
    key = W.stream_key([3, 1, 4, 1])
    counters = W.step_counters(np.arange(400_000), 80, 5)
    first = W.uniforms(key, counters)
    assert first.dtype == np.float64 and 0.0 <= first.min() and first.max() < 1.0
    assert stats.kstest(first, "uniform").pvalue > ALPHA
    # the next draw, attempt, step and row: pairs spread evenly over a 32 x 32 grid
    for delta in (1, 2, 1 << W._ATTEMPT_BITS, 80 << W._ATTEMPT_BITS):
        other = W.uniforms(key, counters + np.uint64(delta))
        cells = (first * 32).astype(int) * 32 + (other * 32).astype(int)
        assert stats.chisquare(np.bincount(cells, minlength=1024)).pvalue > ALPHA
    # another seed gives another stream
    assert not np.array_equal(W.uniforms(W.stream_key([3, 1, 4, 2]), counters), first)


def test_walks_beyond_the_streams_counters_are_refused():
    # 2**44 cells: more would reuse counters, i.e. repeat random numbers without a word
    W.check_stream_capacity(2**24, 2**20 - 1)
    with pytest.raises(W.ParameterError, match="more than the walk stream can number"):
        W.check_stream_capacity(2**24, 2**20)


def test_alias_tables_do_not_depend_on_where_a_node_sits():
    # a node's table is the same bits in the whole graph and in a shard holding
    # every third node (other offsets, other neighbours before it)
    rng = np.random.default_rng(5)
    deg = rng.integers(0, 60, 600)
    deg[10] = 5000
    indptr = np.r_[0, np.cumsum(deg)]
    weights = np.exp(rng.normal(0, 2.0, indptr[-1]))
    prob, alias = W._alias_tables(indptr, weights)
    for shard in range(3):
        rows = np.arange(shard, len(deg), 3)
        part = np.concatenate([np.arange(indptr[r], indptr[r + 1]) for r in rows])
        sub_indptr = np.r_[0, np.cumsum(deg[rows])]
        sub_prob, sub_alias = W._alias_tables(sub_indptr, weights[part])
        np.testing.assert_array_equal(sub_prob, prob[part])
        start = np.repeat(indptr[rows] - sub_indptr[:-1], deg[rows])
        np.testing.assert_array_equal(sub_alias + start, alias[part])


def test_seed_kinds():
    g = _undirected(False)
    a = random_walks(g, 5, 8, 0.5, 2.0, seed=7)
    np.testing.assert_array_equal(a, random_walks(g, 5, 8, 0.5, 2.0, seed=7))
    assert not np.array_equal(a, random_walks(g, 5, 8, 0.5, 2.0, seed=8))
    # a Generator is the single source of randomness and is advanced
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    first = random_walks(g, 5, 8, 0.5, 2.0, seed=rng1)
    np.testing.assert_array_equal(first, random_walks(g, 5, 8, 0.5, 2.0, seed=rng2))
    assert not np.array_equal(first, random_walks(g, 5, 8, 0.5, 2.0, seed=rng1))
    # iter_random_walks draws from the generator when called, not when iterated
    rng3, rng4 = np.random.default_rng(3), np.random.default_rng(3)
    it = iter_random_walks(g, 5, 8, 0.5, 2.0, seed=rng3)
    rng3.random()
    expected = random_walks(g, 5, 8, 0.5, 2.0, seed=rng4)
    np.testing.assert_array_equal(np.concatenate(list(it)), expected)


def test_abandoned_iterator_stops_its_threads(small_blocks):
    g = _undirected(True)
    it = iter_random_walks(g, 50, 9, 0.5, 2.0, seed=1, workers=2)
    first = next(it)
    assert any(t.name.startswith("n2v-walks") for t in threading.enumerate())
    it.close()
    assert not any(t.name.startswith("n2v-walks") for t in threading.enumerate())
    np.testing.assert_array_equal(first, random_walks(g, 50, 9, 0.5, 2.0, seed=1)[: len(first)])


# -------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(p=0), "p must be"),
        (dict(p=-1.0), "p must be"),
        (dict(p=float("nan")), "p must be"),
        (dict(p=float("inf")), "p must be"),
        (dict(q=0.0), "q must be"),
        (dict(q=-2), "q must be"),
        (dict(q=float("inf")), "q must be"),
        (dict(q="2"), "q must be"),
        (dict(p=True), "p must be"),
        (dict(num_walks=0), "num_walks"),
        (dict(num_walks=2.5), "num_walks"),
        (dict(walk_length=0), "walk_length"),
        (dict(walk_length=-3), "walk_length"),
        (dict(workers=0), "workers"),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, match):
    g = _undirected(False)
    args = dict(num_walks=2, walk_length=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        random_walks(g, **args)
    with pytest.raises(ValueError, match=match):
        iter_random_walks(g, **args)  # eagerly, before iteration


def test_invalid_chunk_size_and_graph():
    g = _undirected(False)
    with pytest.raises(ValueError, match="chunk_size"):
        iter_random_walks(g, 2, 5, chunk_size=0)
    with pytest.raises(TypeError, match="Graph"):
        random_walks(np.eye(3), 2, 5)


# ------------------------------------------------------------- real graph
@pytest.mark.shared
def test_blogcatalog_walks_are_valid(graphs_dir):
    g = Graph.from_edgelist(graphs_dir / "blogcatalog" / "edges.tsv")
    walks = random_walks(g, num_walks=1, walk_length=20, p=0.5, q=2.0, seed=0)
    assert walks.shape == (g.num_nodes, 20) and walks.min() >= 0
    src, dst = walks[:, :-1].ravel().astype(np.int64), walks[:, 1:].ravel().astype(np.int64)
    rows = np.repeat(np.arange(g.num_nodes, dtype=np.int64), g.degrees())
    keys = rows * g.num_nodes + g.indices
    assert np.isin(src * g.num_nodes + dst, keys).all()
