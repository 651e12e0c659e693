"""The Keras example's trainer, without Keras: weighted skip-gram examples and Adam.

This backend reproduces the method taught by the Keras "node2vec movielens"
example, so gensim's embeddings can be checked against it:

1. **Examples** (:func:`generate_examples`): every walk goes through the legacy
   ``keras.preprocessing.sequence.skipgrams`` -- a *fixed* window (never
   shrunk), ``int(positives * negative_samples)`` negatives per walk whose
   targets cycle through the walk's shuffled positive targets and whose
   contexts are drawn uniformly from ``1..V-1`` (no unigram^0.75, no rejection
   of true contexts). The example then folds each pair to ``(min, max)``, drops
   ``target == context`` and weights each distinct ``(target, context, label)``
   triple by its count.
2. **Model** (:func:`fit_examples`): one shared ``V x d`` table (``he_normal``
   initialisation, L2 ``1e-6`` on the whole table), logit = dot product,
   binary cross-entropy from logits weighted by the counts and averaged "over
   the batch size" as Keras does, Adam (Keras 3 update rule), batches of 1024
   with the last partial batch dropped, examples reshuffled every epoch.

Token convention (the example's vocabulary): token 0 is the reserved "NA" and
node index ``i`` is token ``i + 1``; :func:`walks_to_tokens` maps the walks of
:mod:`n2v_lite.walks` (``PAD = -1``) onto it, and :func:`train_embeddings`
returns vectors aligned with node *index* (the NA row dropped).

All randomness comes from one :class:`numpy.random.Generator`; nothing touches
Python's or numpy's global random state. Everything is vectorised: on the
MovieLens movie graph (7,025 walks of 10 nodes) example generation takes
about 0.1 s and 10 epochs about 2 s, against 5 s and 61 s for the Keras
example. The backend is meant for graphs of that scale (thousands of nodes):
the number of examples grows with ``walks x walk_length x window``.

Examples
--------
>>> import numpy as np
>>> from n2v_lite.tutorial import generate_examples
>>> t, c, y, w = generate_examples([[1, 2, 3]], vocabulary_size=4, window_size=1,
...                                negative_samples=0, seed=0)
>>> [(int(a), int(b), int(l), int(n)) for a, b, l, n in zip(t, c, y, w)]
[(1, 2, 1, 2), (2, 3, 1, 2)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._utils import as_generator, progress_bar
from .exceptions import ParameterError

__all__ = [
    "TutorialResult",
    "walks_to_tokens",
    "skipgram_pairs",
    "aggregate_pairs",
    "generate_examples",
    "he_normal",
    "batch_loss_and_grad",
    "adam_update",
    "fit_examples",
    "train_embeddings",
]

#: ``he_normal`` draws from a normal truncated at two standard deviations and
#: divides the target stddev by the stddev of that truncated unit normal.
_TRUNCATED_NORMAL_STD = 0.87962566103423978
#: Largest number of (key) counters kept as a dense array when aggregating
#: pairs; bigger vocabularies fall back to sorting (``np.unique``).
_DENSE_KEYS_LIMIT = 1 << 24
#: Raw (target, context) pairs produced per chunk of walks, bounding memory.
_PAIRS_PER_CHUNK = 1 << 23


@dataclass(frozen=True)
class TutorialResult:
    """What :func:`train_embeddings` returns.

    Attributes
    ----------
    vectors : ndarray of float32, shape (num_nodes, dimensions)
        One row per node index (the reserved "NA" row is dropped).
    loss_history : list of float
        Mean training loss of each epoch, in the units Keras reports.
    num_examples : int
        Number of distinct weighted ``(target, context, label)`` examples.
    """

    vectors: np.ndarray
    loss_history: list
    num_examples: int


# --------------------------------------------------------------------------
# Example generation
# --------------------------------------------------------------------------


def walks_to_tokens(walks: np.ndarray, num_nodes: int | None = None) -> np.ndarray:
    """Map node-index walks (``PAD = -1``) to the example's tokens (``index + 1``, PAD -> 0).

    Parameters
    ----------
    walks : array of int, shape (num_walks, walk_length)
        Walks of node indices ``0..num_nodes-1`` as made by
        :func:`n2v_lite.walks.random_walks`; ``-1`` marks padding.
    num_nodes : int, optional
        When given, indices ``>= num_nodes`` are rejected.

    Returns
    -------
    ndarray of int32, same shape
        Token ``0`` is the reserved "NA", node ``i`` is token ``i + 1``.

    Examples
    --------
    >>> walks_to_tokens(np.array([[0, 2, -1]]))
    array([[1, 3, 0]], dtype=int32)
    """
    walks = np.asarray(walks)
    if walks.ndim != 2:
        raise ParameterError(
            f"walks must be a 2-D array (num_walks, walk_length), got shape {walks.shape}"
        )
    if walks.size and not np.issubdtype(walks.dtype, np.integer):
        raise ParameterError(f"walks must hold integer node indices, got dtype {walks.dtype}")
    if walks.size:
        low, high = int(walks.min()), int(walks.max())
        if low < -1:
            raise ParameterError(f"walks hold {low}; node indices are >= 0 and -1 is padding")
        if num_nodes is not None and high >= num_nodes:
            raise ParameterError(
                f"walks hold node index {high} but the graph has {num_nodes} nodes"
            )
    return (walks.astype(np.int64) + 1).astype(np.int32)


def _as_token_matrix(walks, vocabulary_size):
    """Walks in token convention (2-D array or ragged sequences) -> int matrix, 0-padded.

    int32 (half the memory traffic of int64) unless the vocabulary needs more.
    """
    if isinstance(walks, np.ndarray) and walks.ndim == 2:
        tokens = walks
    else:
        rows = [np.asarray(walk).ravel() for walk in walks]
        width = max((len(row) for row in rows), default=0)
        tokens = np.zeros((len(rows), width), dtype=np.int64)
        for k, row in enumerate(rows):
            tokens[k, : len(row)] = row  # trailing 0s are skipped exactly like "NA"
    if tokens.size and not np.issubdtype(tokens.dtype, np.integer):
        raise ParameterError(f"walk tokens must be integers, got dtype {tokens.dtype}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocabulary_size):
        raise ParameterError(
            f"walk tokens must lie in 0..{vocabulary_size - 1} (0 = NA), "
            f"got {tokens.min()}..{tokens.max()}"
        )
    dtype = np.int32 if vocabulary_size <= np.iinfo(np.int32).max else np.int64
    return tokens.astype(dtype, copy=False)


def _check_example_args(vocabulary_size, window_size, negative_samples):
    if int(vocabulary_size) != vocabulary_size or vocabulary_size < 2:
        raise ParameterError(f"vocabulary_size must be an int >= 2, got {vocabulary_size!r}")
    if int(window_size) != window_size or window_size < 0:
        raise ParameterError(f"window_size must be an int >= 0, got {window_size!r}")
    if not (math.isfinite(negative_samples) and negative_samples >= 0):
        raise ParameterError(
            f"negative_samples must be a finite number >= 0, got {negative_samples!r}"
        )


def skipgram_pairs(
    tokens: np.ndarray,
    vocabulary_size: int,
    window_size: int,
    negative_samples: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The legacy Keras ``skipgrams`` applied to every walk, vectorised.

    For each walk (row), every position ``i`` with a non-zero token pairs with
    every ``j`` in ``[max(0, i - w), min(len, i + w + 1))``, ``j != i``, whose
    token is non-zero (label 1). Then ``n = int(positives * negative_samples)``
    negatives (label 0): the walk's positive targets, shuffled, are used in
    turn (the ``k``-th negative takes ``targets[k mod positives]``), each with
    a context drawn uniformly from ``1..vocabulary_size - 1``.

    The legacy helper finally shuffles the pairs of each walk; the order does
    not matter to the example (it counts pairs), so the pairs are returned
    grouped instead: all positives, then all negatives.

    Parameters
    ----------
    tokens : array of int, shape (num_walks, walk_length)
        Walks in token convention (0 = "NA", skipped).
    vocabulary_size : int
        ``V``; tokens lie in ``0..V-1``.
    window_size : int
        Half-window ``w``.
    negative_samples : float
        Negatives per positive (``0`` for none).
    rng : numpy.random.Generator

    Returns
    -------
    targets, contexts : ndarray of int32 (int64 for vocabularies beyond 2**31)
    labels : ndarray of int8

    Examples
    --------
    >>> t, c, y = skipgram_pairs(np.array([[1, 2, 3]]), 4, 1, 1.0, np.random.default_rng(0))
    >>> t[y == 1].tolist(), c[y == 1].tolist()
    ([1, 2, 2, 3], [2, 3, 1, 2])
    >>> sorted(t[y == 0].tolist()), bool(np.all((c[y == 0] >= 1) & (c[y == 0] <= 3)))
    ([1, 2, 2, 3], True)
    """
    _check_example_args(vocabulary_size, window_size, negative_samples)
    tokens = _as_token_matrix(tokens, vocabulary_size)
    num_walks, length = tokens.shape
    present = tokens != 0

    # Positives: for each offset o, (walk[i], walk[i + o]) and (walk[i + o], walk[i]).
    pos_targets, pos_contexts, pos_walks = [], [], []
    for offset in range(1, min(int(window_size), length - 1) + 1):
        walk, col = np.nonzero(present[:, :-offset] & present[:, offset:])
        left, right = tokens[walk, col], tokens[walk, col + offset]
        pos_targets += [left, right]
        pos_contexts += [right, left]
        pos_walks += [walk, walk]
    if pos_targets:
        pos_targets = np.concatenate(pos_targets)
        pos_contexts = np.concatenate(pos_contexts)
        pos_walks = np.concatenate(pos_walks)
    else:
        pos_targets = pos_contexts = np.zeros(0, dtype=tokens.dtype)
        pos_walks = np.zeros(0, dtype=np.intp)

    # Negatives: int(positives * ratio) per walk, cycling through the walk's
    # shuffled positive targets. Whole cycles use every target the same number
    # of times; only the remainder needs a random subset (the first r of a
    # random permutation), drawn per walk by sorting random keys.
    positives = np.bincount(pos_walks, minlength=num_walks)
    wanted = (positives * float(negative_samples)).astype(np.int64)
    cycles = np.floor_divide(wanted, np.maximum(positives, 1))
    remainder = wanted - cycles * positives
    neg_targets = np.repeat(pos_targets, cycles[pos_walks])
    if remainder.any():
        order = np.lexsort((rng.random(len(pos_walks)), pos_walks))
        group_start = np.concatenate(([0], np.cumsum(positives)[:-1]))
        walk_sorted = pos_walks[order]
        rank = np.arange(len(order)) - group_start[walk_sorted]
        extra = pos_targets[order[rank < remainder[walk_sorted]]]
        neg_targets = np.concatenate([neg_targets, extra])
    neg_contexts = rng.integers(1, int(vocabulary_size), size=len(neg_targets), dtype=tokens.dtype)

    targets = np.concatenate([pos_targets, neg_targets])
    contexts = np.concatenate([pos_contexts, neg_contexts])
    labels = np.zeros(len(targets), dtype=np.int8)
    labels[: len(pos_targets)] = 1
    return targets, contexts, labels


