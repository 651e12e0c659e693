"""The Node2Vec estimator and the fitted model: lookups, results, save/load, exports."""

import copy
import json
import os
import zipfile

import numpy as np
import pytest

import n2v_lite
from n2v_lite import (AmbiguousQueryError, Graph, ModelFileError, Node2Vec, NodeNotFoundError,
                      NotFittedError, load)
from n2v_lite.model import (MOVIELENS_DEFAULTS, MOVIELENS_QUERIES, SimilarityResult,
                            fit_movielens)

TITLES = ["Matrix, The (1999)", "Matrix Reloaded, The (2003)", "Matrix Revolutions, The (2003)",
          "Godfather, The (1972)", "Godfather: Part II, The (1974)", "Toy Story (1995)",
          "Toy Story 2 (1999)", "Heat (1995)", "Alien (1979)", "Aliens (1986)"]
IDS = [2571, 6365, 6934, 858, 1221, 1, 3114, 6, 1214, 1200]
SMALL = dict(dimensions=8, walk_length=12, num_walks=8, window=3, epochs=3, workers=1,
             random_state=0, progress=False)


def two_communities(node_ids=IDS, titles=TITLES):
    """Two 5-cliques joined by one edge: ids 0-4 of the list vs 5-9."""
    src, dst = [], []
    for block in (range(0, 5), range(5, 10)):
        for i in block:
            for j in block:
                if i < j:
                    src.append(i)
                    dst.append(j)
    src.append(4)
    dst.append(5)
    data = None if titles is None else {"title": np.array(titles, dtype=object),
                                        "genres": np.array(["Action"] * 10, dtype=object)}
    return Graph.from_edges(src, dst, node_ids=np.array(node_ids), node_data=data)


@pytest.fixture(scope="module")
def model():
    return Node2Vec(**SMALL).fit(two_communities())


# ------------------------------------------------------------------ estimator
def test_init_stores_parameters_unchanged_and_fit_validates():
    est = Node2Vec(p="abc", dimensions=0, backend="keras")
    assert (est.p, est.dimensions, est.backend) == ("abc", 0, "keras")
    with pytest.raises(ValueError, match="dimensions"):
        est.fit(two_communities())


@pytest.mark.parametrize("params, message", [
    ({"p": 0}, "p must be a positive finite number"),
    ({"q": -1.0}, "q must be a positive finite number"),
    ({"dimensions": 0}, "dimensions must be an integer >= 1"),
    ({"walk_length": 2.5}, "walk_length"),
    ({"backend": "keras"}, "backend must be one of 'gensim', 'tutorial'"),
    ({"sample": -0.1}, "sample"),
    ({"workers": 0}, "workers"),
    ({"walk_length": 20_000}, "10000"),
    ({"negative": 2.5}, "negative"),
])
def test_bad_parameters_fail_in_fit_with_clear_messages(params, message):
    with pytest.raises(ValueError, match=message):
        Node2Vec(**{**SMALL, **params}).fit(two_communities())


def test_get_set_params_follow_scikit_learn():
    est = Node2Vec(dimensions=16)
    params = est.get_params()
    assert params["dimensions"] == 16 and params["backend"] == "gensim"
    assert set(params) >= {"p", "q", "walk_length", "num_walks", "window", "epochs",
                           "negative", "random_state", "workers", "progress"}
    assert est.set_params(p=0.5, q=2.0) is est and (est.p, est.q) == (0.5, 2.0)
    with pytest.raises(ValueError, match="invalid parameter"):
        est.set_params(nope=1)
    clone = Node2Vec(**est.get_params())
    assert clone.get_params() == est.get_params()


def test_defaults_are_the_papers():
    est = Node2Vec()
    assert (est.dimensions, est.walk_length, est.num_walks, est.window, est.p, est.q,
            est.epochs, est.negative) == (128, 80, 10, 10, 1.0, 1.0, 1, 5)


