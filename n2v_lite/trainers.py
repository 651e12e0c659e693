"""The registry of trainers: walks in, one vector per node index out.

Each backend of :class:`n2v_lite.Node2Vec` is one :class:`Trainer` in
:data:`TRAINERS`, with its own parameter checks and a ``train`` function that
returns the one result type shared by all, :class:`TrainResult`. Adding a
backend is adding an entry here.

* ``"gensim"`` -- :func:`n2v_lite.word2vec.train_word2vec` (skip-gram,
  negative sampling); takes streamed walk chunks as well as arrays.
* ``"tutorial"`` -- :func:`n2v_lite.tutorial.train_embeddings` (the Keras
  example's weighted-example trainer in numpy).

Examples
--------
>>> sorted(TRAINERS)
['gensim', 'tutorial']
>>> get_trainer("keras")
Traceback (most recent call last):
...
n2v_lite.exceptions.ParameterError: backend must be one of 'gensim', 'tutorial', got 'keras'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .exceptions import ParameterError
from .validation import check_choice, check_int, check_positive

__all__ = ["Trainer", "TrainResult", "TRAINERS", "get_trainer"]


@dataclass
class TrainResult:
    """What every trainer returns.

    Attributes
    ----------
    vectors : ndarray of float32, shape (num_nodes, dimensions)
        Row ``i`` is node index ``i``.
    loss_history : list of float
        Loss per epoch, in the units of ``info["loss_units"]``.
    info : dict
        Trainer-specific facts (corpus mode, trained words, examples, ...).
    state : dict
        What the trainer needs to go on training later (kept in the
        embedding, see :mod:`n2v_lite.update`): for gensim ``output_vectors``
        (its ``syn1neg``, float32, like ``vectors``) and ``counts`` (node
        occurrences in the walks, int64); empty for trainers without one.
    """

    vectors: np.ndarray
    loss_history: list
    info: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Trainer:
    """One backend: its checks and its training function.

    Attributes
    ----------
    name : str
    check : callable
        ``check(params)`` raises :class:`ParameterError` for settings the
        backend cannot honour (``params``: the estimator's parameters).
    train : callable
        ``train(walks, num_nodes, params, seed, workers, progress) -> TrainResult``.
    streams : bool
        Whether ``walks`` may be an iterator of chunks or a walk folder (big
        corpora are then never held whole); other trainers get a folder's
        walks as one array.
    unused : tuple of str
        :class:`~n2v_lite.model.Node2Vec` parameters this backend ignores
        (left out where a model describes itself).
    """

    name: str
    check: Callable
    train: Callable
    streams: bool = False
    unused: tuple = ()


def _check_gensim(params):
    from .word2vec import MAX_WALK_LENGTH

    check_int("negative", params["negative"])
    if params["walk_length"] > MAX_WALK_LENGTH:
        raise ParameterError(
            f"walk_length must be <= {MAX_WALK_LENGTH} with the gensim "
            f"backend (gensim truncates longer sentences), "
            f"got {params['walk_length']}"
        )


def _train_gensim(walks, num_nodes, params, seed, workers, progress):
    from .word2vec import train_word2vec

    result = train_word2vec(
        walks,
        num_nodes,
        dimensions=params["dimensions"],
        window=params["window"],
        negative=params["negative"],
        epochs=params["epochs"],
        sample=params["sample"],
        learning_rate=params["learning_rate"],
        workers=workers,
        seed=seed,
        progress=progress,
    )
    info = {
        "corpus": result.corpus,
        "trained_words": result.trained_words,
        "loss_exact": result.loss_exact,
        "loss_units": "sum over the epoch's pairs of -log-likelihood (nats)",
    }
    for name in ("workers_used",):
        if hasattr(result, name):
            info[name] = getattr(result, name)
    state = {
        "output_vectors": np.asarray(result.output_vectors, dtype=np.float32),
        "counts": np.asarray(result.counts, dtype=np.int64),
    }
    return TrainResult(
        np.asarray(result.vectors, dtype=np.float32),
        [float(x) for x in result.loss_history],
        info,
        state,
    )


def _check_tutorial(params):
    check_positive("negative", params["negative"])
    check_int("batch_size", params["batch_size"])


def _train_tutorial(walks, num_nodes, params, seed, workers, progress):
    from .tutorial import train_embeddings

    if not isinstance(walks, np.ndarray):  # a walk folder: this trainer needs the array
        walks = np.concatenate(list(walks.chunks()))
    rate = {} if params["learning_rate"] is None else {"learning_rate": params["learning_rate"]}
    result = train_embeddings(
        walks,
        num_nodes,
        dimensions=params["dimensions"],
        window=params["window"],
        negative=float(params["negative"]),
        epochs=params["epochs"],
        batch_size=params["batch_size"],
        seed=seed,
        progress=progress,
        **rate,
    )
    return TrainResult(
        np.asarray(result.vectors, dtype=np.float32),
        [float(x) for x in result.loss_history],
        {
            "num_examples": result.num_examples,
            "loss_units": "mean binary cross-entropy per example (Keras)",
        },
    )


#: The backends by name.
TRAINERS = {
    "gensim": Trainer("gensim", _check_gensim, _train_gensim, streams=True, unused=("batch_size",)),
    "tutorial": Trainer("tutorial", _check_tutorial, _train_tutorial, unused=("sample", "workers")),
}


def get_trainer(name: str) -> Trainer:
    """The :class:`Trainer` called ``name`` (a :class:`ParameterError` lists the others)."""
    return TRAINERS[check_choice("backend", name, tuple(TRAINERS))]