class _TripleCounter:
    """Counts (low, high, label) triples with ``low < high``.

    A pair is keyed by its position in the upper triangle of the ``V x V``
    matrix (``V (V - 1) / 2`` pairs), times two for the label. Small key
    spaces are counted densely with ``np.bincount``; larger ones by sorting
    (``np.unique``) each chunk and merging at the end.
    """

    def __init__(self, vocabulary_size):
        size = int(vocabulary_size)
        self.vocabulary_size = size
        # row_start[a] = index of the pair (a, a + 1) in the upper triangle.
        rows = np.arange(size, dtype=np.int64)
        self.row_start = rows * (2 * size - rows - 1) // 2
        self.key_space = size * (size - 1)
        self.is_dense = self.key_space <= _DENSE_KEYS_LIMIT
        self.dense = None
        self.parts = []

    def add(self, targets, contexts, labels):
        low = np.minimum(targets, contexts)
        high = np.maximum(targets, contexts)
        keep = low != high
        low, high = low[keep], high[keep]
        high -= low + 1  # column offset within row ``low``
        keys = self.row_start[low] + high
        keys *= 2
        keys += labels[keep]
        if not self.is_dense:
            self.parts.append(np.unique(keys, return_counts=True))
        elif self.dense is None:
            self.dense = np.bincount(keys, minlength=self.key_space)
        else:
            self.dense += np.bincount(keys, minlength=self.key_space)

    def result(self):
        if self.dense is not None:
            keys = np.flatnonzero(self.dense)
            counts = self.dense[keys]
        elif self.parts:
            keys, inverse = np.unique(
                np.concatenate([k for k, _ in self.parts]), return_inverse=True
            )
            counts = np.bincount(inverse, weights=np.concatenate([c for _, c in self.parts]))
            counts = counts.astype(np.int64)
        else:
            keys = counts = np.zeros(0, np.int64)
        pair, labels = np.divmod(keys, 2)
        targets = np.searchsorted(self.row_start, pair, side="right") - 1
        contexts = pair - self.row_start[targets] + targets + 1
        return targets, contexts, labels, counts


