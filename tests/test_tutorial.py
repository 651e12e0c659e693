"""The Keras-free tutorial backend: example generation, loss/gradient, Adam, training."""

import itertools
import math
from collections import Counter

import numpy as np
import pytest

from n2v_lite import tutorial
from n2v_lite.tutorial import (
    adam_update,
    aggregate_pairs,
    batch_loss_and_grad,
    fit_examples,
    generate_examples,
    he_normal,
    skipgram_pairs,
    train_embeddings,
    walks_to_tokens,
)

# ---------------------------------------------------------------- references


def reference_positives(walk, window):
    """Legacy Keras skipgrams positives: ordered pairs of non-NA tokens within the window."""
    n = len(walk)
    return [
        (int(walk[i]), int(walk[j]))
        for i, j in itertools.product(range(n), repeat=2)
        if i != j and abs(i - j) <= window and walk[i] and walk[j]
    ]


def reference_aggregate(targets, contexts, labels):
    """The Keras example's dict loop."""
    counts = Counter()
    for t, c, y in zip(targets, contexts, labels):
        low, high = min(t, c), max(t, c)
        if low != high:
            counts[(int(low), int(high), int(y))] += 1
    return counts


def as_counter(targets, contexts, labels, weights):
    return Counter(
        {(int(t), int(c), int(y)): int(w) for t, c, y, w in zip(targets, contexts, labels, weights)}
    )


@pytest.fixture
def token_walks():
    rng = np.random.default_rng(7)
    walks = rng.integers(1, 12, size=(40, 9))
    walks[3, 4] = 0  # a hole in the middle: skipped, but positions still count
    walks[5, 6:] = 0  # a walk that stopped at a dead end
    walks[8, :] = 0  # an empty walk
    walks[9, 1:] = 0  # a single-node walk: no pairs
    return walks


# ---------------------------------------------------------------- tokens


def test_walks_to_tokens_shifts_and_maps_padding():
    tokens = walks_to_tokens(np.array([[0, 3, -1], [2, 2, 1]], dtype=np.int32), num_nodes=4)
    assert tokens.dtype == np.int32
    assert tokens.tolist() == [[1, 4, 0], [3, 3, 2]]


@pytest.mark.parametrize(
    "bad, error",
    [
        (np.array([[0, -2]]), ValueError),
        (np.array([[0, 4]]), ValueError),
        (np.array([0, 1]), ValueError),
        (np.array([[0.5, 1.0]]), TypeError),
    ],
)
def test_walks_to_tokens_rejects_bad_walks(bad, error):
    with pytest.raises(error):
        walks_to_tokens(bad, num_nodes=4)


# ---------------------------------------------------------------- skipgram pairs


@pytest.mark.parametrize("window", [1, 3, 20])
def test_positive_pairs_match_the_legacy_loop(token_walks, window):
    targets, contexts, labels = skipgram_pairs(
        token_walks, 12, window, 0.0, np.random.default_rng(0)
    )
    assert np.all(labels == 1)
    expected = Counter(p for walk in token_walks for p in reference_positives(walk, window))
    assert Counter(zip(targets.tolist(), contexts.tolist())) == expected


def test_negative_targets_cycle_through_the_positive_targets(token_walks):
    targets, contexts, labels = skipgram_pairs(token_walks, 12, 3, 4.0, np.random.default_rng(1))
    pos_targets, neg_targets = targets[labels == 1], targets[labels == 0]
    assert len(neg_targets) == 4 * len(pos_targets)
    assert Counter(neg_targets.tolist()) == Counter(np.repeat(pos_targets, 4).tolist())


@pytest.mark.parametrize("ratio", [0.0, 0.5, 1.3, 2.75])
def test_negative_count_is_int_of_positives_times_ratio_per_walk(token_walks, ratio):
    _, _, labels = skipgram_pairs(token_walks, 12, 2, ratio, np.random.default_rng(2))
    expected = sum(int(len(reference_positives(walk, 2)) * ratio) for walk in token_walks)
    assert int((labels == 0).sum()) == expected


