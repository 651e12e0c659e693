"""Skip-gram with negative sampling on walks, trained by gensim.

Arrays of walks go in, one vector per node and a per-epoch loss come out:
:func:`train_word2vec` takes the ``int`` walk matrix of :mod:`n2v_lite.walks`
(rows of node *indices*, ``PAD = -1`` after a dead end) -- or any iterable of
such row chunks, for graphs whose walks do not fit in memory -- and returns a
:class:`Word2VecResult` whose ``vectors`` row ``i`` belongs to node index ``i``.

How the walks reach gensim
--------------------------
Two corpus modes, chosen by ``corpus=``:

``"iterable"``
    Row chunks are turned into lists of Python ``int`` tokens on the fly, one
    chunk at a time, every epoch (node indices are the gensim vocabulary keys,
    so no token strings are ever made). Memory stays flat; the loss is exact.
``"file"``
    The walks are written once to temporary LineSentence files, one per
    training thread and cut at line ends (vectorised numpy text encoding, no
    per-token Python objects), and gensim's ``corpus_file`` reader trains on
    them without the GIL. A walk folder's partition files are copied into
    those per-thread files as bytes.
``"auto"`` (default)
    ``"file"`` for small corpora (at most :data:`AUTO_FILE_MAX_TOKENS_PER_WORKER`
    walk tokens per worker thread), ``"iterable"`` otherwise. Measured on
    2 cores (best of 3, 2 workers): 70k tokens x 10 epochs (MovieLens, the
    reference example's walks) train in 1.17 s from a file and 1.58 s from the
    iterable, whose per-epoch thread start-up and per-token GIL work do not
    shrink with the corpus; 562k tokens x 5 epochs take 3.83 s from a file and
    3.20 s from the iterable, which spreads over the two workers better.

An iterable of chunks is consumed exactly once: it is spooled to a temporary
file (``int32`` binary for ``"iterable"``, text for ``"file"``) while its node
counts are taken, so memory is bounded by one chunk whatever the graph size.

The vocabulary is built from those counts (``build_vocab_from_freq``), so
every node gets a vector even if no walk visits it (``min_count`` never drops
a node).

The per-epoch loss
------------------
gensim's ``running_training_loss`` cannot be used as it is: it accumulates over
a whole ``train()`` call in a ``float32`` (so it stops growing near 2**24),
and each worker thread reads it at the start of a batch and writes it back at
the end, so concurrent workers overwrite each other's sums. Here every batch
(iterable mode) or every worker's share of an epoch (file mode) is trained
against a private accumulator that starts at zero, and the partial sums are
added in ``float64`` under a lock. ``loss_history[e]`` is therefore

    the sum, over every (centre, context) pair trained in epoch ``e``, of
    ``-log sigmoid(u_c . v_o) - sum_k log sigmoid(-u_c . v_k)`` over the
    ``negative`` noise nodes ``k`` (natural log),

which is exactly what gensim adds up, without races or cross-batch
saturation (like gensim, a term whose dot product is beyond +-6 is neither
trained nor counted). Divide by ``trained_words[e]`` (tokens trained in that epoch) for a
size-independent figure; the progress bar shows that mean.

File mode keeps one approximation of gensim's: a worker's share of an
epoch is summed in ``float32`` inside gensim, so its loss is only trustworthy
for small shares (``"auto"`` picks file mode only then;
:attr:`Word2VecResult.loss_exact` says whether it holds). Two losses of
gensim's own file mode are fixed (see ``_worker_files``): it split the file
between threads at raw byte offsets and let each read whole jobs past its
share (``workers=1000`` trained 9,065,942 words of a 54,000-token corpus per
epoch; 16 workers on the MovieLens defaults 634,920 of 562,000), and it cut
the end off the walk that closes each 10,000-word job (50 of 54,000 words
with one worker). Now every walk is trained exactly once per epoch in both
modes, whatever ``workers`` is, and threads are capped by the cores and the
corpus size (:func:`cap_workers`).

Reproducibility: with ``seed`` set and ``workers=1`` the vectors are identical
from run to run (gensim 4 no longer seeds vectors with Python's salted string
``hash``, and the vocabulary is built in node order, so ``PYTHONHASHSEED`` does
not matter; it did with gensim 3). With more workers, thread scheduling changes
the order of updates and the vectors differ slightly between runs.

BLAS is pinned to one thread while gensim trains (``threadpoolctl``):
otherwise OpenBLAS threads fight gensim's workers and 2 workers are no faster
than 1.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._utils import as_generator, default_workers, progress_bar, scratch_errors
from ._walktext import TextEncoder, check_rows, line_blocks
from .corpus import WalkFolder, WalkFolderError, read_walk_folder
from .exceptions import ParameterError
from .validation import check_fraction, check_int, check_positive

if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = [
    "Word2VecResult",
    "train_word2vec",
    "continue_word2vec",
    "cap_workers",
    "AUTO_FILE_MAX_TOKENS_PER_WORKER",
    "MIN_TOKENS_PER_WORKER",
    "MAX_WALK_LENGTH",
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_MIN_LEARNING_RATE",
]

#: gensim's default start and end learning rates (linear decay over all epochs).
DEFAULT_LEARNING_RATE = 0.025
DEFAULT_MIN_LEARNING_RATE = 1e-4
#: gensim silently truncates sentences longer than this (``MAX_WORDS_IN_BATCH``).
MAX_WALK_LENGTH = 10_000
#: ``corpus="auto"`` trains from a corpus file when the walks hold at most this
#: many tokens per worker thread (then gensim's float32 loss sums stay precise too).
AUTO_FILE_MAX_TOKENS_PER_WORKER = 50_000
#: Training threads are capped so that each has at least this many walk tokens
#: per epoch (gensim's job size, ``MAX_WORDS_IN_BATCH``): more would idle.
MIN_TOKENS_PER_WORKER = 10_000
#: Rows are converted or written in chunks of about this many tokens.
_CHUNK_TOKENS = 1 << 18


@dataclass
class Word2VecResult:
    """What :func:`train_word2vec` returns.

    Attributes
    ----------
    vectors : ndarray of float32, shape (num_nodes, dimensions)
        Row ``i`` is the embedding of node index ``i``.
    loss_history : list of float
        Per epoch: gensim's skip-gram negative-sampling loss summed over the
        epoch's training pairs (nats; see the module notes).
    trained_words : list of int
        Per epoch: tokens actually trained (after down-sampling).
    corpus : str
        ``"iterable"`` or ``"file"``: how the walks were fed.
    loss_exact : bool
        False when gensim's float32 accumulator may have lost precision
        (large file-mode epochs).
    workers_used : int
        Training threads actually run: ``workers`` capped by the cores and
        by the corpus (:func:`cap_workers`).
    seconds : float
        Wall time of the training itself (vocabulary and corpus included).
    train_seconds : float
        Wall time of gensim's passes alone (no vocabulary, no corpus files).
    output_vectors : ndarray of float32, shape (num_nodes, dimensions)
        gensim's output weights (``syn1neg``), row ``i`` = node index ``i``:
        with ``vectors`` and ``counts``, what :func:`continue_word2vec` needs
        to go on training later.
    counts : ndarray of int64, shape (num_nodes,)
        Occurrences of each node in the walks trained (for
        :func:`continue_word2vec`: the stored counts plus the new walks'),
        the basis of the negative-sampling table (``counts ** 0.75``).
    """

    vectors: np.ndarray
    loss_history: list = field(default_factory=list)
    trained_words: list = field(default_factory=list)
    corpus: str = "iterable"
    loss_exact: bool = True
    workers_used: int = 1
    seconds: float = 0.0
    train_seconds: float = 0.0
    output_vectors: np.ndarray | None = None
    counts: np.ndarray | None = None

    def __repr__(self):
        n, d = self.vectors.shape
        losses = ", ".join(f"{x:.4g}" for x in self.loss_history[:3])
        more = ", ..." if len(self.loss_history) > 3 else ""
        return (
            f"Word2VecResult({n} nodes x {d} dims, {len(self.loss_history)} epochs, "
            f"corpus={self.corpus!r}, loss_history=[{losses}{more}])"
        )


def train_word2vec(
    walks: np.ndarray | Iterable[np.ndarray] | WalkFolder | str | os.PathLike[str],
    num_nodes: int | None = None,
    *,
    dimensions: int = 128,
    window: int = 10,
    negative: int = 5,
    epochs: int = 1,
    sample: float = 0.0,
    learning_rate: float | None = None,
    min_learning_rate: float | None = None,
    workers: int | None = None,
    seed: int | np.random.Generator | None = None,
    corpus: str = "auto",
    progress: bool = True,
    tmp_dir: str | os.PathLike[str] | None = None,
) -> Word2VecResult:
    """Train skip-gram with negative sampling (gensim) on walks of node indices.

    Parameters
    ----------
    walks : ndarray of int, shape (num_walks, walk_length), iterable of such arrays, or WalkFolder
        Node indices ``0..num_nodes-1``; ``-1`` (padding after a dead end) is
        skipped. A list of equally long walks is taken as one array. An
        iterable of row chunks is read once and spooled to a temporary file,
        so memory stays bounded by one chunk. A
        :class:`~n2v_lite.corpus.WalkFolder` (or the path of one) is trained
        from its files as they are: nothing is spooled, the vocabulary comes
        from its ``counts.npy``, and training again from it with the same
        ``seed`` (and ``workers=1``) gives the same vectors as the first time
        and as training on the same walks held in an array.
    num_nodes : int
        Vocabulary size; every node gets a vector, visited or not. Optional
        for a walk folder (it knows its nodes).
    dimensions : int
        Embedding size.
    window : int
        Maximum distance between centre and context in a walk.
    negative : int
        Noise nodes per (centre, context) pair (>= 1).
    epochs : int
        Passes over the walks.
    sample : float
        gensim's down-sampling threshold for frequent nodes (0 disables it).
    learning_rate, min_learning_rate : float, optional
        Start and end of gensim's linearly decaying step size
        (default 0.025 and 0.0001).
    workers : int, optional
        Training threads (default: the CPUs available); capped by the cores
        and to one thread per :data:`MIN_TOKENS_PER_WORKER` tokens
        (:func:`cap_workers`; the result's ``workers_used``). The thread count
        never changes which walks are trained: each once per epoch.
    seed : None, int or numpy.random.Generator
        Source of gensim's seed (initial vectors, negative draws, windows).
    corpus : {"auto", "iterable", "file"}
        How the walks reach gensim (see the module notes).
    progress : bool
        Show an epoch progress bar on stderr.
    tmp_dir : path, optional
        Where temporary corpus files go (default: the system temp folder).

    Returns
    -------
    Word2VecResult

    Examples
    --------
    >>> import numpy as np
    >>> walks = np.array([[0, 1, 2, 1], [1, 2, 0, 1], [2, 0, 1, 2]], dtype=np.int32)
    >>> result = train_word2vec(walks, 3, dimensions=8, window=2, epochs=5, seed=0,
    ...                         workers=1, progress=False)
    >>> result.vectors.shape
    (3, 8)
    >>> len(result.loss_history)
    5
    """
    return _train(
        walks,
        num_nodes,
        dict(
            dimensions=dimensions,
            window=window,
            negative=negative,
            epochs=epochs,
            sample=sample,
            learning_rate=learning_rate,
            min_learning_rate=min_learning_rate,
            workers=workers,
            corpus=corpus,
        ),
        seed,
        progress,
        tmp_dir,
    )


def continue_word2vec(
    walks: np.ndarray | Iterable[np.ndarray] | WalkFolder | str | os.PathLike[str],
    vectors: np.ndarray,
    output_vectors: np.ndarray,
    counts: np.ndarray,
    *,
    window: int = 10,
    negative: int = 5,
    epochs: int = 1,
    sample: float = 0.0,
    learning_rate: float | None = None,
    min_learning_rate: float | None = None,
    workers: int | None = None,
    seed: int | np.random.Generator | None = None,
    corpus: str = "auto",
    progress: bool = True,
    tmp_dir: str | os.PathLike[str] | None = None,
    copy: bool = True,
) -> Word2VecResult:
    """Go on training skip-gram from stored weights, on new walks.

    gensim's own way to continue (``build_vocab(update=True)`` then
    ``train``) with the state kept from an earlier run: the input vectors
    start at ``vectors``, the output weights (``syn1neg``) at
    ``output_vectors``, and -- as gensim's vocabulary update does -- the node
    counts behind the negative-sampling table are ``counts`` plus the new
    walks' own counts. Nodes new to the vocabulary are simply rows of these
    arrays (give them an initial vector and zero output weights, gensim's
    initialisation of ``syn1neg``). The corpus machinery is
    :func:`train_word2vec`'s (arrays, chunk streams, walk folders).

    Parameters
    ----------
    walks : ndarray of int, iterable of arrays, or WalkFolder
        The new walks, node indices ``0..len(vectors)-1``.
    vectors, output_vectors : array of float, shape (num_nodes, dimensions)
        The starting input and output weights (copied, never modified,
        unless ``copy=False``).
    counts : array of int, shape (num_nodes,)
        The node counts of the walks trained so far (0 for new nodes).
    window, negative, epochs, sample, learning_rate, min_learning_rate, workers, seed, \
corpus, progress, tmp_dir
        As in :func:`train_word2vec`; the step size decays from
        ``learning_rate`` over the new walks.
    copy : bool, default True
        False: train in place on ``vectors`` and ``output_vectors`` when
        they are C-contiguous float32 (they become the result's arrays),
        which saves two ``num_nodes x dimensions`` copies.

    Returns
    -------
    Word2VecResult
        With the updated ``vectors``, ``output_vectors`` and ``counts``.

    Examples
    --------
    >>> import numpy as np
    >>> walks = np.array([[0, 1, 2, 1], [1, 2, 0, 1], [2, 0, 1, 2]], dtype=np.int32)
    >>> first = train_word2vec(walks, 3, dimensions=8, window=2, seed=0, workers=1,
    ...                        progress=False)
    >>> more = continue_word2vec(walks[:1], first.vectors, first.output_vectors, first.counts,
    ...                          window=2, seed=0, workers=1, progress=False)
    >>> more.counts.tolist()                   # the first walks' counts plus the new walk's
    [4, 7, 5]
    >>> bool(np.allclose(more.vectors, first.vectors, atol=0.1))   # a small step on
    True
    """
    # gensim trains the arrays it is given: a copy keeps the caller's unchanged
    weights = np.array if copy else np.ascontiguousarray
    vectors = weights(vectors, dtype=np.float32)
    output_vectors = weights(output_vectors, dtype=np.float32)
    counts = np.asarray(counts)
    if vectors.ndim != 2 or output_vectors.shape != vectors.shape:
        raise ParameterError(
            f"vectors and output_vectors must be 2-d of one shape, got "
            f"{vectors.shape} and {output_vectors.shape}"
        )
    if (
        counts.shape != (len(vectors),)
        or counts.dtype.kind not in "iu"
        or (counts.size and counts.min() < 0)
    ):
        raise ParameterError(
            f"counts must be {len(vectors)} non-negative integers, got shape "
            f"{counts.shape} and dtype {counts.dtype}"
        )
    init = (vectors, output_vectors, counts.astype(np.int64))
    return _train(
        walks,
        len(vectors),
        dict(
            dimensions=vectors.shape[1],
            window=window,
            negative=negative,
            epochs=epochs,
            sample=sample,
            learning_rate=learning_rate,
            min_learning_rate=min_learning_rate,
            workers=workers,
            corpus=corpus,
        ),
        seed,
        progress,
        tmp_dir,
        init,
    )


def _train(walks, num_nodes, options, seed, progress, tmp_dir, init=None):
    """The body of :func:`train_word2vec` and :func:`continue_word2vec`."""
    corpus = options["corpus"]
    if isinstance(walks, (str, os.PathLike)):
        walks = read_walk_folder(walks)
    if isinstance(walks, WalkFolder):
        if num_nodes is not None and num_nodes != walks.num_nodes:
            raise ParameterError(
                f"num_nodes is {num_nodes!r} but the walk folder "
                f"{walks.folder} has {walks.num_nodes} nodes"
            )
        num_nodes = walks.num_nodes
    params = _check_params(num_nodes, **options)
    num_nodes = params["num_nodes"]
    rng = as_generator(seed)
    gensim_seed = int(rng.integers(2**31 - 1))
    start = time.perf_counter()
    if isinstance(walks, (list, tuple)) and walks and all(np.ndim(w) == 1 for w in walks):
        walks = np.asarray(walks)  # a list of walks rather than a list of chunks
    with scratch_errors(tmp_dir or tempfile.gettempdir()), contextlib.ExitStack() as stack:

        def scratch():
            return stack.enter_context(tempfile.TemporaryDirectory(prefix="n2v_lite-", dir=tmp_dir))

        if isinstance(walks, WalkFolder):
            source = _FolderSource(walks)
        elif isinstance(walks, np.ndarray):
            source = _ArraySource(walks, num_nodes)
        else:
            # a stream is spooled once; choose the spool format up front
            as_text = corpus == "file"
            source = _spool(walks, num_nodes, scratch(), as_text=as_text)
            stack.callback(source.close)
        if source.num_tokens == 0:
            raise ParameterError("the walks are empty")
        workers = cap_workers(params["workers"], source.num_tokens)
        if isinstance(source, _TextSource):
            mode = "file"
        elif isinstance(source, _ArraySource) and isinstance(source.walks, _WalkFile):
            mode = "iterable"
        else:
            mode = _choose_corpus(corpus, source.num_tokens / workers)
        worker_files = None
        if mode == "file":
            worker_files = _worker_files(
                source.text_files(scratch), source.num_tokens, workers, scratch
            )
            workers = len(worker_files)
        counts = np.asarray(source.counts, dtype=np.int64)
        if init is not None:  # as gensim's vocabulary update: stored counts plus the new walks'
            counts = counts + init[2]
        model = _build_model(source, mode, dict(params, workers=workers), gensim_seed, counts, init)
        model._n2v_worker_files = worker_files
        tally = _LossTally(model, params["epochs"], progress, source.num_tokens)
        stack.enter_context(_single_threaded_blas())
        try:
            train_start = time.perf_counter()
            corpus_args = (
                {"corpus_file": worker_files[0].path}
                if mode == "file"
                else {"corpus_iterable": source}
            )
            model.train(
                **corpus_args,
                total_examples=source.num_rows,
                total_words=source.num_tokens,
                epochs=params["epochs"],
                compute_loss=True,
                callbacks=[tally],
            )
            train_seconds = time.perf_counter() - train_start
        finally:
            tally.close()
        vectors, output_vectors = _vectors_by_index(model, num_nodes, mode)
    share = source.num_tokens / workers
    return Word2VecResult(
        vectors=vectors,
        loss_history=tally.losses,
        trained_words=tally.words,
        corpus=mode,
        loss_exact=(mode == "iterable" or share <= AUTO_FILE_MAX_TOKENS_PER_WORKER),
        workers_used=workers,
        seconds=time.perf_counter() - start,
        train_seconds=train_seconds,
        output_vectors=output_vectors,
        counts=counts,
    )


def cap_workers(workers: int, num_tokens: int) -> int:
    """Training threads actually used: ``workers`` capped by the cores and the corpus.

    More threads than cores only contend, and a thread with less than
    :data:`MIN_TOKENS_PER_WORKER` tokens per epoch (one gensim job) has
    nothing to do; neither changes what is trained (every walk is trained
    once per epoch whatever the thread count).

    Examples
    --------
    >>> cap_workers(1000, 54_000) <= 5
    True
    >>> cap_workers(8, 100)
    1
    """
    cap = min(default_workers(), num_tokens // MIN_TOKENS_PER_WORKER)
    return max(1, min(int(workers), cap))


# ---------------------------------------------------------------- parameters
def _check_params(
    num_nodes,
    dimensions,
    window,
    negative,
    epochs,
    sample,
    learning_rate,
    min_learning_rate,
    workers,
    corpus,
):
    out = {
        "num_nodes": check_int("num_nodes", num_nodes),
        "dimensions": check_int("dimensions", dimensions),
        "window": check_int("window", window),
        "negative": check_int("negative", negative),
        "epochs": check_int("epochs", epochs),
        "workers": default_workers() if workers is None else check_int("workers", workers),
    }
    sample = check_fraction("sample", sample)
    alpha = (
        DEFAULT_LEARNING_RATE
        if learning_rate is None
        else check_positive("learning_rate", learning_rate)
    )
    min_alpha = DEFAULT_MIN_LEARNING_RATE if min_learning_rate is None else min_learning_rate
    if not (
        isinstance(min_alpha, (int, float, np.integer, np.floating)) and 0 <= min_alpha <= alpha
    ):
        raise ParameterError(
            f"min_learning_rate must be in [0, learning_rate], got {min_learning_rate!r}"
        )
    if corpus not in ("auto", "iterable", "file"):
        raise ParameterError(f"corpus must be 'auto', 'iterable' or 'file', got {corpus!r}")
    out.update(sample=float(sample), alpha=float(alpha), min_alpha=float(min_alpha))
    return out


def _choose_corpus(corpus, tokens_per_worker):
    if corpus != "auto":
        return corpus
    return "file" if tokens_per_worker <= AUTO_FILE_MAX_TOKENS_PER_WORKER else "iterable"


# ------------------------------------------------------------------ corpora
class _Source:
    """Walks seen as gensim sentences: ``counts``, ``num_rows``, ``num_tokens``,
    ``chunks()`` of int rows and ``text_files(scratch)`` (LineSentence files of
    node-index tokens covering every row in order).

    Iterating yields one list of ``int`` tokens per walk, converting one
    chunk of rows at a time; padding (``-1``) is dropped.
    """

    def __iter__(self):
        for chunk in self.chunks():
            yield from _token_lists(chunk)

    def close(self):
        pass


class _ArraySource(_Source):
    """Walk rows in an array, or in a spooled :class:`_WalkFile`."""

    def __init__(self, walks, num_nodes, counts=None):
        if not isinstance(walks, _WalkFile):
            walks = np.asarray(walks)
        if walks.ndim != 2:
            raise ParameterError(
                f"walks must be a 2-d array (walks x steps), got shape {walks.shape}"
            )
        if walks.dtype.kind not in "iu":
            raise ParameterError(f"walks must hold integer node indices, got dtype {walks.dtype}")
        if walks.shape[1] > MAX_WALK_LENGTH:
            raise ParameterError(
                f"walks longer than {MAX_WALK_LENGTH} steps are truncated by gensim; "
                f"got {walks.shape[1]}"
            )
        self.walks = walks
        self.num_nodes = num_nodes
        self.chunk_rows = max(1, _CHUNK_TOKENS // max(1, walks.shape[1]))
        if counts is None:
            counts = np.zeros(num_nodes, dtype=np.int64)
            for chunk in self.chunks():
                _add_counts(counts, chunk, num_nodes)
        self.counts = counts
        self.num_rows = int(walks.shape[0])
        self.num_tokens = int(counts.sum())

    def chunks(self):
        for begin in range(0, self.walks.shape[0], self.chunk_rows):
            yield np.asarray(self.walks[begin : begin + self.chunk_rows])

    def text_files(self, scratch):
        path = os.path.join(scratch(), "walks.txt")
        with open(path, "wb") as handle:
            encoder = TextEncoder(self.num_nodes)
            for chunk in self.chunks():
                handle.write(encoder.encode(chunk))
        return [path]

    def close(self):
        self.walks = None


class _TextSource(_Source):
    """A walk stream already spooled as one LineSentence file."""

    def __init__(self, path, counts, num_rows):
        self.text_path = path
        self.counts = counts
        self.num_rows = num_rows
        self.num_tokens = int(counts.sum())

    def text_files(self, scratch):
        return [self.text_path]


class _FolderSource(_Source):
    """A :class:`~n2v_lite.corpus.WalkFolder`: its partition files are the corpus files."""

    def __init__(self, folder):
        if folder.walk_length > MAX_WALK_LENGTH:
            raise ParameterError(
                f"walks longer than {MAX_WALK_LENGTH} steps are truncated by gensim; "
                f"{folder.folder} has walk_length {folder.walk_length}"
            )
        self.folder = folder
        self.counts = folder.counts
        self.num_rows = folder.rows
        self.num_tokens = folder.tokens

    def chunks(self):
        return self.folder.chunks()

    def text_files(self, scratch):
        return self.folder.paths  # read in blocks wherever they are (paths or URIs)


class _WorkerFile:
    """One training thread's corpus file and the filler lines written into it."""

    __slots__ = ("path", "tokens", "filler_lines", "filler_tokens")

    def __init__(self, path):
        self.path = path
        self.tokens = self.filler_lines = self.filler_tokens = 0


def _worker_files(paths, num_tokens, workers, scratch):
    """Copy the LineSentence files ``paths`` into one file per training thread.

    gensim's ``corpus_file`` mode drops walks in two ways, both fixed here:

    * it starts thread ``k`` at byte ``k * size / workers`` (mid-line) and
      lets it read whole jobs past its share, so walks were trained twice or
      skipped (``--workers 1000`` trained 9,065,942 words of a 54k-token
      corpus). Here thread ``k`` reads its own file, cut at line ends with
      about ``num_tokens / workers`` tokens, to its end.
    * its reader closes a job *after* the line that takes it past 10,000
      words and keeps that line in the job, while the trainer stops at
      10,000 words: the end of that line is never trained (about 0.4% of
      the tokens of 80-node walks). Here a line of out-of-vocabulary filler
      tokens (``"."``) is written wherever a walk would cross that limit, so
      every job ends with the filler, which nothing trains.

    Returns the :class:`_WorkerFile` of each non-empty file, in row order.
    """
    folder = scratch()
    bounds = [num_tokens * (k + 1) // workers for k in range(workers)]
    out = []
    handle = None
    batch = done = 0
    k = 0
    try:
        for path in paths:
            for block in line_blocks(path, 16 << 20):
                if not block.endswith(b"\n"):
                    raise WalkFolderError(f"{path}: the last line has no end")
                buf = np.frombuffer(block, dtype=np.uint8)
                ends = np.flatnonzero(buf == 10) + 1
                # spaces before each line end (a cumsum over the bytes would take 8 a byte)
                spaces = np.searchsorted(np.flatnonzero(buf == 32), ends)
                cum = np.diff(spaces, prepend=0) + 1  # tokens per line ...
                cum = np.cumsum(cum)  # ... summed up to each line
                i, base = 0, 0
                while i < len(ends):
                    while k < workers - 1 and done >= bounds[k]:  # share done: next thread
                        k += 1
                        if handle is not None:
                            handle.close()
                            handle, batch = None, 0
                    if handle is None:
                        out.append(_WorkerFile(os.path.join(folder, f"worker-{k:03d}.txt")))
                        handle = open(out[-1].path, "wb")
                    fit = int(np.searchsorted(cum, base + _JOB_WORDS - batch, side="right"))
                    share = (
                        len(ends)
                        if k == workers - 1
                        else int(np.searchsorted(cum, base + bounds[k] - done, side="left")) + 1
                    )
                    take = min(fit, share, len(ends)) - i
                    if take > 0:
                        first = int(ends[i - 1]) if i else 0
                        handle.write(block[first : int(ends[i + take - 1])])
                        tokens = int(cum[i + take - 1]) - base
                        out[-1].tokens += tokens
                        batch += tokens
                        done += tokens
                        base += tokens
                        i += take
                    elif i < len(ends):  # the next walk would cross gensim's job limit
                        filler = _JOB_WORDS + 1 - batch
                        handle.write(b". " * (filler - 1) + b".\n")
                        out[-1].filler_lines += 1
                        out[-1].filler_tokens += filler
                        batch = 0
    finally:
        if handle is not None:
            handle.close()
    return out


def _add_counts(counts, chunk, num_nodes):
    counts += check_rows(chunk, num_nodes)[1]


def _token_lists(chunk):
    rows = chunk.tolist()
    if chunk.size and chunk.min() < 0:
        return [[t for t in row if t >= 0] for row in rows]
    return rows


def _spool(chunks, num_nodes, folder, *, as_text):
    """Read a chunk stream once into a temporary file, counting node occurrences."""
    counts = np.zeros(num_nodes, dtype=np.int64)
    num_rows = 0
    width = None
    path = os.path.join(folder, "walks.txt" if as_text else "walks.int32")
    encoder = TextEncoder(num_nodes) if as_text else None
    with open(path, "wb") as handle:
        for chunk in chunks:
            chunk = np.asarray(chunk)
            if chunk.ndim != 2:
                raise ParameterError(f"each walk chunk must be 2-d, got shape {chunk.shape}")
            if width is None:
                width = chunk.shape[1]
                if width > MAX_WALK_LENGTH:
                    raise ParameterError(
                        f"walks longer than {MAX_WALK_LENGTH} steps are truncated "
                        f"by gensim; got {width}"
                    )
            elif chunk.shape[1] != width:
                raise ParameterError(
                    f"walk chunks have different lengths ({width} and {chunk.shape[1]})"
                )
            _add_counts(counts, chunk, num_nodes)
            num_rows += chunk.shape[0]
            if as_text:
                handle.write(encoder.encode(chunk))
            else:
                handle.write(np.ascontiguousarray(chunk, dtype=np.int32).tobytes())
    if as_text:
        return _TextSource(path, counts, num_rows)
    if num_rows == 0:
        return _ArraySource(np.zeros((0, 1), dtype=np.int32), num_nodes, counts)
    return _ArraySource(_WalkFile(path, num_rows, width), num_nodes, counts)


class _WalkFile:
    """Rows of a spooled ``int32`` walk file, read by slices with plain file reads.

    Not a memory map: mapped pages would count in the process RSS as they are
    read, ordinary reads leave them to the page cache.
    """

    dtype = np.dtype(np.int32)
    ndim = 2

    def __init__(self, path, rows, width):
        self.path = path
        self.shape = (rows, width)

    def __getitem__(self, rows):
        start, stop, _ = rows.indices(self.shape[0])
        width = self.shape[1]
        count = max(0, stop - start) * width
        data = np.fromfile(
            self.path, dtype=self.dtype, count=count, offset=start * width * self.dtype.itemsize
        )
        return data.reshape(-1, width)


# ------------------------------------------------------------------- gensim
def _build_model(source, mode, params, seed, counts, init=None):
    """gensim's model with every node in the vocabulary (``counts`` per node index),
    started from ``init`` = (input vectors, output weights) when given."""
    model = _word2vec_class()(
        vector_size=params["dimensions"],
        window=params["window"],
        sg=1,
        hs=0,
        negative=params["negative"],
        sample=params["sample"],
        alpha=params["alpha"],
        min_alpha=params["min_alpha"],
        min_count=1,
        sorted_vocab=0,
        seed=seed,
        workers=params["workers"],
        epochs=params["epochs"],
    )
    counts = np.maximum(counts, 1)  # never-visited nodes still get a vector
    # Iterable mode keys the vocabulary by the int index itself; the file reader needs text.
    n = params["num_nodes"]
    keys = list(range(n)) if mode == "iterable" else [str(i) for i in range(n)]
    # the vocabulary is in node order: row i is node i, and gensim adopts the
    # starting weights instead of drawing (then overwriting) its own
    _build_vocab(model, keys, counts, source.num_rows, None if init is None else init[0])
    if init is not None:
        model.syn1neg = init[1]
    return model


def _build_vocab(model, keys, counts, corpus_count, vectors=None):
    """gensim's ``build_vocab_from_freq`` for our settings, vectorised.

    gensim prepares the vocabulary with Python loops over every word
    (``set_vecattr`` twice per word, two passes for the negative-sampling
    table): 45 s of a 1M-node run on these cores. This builds the same
    state -- keys in node order (``sorted_vocab=0``, ``min_count=1``, no
    ``hs``), the ``count`` and ``sample_int`` attributes, ``cum_table`` --
    with numpy, and gensim then allocates the weights as usual. A test
    checks every array against gensim's own.
    """
    counts = np.asarray(counts, dtype=np.int64)
    wv = model.wv
    model.corpus_count = int(corpus_count)
    model.raw_vocab = {}
    model.effective_min_count = model.min_count
    wv.index_to_key = keys
    wv.key_to_index = dict(zip(keys, range(len(keys))))
    wv.expandos = {"count": counts.copy()}
    total = int(counts.sum())
    # prepare_vocab's down-sampling probabilities (sample < 1 here)
    threshold = model.sample * total if model.sample else total
    values = counts.astype(np.float64)
    keep = (np.sqrt(values / threshold) + 1) * (threshold / values)
    keep = np.where(keep < 1.0, keep, 1.0)
    wv.expandos["sample_int"] = (keep * (2**32 - 1)).astype(np.uint32)
    # make_cum_table: the running sums are sequential in both (np.cumsum does not pair)
    domain = 2**31 - 1
    cumulative = np.cumsum(values ** float(model.ns_exponent))
    model.cum_table = np.rint(cumulative / cumulative[-1] * domain).astype(np.uint32)
    if vectors is not None:  # KeyedVectors.resize_vectors keeps an array of the right shape
        wv.vectors = vectors
    model.prepare_weights(update=False)


def _vectors_by_index(model, num_nodes, mode):
    """Input and output weights, row ``i`` = node index ``i``: gensim's own arrays,
    not copies (the model is dropped right after, so a copy would only add
    ``n x d x 4`` bytes to the peak)."""
    wv = model.wv
    keys = range(num_nodes) if mode == "iterable" else map(str, range(num_nodes))
    order = np.fromiter((wv.key_to_index[k] for k in keys), dtype=np.int64, count=num_nodes)
    arrays = [wv.vectors, model.syn1neg]
    if not np.array_equal(order, np.arange(num_nodes)):
        arrays = [array[order] for array in arrays]
    return tuple(np.ascontiguousarray(array, dtype=np.float32) for array in arrays)


_WORD2VEC_CLASS = None
# gensim's corpus-file loop stops a thread once it read ``total_words / workers``
# words; with one file per thread it must read its file to the end instead.
_NO_WORD_LIMIT = 2**62
#: Words per gensim job (``MAX_WORDS_IN_BATCH``); its trainers stop a job there.
_JOB_WORDS = 10_000


def _word2vec_class():
    """gensim's Word2Vec with race-free, per-batch loss accumulation (built on first use)."""
    global _WORD2VEC_CLASS
    if _WORD2VEC_CLASS is not None:
        return _WORD2VEC_CLASS
    from gensim.models import Word2Vec
    from gensim.models.word2vec_corpusfile import train_epoch_sg
    from gensim.models.word2vec_inner import train_batch_sg

    class _Word2Vec(Word2Vec):
        # gensim passes the model itself to its Cython trainers, which read the
        # running loss at the start of a batch and write it back at the end.
        # Handing each call a private view instead keeps concurrent batches from
        # overwriting each other's sums and keeps each float32 sum small.
        def _do_train_job(self, sentences, alpha, inits):
            work, _ = inits
            view = _BatchView(self)
            tally = train_batch_sg(view, sentences, alpha, work, self.compute_loss)
            raw = self._raw_word_count(sentences)
            self._n2v_tally.add(view.running_training_loss, tally, raw)
            return tally, raw

        def _do_train_epoch(
            self,
            corpus_file,
            thread_id,
            offset,
            cython_vocab,
            thread_private_mem,
            cur_epoch,
            total_examples=None,
            total_words=None,
            **kwargs,
        ):
            work, neu1 = thread_private_mem
            view = _BatchView(self)
            files = self._n2v_worker_files
            if files:
                # this thread's own file, read to its end (see _worker_files); the
                # learning rate decays by examples, filler lines included
                mine = files[thread_id]
                corpus_file, offset, total_words = mine.path, 0, _NO_WORD_LIMIT
                total_examples += sum(f.filler_lines for f in files)
            examples, tally, raw_tally = train_epoch_sg(
                view,
                corpus_file,
                offset,
                cython_vocab,
                cur_epoch,
                total_examples,
                total_words,
                work,
                neu1,
                self.compute_loss,
            )
            if files:
                examples -= mine.filler_lines
                raw_tally -= mine.filler_tokens
            self._n2v_tally.add(view.running_training_loss, tally, raw_tally)
            return examples, tally, raw_tally

    _WORD2VEC_CLASS = _Word2Vec
    return _Word2Vec


class _BatchView:
    """Stands in for the model in one Cython training call, with its own loss sum.

    ``wv`` is copied in because gensim reads ``model.wv`` once per token.
    """

    __slots__ = ("_model", "wv", "running_training_loss")

    def __init__(self, model):
        self._model = model
        self.wv = model.wv
        self.running_training_loss = 0.0

    def __getattr__(self, name):
        return getattr(self._model, name)


class _LossTally:
    """gensim callback: per-epoch loss sums and trained words, plus the progress bar.

    The bar counts walk tokens over all epochs, so it shows tokens per second and
    an ETA (iterable corpora advance it per job; corpus files per thread and epoch).
    """

    def __init__(self, model, epochs, progress, total_tokens=None):
        self._lock = threading.Lock()
        self._loss = 0.0
        self._words = 0
        self._epochs = epochs
        self.losses = []
        self.words = []
        self._bar = progress_bar(
            total=epochs * total_tokens if total_tokens else None,
            desc="word2vec",
            unit="token",
            unit_scale=True,
            enabled=progress,
        )
        model._n2v_tally = self

    def add(self, loss, words, raw_words=None):
        with self._lock:
            self._loss += float(loss)
            self._words += int(words)
        self._bar.update(int(raw_words if raw_words is not None else words))

    # the CallbackAny2Vec protocol (duck-typed: no gensim import needed here)
    def on_train_begin(self, model):
        pass

    def on_epoch_begin(self, model):
        with self._lock:
            self._loss, self._words = 0.0, 0

    def on_epoch_end(self, model):
        with self._lock:
            self.losses.append(self._loss)
            self.words.append(self._words)
        self._bar.set_postfix(
            epoch=f"{len(self.losses)}/{self._epochs}",
            loss_per_word=f"{self._loss / max(self._words, 1):.4f}",
        )

    def on_train_end(self, model):
        pass

    def close(self):
        self._bar.close()


@contextlib.contextmanager
def _single_threaded_blas():
    """Pin BLAS/OpenMP pools to one thread while gensim's workers run."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1):
        yield
