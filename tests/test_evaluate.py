"""Evaluation protocols: the split, link prediction, node classification and the p/q grid."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from n2v_lite import Graph, GraphError
from n2v_lite.evaluate import (_top_k_predictions, link_prediction, movielens_genres,
                               node_classification, read_labels, split_edges, tune)


def components(g):
    m = sp.csr_matrix((g.weights, g.indices, g.indptr), shape=(g.num_nodes,) * 2)
    return connected_components(m, directed=True, connection="weak")[0]


def edge_set(g):
    s, d, _ = g.edges()
    return set(zip(s.tolist(), d.tolist()))


@pytest.fixture(scope="module")
def caveman():
    return Graph.from_networkx(nx.connected_caveman_graph(12, 8))


def test_split_keeps_connectivity_and_is_reproducible(caveman):
    split = split_edges(caveman, 0.5, seed=1)
    assert components(split.residual) == components(caveman) == 1
    k = len(split.positives)
    assert k == len(split.negatives) == round(0.5 * caveman.num_edges)
    original, residual = edge_set(caveman), edge_set(split.residual)
    removed = {tuple(p) for p in split.positives.tolist()}
    assert removed <= original and not removed & residual and residual | removed == original
    negatives = {tuple(sorted(p)) for p in split.negatives.tolist()}
    assert len(negatives) == k and not negatives & original
    assert all(u != v for u, v in negatives)
    again = split_edges(caveman, 0.5, seed=1)
    assert np.array_equal(again.positives, split.positives)
    assert np.array_equal(again.negatives, split.negatives)
    assert not np.array_equal(split_edges(caveman, 0.5, seed=2).positives, split.positives)


def test_split_on_a_tree_cannot_remove_anything():
    with pytest.raises(GraphError, match="without disconnecting"):
        split_edges(Graph.from_networkx(nx.path_graph(10)), 0.5, seed=0)


def test_split_never_removes_self_loops_and_handles_directed_graphs():
    g = nx.gnp_random_graph(60, 0.15, seed=3, directed=True)
    g.add_edge(0, 0)
    graph = Graph.from_networkx(g)
    split = split_edges(graph, 0.3, seed=0)
    assert (0, 0) in edge_set(split.residual)
    assert components(split.residual) == components(graph)
    existing = edge_set(graph)
    assert not {tuple(p) for p in split.negatives.tolist()} & existing


def adjacency_embedding(truth):
    """Vectors that know the true graph: an ideal embedder (its AUC must be high)."""
    dense = sp.csr_matrix((truth.weights, truth.indices, truth.indptr),
                          shape=(truth.num_nodes,) * 2).toarray()
    return lambda graph, seed: dense + np.eye(truth.num_nodes)


def test_link_prediction_separates_good_from_random_embeddings(caveman):
    good = link_prediction(caveman, adjacency_embedding(caveman), seed=0)
    assert good["auc"]["hadamard"] > 0.95 and good["auc"]["cosine"] > 0.95
    assert good["removed_edges"] == round(0.5 * caveman.num_edges)
    assert good["train_pairs"] + good["test_pairs"] == 2 * good["removed_edges"]

    def noise(graph, seed):
        return np.random.default_rng(0).normal(size=(graph.num_nodes, 16))

    bad = link_prediction(caveman, noise, seed=0)
    assert 0.3 < bad["auc"]["hadamard"] < 0.7 and 0.3 < bad["auc"]["cosine"] < 0.7


def test_top_k_gives_each_node_its_number_of_labels():
    probabilities = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.9], [0.2, 0.2, 0.1]])
    predicted = _top_k_predictions(probabilities, np.array([1, 2, 3]))
    assert predicted.tolist() == [[0, 1, 0], [1, 0, 1], [1, 1, 1]]


def test_node_classification_scores_separable_and_random_labels():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(6), 30)
    x = np.eye(6)[y] * 3 + rng.normal(0, 1, (180, 6))
    good = node_classification(x, y.tolist(), train_ratios=[0.3, 0.7], repeats=3, seed=0)
    assert good["num_labels"] == 6 and good["num_nodes"] == 180
    assert min(good["micro_f1"].values()) > 0.8 and min(good["macro_f1"].values()) > 0.8
    shuffled = rng.permutation(y).tolist()
    bad = node_classification(x, shuffled, train_ratios=[0.5], repeats=3, seed=0)
    assert bad["micro_f1"][0.5] < 0.35
    again = node_classification(x, y.tolist(), train_ratios=[0.3, 0.7], repeats=3, seed=0)
    assert again == good
    with pytest.raises(ValueError, match="train ratios"):
        node_classification(x, y.tolist(), train_ratios=[1.5])


def test_labels_file_and_genres(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("1\t0\n1\t3\n2\t1\n")
    assert read_labels(path) == {1: [0, 3], 2: [1]}
    g = Graph.from_edges([0], [1], node_ids=np.array([10, 20]),
                         node_data={"genres": np.array(["A|B", "(no genres listed)"],
                                                       dtype=object)})
    assert movielens_genres(g) == {10: ["A", "B"], 20: []}


class PQEmbedder:
    """A stand-in estimator whose quality peaks at p = 2, q = 0.5 (tune must find it)."""

    def __init__(self, p=1.0, q=1.0, truth=None):
        self.p, self.q, self.truth = p, q, truth

    def fit(self, graph):
        from n2v_lite.embedding import NodeEmbedding

        noise = abs(np.log2(self.p) - 1) + abs(np.log2(self.q) + 1)
        rng = np.random.default_rng(0)
        dense = sp.csr_matrix((graph.weights, graph.indices, graph.indptr),
                              shape=(graph.num_nodes,) * 2).toarray()
        labels = np.repeat(np.eye(12), 8, axis=0)[: graph.num_nodes] * 2
        vectors = np.hstack([dense, labels]) + rng.normal(0, 0.5 + 2 * noise, (graph.num_nodes,
                                                                              dense.shape[1] + 12))
        self.embedding_ = NodeEmbedding(vectors, graph.node_ids)
        return self


@pytest.mark.parametrize("with_labels", [False, True])
def test_tune_finds_the_best_pair_on_validation_data(caveman, with_labels):
    labels = {n: [n // 8] for n in caveman.node_ids.tolist()} if with_labels else None
    result = tune(caveman, labels, ps=[0.5, 2.0], qs=[0.5, 2.0], model=PQEmbedder(), seed=0)
    assert len(result["table"]) == 4
    assert (result["best"]["p"], result["best"]["q"]) == (2.0, 0.5)
    assert result["task"] == ("node_classification" if with_labels else "link_prediction")
    assert 0.5 < result["best"]["test"] <= 1.0
    with pytest.raises(ValueError, match="p and q"):
        tune(caveman, ps=[0.0], qs=[1.0], model=PQEmbedder())


def test_read_labels_tabs_headers_and_text_ids(tmp_path):
    path = tmp_path / "l.tsv"
    path.write_text("node\tlabel\n001\tScience Fiction\n2\tDrama\n2\tComedy\n")
    assert read_labels(path) == {"001": ["Science Fiction"], "2": ["Drama", "Comedy"]}
    path.write_text("# comment\n10 0\n11 1\n")
    assert read_labels(path) == {10: [0], 11: [1]}


def test_split_avoids_given_pairs_as_negatives(caveman):
    outer = split_edges(caveman, 0.5, seed=0)
    for seed in range(5):
        inner = split_edges(outer.residual, 0.3, seed=seed, avoid=outer.positives)
        hidden = {tuple(sorted(p)) for p in outer.positives.tolist()}
        assert not {tuple(sorted(p)) for p in inner.negatives.tolist()} & hidden