def test_fractional_negatives_take_a_subset_without_replacement():
    # Walk [1, 2, 3], window 2: positive targets 1, 1, 2, 2, 3, 3. Ratio 1.5 gives
    # 9 negatives: one full cycle (each target twice) plus the first 3 of a
    # random permutation, so each target appears 2..4 times; drawing the extra 3
    # with replacement would give 5 for some target in about 11% of the walks.
    walk = np.array([[1, 2, 3]])
    extra_of_1 = Counter()
    for seed in range(300):
        targets, _, labels = skipgram_pairs(walk, 4, 2, 1.5, np.random.default_rng(seed))
        counts = Counter(targets[labels == 0].tolist())
        assert sum(counts.values()) == 9
        assert all(2 <= counts[t] <= 4 for t in (1, 2, 3)), counts
        extra_of_1[counts[1] - 2] += 1
    # Hypergeometric: P(both copies of target 1 drawn) = 4/20.
    assert abs(extra_of_1[2] / 300 - 0.2) < 4 * math.sqrt(0.2 * 0.8 / 300)


def test_negative_contexts_are_uniform_over_the_vocabulary_without_na():
    walks = np.tile(np.arange(1, 11), (200, 1))
    _, contexts, labels = skipgram_pairs(walks, 21, 3, 5.0, np.random.default_rng(3))
    drawn = contexts[labels == 0]
    counts = np.bincount(drawn, minlength=21)
    assert counts[0] == 0
    expected = len(drawn) / 20
    chi2 = float(((counts[1:] - expected) ** 2 / expected).sum())
    assert chi2 < 45.3  # 99.9% quantile of chi2 with 19 degrees of freedom


def test_pairs_reject_tokens_outside_the_vocabulary():
    with pytest.raises(ValueError, match="0..4"):
        skipgram_pairs(np.array([[1, 5]]), 5, 1, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="negative_samples"):
        skipgram_pairs(np.array([[1, 2]]), 5, 1, -1.0, np.random.default_rng(0))


# ---------------------------------------------------------------- aggregation


@pytest.mark.parametrize("dense_limit", [None, 0])
def test_aggregation_matches_the_example_dict_loop(monkeypatch, dense_limit):
    if dense_limit is not None:
        monkeypatch.setattr(tutorial, "_DENSE_KEYS_LIMIT", dense_limit)
    rng = np.random.default_rng(4)
    targets, contexts = rng.integers(0, 9, 500), rng.integers(0, 9, 500)
    labels = rng.integers(0, 2, 500)
    result = aggregate_pairs(targets, contexts, labels, 9)
    assert as_counter(*result) == reference_aggregate(targets, contexts, labels)
    assert np.all(result[0] < result[1])


def test_generate_examples_positives_are_exact_and_negatives_plausible(token_walks):
    t, c, y, w = generate_examples(token_walks, 12, 3, 4, seed=5)
    positives = [p for walk in token_walks for p in reference_positives(walk, 3)]
    expected = reference_aggregate(
        [a for a, _ in positives], [b for _, b in positives], [1] * len(positives)
    )
    got = as_counter(t, c, y, w)
    assert {k: v for k, v in got.items() if k[2] == 1} == expected
    # 4 negatives per positive; a negative is dropped when the random context
    # equals its target (probability 1/11 per draw).
    drawn = 4 * len(positives)
    dropped = drawn - int(w[y == 0].sum())
    assert abs(dropped - drawn / 11) < 4 * math.sqrt(drawn * (1 / 11) * (10 / 11))
    assert t.min() >= 1 and c.max() <= 11 and np.all(t < c)


def test_generate_examples_is_reproducible_and_threads_a_generator(token_walks):
    first = generate_examples(token_walks, 12, 3, 4, seed=11)
    again = generate_examples(token_walks, 12, 3, 4, seed=np.random.default_rng(11))
    other = generate_examples(token_walks, 12, 3, 4, seed=12)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert as_counter(*first) != as_counter(*other)


