"""The parity report: embedding-agreement measures, the report's plumbing and its verdict."""

import json

import numpy as np
import pytest

from n2v_lite.graph import Graph
from n2v_lite.parity import (
    PARITY_TOLERANCES,
    compare_embeddings,
    cosine_rank_correlation,
    format_parity,
    nearest_neighbours,
    neighbour_overlap,
    parity_report,
    sample_node_pairs,
)

# ---------------------------------------------------------------- measures


def brute_force_neighbours(vectors, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    out = []
    for i in range(len(unit)):
        sims = [(-float(unit[i] @ unit[j]), j) for j in range(len(unit)) if j != i]
        out.append([j for _, j in sorted(sims)[:k]])
    return np.array(out)


@pytest.mark.parametrize("block", [1, 7, 2048])
def test_nearest_neighbours_match_brute_force(block):
    vectors = np.random.default_rng(0).normal(size=(40, 6))
    np.testing.assert_array_equal(
        nearest_neighbours(vectors, 5, block=block), brute_force_neighbours(vectors, 5)
    )


def test_nearest_neighbours_caps_k_and_rejects_single_rows():
    assert nearest_neighbours(np.eye(3), k=10).shape == (3, 2)
    with pytest.raises(ValueError):
        nearest_neighbours(np.ones((1, 3)))


def test_neighbour_overlap_counts_common_entries():
    first = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    second = np.array([[3, 2, 1], [6, 0, 10], [11, 12, 13]])
    np.testing.assert_allclose(neighbour_overlap(first, second), [1.0, 1 / 3, 0.0])
    with pytest.raises(ValueError):
        neighbour_overlap(first, second[:, :2])


def test_sample_node_pairs_is_uniform_over_ordered_distinct_pairs():
    pairs = sample_node_pairs(4, 24000, seed=1)
    assert np.all(pairs[:, 0] != pairs[:, 1])
    counts = np.bincount(pairs[:, 0] * 4 + pairs[:, 1], minlength=16).reshape(4, 4)
    assert np.all(np.diag(counts) == 0)
    off = counts[~np.eye(4, dtype=bool)]
    chi2 = float(((off - 2000) ** 2 / 2000).sum())
    assert chi2 < 31.3  # 99.9% quantile, 11 degrees of freedom


def test_agreement_is_perfect_under_rotation_and_scaling_and_low_for_noise():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(200, 10))
    rotation, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    same = compare_embeddings(a, 2.5 * a @ rotation, k=5, seed=0)
    assert same["knn_overlap"] == pytest.approx(1.0)
    assert same["spearman"] == pytest.approx(1.0)
    noise = compare_embeddings(a, rng.normal(size=(200, 10)), k=5, seed=0, focus=np.arange(20))
    assert noise["knn_overlap"] < 0.15 and abs(noise["spearman"]) < 0.05
    assert 0 <= noise["knn_overlap_focus"] <= 1


def test_rank_correlation_sees_a_partial_agreement():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(300, 8))
    b = a + rng.normal(scale=0.7, size=a.shape)
    rho = cosine_rank_correlation(a, b, sample_node_pairs(300, 20000, seed=0))
    assert 0.3 < rho < 0.95


# ---------------------------------------------------------------- the report


class ArrayEstimator:
    """A stand-in estimator: vectors from a fixed function of the walks and the backend.

    ``gensim`` and ``tutorial`` get co-occurrence counts seen through different
    random projections, so they agree structurally; the seed adds a little noise.
    """

    calls = []

    def __init__(self, backend, random_state, settings):
        self.backend, self.random_state, self.settings = backend, random_state, settings

    def fit(self, graph, walks=None):
        from n2v_lite.embedding import NodeEmbedding

        type(self).calls.append((self.backend, self.random_state, walks.shape))
        n, d = graph.num_nodes, self.settings["dimensions"]
        counts = np.zeros((n, n))
        for walk in walks:
            walk = walk[walk >= 0]
            np.add.at(counts, (walk[:-1], walk[1:]), 1.0)
        counts += counts.T
        basis = np.random.default_rng(0 if self.backend == "gensim" else 1).normal(size=(n, d))
        noise = np.random.default_rng(self.random_state).normal(scale=0.01, size=(n, d))
        vectors = np.log1p(counts) @ basis + noise
        self.embedding_ = NodeEmbedding(
            vectors,
            graph.node_ids,
            loss_history=[1.0, 0.5] if self.backend == "tutorial" else [10.0],
        )
        return self


def two_communities():
    rng = np.random.default_rng(0)
    src, dst = [], []
    for block in (0, 10):
        for i in range(10):
            for j in range(i + 1, 10):
                if rng.random() < 0.8:
                    src.append(block + i)
                    dst.append(block + j)
    src.append(9)
    dst.append(10)
    return Graph.from_edges(np.array(src), np.array(dst), node_ids=np.arange(100, 120))


