"""Evaluation protocols: the split, link prediction, node classification and the p/q grid."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from n2v_lite import Graph, GraphError
from n2v_lite.evaluate import (
    _top_k_predictions,
    link_prediction,
    movielens_genres,
    node_classification,
    read_labels,
    split_edges,
    tune,
)
from n2v_lite.exceptions import ParameterError


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
    dense = sp.csr_matrix(
        (truth.weights, truth.indices, truth.indptr), shape=(truth.num_nodes,) * 2
    ).toarray()
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


def test_node_classification_refuses_one_label_and_a_training_part_too_small_to_tune():
    x = np.random.default_rng(0).normal(size=(7, 4))
    with pytest.raises(ParameterError) as info:
        node_classification(x, ["a"] * 7, train_ratios=[0.5], repeats=2, seed=0)
    assert str(info.value) == (
        "node classification needs two or more labels; every labelled node has 'a'"
    )
    labels = ["a", "b", "a", "b", "a", "b", "a"]
    with pytest.raises(ParameterError, match=r"^too few labelled nodes to choose C .*: 1 in a"):
        node_classification(x, labels, train_ratios=[0.1], repeats=2, seed=0)
    fixed = node_classification(x, labels, train_ratios=[0.1], repeats=2, seed=0, C=1.0)
    assert fixed["C"][0.1] == [1.0, 1.0]  # a fixed C needs no cross-validation
    tuned = node_classification(x, labels, train_ratios=[0.5], repeats=2, seed=0)
    assert len(tuned["C"][0.5]) == 2


def test_tune_takes_each_grid_value_once_and_refuses_a_grid_too_big(caveman):
    # "--ps 1,1,1" fitted one pair three times; a 1,000 x 1,000 grid ran until killed
    from n2v_lite import Node2Vec

    model = Node2Vec(dimensions=8, num_walks=2, walk_length=6, window=3)
    result = tune(caveman, ps=[1, 1.0, 1], qs=[1, 2, 2], model=model, seed=0, method="grid")
    assert sorted((r["p"], r["q"]) for r in result["table"]) == [(1.0, 1.0), (1.0, 2.0)]
    with pytest.raises(ParameterError) as info:
        tune(caveman, ps=range(1, 1001), qs=range(1, 1001), model=model, seed=0)
    assert str(info.value) == (
        "the grid has 1000 x 1000 = 1,000,000 pairs; at most 1,000 (each is an embedding)"
    )
    with pytest.raises(ParameterError, match="positive finite"):
        tune(caveman, ps=[float("inf")], qs=[1], model=model, seed=0)


def test_link_classifier_tunes_c_on_as_many_folds_as_the_smaller_class_allows():
    """Inner folds never hold a single class (old scikit-learn raises there): 2 positives
    give 2 folds, 1 positive leaves nothing to validate on, so C falls back to 1."""
    from n2v_lite.evaluate import C_GRID, _logistic_regression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3))
    for positives, folds in ((6, 3), (2, 2)):
        y = np.r_[np.ones(positives), np.zeros(12 - positives)]
        model = _logistic_regression(0, "auto", y).fit(x, y)
        assert model[-1].cv.get_n_splits() == folds and model[-1].C_[0] in C_GRID
    y = np.r_[1.0, np.zeros(11)]
    model = _logistic_regression(0, "auto", y).fit(x, y)
    assert not hasattr(model[-1], "Cs") and model[-1].C == 1.0


def test_tuned_c_uses_the_training_part_only_and_reports_its_choice():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold

    from n2v_lite.evaluate import C_GRID, _choose_c

    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(4), 40)
    # weak signal in many noisy dimensions: strong regularisation should win
    x = np.hstack([np.eye(4)[y] * 0.8, rng.normal(0, 1, (160, 40))])
    result = node_classification(x, y.tolist(), train_ratios=[0.5], repeats=4, seed=0)
    assert len(result["C"][0.5]) == 4 and set(result["C"][0.5]) <= set(C_GRID)
    fixed = node_classification(x, y.tolist(), train_ratios=[0.5], repeats=4, seed=0, C=1.0)
    assert fixed["C"][0.5] == [1.0] * 4
    assert result["macro_f1"][0.5] >= fixed["macro_f1"][0.5] - 0.01
    # an independent re-implementation of the choice: plain loop over KFold, one-vs-rest by hand
    onehot = np.eye(4)[y]
    means = []
    for C in C_GRID:
        scores = []
        for fit, val in KFold(3, shuffle=True, random_state=7).split(x):
            prob = np.column_stack(
                [
                    LogisticRegression(solver="liblinear", C=C, random_state=7)
                    .fit(x[fit], onehot[fit, k])
                    .predict_proba(x[val])[:, 1]
                    for k in range(4)
                ]
            )
            predicted = np.eye(4)[prob.argmax(axis=1)]
            scores.append(f1_score(onehot[val], predicted, average="macro", zero_division=0))
        means.append(np.mean(scores))
    assert _choose_c(x, onehot, 7) == C_GRID[int(np.argmax(means))]
    # labels that mean nothing score at chance even after choosing C (no test-part leak)
    permuted = node_classification(
        x, rng.permutation(y).tolist(), train_ratios=[0.5], repeats=6, seed=0
    )
    assert abs(permuted["micro_f1"][0.5] - 0.25) < 0.06
    with pytest.raises(ParameterError, match="C"):
        node_classification(x, y.tolist(), C=0)
    with pytest.raises(ParameterError, match="C"):
        node_classification(x, y.tolist(), C="best")


def test_labels_file_and_genres(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("1\t0\n1\t3\n2\t1\n")
    assert read_labels(path) == {1: [0, 3], 2: [1]}
    g = Graph.from_edges(
        [0],
        [1],
        node_ids=np.array([10, 20]),
        node_data={"genres": np.array(["A|B", "(no genres listed)"], dtype=object)},
    )
    assert movielens_genres(g) == {10: ["A", "B"], 20: []}


class PQEmbedder:
    """A stand-in estimator whose quality peaks at p = 2, q = 0.5 (tune must find it)."""

    def __init__(self, p=1.0, q=1.0, truth=None):
        self.p, self.q, self.truth = p, q, truth

    def fit(self, graph):
        from n2v_lite.embedding import NodeEmbedding

        noise = abs(np.log2(self.p) - 1) + abs(np.log2(self.q) + 1)
        rng = np.random.default_rng(0)
        dense = sp.csr_matrix(
            (graph.weights, graph.indices, graph.indptr), shape=(graph.num_nodes,) * 2
        ).toarray()
        labels = np.repeat(np.eye(12), 8, axis=0)[: graph.num_nodes] * 2
        vectors = np.hstack([dense, labels]) + rng.normal(
            0, 0.5 + 2 * noise, (graph.num_nodes, dense.shape[1] + 12)
        )
        self.embedding_ = NodeEmbedding(vectors, graph.node_ids)
        return self


@pytest.mark.parametrize("with_labels", [False, pytest.param(True, marks=pytest.mark.slow)])
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


class BudgetedEmbedder(PQEmbedder):
    """PQEmbedder with walk parameters: fewer walk tokens give noisier vectors.

    Like node2vec, a cheap fit ranks pairs roughly (noise grows as the budget
    shrinks) and a full fit ranks them well; quality peaks at p = 2, q = 0.5.
    """

    def __init__(self, p=1.0, q=1.0, num_walks=10, walk_length=40, epochs=1, random_state=None):
        super().__init__(p, q)
        self.num_walks, self.walk_length, self.epochs = num_walks, walk_length, epochs
        self.random_state = random_state

    def fit(self, graph):
        from n2v_lite.embedding import NodeEmbedding

        budget = self.num_walks * self.walk_length / 400
        gap = abs(np.log2(self.p) - 1) + abs(np.log2(self.q) + 1)
        rng = np.random.default_rng([self.random_state or 0, int(self.p * 8), int(self.q * 8)])
        labels = np.repeat(np.eye(12), 8, axis=0)[: graph.num_nodes] * 2
        vectors = 2 * labels + rng.normal(0, 0.5 + gap + 0.2 / budget**0.5, labels.shape)
        self.embedding_ = NodeEmbedding(vectors, graph.node_ids)
        return self


def _without_seconds(result):
    return {
        **result,
        "table": [{k: v for k, v in row.items() if k != "seconds"} for row in result["table"]],
    }


def _promotions_keep_every_close_call(result):
    """Each round after the first holds the scheduled share and every pair whose mean was
    within one sd of the previous round's best; the rest were more than one sd behind."""
    for before, after in zip(result["rounds"], result["rounds"][1:]):
        scores = {(p, q): (mean, sd) for p, q, mean, sd in before["scores"]}
        top_mean, top_sd = max(scores.values())
        promoted = {(p, q) for p, q, _, _ in after["scores"]}
        close = {pair for pair, (mean, _) in scores.items() if top_mean - mean <= top_sd}
        assert close <= promoted
        dropped = set(scores) - promoted
        assert all(scores[pair][0] <= min(scores[k][0] for k in promoted) for pair in dropped)


