"""The gensim trainer: walks of node indices in, vectors by node index and per-epoch loss out."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from n2v_lite._walktext import TextEncoder
from n2v_lite.corpus import write_walk_folder
from n2v_lite.graph import Graph
from n2v_lite.walks import random_walks
from n2v_lite.word2vec import (
    MAX_WALK_LENGTH,
    MIN_TOKENS_PER_WORKER,
    Word2VecResult,
    _ArraySource,
    _build_vocab,
    _worker_files,
    cap_workers,
    train_word2vec,
)

FAST = dict(dimensions=16, window=3, negative=3, progress=False)


def two_cliques_walks(size=6, rows_per_node=30, length=20, seed=0):
    """Uniform walks on two disjoint cliques: nodes 0..size-1 and size..2*size-1."""
    rng = np.random.default_rng(seed)
    n = 2 * size
    starts = np.repeat(np.arange(n), rows_per_node)
    side = starts // size
    walks = side[:, None] * size + rng.integers(0, size, (len(starts), length))
    walks[:, 0] = starts
    return walks.astype(np.int32), n


def cosine(v):
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    return v @ v.T


@pytest.mark.parametrize("corpus", ["iterable", "file"])
def test_vectors_are_aligned_with_node_index(corpus):
    walks, n = two_cliques_walks()
    result = train_word2vec(walks, n, epochs=5, seed=1, workers=1, corpus=corpus, **FAST)
    assert isinstance(result, Word2VecResult)
    assert result.vectors.shape == (n, 16) and result.vectors.dtype == np.float32
    assert result.corpus == corpus
    sim = cosine(result.vectors)
    same = np.equal.outer(np.arange(n) // 6, np.arange(n) // 6)
    off_diagonal = ~np.eye(n, dtype=bool)
    # walks never cross between cliques: a misaligned row order would mix them up
    assert sim[same & off_diagonal].mean() > sim[~same].mean() + 0.3
    for i in range(n):
        nearest = np.argsort(-sim[i])[1:5]
        assert np.all(nearest // 6 == i // 6)


def test_every_node_gets_a_vector_even_unvisited():
    walks, n = two_cliques_walks()
    result = train_word2vec(walks, n + 3, epochs=1, seed=1, workers=1, **FAST)
    assert result.vectors.shape == (n + 3, 16)
    assert np.all(np.isfinite(result.vectors))
    assert np.all(np.linalg.norm(result.vectors[n:], axis=1) > 0)


def test_padding_is_skipped_and_trained_words_are_exact():
    walks, n = two_cliques_walks()
    walks = walks.copy()
    walks[::3, 12:] = -1  # dead ends in a third of the rows
    result = train_word2vec(
        walks, n, epochs=2, seed=1, workers=1, sample=0.0, corpus="iterable", **FAST
    )
    assert result.trained_words == [int((walks >= 0).sum())] * 2


def test_loss_per_epoch_is_positive_and_falls_on_structured_walks():
    walks, n = two_cliques_walks()
    result = train_word2vec(walks, n, epochs=6, seed=3, workers=1, **FAST)
    assert len(result.loss_history) == 6
    assert all(x > 0 for x in result.loss_history)
    assert result.loss_history[-1] < result.loss_history[0]
    # the first epoch starts from random vectors: about log(2) per term
    terms = result.trained_words[0] * 2 * 3 * (1 + 3)  # upper bound on pair terms
    assert result.loss_history[0] < terms * np.log(2) * 1.5


def test_training_and_loss_match_plain_gensim():
    """The race-free loss bookkeeping must not change what gensim computes."""
    from gensim.models import Word2Vec

    walks, n = two_cliques_walks(rows_per_node=10)
    ours = train_word2vec(walks, n, epochs=1, seed=5, workers=1, corpus="iterable", **FAST)
    source = _ArraySource(walks, n)
    seed = int(np.random.default_rng(5).integers(2**31 - 1))  # as train_word2vec draws it
    plain = Word2Vec(
        vector_size=16,
        window=3,
        sg=1,
        hs=0,
        negative=3,
        sample=0.0,
        min_count=1,
        sorted_vocab=0,
        seed=seed,
        workers=1,
        epochs=1,
    )
    plain.build_vocab_from_freq(
        dict(zip(range(n), source.counts.tolist())), corpus_count=source.num_rows
    )
    plain.train(
        source,
        total_examples=source.num_rows,
        total_words=source.num_tokens,
        epochs=1,
        compute_loss=True,
    )
    np.testing.assert_array_equal(ours.vectors, plain.wv.vectors)
    assert ours.loss_history[0] == pytest.approx(plain.get_latest_training_loss(), rel=1e-3)


def test_loss_does_not_depend_on_worker_count():
    walks, n = two_cliques_walks(rows_per_node=60, length=40)
    one = train_word2vec(walks, n, epochs=2, seed=2, workers=1, corpus="iterable", **FAST)
    two = train_word2vec(walks, n, epochs=2, seed=2, workers=2, corpus="iterable", **FAST)
    assert two.trained_words == one.trained_words
    # racing workers used to overwrite each other's sums (far more than 3% lost)
    np.testing.assert_allclose(two.loss_history, one.loss_history, rtol=0.03)


@pytest.mark.parametrize("corpus", ["iterable", "file"])
def test_same_seed_one_worker_gives_identical_vectors(corpus):
    walks, n = two_cliques_walks()
    a = train_word2vec(walks, n, epochs=2, seed=11, workers=1, corpus=corpus, **FAST)
    b = train_word2vec(walks, n, epochs=2, seed=11, workers=1, corpus=corpus, **FAST)
    c = train_word2vec(walks, n, epochs=2, seed=12, workers=1, corpus=corpus, **FAST)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.loss_history == b.loss_history
    assert not np.allclose(a.vectors, c.vectors)


@pytest.mark.parametrize("corpus", ["iterable", "file"])
def test_chunk_stream_trains_like_the_whole_array(corpus):
    walks, n = two_cliques_walks()
    whole = train_word2vec(walks, n, epochs=2, seed=4, workers=1, corpus=corpus, **FAST)
    stream = (walks[i : i + 17] for i in range(0, len(walks), 17))
    streamed = train_word2vec(stream, n, epochs=2, seed=4, workers=1, corpus=corpus, **FAST)
    np.testing.assert_array_equal(streamed.vectors, whole.vectors)
    assert streamed.trained_words == whole.trained_words


def test_a_list_of_walks_is_one_array():
    walks, n = two_cliques_walks(rows_per_node=3)
    as_list = train_word2vec(walks.tolist(), n, epochs=1, seed=4, workers=1, **FAST)
    as_array = train_word2vec(walks, n, epochs=1, seed=4, workers=1, **FAST)
    np.testing.assert_array_equal(as_list.vectors, as_array.vectors)


@pytest.mark.slow
def test_vectors_do_not_depend_on_pythonhashseed():
    code = textwrap.dedent("""
        import hashlib, numpy as np
        from n2v_lite.word2vec import train_word2vec
        rng = np.random.default_rng(0)
        walks = rng.integers(0, 30, (200, 15)).astype(np.int32)
        for corpus in ("iterable", "file"):
            r = train_word2vec(walks, 30, dimensions=8, window=3, epochs=1, seed=7, workers=1,
                               corpus=corpus, progress=False)
            print(hashlib.sha256(r.vectors.tobytes()).hexdigest())
    """)
    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs.append(done.stdout.split())
    assert len(outputs[0]) == 2
    assert outputs[0] == outputs[1]


def test_auto_corpus_picks_the_file_only_for_small_corpora(monkeypatch):
    import n2v_lite.word2vec as w2v

    monkeypatch.setattr(w2v, "MIN_TOKENS_PER_WORKER", 1)  # keep the threads asked for
    monkeypatch.setattr(w2v, "default_workers", lambda: 8)
    walks, n = two_cliques_walks()  # 7200 tokens
    small = train_word2vec(walks, n, seed=0, workers=2, **FAST)
    assert small.corpus == "file" and small.loss_exact
    monkeypatch.setattr(w2v, "AUTO_FILE_MAX_TOKENS_PER_WORKER", 3000)
    assert train_word2vec(walks, n, seed=0, workers=2, **FAST).corpus == "iterable"
    assert train_word2vec(walks, n, seed=0, workers=3, **FAST).corpus == "file"
    forced = train_word2vec(walks, n, seed=0, workers=1, corpus="file", **FAST)
    assert forced.corpus == "file" and not forced.loss_exact
    streamed = train_word2vec(iter([walks]), n, seed=0, workers=3, **FAST)
    assert streamed.corpus == "iterable"


def test_text_encoder_matches_join_and_drops_padding():
    enc = TextEncoder(13)
    chunk = np.array([[0, 12, 3], [5, -1, -1], [11, 10, -1]])
    assert enc.encode(chunk) == b"0 12 3\n5\n11 10\n"
    rng = np.random.default_rng(0)
    big = rng.integers(0, 12345, (50, 9))
    expected = "".join(" ".join(map(str, row)) + "\n" for row in big.tolist()).encode()
    assert TextEncoder(12345).encode(big) == expected


@pytest.mark.parametrize(
    "walks, message",
    [
        (np.zeros((2, 3, 4), dtype=np.int32), "2-d"),
        (np.zeros((2, 3), dtype=np.float64), "integer"),
        (np.array([[0, 1, 9]]), "outside 0..4"),
        (np.array([[0, -2, 1]]), "-2"),
        (np.zeros((1, MAX_WALK_LENGTH + 1), dtype=np.int32), "truncated"),
    ],
)
def test_bad_walks_are_rejected(walks, message):
    with pytest.raises(ValueError, match=message):
        train_word2vec(walks, 5, **FAST)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"dimensions": 0}, "dimensions"),
        ({"negative": 0}, "negative"),
        ({"epochs": 1.5}, "epochs"),
        ({"sample": 1.0}, "sample"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"corpus": "disk"}, "corpus"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_parameters_are_rejected(kwargs, message):
    walks, n = two_cliques_walks(rows_per_node=1)
    params = dict(FAST, **kwargs)
    with pytest.raises(ValueError, match=message):
        train_word2vec(walks, n, **params)


def test_result_repr_is_readable():
    walks, n = two_cliques_walks(rows_per_node=2)
    text = repr(train_word2vec(walks, n, epochs=2, seed=0, workers=1, **FAST))
    assert text.startswith("Word2VecResult(12 nodes x 16 dims, 2 epochs")


# ------------------------------------------------------------ worker caps
def ring_walks(rows=5400, length=10, n=600, seed=0):
    """54,000 tokens: the size of the hardening issue's corpus (``--workers 1000``)."""
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n, rows)
    return ((starts[:, None] + np.arange(length)) % n).astype(np.int32), n