def aggregate_pairs(
    targets: np.ndarray, contexts: np.ndarray, labels: np.ndarray, vocabulary_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The example's aggregation: fold pairs to ``(min, max)``, drop self-pairs, count triples.

    Parameters
    ----------
    targets, contexts : array of int
        Tokens in ``0..vocabulary_size-1``.
    labels : array of {0, 1}
    vocabulary_size : int

    Returns
    -------
    targets, contexts, labels, weights : ndarray of int64
        One entry per distinct ``(min, max, label)`` triple (sorted by it);
        ``weights`` is the number of pairs folded into it.

    Examples
    --------
    >>> t, c, y, w = aggregate_pairs([3, 1, 2, 2], [1, 3, 2, 1], [1, 1, 1, 0], 4)
    >>> t.tolist(), c.tolist(), y.tolist(), w.tolist()
    ([1, 1], [2, 3], [0, 1], [1, 2])
    """
    counter = _TripleCounter(vocabulary_size)
    counter.add(
        np.asarray(targets, np.int64), np.asarray(contexts, np.int64), np.asarray(labels, np.int64)
    )
    return counter.result()


def generate_examples(
    walks: np.ndarray,
    vocabulary_size: int,
    window_size: int,
    negative_samples: float,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted skip-gram examples exactly as the Keras node2vec example makes them.

    :func:`skipgram_pairs` on every walk, then :func:`aggregate_pairs` (the
    example's ``(min, max)`` folding and counting). Walks are processed in
    chunks, so memory is bounded by the number of distinct examples.

    Parameters
    ----------
    walks : array of int, shape (num_walks, walk_length), or sequences of int
        Walks in the example's token convention: ``0`` is "NA" (skipped) and
        nodes are ``1..vocabulary_size-1``. Ragged sequences are padded with 0.
        Use :func:`walks_to_tokens` for walks of node indices.
    vocabulary_size : int
        ``V``: number of nodes + 1.
    window_size : int
        Half-window (the example uses its walk length, 10).
    negative_samples : float
        Negatives per positive pair (the example uses 4).
    seed : None, int or numpy.random.Generator
        Source of all randomness (the negatives).

    Returns
    -------
    targets, contexts, labels, weights : ndarray of int64
        ``targets < contexts``; one entry per distinct triple.

    Examples
    --------
    >>> t, c, y, w = generate_examples([[1, 2, 1, 3]], 4, 2, 4, seed=0)
    >>> int(w[y == 1].sum())      # 10 ordered pairs, 2 of them (1, 1)
    8
    >>> bool(np.all(t < c))
    True
    """
    _check_example_args(vocabulary_size, window_size, negative_samples)
    rng = as_generator(seed)
    tokens = _as_token_matrix(walks, vocabulary_size)
    num_walks, length = tokens.shape
    positives_per_walk = max(1, 2 * length * min(int(window_size), length))
    pairs_per_walk = positives_per_walk * (1 + float(negative_samples))
    chunk = max(1, int(_PAIRS_PER_CHUNK // pairs_per_walk))
    counter = _TripleCounter(vocabulary_size)
    for start in range(0, num_walks, chunk):
        counter.add(
            *skipgram_pairs(
                tokens[start : start + chunk], vocabulary_size, window_size, negative_samples, rng
            )
        )
    return counter.result()


# --------------------------------------------------------------------------
# The model: loss, gradient, optimiser
# --------------------------------------------------------------------------


def he_normal(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: Any = np.float32
) -> np.ndarray:
    """Keras ``he_normal``: truncated normal (at 2 sd), stddev ``sqrt(2 / fan_in) / 0.8796...``.

    For an embedding table of shape ``(V, d)`` Keras takes ``fan_in = V``.

    Examples
    --------
    >>> w = he_normal((1000, 50), np.random.default_rng(0))
    >>> w.dtype, bool(np.abs(w).max() <= 2 * np.sqrt(2 / 1000) / 0.87962566)
    (dtype('float32'), True)
    """
    stddev = math.sqrt(2.0 / shape[0]) / _TRUNCATED_NORMAL_STD
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():  # redraw, as a truncated normal does
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return (values * stddev).astype(dtype)


def batch_loss_and_grad(
    table: np.ndarray,
    targets: np.ndarray,
    contexts: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    l2: float = 1e-06,
) -> tuple[float, np.ndarray]:
    """Loss and gradient of one batch, as Keras computes them for the example's model.

    ``loss = sum_i weights_i * bce(dot(table[t_i], table[c_i]), labels_i) / B
    + l2 * sum(table ** 2)`` -- binary cross-entropy from logits with Keras's
    default "sum over batch size" reduction, plus the L2 penalty on the whole
    table (Keras adds regularisation losses to the reported loss).

    Parameters
    ----------
    table : ndarray of float, shape (V, d)
        The shared embedding table (not modified).
    targets, contexts : array of int, shape (B,)
    labels, weights : array of float, shape (B,)
    l2 : float

    Returns
    -------
    loss : float
    grad : ndarray, shape (V, d), dtype of ``table``
        Dense gradient (the L2 term touches every row).

    Examples
    --------
    >>> table = np.eye(3)
    >>> loss, grad = batch_loss_and_grad(table, [0], [1], [1.0], [1.0], l2=0.0)
    >>> round(loss, 6), grad[0].tolist()
    (0.693147, [0.0, -0.5, 0.0])
    """
    from scipy import sparse

    targets = np.asarray(targets, dtype=np.intp)
    contexts = np.asarray(contexts, dtype=np.intp)
    dtype = table.dtype
    labels = np.asarray(labels, dtype=dtype)
    weights = np.asarray(weights, dtype=dtype)
    size = len(targets)
    target_vectors, context_vectors = table[targets], table[contexts]
    logits = np.einsum("ij,ij->i", target_vectors, context_vectors)

    # Stable forms: bce = max(x, 0) - x y + log(1 + e^-|x|), sigmoid via e^-|x|.
    decay = np.exp(-np.abs(logits))
    bce = np.maximum(logits, 0) - logits * labels + np.log1p(decay)
    sigmoid = np.where(logits >= 0, 1.0, decay) / (1.0 + decay)
    loss = float(np.dot(weights, bce)) / size + l2 * float(np.vdot(table, table))

    # d loss / d logit_i, then scatter onto both rows with one sparse product:
    # grad = A @ table, A[t_i, c_i] += g_i and A[c_i, t_i] += g_i.
    coef = (weights * (sigmoid - labels) / size).astype(dtype, copy=False)
    scatter = sparse.coo_array(
        (
            np.concatenate([coef, coef]),
            (np.concatenate([targets, contexts]), np.concatenate([contexts, targets])),
        ),
        shape=(table.shape[0], table.shape[0]),
    )
    grad = np.asarray(scatter @ table, dtype=dtype)
    if l2:
        grad += (2.0 * l2) * table
    return loss, grad


def adam_update(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    step: int,
    *,
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-07,
    scratch: np.ndarray | None = None,
) -> None:
    """One Keras 3 Adam step, in place on ``param``, ``m`` and ``v``.

    ``m += (g - m)(1 - beta_1)``, ``v += (g^2 - v)(1 - beta_2)``,
    ``param -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - beta_2^step) / (1 - beta_1^step)`` (``step`` counts
    from 1; epsilon is not bias-corrected, as in Keras).

    Parameters
    ----------
    param, grad, m, v : ndarray of the same shape and dtype
    step : int
        1 for the first update.
    scratch : ndarray, optional
        Work buffer of the same shape, to avoid allocating one per step.

    Examples
    --------
    >>> p, m, v = np.ones(2), np.zeros(2), np.zeros(2)
    >>> adam_update(p, np.array([1.0, -1.0]), m, v, 1, learning_rate=0.1)
    >>> p.round(6).tolist()
    [0.9, 1.1]
    """
    if step < 1:
        raise ParameterError(f"step counts from 1, got {step}")
    alpha = learning_rate * math.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
    work = np.empty_like(param) if scratch is None else scratch
    np.subtract(grad, m, out=work)
    work *= 1.0 - beta_1
    m += work
    np.square(grad, out=work)
    work -= v
    work *= 1.0 - beta_2
    v += work
    np.sqrt(v, out=work)
    work += epsilon
    np.divide(m, work, out=work)
    work *= alpha
    param -= work


def fit_examples(
    targets: np.ndarray,
    contexts: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    vocabulary_size: int,
    *,
    dimensions: int = 50,
    epochs: int = 10,
    batch_size: int = 1024,
    learning_rate: float = 0.001,
    l2: float = 1e-06,
    seed: int | np.random.Generator | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, list[float]]:
    """Train the example's model on weighted examples; return the table and the loss curve.

    Every epoch the examples are shuffled and cut into batches of
    ``batch_size``, the last partial batch dropped (the example's
    ``drop_remainder=True``). With fewer examples than one batch, one batch
    of all of them is used instead (Keras would train on nothing).

    Parameters
    ----------
    targets, contexts : array of int
        Tokens in ``0..vocabulary_size-1``.
    labels, weights : array of number
    vocabulary_size : int
    dimensions : int
    epochs : int
    batch_size : int
    learning_rate : float
        Adam's learning rate (beta_1 0.9, beta_2 0.999, epsilon 1e-7).
    l2 : float
        L2 regularisation factor on the whole table.
    seed : None, int or numpy.random.Generator
        Initialisation and shuffling.
    progress : bool
        Show an epoch bar on stderr.

    Returns
    -------
    table : ndarray of float32, shape (vocabulary_size, dimensions)
    loss_history : list of float
        Mean batch loss of each epoch (what Keras reports as ``loss``).

    Examples
    --------
    >>> table, losses = fit_examples([1, 1], [2, 3], [1, 0], [5, 5], 4, dimensions=4,
    ...                              epochs=3, seed=0, progress=False)
    >>> table.shape, len(losses)
    ((4, 4), 3)
    """
    rng = as_generator(seed)
    targets = np.asarray(targets, dtype=np.intp)
    contexts = np.asarray(contexts, dtype=np.intp)
    labels = np.asarray(labels, dtype=np.float32)
    weights = np.asarray(weights, dtype=np.float32)
    count = len(targets)
    if not (len(contexts) == len(labels) == len(weights) == count):
        raise ParameterError("targets, contexts, labels and weights must have the same length")
    if count == 0:
        raise ParameterError("no training examples (are the walks shorter than 2 nodes?)")
    low, high = min(targets.min(), contexts.min()), max(targets.max(), contexts.max())
    if low < 0 or high >= vocabulary_size:
        raise ParameterError(f"example tokens must lie in 0..{vocabulary_size - 1}")
    for name, value in (("dimensions", dimensions), ("batch_size", batch_size)):
        if int(value) != value or value < 1:
            raise ParameterError(f"{name} must be a positive int, got {value!r}")
    if int(epochs) != epochs or epochs < 0:
        raise ParameterError(f"epochs must be an int >= 0, got {epochs!r}")

    table = he_normal((int(vocabulary_size), int(dimensions)), rng)
    m, v, scratch = np.zeros_like(table), np.zeros_like(table), np.empty_like(table)
    batch = min(int(batch_size), count)
    num_batches = count // batch
    step = 0
    history = []
    bar = progress_bar(
        range(int(epochs)),
        total=int(epochs),
        desc="tutorial training",
        unit="epoch",
        enabled=progress,
    )
    for _ in bar:
        order = rng.permutation(count)
        t, c, y, w = targets[order], contexts[order], labels[order], weights[order]
        total = 0.0
        for start in range(0, num_batches * batch, batch):
            stop = start + batch
            loss, grad = batch_loss_and_grad(
                table, t[start:stop], c[start:stop], y[start:stop], w[start:stop], l2
            )
            step += 1
            adam_update(table, grad, m, v, step, learning_rate=learning_rate, scratch=scratch)
            total += loss
        history.append(total / num_batches)
        bar.set_postfix(loss=f"{history[-1]:.4f}")
    return table, history


def train_embeddings(
    walks: np.ndarray,
    num_nodes: int,
    *,
    dimensions: int = 50,
    window: int = 10,
    negative: float = 4.0,
    epochs: int = 10,
    batch_size: int = 1024,
    learning_rate: float = 0.001,
    seed: int | np.random.Generator | None = None,
    progress: bool = True,
) -> TutorialResult:
    """Node embeddings by the Keras example's method, from node-index walks.

    Parameters
    ----------
    walks : array of int, shape (num_walks, walk_length)
        Node indices ``0..num_nodes-1``, ``-1`` for padding (as made by
        :func:`n2v_lite.walks.random_walks`).
    num_nodes : int
    dimensions : int
        Embedding size (the example: 50).
    window : int
        Fixed half-window of the skip-gram pairs (the example: 10).
    negative : float
        Negatives per positive pair (the example: 4).
    epochs, batch_size, learning_rate
        As in the example: 10, 1024, 0.001.
    seed : None, int or numpy.random.Generator
        One generator drives the negatives, the initialisation and the shuffles.
    progress : bool
        Show an epoch bar on stderr.

    Returns
    -------
    TutorialResult
        ``vectors`` aligned with node index, ``loss_history`` per epoch in
        Keras units, and ``num_examples``.

    Examples
    --------
    >>> walks = np.array([[0, 1, 2, 1], [2, 1, 0, 1]])
    >>> result = train_embeddings(walks, 3, dimensions=8, window=2, epochs=2,
    ...                           seed=0, progress=False)
    >>> result.vectors.shape, len(result.loss_history)
    ((3, 8), 2)
    """
    if int(num_nodes) != num_nodes or num_nodes < 1:
        raise ParameterError(f"num_nodes must be a positive int, got {num_nodes!r}")
    rng = as_generator(seed)
    tokens = walks_to_tokens(walks, num_nodes)
    vocabulary_size = int(num_nodes) + 1
    targets, contexts, labels, weights = generate_examples(
        tokens, vocabulary_size, window, negative, seed=rng
    )
    table, history = fit_examples(
        targets,
        contexts,
        labels,
        weights,
        vocabulary_size,
        dimensions=dimensions,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=rng,
        progress=progress,
    )
    return TutorialResult(
        vectors=np.ascontiguousarray(table[1:]),
        loss_history=history,
        num_examples=int(len(targets)),
    )