def test_generate_examples_accepts_ragged_walks():
    ragged = [[1, 2, 3, 4], [2, 5], [3]]
    padded = np.array([[1, 2, 3, 4], [2, 5, 0, 0], [3, 0, 0, 0]])
    a = generate_examples(ragged, 6, 2, 0, seed=0)
    b = generate_examples(padded, 6, 2, 0, seed=0)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_chunked_generation_gives_the_same_positives(monkeypatch, token_walks):
    whole = as_counter(*generate_examples(token_walks, 12, 3, 2, seed=0))
    monkeypatch.setattr(tutorial, "_PAIRS_PER_CHUNK", 50)  # a few walks per chunk
    chunked = as_counter(*generate_examples(token_walks, 12, 3, 2, seed=0))
    assert {k: v for k, v in whole.items() if k[2] == 1} == {
        k: v for k, v in chunked.items() if k[2] == 1
    }
    # Both keep 2 negatives per positive minus the self-pairs (probability 1/11).
    drawn = 2 * sum(len(reference_positives(walk, 3)) for walk in token_walks)
    kept = [sum(v for k, v in counts.items() if k[2] == 0) for counts in (whole, chunked)]
    assert abs(kept[0] - kept[1]) < 4 * math.sqrt(2 * drawn * (1 / 11) * (10 / 11))
    assert all(drawn * 0.8 < k < drawn for k in kept)


# ---------------------------------------------------------------- model pieces


def test_he_normal_is_truncated_with_the_keras_stddev():
    values = he_normal((1000, 60), np.random.default_rng(0))
    target = math.sqrt(2 / 1000)
    assert values.dtype == np.float32
    assert np.abs(values).max() <= 2 * target / 0.87962566 + 1e-7
    assert abs(values.std() / target - 1) < 0.02
    assert abs(values.mean()) < 0.02 * target