@pytest.mark.parametrize("corpus", ["iterable", "file"])
def test_a_thousand_workers_are_capped_and_train_each_walk_once(corpus):
    walks, n = ring_walks()
    result = train_word2vec(walks, n, epochs=2, seed=0, workers=1000, corpus=corpus, **FAST)
    # gensim's byte-offset split trained 9,065,942 words per epoch here
    assert result.trained_words == [walks.size] * 2
    assert result.workers_used == cap_workers(1000, walks.size)
    assert 1 <= result.workers_used <= min(os.cpu_count(), walks.size // MIN_TOKENS_PER_WORKER)


@pytest.mark.parametrize("corpus", ["iterable", "file"])
@pytest.mark.parametrize("workers", [1, 2, 3, 8, 16, 64])
def test_every_thread_count_trains_each_walk_once_per_epoch(monkeypatch, corpus, workers):
    """Threads really run (no cap): only the split decides what is trained."""
    import n2v_lite.word2vec as w2v

    monkeypatch.setattr(w2v, "MIN_TOKENS_PER_WORKER", 1)
    monkeypatch.setattr(w2v, "default_workers", lambda: 1000)
    walks, n = ring_walks(rows=2000, length=13)
    walks[::7, 5:] = -1  # dead ends: lines of different lengths
    tokens = int((walks >= 0).sum())
    result = train_word2vec(walks, n, epochs=3, seed=0, workers=workers, corpus=corpus, **FAST)
    assert result.workers_used == workers
    assert result.trained_words == [tokens] * 3


@pytest.mark.parametrize("workers", [1, 2, 3, 7, 60, 200])
def test_worker_files_hold_every_line_once_in_jobs_gensim_trains_whole(tmp_path, workers):
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 400, 300)
    lines = [" ".join(map(str, rng.integers(0, 10**6, k))) + "\n" for k in lengths]
    paths = []
    for k, (a, b) in enumerate([(0, 120), (120, 121), (121, 300)]):
        paths.append(str(tmp_path / f"p{k}.txt"))
        with open(paths[-1], "w") as handle:
            handle.write("".join(lines[a:b]))
    tokens = int(lengths.sum())
    files = _worker_files(paths, tokens, workers, lambda: str(tmp_path))
    assert 1 <= len(files) <= min(workers, 300)
    kept = []
    for f in files:
        text = open(f.path).read().splitlines(keepends=True)
        real = [line for line in text if not line.startswith(".")]
        kept += real
        assert f.tokens == sum(len(line.split()) for line in real)
        assert f.filler_lines == len(text) - len(real)
        # replay gensim's reader: a job closes after the line that passes 10,000 words,
        # and its trainer stops at 10,000 in-vocabulary words
        job = trained = 0
        for line in text:
            words = len(line.split())
            if not line.startswith("."):
                assert trained + words <= 10_000
                trained += words
            job += words
            if job > 10_000:
                job = trained = 0
    assert kept == lines
    shares = [f.tokens for f in files]
    if workers <= 7:  # balanced to within a walk
        assert max(shares) - min(shares) <= 2 * lengths.max()