def test_fit_returns_self_with_fitted_state(model):
    assert isinstance(model, Node2Vec)
    assert model.wv_.vectors.shape == (10, 8)
    assert model.wv_.index_to_key == IDS  # node ids, in node index order, ints stay ints
    assert all(type(k) is int for k in model.wv_.index_to_key)
    assert len(model.loss_history_) == 3
    assert list(model.node_data_) == ["title", "genres"]
    assert model.fit_info_["num_nodes"] == 10 and model.fit_info_["walk_rows"] == 80


def test_communities_are_neighbours(model):
    result = model.most_similar(IDS[0], topn=3)
    assert set(result.node_ids) <= set(IDS[:5])


def test_not_fitted_raises():
    with pytest.raises(NotFittedError, match="fit"):
        Node2Vec().most_similar(1)


def test_same_random_state_one_worker_gives_identical_vectors():
    graph = two_communities()
    a = Node2Vec(**SMALL).fit(graph)
    b = Node2Vec(**SMALL).fit(graph)
    c = Node2Vec(**{**SMALL, "random_state": 1}).fit(graph)
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    assert not np.allclose(a.wv_.vectors, c.wv_.vectors)


def test_precomputed_walks_are_used():
    graph = two_communities()
    walks = np.tile(np.arange(10, dtype=np.int32)[:, None], (3, 6))  # each row one node
    walks[:, 1::2] = (walks[:, 1::2] + 5) % 10  # pair node i with node i +- 5 only
    fitted = Node2Vec(**SMALL).fit(graph, walks=walks)
    assert fitted.fit_info_["walk_rows"] == 30
    partner = fitted.most_similar(IDS[0], topn=1).node_ids[0]
    assert partner == IDS[5]  # the walks, not the graph, decided
    with pytest.raises(ValueError, match="2-d integer array"):
        Node2Vec(**SMALL).fit(graph, walks=np.zeros(5))


