"""Partitioned walks (n2v_lite.walks.ShardWalker) equal the local engine's, shard by shard.

The shards exchange their messages in memory here, as Spark's shuffles do between
supersteps (tests/test_spark.py runs the same engine on a cluster).
"""

import pickle

import numpy as np
import pytest
from test_walks import GRAPHS

from n2v_lite import walks as W
from n2v_lite.graph import Graph
from n2v_lite.walks import random_walks


def partitioned_walks(
    graph, num_walks, walk_length, p, q, seed, num_shards, wave=None, pickled=False
):
    """Walk ``graph`` shard by shard; returns (walks, supersteps, messages sent)."""
    _, _, entropy = W.walk_block_layout(graph, num_walks, walk_length, seed)
    key = W.stream_key(entropy)
    shards = [
        W.ShardWalker(W.graph_shard(graph, s, num_shards), p, q, walk_length, key)
        for s in range(num_shards)
    ]
    total = num_walks * graph.num_nodes
    out = np.full((total, walk_length), -7, dtype=W.walk_dtype(graph))
    wave = wave or total
    supersteps = sent = 0
    for first in range(0, total, wave):
        stop = min(total, first + wave)
        inbox = {s: [{"walk": shards[s].start(first, stop)}] for s in range(num_shards)}
        while any(inbox.values()):
            arriving = {s: [] for s in range(num_shards)}
            for s in range(num_shards):
                outbox, steps = shards[s].superstep(inbox[s])
                for dest, message in outbox.items():
                    if pickled:  # as a shuffle would carry it
                        message = pickle.loads(pickle.dumps(message))
                    arriving[dest].append(message)
                    sent += 1
                if steps is not None:
                    rows, t, nodes = steps
                    assert (out[rows, t] == -7).all(), "a step taken twice"
                    out[rows, t] = nodes
            inbox = arriving
            supersteps += 1
    assert (out[:, 0] != -7).all(), "a walk never started"
    out[out == -7] = W.PAD  # the cells after a dead end
    return out, supersteps, sent


def _power_law(n, m, seed, weighted, directed):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = (rng.pareto(1.2, m) * 3).astype(np.int64) % n  # hubs
    w = np.exp(rng.normal(0, 1, m)) if weighted else None
    return Graph.from_edges(
        src,
        dst,
        w,
        node_ids=np.arange(n),
        directed=directed,
        drop_self_loops=False,
        duplicates="sum" if weighted else None,
    )


BIG = {
    "power-law": lambda: _power_law(300, 2500, 1, False, False),
    "power-law-weighted-directed": lambda: _power_law(300, 2500, 2, True, True),
}
PQ = [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25), (0.5, 2.0), (1e-3, 1e3), (1e3, 1e-3)]


@pytest.mark.parametrize("shards", [1, 2, 3, 8])
@pytest.mark.parametrize("p,q", PQ)
@pytest.mark.parametrize("name", list(GRAPHS) + list(BIG))
def test_partitioned_walks_equal_local_ones(name, p, q, shards):
    g = {**GRAPHS, **BIG}[name]()
    expected = random_walks(g, 3, 11, p, q, seed=17)
    got, supersteps, sent = partitioned_walks(g, 3, 11, p, q, 17, shards)
    np.testing.assert_array_equal(got, expected)
    if shards == 1:
        assert (supersteps, sent) == (1, 0)  # everything is local: one superstep
    elif g.num_nodes > 100:
        assert sent > 0


@pytest.mark.parametrize("rejections", [1, 3])
@pytest.mark.parametrize("p,q", [(0.25, 4.0), (4.0, 0.25)])
def test_exact_steps_across_shards(monkeypatch, p, q, rejections):
    # every walker rejected `rejections` times takes the exact step, its edge tests
    # asked of prev's owner; a test message's extra proposals stop at that guard
    monkeypatch.setattr(W, "_GUARD_ACCEPTANCE", 2.0)
    monkeypatch.setattr(W, "_MAX_REJECTIONS", rejections)
    for name in ("power-law-weighted-directed", "power-law"):
        g = BIG[name]()
        expected = random_walks(g, 2, 9, p, q, seed=5)
        got, _, _ = partitioned_walks(g, 2, 9, p, q, 5, 4, pickled=True)
        np.testing.assert_array_equal(got, expected)


@pytest.mark.slow
def test_waves_and_pickled_messages_change_nothing():
    g = BIG["power-law-weighted-directed"]()
    expected = random_walks(g, 4, 15, 0.5, 2.0, seed=9)
    for wave in (1, 7, 1000):
        got, _, _ = partitioned_walks(g, 4, 15, 0.5, 2.0, 9, 3, wave=wave, pickled=True)
        np.testing.assert_array_equal(got, expected)


def test_shard_rows_must_match():
    with pytest.raises(W.GraphError, match="needs 4 row pointers, got 2"):
        W.GraphShard(0, 2, 5, [0, 1], [1])


@pytest.mark.parametrize("p,q", [(0.25, 4.0), (4.0, 0.25), (1e-3, 1e3)])
def test_a_test_message_carries_the_next_attempts(monkeypatch, p, q):
    # the same walks with one proposal per edge test, in far more supersteps
    g = BIG["power-law-weighted-directed"]()
    batched, batched_steps, _ = partitioned_walks(g, 2, 9, p, q, 3, 4)
    monkeypatch.setattr(W, "TEST_PROPOSALS", 1)
    single, single_steps, _ = partitioned_walks(g, 2, 9, p, q, 3, 4)
    np.testing.assert_array_equal(batched, single)
    np.testing.assert_array_equal(batched, random_walks(g, 2, 9, p, q, seed=3))
    assert batched_steps < single_steps
    if p < q:  # low acceptance: rejected tests used to cost a round trip each
        assert batched_steps * 2 < single_steps, (batched_steps, single_steps)


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25), (1e-3, 1e3)])
@pytest.mark.parametrize("factor", [2.0**1020, 2.0**-1070])
def test_weights_near_the_ends_of_float64_walk_as_their_ratios_say(monkeypatch, p, q, factor):
    # walks depend on weights only through ratios within a node's row: scaled by a
    # power of two, the walks are the same. Near 1e308 a row's sum overflowed to inf;
    # near 5e-324 (subnormal) its reciprocal did: NaN alias tables, without a word
    g = BIG["power-law-weighted-directed"]()
    weights = 1.0 + np.arange(len(g.indices)) % 8  # exact after scaling, even subnormal
    g = Graph(g.indptr, g.indices, weights, g.node_ids, directed=True)
    scaled = Graph(g.indptr, g.indices, weights * factor, g.node_ids, directed=True)
    assert np.array_equal(scaled.weights / factor, g.weights)
    monkeypatch.setattr(W, "_MAX_REJECTIONS", 2)  # exact steps too, for the extreme p, q
    expected = random_walks(g, 2, 9, p, q, seed=5)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(random_walks(scaled, 2, 9, p, q, seed=5), expected)
        got, _, _ = partitioned_walks(scaled, 2, 9, p, q, 5, 3, pickled=True)
    np.testing.assert_array_equal(got, expected)