# ------------------------------------------------------------ walk folders
def folder_and_walks(tmp_path, rows_per_partition=None):
    rng = np.random.default_rng(1)
    g = Graph.from_edges(rng.integers(0, 30, 150), rng.integers(0, 40, 150), directed=True)
    folder = write_walk_folder(
        g,
        tmp_path / "walks",
        6,
        12,
        p=0.5,
        q=2.0,
        seed=9,
        rows_per_partition=rows_per_partition,
        progress=False,
    )
    return folder, random_walks(g, 6, 12, p=0.5, q=2.0, seed=9)


@pytest.mark.parametrize("corpus", ["iterable", "file"])
@pytest.mark.parametrize("rows_per_partition", [None, 50])
def test_training_from_a_walk_folder_restarts_identically(tmp_path, corpus, rows_per_partition):
    folder, walks = folder_and_walks(tmp_path, rows_per_partition)
    assert (walks == -1).any()
    kwargs = dict(epochs=2, seed=3, workers=1, corpus=corpus, **FAST)
    first = train_word2vec(folder, **kwargs)
    again = train_word2vec(str(folder.folder), **kwargs)  # a rerun, from the path
    from_array = train_word2vec(walks, folder.num_nodes, **kwargs)
    assert first.corpus == corpus
    np.testing.assert_array_equal(first.vectors, again.vectors)
    np.testing.assert_array_equal(first.vectors, from_array.vectors)
    assert first.trained_words == from_array.trained_words == [folder.tokens] * 2
    assert first.loss_history == from_array.loss_history