def test_large_walks_are_streamed_with_the_same_result(monkeypatch):
    import n2v_lite.model as model_module
    import n2v_lite.walks as walks_module
    import n2v_lite.word2vec as w2v

    monkeypatch.setattr(w2v, "AUTO_FILE_MAX_TOKENS_PER_WORKER", 0)  # same corpus mode
    graph = two_communities()
    held = Node2Vec(**SMALL).fit(graph)
    monkeypatch.setattr(model_module, "_STREAM_WALK_BYTES", 0)
    calls = []

    original = walks_module.iter_random_walks
    monkeypatch.setattr(walks_module, "iter_random_walks",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    streamed = Node2Vec(**SMALL).fit(graph)
    assert calls == [1]
    np.testing.assert_array_equal(streamed.wv_.vectors, held.wv_.vectors)


def test_networkx_graph_is_accepted():
    nx = pytest.importorskip("networkx")
    fitted = Node2Vec(**SMALL).fit(nx.karate_club_graph())
    assert fitted.wv_.vectors.shape == (34, 8)
    with pytest.raises(TypeError, match="Graph"):
        Node2Vec(**SMALL).fit([(0, 1)])


def test_tutorial_backend_gives_the_same_kind_of_model():
    graph = two_communities()
    fitted = Node2Vec(**{**SMALL, "backend": "tutorial", "epochs": 2}).fit(graph)
    assert fitted.wv_.vectors.shape == (10, 8)
    assert fitted.wv_.index_to_key == IDS
    assert len(fitted.loss_history_) == 2
    assert fitted.fit_info_["backend"] == "tutorial"
    assert isinstance(fitted.most_similar("heat", topn=2), SimilarityResult)


def test_repr_is_readable(model):
    assert repr(Node2Vec()) == "Node2Vec()"
    assert repr(Node2Vec(dimensions=50, p=0.5)) == "Node2Vec(dimensions=50, p=0.5)"
    text = repr(model)
    assert text.startswith("Node2Vec(dimensions=8, walk_length=12")
    assert "fitted: 10 nodes x 8 dims, titled, 3 epochs" in text


def test_deepcopy_of_a_fitted_model_works(model):
    twin = copy.deepcopy(model)
    assert twin.most_similar("heat", topn=3) == model.most_similar("heat", topn=3)


# ------------------------------------------------------------------- lookups
def test_unknown_int_id_is_not_read_as_a_row_position(model):
    # gensim would return row 3 for the key 3; we must refuse
    assert 3 < len(IDS) and 3 not in IDS
    with pytest.raises(NodeNotFoundError, match="node 3 is not in the model"):
        model.most_similar(3)
    with pytest.raises(NodeNotFoundError):
        model.vector(True)


@pytest.mark.parametrize("query, node", [
    ("Matrix, The (1999)", 2571),           # exact
    (2571, 2571),                           # node id
    (np.int64(858), 858),                   # numpy id
    ("2571", 2571),                         # id as text
    ("matrix", 2571),                       # title without article/year, several contain it
    ("The Matrix", 2571),
    ("matrix, the (1999)", 2571),           # exact ignoring case
    ("reloaded", 6365),                     # unique substring
    ("GODFATHER: PART", 1221),
    ("toy story 2", 3114),
])
def test_queries_resolve(model, query, node):
    assert model.resolve(query) == node


def test_ambiguous_query_lists_candidates(model):
    with pytest.raises(AmbiguousQueryError) as info:
        model.most_similar("toy")
    message = str(info.value)
    assert "'toy' matches 2 titles" in message
    assert "Toy Story (1995)" in message and "Toy Story 2 (1999)" in message
    assert "\n" not in message


def test_unknown_title_names_the_closest(model):
    with pytest.raises(NodeNotFoundError) as info:
        model.most_similar("godfathr")
    assert "closest: 'Godfather, The (1972)'" in str(info.value)
    with pytest.raises(NodeNotFoundError, match="no node id or title matches 'zzqx'$"):
        model.most_similar("zzqx")


def test_result_pairs_labels_and_records(model):
    result = model.most_similar("godfather", topn=4)
    assert isinstance(result, SimilarityResult) and len(result) == 4
    assert result.query_label == "'Godfather, The (1972)' [858]"
    assert 858 not in result.node_ids
    assert [label for label, _ in result] == [TITLES[IDS.index(i)] for i in result.node_ids]
    sims = result.similarities
    assert sims == sorted(sims, reverse=True) and all(-1 <= s <= 1.0001 for s in sims)
    expected = [model.wv_.similarity(858, i) for i in result.node_ids]
    np.testing.assert_allclose(sims, expected, rtol=1e-5)
    records = result.to_records()
    assert records[0] == {"rank": 1, "node": result.node_ids[0], "label": result[0][0],
                          "similarity": result[0][1]}
    text = repr(result)
    assert text.splitlines()[0] == "Nearest to 'Godfather, The (1972)' [858] by cosine similarity:"
    assert f"[{result.node_ids[0]}]" in text.splitlines()[1]
    assert result.to_frame().shape == (4, 3)


def test_vector_query_finds_the_node_itself(model):
    result = model.most_similar(model.vector(1200), topn=2)
    assert result.node_ids[0] == 1200 and result[0][1] == pytest.approx(1.0, abs=1e-5)
    assert result.query_label == "vector"
    with pytest.raises(ValueError, match="8 values"):
        model.most_similar(np.zeros(3))


def test_graph_without_titles_labels_with_ids_and_str_ids_work():
    ids = [f"n{i}" for i in range(10)]
    fitted = Node2Vec(**SMALL).fit(two_communities(ids, None))
    result = fitted.most_similar("n0", topn=2)
    assert result.labels == result.node_ids
    assert fitted.wv_.index_to_key == ids
    with pytest.raises(NodeNotFoundError, match="'n99' is not in the model"):
        fitted.most_similar("n99")


# ---------------------------------------------------------------- save/load
def test_save_load_round_trip(model, tmp_path):
    path = model.save(tmp_path / "m.n2v")
    loaded = load(path)
    np.testing.assert_array_equal(loaded.wv_.vectors, model.wv_.vectors)
    assert loaded.wv_.index_to_key == model.wv_.index_to_key
    assert loaded.get_params() == model.get_params()
    assert loaded.loss_history_ == model.loss_history_
    assert list(loaded.node_data_["title"]) == TITLES
    assert loaded.most_similar("matrix", topn=3) == model.most_similar("matrix", topn=3)
    info = loaded.describe()
    assert info["n2v_lite_version"] == n2v_lite.__version__ and info["file"] == str(path)
    meta = json.loads(zipfile.ZipFile(path).read("meta.json"))
    assert meta["format_version"] == 1 and meta["params"]["dimensions"] == 8
    assert set(np.load(path).files) >= {"vectors", "node_ids"}  # plain numpy can read it


def test_save_load_str_ids(tmp_path):
    ids = [f"user {i}" for i in range(10)]
    fitted = Node2Vec(**SMALL).fit(two_communities(ids, None))
    loaded = load(fitted.save(tmp_path / "s.n2v"))
    assert loaded.wv_.index_to_key == ids
    assert loaded.most_similar("user 1", topn=2) == fitted.most_similar("user 1", topn=2)


def test_interrupted_save_leaves_the_old_file_intact(model, tmp_path, monkeypatch):
    path = tmp_path / "m.n2v"
    model.save(path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", explode)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.n2v"]  # no temporary file left behind


def test_broken_files_raise_model_file_error(model, tmp_path):
    good = model.save(tmp_path / "good.n2v").read_bytes()
    cases = {
        "truncated.n2v": good[: len(good) // 2],
        "garbage.n2v": b"not a model at all",
        "empty.n2v": b"",
    }
    flipped = bytearray(good)
    start = good.index(b"vectors.npy") + 200  # inside the stored vector bytes
    flipped[start] ^= 0xFF
    cases["flipped.n2v"] = bytes(flipped)
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ModelFileError) as info:
            load(path)
        message = str(info.value)
        assert message.startswith(str(path)) and "\n" not in message, name
    with pytest.raises(ModelFileError, match="no such model file"):
        load(tmp_path / "missing.n2v")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("x.txt", "hello")
    with pytest.raises(ModelFileError, match="not an n2v_lite model"):
        load(other)


def test_newer_format_is_refused(model, tmp_path):
    path = model.save(tmp_path / "m.n2v")
    newer = tmp_path / "newer.n2v"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "meta.json":
                meta = json.loads(data)
                meta["format_version"] = 99
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    with pytest.raises(ModelFileError, match="newer"):
        load(newer)


# ------------------------------------------------------------------- exports
@pytest.mark.parametrize("fmt, binary", [("word2vec", False), ("word2vec-binary", True)])
def test_word2vec_exports_load_back(model, tmp_path, fmt, binary):
    from gensim.models import KeyedVectors

    path = tmp_path / ("v.bin" if binary else "v.txt")
    assert model.export(path, fmt) == [path]
    back = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert back.index_to_key == [str(i) for i in IDS]
    np.testing.assert_allclose(back.vectors, model.wv_.vectors, rtol=1e-5, atol=1e-6)


def test_format_follows_the_suffix(model, tmp_path):
    model.export(tmp_path / "v.bin")
    assert (tmp_path / "v.bin").read_bytes().startswith(b"10 8\n")
    with pytest.raises(ValueError, match="cannot tell the export format"):
        model.export(tmp_path / "v.xyz")
    with pytest.raises(ValueError, match="unknown export format"):
        model.export(tmp_path / "v.txt", "parquet")


def test_npz_and_csv_exports(model, tmp_path):
    import pandas as pd

    model.export(tmp_path / "v.npz", "npz")
    data = np.load(tmp_path / "v.npz")
    np.testing.assert_array_equal(data["vectors"], model.wv_.vectors)
    assert data["node_ids"].tolist() == IDS and data["title"].tolist() == TITLES
    model.export(tmp_path / "v.csv", "csv")
    frame = pd.read_csv(tmp_path / "v.csv")
    assert list(frame.columns[:3]) == ["node", "title", "genres"]
    assert frame["title"].tolist() == TITLES  # commas in titles survive
    np.testing.assert_allclose(frame.iloc[:, 3:].to_numpy(), model.wv_.vectors, rtol=1e-6)


def test_projector_files_are_row_aligned(model, tmp_path):
    folder = tmp_path / "proj"
    emb, meta = model.export(folder, "projector")
    emb_rows = emb.read_text().splitlines()
    meta_rows = meta.read_text().splitlines()
    assert len(emb_rows) == 10 and len(meta_rows) == 11  # header, then one row per vector
    assert meta_rows[0] == "node\ttitle\tgenres"
    for k in (0, 4, 9):
        node, title, _ = meta_rows[k + 1].split("\t")
        assert title == TITLES[IDS.index(int(node))]
        vector = np.array(emb_rows[k].split("\t"), dtype=float)
        np.testing.assert_allclose(vector, model.vector(int(node)), rtol=1e-5, atol=1e-6)


def test_projector_without_titles_has_no_header(tmp_path):
    fitted = Node2Vec(**SMALL).fit(two_communities(list(range(100, 110)), None))
    _, meta = fitted.export(tmp_path / "p", "projector")
    assert meta.read_text().splitlines() == [str(i) for i in range(100, 110)]


def test_word2vec_export_refuses_ids_with_spaces(tmp_path):
    fitted = Node2Vec(**SMALL).fit(two_communities([f"a {i}" for i in range(10)], None))
    with pytest.raises(ValueError, match="whitespace"):
        fitted.export(tmp_path / "v.txt")
    assert not (tmp_path / "v.txt").exists()


# ------------------------------------------------------------------ movielens
@pytest.mark.shared
def test_movielens_defaults_give_sensible_neighbours(movielens_dir):
    fitted = fit_movielens(movielens_dir, random_state=0, progress=False, workers=1)
    assert fitted.wv_.vectors.shape == (1405, MOVIELENS_DEFAULTS["dimensions"])
    assert fitted.resolve("matrix") == 2571
    for query in MOVIELENS_QUERIES:
        assert len(fitted.most_similar(query, topn=10)) == 10
    godfather = fitted.most_similar("Godfather, The (1972)", topn=10).labels
    assert "Godfather: Part II, The (1974)" in godfather
    star_wars = fitted.most_similar(MOVIELENS_QUERIES[1], topn=10).labels
    assert {"Star Wars: Episode V - The Empire Strikes Back (1980)",
            "Star Wars: Episode VI - Return of the Jedi (1983)"} & set(star_wars)


def test_movielens_learning_rate_is_for_gensim_only(movielens_dir):
    from n2v_lite.model import MOVIELENS_DEFAULTS, fit_movielens

    small = dict(num_walks=1, walk_length=5, epochs=1, dimensions=4, workers=1, progress=False)
    tutorial = fit_movielens(movielens_dir, backend="tutorial", random_state=0, **small)
    assert tutorial.get_params()["learning_rate"] is None  # Adam's own 0.001
    gensim = fit_movielens(movielens_dir, random_state=0, learning_rate=None, **small)
    assert gensim.get_params()["learning_rate"] == MOVIELENS_DEFAULTS["learning_rate"]


def test_int_query_finds_text_ids():
    from n2v_lite import Graph, Node2Vec

    g = Graph.from_edges([0, 1, 2], [1, 2, 0], node_ids=np.array(["1", "2", "x"], dtype=object))
    model = Node2Vec(dimensions=4, walk_length=5, num_walks=2, window=2, workers=1,
                     random_state=0, progress=False).fit(g)
    assert model.most_similar(1, topn=1).query_label == model.most_similar("1", topn=1).query_label
