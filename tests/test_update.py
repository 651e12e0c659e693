"""Graphs that change: fingerprints, change detection, update, infer, start_nodes."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from n2v_lite import Graph, Node2Vec, load
from n2v_lite.embedding import NodeEmbedding
from n2v_lite.exceptions import NodeNotFoundError, ParameterError
from n2v_lite.update import (
    DEFAULT_INFER_STEPS,
    adjacency_fingerprints,
    graph_changes,
    infer,
    node_id_hashes,
    walk_shares,
)
from n2v_lite.walks import random_walks
from n2v_lite.word2vec import continue_word2vec, train_word2vec

DATA = Path(__file__).parent / "data"
SMALL = dict(
    dimensions=16, walk_length=20, num_walks=10, window=3, epochs=2, workers=1, progress=False
)


def _graph(edges, ids=None, directed=False, weights=None):
    src, dst = zip(*edges)
    return Graph.from_edges(list(src), list(dst), weights, node_ids=ids, directed=directed)


def _ring(n=12, directed=False):
    return _graph([(i, (i + 1) % n) for i in range(n)] + [(0, n // 2)], directed=directed)


@pytest.fixture(scope="module")
def ring_embedding():
    return Node2Vec(random_state=0, **SMALL).fit(_ring()).embedding_


def _cliques(size=8):
    """Two cliques A = 0..size-1 and B = size..2size-1 joined by one edge."""
    edges = [
        (a, b) for lo in (0, size) for a in range(lo, lo + size) for b in range(a + 1, lo + size)
    ]
    return edges + [(size - 1, size)]


# ------------------------------------------------------------- fingerprints
def test_fingerprints_ignore_order_and_numbering():
    a = _graph([(0, 1), (1, 2), (2, 3)], ids=["w", "x", "y", "z"], weights=[1.0, 2.0, 3.0])
    b = _graph([(0, 1), (1, 2), (2, 3)], ids=["z", "y", "x", "w"], weights=[3.0, 2.0, 1.0])
    fa, fb = adjacency_fingerprints(a), adjacency_fingerprints(b)
    assert fa.dtype == np.uint64 and (fa == fb[::-1]).all()
    assert len(set(fa.tolist())) == 4  # different rows, different fingerprints


def test_id_hashes_tell_types_apart():
    hashes = node_id_hashes([1, "1", 1.5, (1,), True, "i1"])
    assert len(set(hashes.tolist())) == 6
    # vectorised paths agree with the per-id path
    assert node_id_hashes(np.array([5, 7]))[1] == node_id_hashes([7, "x"])[0]
    assert node_id_hashes(np.array(["ab", "c"]))[0] == node_id_hashes(["ab", 2.0])[0]


def _splitmix_text(text):
    """The id-hash rule in plain Python: splitmix64 over the code points, then the length."""
    mask = 2**64 - 1

    def mix(z):
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    h = 0x84222325CBF29CE4
    for ch in text:
        h = mix(h ^ ((ord(ch) + 0x9E3779B97F4A7C15) & mask))
    return mix(h ^ len(text))


def test_id_hashes_of_long_ids_cost_their_own_length(monkeypatch):
    # a 2,000-character id among 100,000 short ones was hashed in one n x 2,000 array of
    # UTF-32 (0.8 GB here, 8 GB at 1M nodes); ids are now hashed in blocks of similar
    # length, each hash the same as the plain rule's
    import n2v_lite.update as update

    ids = [f"n{i}" for i in range(100_000)] + ["x" * 2000, "\u3000y" * 70, ""]
    monkeypatch.setattr(update, "_hash_block", _counted(update._hash_block, cells := []))
    hashes = node_id_hashes(ids)
    assert max(cells) <= update._HASH_CELLS
    for k in (0, 99_999, 100_000, 100_001, 100_002):
        assert int(hashes[k]) == _splitmix_text("s" + ids[k])
    assert int(node_id_hashes([12, -3])[1]) == _splitmix_text("i-3")
    alone = node_id_hashes(["x" * 2000])
    assert alone[0] == hashes[100_000]


def _counted(block, cells):
    def counted(texts):
        cells.append(len(texts) * max(texts.dtype.itemsize // 4, 1))
        return block(texts)

    return counted


def test_fingerprints_are_computed_in_blocks_of_rows_with_the_same_result(monkeypatch):
    """Blocks of rows bound the scratch memory (a 5M-edge graph took ~300 MB at once); any
    block size, down to one edge (a row bigger than a block is one block), gives the hash
    of the whole adjacency at once."""
    import n2v_lite.update as update

    rng = np.random.default_rng(1)
    g = Graph.from_edges(
        rng.integers(0, 300, 4000),
        rng.integers(0, 300, 4000),
        weights=rng.random(4000),
        duplicates="sum",
        directed=True,
    )
    whole = update._row_fingerprints(
        g.indptr, update._edge_hashes(g, update.node_id_hashes(g.node_ids))
    )
    assert len(set(whole.tolist())) == g.num_nodes  # distinct rows, distinct hashes
    for block in (1, 7, 100, 10**9):
        monkeypatch.setattr(update, "_FINGERPRINT_BLOCK", block)
        assert np.array_equal(adjacency_fingerprints(g), whole)


def test_fingerprints_are_the_same_in_another_process():
    g = _graph([(0, 1), (1, 2), (2, 0)], ids=["alpha", "beta", "gamma"], weights=[1, 2, 3])
    code = (
        "from n2v_lite import Graph; from n2v_lite.update import adjacency_fingerprints;"
        "g = Graph.from_edges([0, 1, 2], [1, 2, 0], [1, 2, 3], "
        "node_ids=['alpha', 'beta', 'gamma']);"
        "print(adjacency_fingerprints(g).tolist())"
    )
    outputs = set()
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        outputs.add(out.strip())
    assert outputs == {str(adjacency_fingerprints(g).tolist())}


# ---------------------------------------------------------- change detection
@pytest.mark.parametrize("case", ["add_node", "remove_node", "add_edge", "remove_edge", "weight"])
def test_changes_undirected(case):
    edges = [(0, 1), (1, 2), (2, 3), (3, 4)]
    weights = [1.0, 1.0, 1.0, 2.0]
    ids = ["a", "b", "c", "d", "e"]
    old = _graph(edges, ids, weights=weights)
    emb = Node2Vec(random_state=0, **SMALL).fit(old).embedding_
    if case == "add_node":
        new, expected = (
            _graph(edges + [(4, 5)], ids + ["f"], weights=weights + [1.0]),
            (["f"], [], ["e"]),
        )
    elif case == "remove_node":
        new, expected = _graph(edges[:3], ids[:4], weights=weights[:3]), ([], ["e"], ["d"])
    elif case == "add_edge":
        new, expected = _graph(edges + [(0, 4)], ids, weights=weights + [1.0]), ([], [], ["a", "e"])
    elif case == "remove_edge":
        new, expected = _graph(edges[1:], ids, weights=weights[1:]), ([], [], ["a", "b"])
    else:
        new, expected = _graph(edges, ids, weights=[1.0, 1.0, 1.0, 3.0]), ([], [], ["d", "e"])
    found = graph_changes(emb, new)
    assert (found.new_nodes, found.removed_nodes, sorted(found.changed_nodes)) == expected


def test_changes_directed_only_the_source_row():
    old = _graph([(0, 1), (1, 2), (2, 3)], directed=True)
    emb = Node2Vec(random_state=0, **SMALL).fit(old).embedding_
    new = _graph([(0, 1), (1, 2), (2, 3), (3, 1)], directed=True)  # 3 -> 1 added
    found = graph_changes(emb, new)
    assert found.changed_nodes == [3] and not found.new_nodes
    reversed_edge = _graph([(0, 1), (2, 1), (2, 3)], directed=True)  # 1 -> 2 turned round
    assert graph_changes(emb, reversed_edge).changed_nodes == [1, 2]


def test_shares_reach_predecessors_in_directed_graphs():
    old = _graph([(0, 1), (1, 2), (2, 3), (4, 0)], directed=True)
    emb = Node2Vec(random_state=0, **SMALL).fit(old).embedding_
    new = _graph([(0, 1), (1, 2), (2, 3), (2, 0), (4, 0)], directed=True)  # row 2 changed
    changes = graph_changes(emb, new)
    s0, s1 = walk_shares(new, changes, hops=0), walk_shares(new, changes, hops=1)
    assert s0.tolist() == [0, 0, 1, 0, 0]
    assert s1[1] == 1.0 and s1[0] == 0 and s1[3] == 0 and s1[4] == 0  # 1 is 2's predecessor


def test_share_of_a_row_that_only_gained_edges_towards_new_nodes():
    old = _graph([(0, 1), (0, 2), (0, 3)])
    emb = Node2Vec(random_state=0, **SMALL).fit(old).embedding_
    new = _graph([(0, 1), (0, 2), (0, 3), (0, 4)])  # node 4 is new
    shares = walk_shares(new, graph_changes(emb, new), hops=0)
    assert shares[0] == pytest.approx(0.25) and shares[4] == 1.0 and shares[1] == 0


# -------------------------------------------------------------------- update
def test_unchanged_graph_rewalks_nothing(ring_embedding):
    g = _ring()
    perm = np.random.default_rng(1).permutation(g.num_nodes)  # same graph, renumbered
    src, dst, _ = g.edges()
    inverse = np.argsort(perm)
    shuffled = Graph.from_edges(inverse[src], inverse[dst], node_ids=g.node_ids[perm])
    for graph in (g, shuffled):
        out = ring_embedding.update(graph, seed=0, progress=False)
        assert out.info["update"]["walks"] == 0 and out.info["update"]["changed_nodes"] == 0
        for node in ring_embedding.node_ids:
            assert np.array_equal(out[node], ring_embedding[node])


def test_update_leaves_the_old_embedding_untouched_and_drops_removed(ring_embedding):
    before = ring_embedding.vectors.copy()
    state = {k: v.copy() for k, v in ring_embedding.state.items()}
    prints = ring_embedding.fingerprints.copy()
    g = _ring()
    src, dst, _ = g.edges()
    keep = (src != 5) & (dst != 5)
    ids = [i for i in range(12) if i != 5] + [99]
    index = {node: k for k, node in enumerate(ids)}
    s = [index[int(a)] for a in src[keep]] + [index[3]]
    d = [index[int(b)] for b in dst[keep]] + [index[99]]
    smaller = Graph.from_edges(s, d, node_ids=ids)
    out = ring_embedding.update(smaller, seed=0, progress=False)
    assert 5 not in out and 99 in out and len(out) == 12
    assert out.info["update"]["removed_nodes"] == 1 and out.info["update"]["new_nodes"] == 1
    assert out.info["update"]["walks"] > 0
    assert np.array_equal(ring_embedding.vectors, before)
    assert all(np.array_equal(ring_embedding.state[k], v) for k, v in state.items())
    assert np.array_equal(ring_embedding.fingerprints, prints)
    assert np.array_equal(out.fingerprints, adjacency_fingerprints(smaller))
    assert out.state["output_vectors"].shape == out.vectors.shape
    # a second update on the same graph finds nothing to do
    assert out.update(smaller, seed=0, progress=False).info["update"]["walks"] == 0


def test_new_node_lands_near_its_clique():
    edges = _cliques()
    emb = Node2Vec(random_state=0, **dict(SMALL, epochs=5)).fit(_graph(edges)).embedding_
    new_graph = _graph(edges + [(16, a) for a in range(0, 5)])  # node 16 joins clique A
    out = emb.update(new_graph, seed=0, progress=False, budget=1)
    unit = out.vectors / np.linalg.norm(out.vectors, axis=1, keepdims=True)
    sims = unit[16] @ unit.T
    assert sims[0:8].mean() > sims[8:16].mean() + 0.2
    guess = emb.infer(list(range(5)))
    assert guess.used == list(range(5)) and guess.missing == []

    def cos(v, rows):
        return float(
            np.mean([v @ emb[r] / np.linalg.norm(v) / np.linalg.norm(emb[r]) for r in rows])
        )

    assert cos(guess.vector, range(8)) > cos(guess.vector, range(8, 16)) + 0.2


def test_same_seed_same_update(ring_embedding):
    g = _graph([(i, (i + 1) % 12) for i in range(12)] + [(0, 6), (3, 12), (12, 13)])
    a = ring_embedding.update(g, seed=5, progress=False)
    b = ring_embedding.update(g, seed=5, progress=False)
    c = ring_embedding.update(g, seed=6, progress=False)
    assert np.array_equal(a.vectors, b.vectors) and not np.array_equal(a.vectors, c.vectors)


def test_format1_model_can_be_updated():
    emb = load(DATA / "format1_int.n2v")
    assert emb.state == {} and emb.fingerprints is None
    g = _graph([(0, 1), (1, 2), (2, 3), (3, 4)], ids=[10, 20, 30, 40, 50])
    out = emb.update(g, seed=0, progress=False)
    report = out.info["update"]
    assert report["new_nodes"] == 1 and report["changed_nodes"] == 4  # no fingerprints
    assert report["had_state"] is False and out.node_ids == [10, 20, 30, 40, 50]
    assert set(out.state) == {"output_vectors", "counts"} and out.fingerprints is not None


def test_update_parameter_errors(ring_embedding):
    with pytest.raises(ParameterError, match="hops"):
        ring_embedding.update(_ring(), hops=-1)
    with pytest.raises(ParameterError, match="budget"):
        ring_embedding.update(_ring(), budget=2.0)
    with pytest.raises(ParameterError, match="'walks'"):
        ring_embedding.update(_ring(), walks=3)


def test_state_and_fingerprints_are_saved(ring_embedding, tmp_path):
    path = ring_embedding.save(tmp_path / "m.n2v")
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("meta.json"))
        assert {"state/output_vectors.npy", "state/counts.npy", "fingerprints.npy"} <= set(
            archive.namelist()
        )
    assert meta["state"] == ["output_vectors", "counts"] and meta["fingerprints"] is True
    back = load(path)
    assert np.array_equal(back.fingerprints, ring_embedding.fingerprints)
    for name, array in ring_embedding.state.items():
        assert np.array_equal(back.state[name], array)


def test_tutorial_backend_has_no_state_but_updates():
    g = _ring()
    emb = Node2Vec(backend="tutorial", random_state=0, **SMALL).fit(g).embedding_
    assert emb.state == {} and emb.fingerprints is not None
    out = emb.update(
        _graph([(i, (i + 1) % 12) for i in range(12)] + [(0, 6), (1, 12)]), seed=0, progress=False
    )
    assert out.info["update"]["had_state"] is False and 12 in out


# --------------------------------------------------------------------- infer
def test_infer_reports_missing_ids(ring_embedding):
    found = infer(ring_embedding, [1, 2, "nope", 77], weights=[1, 3, 1, 1], steps=0)
    assert found.used == [1, 2] and found.missing == ["nope", 77]
    expected = (ring_embedding[1] + 3 * ring_embedding[2]) / 4
    assert np.allclose(found.vector, expected, atol=1e-6)
    with pytest.raises(NodeNotFoundError, match="none of the neighbours"):
        ring_embedding.infer(["nope", 77])
    with pytest.raises(ParameterError, match="weights"):
        ring_embedding.infer([1, 2], weights=[1, -1])


def test_infer_steps_raise_the_neighbours_likelihood(ring_embedding):
    out = ring_embedding.state["output_vectors"].astype(np.float64)
    rows = [ring_embedding.index(v) for v in (3, 4)]
    base = ring_embedding.infer([3, 4], steps=0)
    tuned = ring_embedding.infer([3, 4], steps=20, seed=0)
    again = ring_embedding.infer([3, 4], steps=20, seed=0)
    assert np.array_equal(tuned.vector, again.vector)

    noise = ring_embedding.state["counts"] ** 0.75
    noise = noise / noise.sum()

    def objective(v):  # skip-gram's: neighbours up, expected negatives down
        positive = -np.log1p(np.exp(-(out[rows] @ v)))
        negative = noise @ -np.log1p(np.exp(out @ v))
        return float(np.sum(positive) + len(rows) * 5 * negative)

    assert objective(tuned.vector) > objective(base.vector)


def test_infer_refines_by_default_and_leaves_the_model_alone(ring_embedding):
    before = ring_embedding.vectors.copy(), ring_embedding.state["output_vectors"].copy()
    default = ring_embedding.infer([3, 4], seed=0)
    explicit = ring_embedding.infer([3, 4], steps=DEFAULT_INFER_STEPS, seed=0)
    mean = ring_embedding.infer([3, 4], steps=0)
    assert DEFAULT_INFER_STEPS > 0
    assert np.array_equal(default.vector, explicit.vector)
    assert not np.allclose(default.vector, mean.vector)
    assert np.array_equal(ring_embedding.vectors, before[0])
    assert np.array_equal(ring_embedding.state["output_vectors"], before[1])
    # without trainer state the input vectors and degrees stand in: still a refinement
    bare = NodeEmbedding(
        ring_embedding.vectors, ring_embedding.node_ids, node_data=ring_embedding.node_data
    )
    assert not np.allclose(bare.infer([3, 4], seed=0).vector, mean.vector)


# ---------------------------------------------------- walks from start nodes
def test_start_nodes_walks():
    g = _ring()
    starts = np.array([3, 3, 7])
    walks = random_walks(g, 4, 6, p=0.5, q=2.0, seed=1, start_nodes=starts)
    assert walks.shape == (12, 6) and walks[:, 0].tolist() == [3, 3, 7] * 4
    indptr, indices = g.indptr, g.indices
    for row in walks:  # every step follows an edge
        for a, b in zip(row[:-1], row[1:]):
            assert b in indices[indptr[a] : indptr[a + 1]]
    again = random_walks(g, 4, 6, p=0.5, q=2.0, seed=1, start_nodes=starts, workers=2)
    assert np.array_equal(walks, again)
    with pytest.raises(ParameterError, match="start_nodes"):
        random_walks(g, 1, 5, start_nodes=[0, 12])
    with pytest.raises(ParameterError, match="start_nodes"):
        random_walks(g, 1, 5, start_nodes=[])


def test_start_nodes_first_step_distribution():
    """From one start node the first step follows the edge weights (chi-square)."""
    from scipy.stats import chisquare

    g = _graph([(0, 1), (0, 2), (0, 3)], weights=[1.0, 2.0, 5.0])
    walks = random_walks(g, 4000, 2, seed=0, start_nodes=[0])
    counts = np.bincount(walks[:, 1], minlength=4)[1:]
    assert chisquare(counts, np.array([1, 2, 5]) / 8 * 4000).pvalue > 1e-3


def test_continue_word2vec_keeps_state():
    walks = np.array([[0, 1, 2, 1], [1, 2, 0, 1], [2, 0, 1, 2]] * 20, dtype=np.int32)
    first = train_word2vec(walks, 3, dimensions=8, window=2, seed=0, workers=1, progress=False)
    assert first.output_vectors.shape == (3, 8) and first.counts.tolist() == [60, 100, 80]
    more = continue_word2vec(
        walks[:3],
        first.vectors,
        first.output_vectors,
        first.counts,
        window=2,
        seed=0,
        workers=1,
        progress=False,
    )
    assert more.counts.tolist() == [63, 105, 84]
    assert not np.array_equal(more.output_vectors, first.output_vectors)
    with pytest.raises(ParameterError, match="counts"):
        continue_word2vec(walks, first.vectors, first.output_vectors, [1, 2], progress=False)