def test_a_walk_folder_with_the_wrong_num_nodes_is_refused(tmp_path):
    folder, _ = folder_and_walks(tmp_path)
    with pytest.raises(ValueError, match="num_nodes is 7 but the walk folder"):
        train_word2vec(folder, 7, **FAST)


@pytest.mark.parametrize("sample", [0.0, 1e-3, 0.2])
@pytest.mark.parametrize("str_keys", [False, True])
def test_vectorised_vocabulary_equals_gensims(sample, str_keys):
    from gensim.models import Word2Vec

    rng = np.random.default_rng(3)
    counts = np.maximum(1, (rng.pareto(1.2, 5000) * 20).astype(np.int64))
    keys = [str(i) for i in range(5000)] if str_keys else list(range(5000))
    settings = dict(
        vector_size=8,
        sg=1,
        hs=0,
        negative=5,
        sample=sample,
        min_count=1,
        sorted_vocab=0,
        seed=4,
        workers=1,
    )
    ref = Word2Vec(**settings)
    ref.build_vocab_from_freq(dict(zip(keys, counts.tolist())), corpus_count=77)
    ours = Word2Vec(**settings)
    _build_vocab(ours, keys, counts, 77)
    assert ours.wv.index_to_key == ref.wv.index_to_key
    assert ours.wv.key_to_index == ref.wv.key_to_index
    assert ours.corpus_count == ref.corpus_count == 77
    for attr in ("count", "sample_int"):
        assert ours.wv.expandos[attr].dtype == ref.wv.expandos[attr].dtype
        np.testing.assert_array_equal(ours.wv.expandos[attr], ref.wv.expandos[attr])
    np.testing.assert_array_equal(ours.cum_table, ref.cum_table)
    np.testing.assert_array_equal(ours.wv.vectors, ref.wv.vectors)
    np.testing.assert_array_equal(ours.syn1neg, ref.syn1neg)