def test_tune_link_prediction_says_when_the_test_split_leaves_no_validation_edge():
    # a tree plus three edges: hiding half the edges for the test leaves only the tree
    g = Graph.from_edges([*range(11), 0, 3, 6], [*range(1, 12), 5, 9, 11])
    with pytest.raises(GraphError) as info:
        tune(g, ps=[1], qs=[1], model=BudgetedEmbedder(), seed=0)
    assert str(info.value) == (
        "no validation edge is left: the 3 test edges hidden (test_fraction 0.5) leave only "
        "edges the graph needs to stay connected; lower test_fraction (--test-fraction)"
    )


@pytest.mark.slow
def test_tune_halving_schedule_cost_and_spread(caveman):
    labels = {n: [n // 8] for n in caveman.node_ids.tolist()}
    grid = [0.25, 0.5, 1.0, 2.0, 4.0]
    # the schedule, not the classifier, is under test here: a fixed C keeps it quick
    cheap = dict(model=BudgetedEmbedder(), seed=0, C=1.0, min_budget=0.04)
    result = tune(caveman, labels, ps=grid, qs=grid, **cheap)
    assert [(r["pairs"], r["budget"]) for r in result["rounds"]] == [(25, 0.04), (5, 0.2), (1, 1.0)]
    # 1/25 of 10 x 40 walk tokens: one walk of 16; 1/5: two walks of 40; then the full fit
    assert [(r["num_walks"], r["walk_length"]) for r in result["rounds"]] == [
        (1, 16),
        (2, 40),
        (10, 40),
    ]
    assert result["cost_full_fits"] == pytest.approx(3.0)  # 25/25 + 5/5 + 1
    assert (result["best"]["p"], result["best"]["q"]) == (2.0, 0.5)
    assert result["spread"]["splits"] == 5 and result["best"]["validation_sd"] > 0
    assert (2.0, 0.5) in result["spread"]["ties"]
    rows = {(r["p"], r["q"]): r for r in result["table"]}
    assert len(rows) == 25 and rows[(2.0, 0.5)]["budget"] == 1.0
    assert sum(r["budget"] == 0.04 for r in rows.values()) == 20
    assert all(r["validation_sd"] >= 0 for r in rows.values())
    again = tune(caveman, labels, ps=grid, qs=grid, **cheap)
    assert _without_seconds(again) == _without_seconds(result)
    # the default: no fit below a fifth of a full one, so one cheap round, then the best
    # fifth (and every pair within one sd of the best) fully fitted
    default = tune(caveman, labels, ps=grid, qs=grid, model=BudgetedEmbedder(), seed=0, C=1.0)
    assert [r["budget"] for r in default["rounds"]] == [0.2, 1.0]
    assert default["rounds"][0]["pairs"] == 25 and default["rounds"][1]["pairs"] >= 5
    assert default["cost_full_fits"] == pytest.approx(5 + default["rounds"][1]["pairs"])
    cheap_round = {(p, q): mean for p, q, mean, _ in default["rounds"][0]["scores"]}
    promoted = {(p, q) for p, q, _, _ in default["rounds"][1]["scores"]}
    assert promoted == set(sorted(cheap_round, key=lambda k: -cheap_round[k])[: len(promoted)])
    _promotions_keep_every_close_call(default)
    full = tune(
        caveman, labels, ps=grid, qs=grid, model=BudgetedEmbedder(), seed=0, method="grid", C=1.0
    )
    assert full["cost_full_fits"] == pytest.approx(25.0) and len(full["rounds"]) == 1
    assert all(r["cheap"] is not None and r["cheap_sd"] is not None for r in rows.values())
    assert rows[(2.0, 0.5)]["full"] == result["best"]["validation"]  # scores kept apart:
    assert sum(r["full"] is not None for r in rows.values()) == 1  # cheap vs full fits
    assert all(r["cheap"] is None for r in full["table"])
    linked = tune(caveman, ps=grid, qs=grid, **cheap)
    # two pairs within one sd after the 0.2 round: both get a full fit (+ the fit without
    # the test edges), and the pick is the better full fit
    assert [(r["pairs"], r["budget"]) for r in linked["rounds"]] == [(25, 0.04), (5, 0.2), (2, 1.0)]
    assert linked["cost_full_fits"] == pytest.approx(5.0)
    finals = [r for r in linked["table"] if r["full"] is not None]
    assert len(finals) == 2 and linked["best"]["validation"] == max(r["full"] for r in finals)
    for result_ in (result, linked):
        _promotions_keep_every_close_call(result_)
    from n2v_lite.exceptions import ParameterError

    with pytest.raises(ParameterError, match="method"):
        tune(caveman, labels, model=BudgetedEmbedder(), method="random")
    for bad in (0, 1.5, float("nan"), "0.2"):
        with pytest.raises(ParameterError, match=r"min_budget must be a number in \(0, 1\]"):
            tune(caveman, labels, model=BudgetedEmbedder(), min_budget=bad)
    whole = tune(
        caveman, labels, ps=grid, qs=grid, model=BudgetedEmbedder(), seed=0, C=1.0, min_budget=1
    )
    assert _without_seconds(whole)["table"] == _without_seconds(full)["table"]  # the grid


@pytest.mark.slow
def test_tune_halving_picks_within_the_grid_spread_with_node2vec():
    # node classification only: on a graph this small the link-prediction AUC of one
    # fit varies more with the embedding seed than between (p, q) pairs
    from n2v_lite import Node2Vec

    # two dense communities joined by a sparse band: p and q matter, a little
    g = nx.stochastic_block_model(
        [40, 40, 40], [[0.25, 0.02, 0.005], [0.02, 0.25, 0.02], [0.005, 0.02, 0.25]], seed=1
    )
    graph = Graph.from_networkx(g)
    labels = {n: [n // 40] for n in range(120)}
    model = Node2Vec(dimensions=16, num_walks=10, walk_length=80, window=5, progress=False)
    grid = [0.25, 1.0, 4.0]
    halving = tune(graph, labels, ps=grid, qs=grid, model=model, seed=3, splits=3)
    exhaustive = tune(graph, labels, ps=grid, qs=grid, model=model, seed=3, splits=3, method="grid")
    # the cheap round (a fifth of a fit), then full fits for every pair it could not tell
    # apart, against 9: at most one cheap round more than the grid
    assert exhaustive["cost_full_fits"] == pytest.approx(9)
    assert halving["cost_full_fits"] <= 9 + 9 / 5 + 1e-9
    _promotions_keep_every_close_call(halving)
    pick = (halving["best"]["p"], halving["best"]["q"])
    scores = {(r["p"], r["q"]): r for r in exhaustive["table"]}
    best = exhaustive["best"]
    assert pick == (best["p"], best["q"]) or scores[pick]["validation"] >= best[
        "validation"
    ] - 2 * max(best["validation_sd"], 0.005)
    again = tune(graph, labels, ps=grid, qs=grid, model=model, seed=3, splits=3)
    assert _without_seconds(again) == _without_seconds(halving)


def test_read_labels_ignores_a_byte_order_mark_and_crlf(tmp_path):
    from n2v_lite.evaluate import read_labels

    plain = tmp_path / "plain.tsv"
    plain.write_bytes(b"a\tx\nb\ty\n7\tz\n")
    marked = tmp_path / "marked.tsv"
    marked.write_bytes(b"\xef\xbb\xbfa\tx\r\nb\ty\r\n7\tz\r\n")
    assert read_labels(marked) == read_labels(plain) == {"a": ["x"], "b": ["y"], "7": ["z"]}
    ints = tmp_path / "ints.tsv"
    ints.write_bytes(b"\xef\xbb\xbf1\tx\r\n2\ty\r\n")
    assert read_labels(ints) == {1: ["x"], 2: ["y"]}  # the first id stays an integer