def test_parity_report_trains_both_backends_on_the_same_walks():
    ArrayEstimator.calls = []
    graph = two_communities()
    report = parity_report(
        graph,
        num_walks=3,
        walk_length=6,
        dimensions=8,
        k=3,
        sample_pairs=500,
        evaluate=False,
        seed=0,
        estimator=ArrayEstimator,
    )
    calls = ArrayEstimator.calls
    assert [c[0] for c in calls] == ["gensim", "gensim", "tutorial", "tutorial"]
    assert calls[0][1] == calls[2][1] and calls[0][1] != calls[1][1]  # same seeds across backends
    assert all(c[2] == (60, 6) for c in calls)
    assert report["walks"]["count"] == 60
    assert report["backends"]["tutorial"]["loss_history"] == [1.0, 0.5]
    assert report["evaluation"] is None
    same = report["agreement"]["gensim_vs_gensim"]
    assert same["knn_overlap"] > 0.9 and same["spearman"] > 0.99
    assert report["agreement"]["gensim_vs_tutorial"]["spearman"] > 0.5
    assert [c["name"] for c in report["verdict"]["checks"]] == [
        "cosine rank correlation",
        "neighbour overlap",
    ]
    json.loads(json.dumps(report))  # JSON-ready

    text = format_parity(report)
    assert text.splitlines()[-1] == "VERDICT: " + report["verdict"]["text"]
    assert "gensim vs tutorial" in text and "0.5000" in text


def test_parity_report_is_reproducible():
    graph = two_communities()
    kwargs = dict(
        num_walks=2,
        walk_length=5,
        dimensions=4,
        k=3,
        sample_pairs=200,
        evaluate=False,
        seed=5,
        estimator=ArrayEstimator,
    )
    first, again = parity_report(graph, **kwargs), parity_report(graph, **kwargs)
    assert first["agreement"] == again["agreement"]


def _report_with(cross, floor_g, floor_t, evaluation=None):
    from n2v_lite.parity import _verdict

    return _verdict(
        {
            "agreement": {
                "gensim_vs_tutorial": cross,
                "gensim_vs_gensim": floor_g,
                "tutorial_vs_tutorial": floor_t,
            },
            "evaluation": evaluation,
        }
    )


def test_verdict_applies_the_tolerances():
    floor = {"spearman": 0.9, "knn_overlap": 0.6}
    close = _report_with({"spearman": 0.8, "knn_overlap": 0.35}, floor, floor)
    assert close["close"] and close["text"].startswith("CLOSE")
    far = _report_with({"spearman": 0.8 * 0.9 - 0.01, "knn_overlap": 0.35}, floor, floor)
    assert not far["close"] and "1 of 2" in far["text"] and "cosine rank" in far["text"]

    def scores(auc, macro, micro):
        return {"link_prediction_auc": {"hadamard": auc}, "macro_f1": macro, "micro_f1": micro}

    tol = PARITY_TOLERANCES
    ok = _report_with(
        {"spearman": 0.9, "knn_overlap": 0.6},
        floor,
        floor,
        {
            "gensim": scores(0.90, 0.30, 0.50),
            "tutorial": scores(0.90 - tol["auc"] + 0.001, 0.31, 0.49),
        },
    )
    assert ok["close"] and len(ok["checks"]) == 4
    bad = _report_with(
        {"spearman": 0.9, "knn_overlap": 0.6},
        floor,
        floor,
        {
            "gensim": scores(0.90, 0.30, 0.50),
            "tutorial": scores(0.90, 0.30, 0.50 + tol["f1"] + 0.01),
        },
    )
    assert not bad["close"] and "node classification" in bad["text"]


def test_parity_report_end_to_end_with_both_real_backends():
    graph = two_communities()
    labels = {node: ["left" if node < 110 else "right"] for node in graph.node_ids.tolist()}
    report = parity_report(
        graph,
        num_walks=4,
        walk_length=8,
        dimensions=8,
        window=3,
        epochs=3,
        k=3,
        sample_pairs=2000,
        labels=labels,
        repeats=2,
        workers=1,
        seed=0,
    )
    tutorial = report["backends"]["tutorial"]
    assert len(tutorial["loss_history"]) == 3 and tutorial["train_seconds"] >= 0
    for backend in ("gensim", "tutorial"):
        scores = report["evaluation"][backend]
        assert 0 <= scores["link_prediction_auc"]["hadamard"] <= 1
        assert 0 <= scores["macro_f1"] <= 1 and 0 <= scores["micro_f1"] <= 1
    assert [c["name"] for c in report["verdict"]["checks"]][2:] == [
        "link prediction",
        "node classification",
    ]
    text = format_parity(report)
    assert "node classification Macro-F1" in text
    assert text.splitlines()[-1].startswith("VERDICT: ")
    json.loads(json.dumps(report))