def _batch(rng, vocab=7, size=12):
    targets = rng.integers(0, vocab, size)
    contexts = rng.integers(0, vocab, size)
    contexts[0] = targets[0]  # a self-pair: both gradient terms on one row
    targets[1], contexts[1] = targets[2], contexts[2]  # a repeated pair
    labels = rng.integers(0, 2, size).astype(float)
    weights = rng.integers(1, 5, size).astype(float)
    return targets, contexts, labels, weights


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    table = rng.normal(scale=0.7, size=(7, 4))
    batch = _batch(rng)
    l2 = 0.01
    _, grad = batch_loss_and_grad(table, *batch, l2=l2)
    numeric = np.zeros_like(table)
    h = 1e-6
    for index in np.ndindex(table.shape):
        up, down = table.copy(), table.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (
            batch_loss_and_grad(up, *batch, l2=l2)[0] - batch_loss_and_grad(down, *batch, l2=l2)[0]
        ) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_loss_is_weighted_bce_over_batch_size_plus_l2():
    rng = np.random.default_rng(1)
    table = rng.normal(size=(7, 4))
    targets, contexts, labels, weights = _batch(rng)
    logits = np.sum(table[targets] * table[contexts], axis=1)
    p = 1 / (1 + np.exp(-logits))
    bce = -(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    expected = np.sum(weights * bce) / len(targets) + 1e-3 * np.sum(table**2)
    loss, _ = batch_loss_and_grad(table, targets, contexts, labels, weights, l2=1e-3)
    assert loss == pytest.approx(expected, rel=1e-12)


def test_loss_is_finite_for_huge_logits():
    table = np.array([[30.0, 0.0], [30.0, 0.0], [-30.0, 0.0]], dtype=np.float32)
    loss, grad = batch_loss_and_grad(table, [0, 0], [1, 2], [0.0, 1.0], [1.0, 1.0], l2=0.0)
    assert loss == pytest.approx(900.0, rel=1e-5)  # (900 + 900) / 2
    assert np.all(np.isfinite(grad)) and grad.dtype == np.float32


def test_adam_matches_the_textbook_update():
    rng = np.random.default_rng(2)
    param = rng.normal(size=(5, 3))
    expected = param.copy()
    m, v = np.zeros_like(param), np.zeros_like(param)
    m_ref, v_ref = np.zeros_like(param), np.zeros_like(param)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    for step in range(1, 6):
        grad = rng.normal(size=param.shape)
        adam_update(param, grad, m, v, step, learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps)
        m_ref = b1 * m_ref + (1 - b1) * grad
        v_ref = b2 * v_ref + (1 - b2) * grad**2
        alpha = lr * math.sqrt(1 - b2**step) / (1 - b1**step)
        expected -= alpha * m_ref / (np.sqrt(v_ref) + eps)
    np.testing.assert_allclose(param, expected, rtol=1e-12)
    np.testing.assert_allclose(m, m_ref, rtol=1e-12)
    with pytest.raises(ValueError):
        adam_update(param, grad, m, v, 0)


# ---------------------------------------------------------------- training


def test_batches_drop_the_remainder_and_reshuffle_each_epoch(monkeypatch):
    seen = []
    original = tutorial.batch_loss_and_grad

    def spy(table, targets, contexts, labels, weights, l2):
        seen.append(np.asarray(targets).copy())
        return original(table, targets, contexts, labels, weights, l2)

    monkeypatch.setattr(tutorial, "batch_loss_and_grad", spy)
    n = 2500
    targets = np.arange(n) % 50 + 1
    _, history = fit_examples(
        targets,
        np.full(n, 51),
        np.ones(n),
        np.ones(n),
        52,
        dimensions=4,
        epochs=2,
        batch_size=1000,
        seed=0,
        progress=False,
    )
    assert [len(b) for b in seen] == [1000] * 4  # 2 full batches per epoch
    assert len(history) == 2
    assert not np.array_equal(seen[0], seen[2])  # a new order each epoch


def test_initial_loss_is_log2_times_mean_weight():
    # With a zero learning rate the table stays at its tiny he_normal values,
    # so every logit is close to 0 and bce close to log 2.
    rng = np.random.default_rng(3)
    n = 4096
    weights = rng.integers(1, 10, n)
    _, history = fit_examples(
        rng.integers(1, 1000, n),
        rng.integers(1, 1000, n),
        rng.integers(0, 2, n),
        weights,
        1000,
        dimensions=8,
        epochs=1,
        learning_rate=0.0,
        seed=0,
        progress=False,
    )
    assert history[0] == pytest.approx(math.log(2) * weights.mean(), rel=2e-3)


def test_fit_examples_rejects_empty_or_bad_input():
    with pytest.raises(ValueError, match="no training examples"):
        fit_examples([], [], [], [], 5, progress=False)
    with pytest.raises(ValueError, match="0..4"):
        fit_examples([1], [5], [1], [1], 5, progress=False)
    with pytest.raises(ValueError, match="same length"):
        fit_examples([1, 2], [3], [1], [1], 5, progress=False)


def _two_cliques_walks(rng, size=6, num_walks=60, length=12):
    """Uniform walks on two cliques (nodes 0..5 and 6..11) joined by the edge 5-6."""
    n = 2 * size
    neighbours = [[j for j in range(n) if j != i and (j // size == i // size)] for i in range(n)]
    neighbours[size - 1].append(size)
    neighbours[size].append(size - 1)
    walks = np.empty((num_walks * n, length), dtype=np.int32)
    row = 0
    for _ in range(num_walks):
        for start in rng.permutation(n):
            node = start
            for step in range(length):
                walks[row, step] = node
                node = neighbours[node][rng.integers(len(neighbours[node]))]
            row += 1
    return walks


def test_train_embeddings_separates_two_communities_and_aligns_rows():
    walks = _two_cliques_walks(np.random.default_rng(0))
    walks[::7, -3:] = -1  # some walks ended at a dead end
    result = train_embeddings(
        walks,
        12,
        dimensions=16,
        window=3,
        epochs=40,
        batch_size=16,
        learning_rate=0.02,
        seed=1,
        progress=False,
    )
    assert result.vectors.shape == (12, 16) and result.vectors.dtype == np.float32
    assert result.loss_history[-1] < result.loss_history[0]
    assert result.num_examples > 0
    unit = result.vectors / np.linalg.norm(result.vectors, axis=1, keepdims=True)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, -np.inf)
    nearest = cosine.argmax(axis=1)
    assert np.all(nearest // 6 == np.arange(12) // 6)  # a one-row shift would break this


def test_train_embeddings_is_reproducible():
    walks = _two_cliques_walks(np.random.default_rng(0), num_walks=5)
    a = train_embeddings(walks, 12, dimensions=8, window=2, epochs=2, seed=3, progress=False)
    b = train_embeddings(walks, 12, dimensions=8, window=2, epochs=2, seed=3, progress=False)
    assert np.array_equal(a.vectors, b.vectors) and a.loss_history == b.loss_history


# ---------------------------------------------------------------- the Keras example itself


def _movielens_walks(graph, rng):
    """The example's walks: 5 rounds over all nodes, 10 nodes, p = q = 1 on the weighted graph."""
    try:
        from n2v_lite.walks import random_walks
    except ImportError:  # pragma: no cover - until the walk module lands
        random_walks = None
    if random_walks is not None:
        return random_walks(graph, 5, 10, p=1.0, q=1.0, seed=rng)
    cumulative = np.cumsum(graph.weights)
    before = np.concatenate([[0.0], cumulative])[graph.indptr[:-1]]
    total = cumulative[graph.indptr[1:] - 1] - before
    node = np.concatenate([rng.permutation(graph.num_nodes) for _ in range(5)])
    walks = [node]
    for _ in range(9):
        position = np.searchsorted(
            cumulative, before[node] + rng.random(len(node)) * total[node], side="right"
        )
        node = graph.indices[np.minimum(position, graph.indptr[node + 1] - 1)]
        walks.append(node)
    return np.stack(walks, axis=1).astype(np.int32)


@pytest.mark.slow
@pytest.mark.shared
def test_movielens_reproduces_the_keras_example(movielens_dir):
    from n2v_lite.movielens import movie_graph

    graph = movie_graph(movielens_dir)
    rng = np.random.default_rng(2021)
    walks = _movielens_walks(graph, rng)
    assert walks.shape == (7025, 10)
    result = train_embeddings(walks, graph.num_nodes, seed=rng, progress=False)
    # The example's page: 881,412 examples, loss 2.4527 -> 2.3104; a Keras 3 run
    # here: 880,876 examples, 2.446 -> 2.308.
    assert abs(result.num_examples / 881_412 - 1) < 0.01
    assert result.loss_history[0] == pytest.approx(2.45, abs=0.03)
    assert result.loss_history[-1] == pytest.approx(2.31, abs=0.03)
    assert len(result.loss_history) == 10


def test_node2vec_tutorial_backend_gives_keyed_vectors_and_keras_losses():
    from n2v_lite import Graph, Node2Vec

    walks = _two_cliques_walks(np.random.default_rng(0), num_walks=4)
    src = [i for i in range(12) for j in range(12) if i < j and (i // 6 == j // 6)] + [5]
    dst = [j for i in range(12) for j in range(12) if i < j and (i // 6 == j // 6)] + [6]
    graph = Graph.from_edges(np.array(src), np.array(dst), node_ids=np.arange(12) * 10)
    model = (
        Node2Vec(
            backend="tutorial",
            dimensions=8,
            window=2,
            epochs=4,
            negative=1.5,
            batch_size=16,
            learning_rate=0.01,
            random_state=0,
            progress=False,
        )
        .fit(graph, walks=walks)
        .embedding_
    )
    assert model.node_ids == list(range(0, 120, 10))
    assert model.vectors.shape == (12, 8)
    assert len(model.loss_history) == 4
    assert model.loss_history[-1] < model.loss_history[0]
