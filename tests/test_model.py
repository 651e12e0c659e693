"""The Node2Vec estimator: scikit-learn protocol, fitting, backends, reproducibility."""

import copy

import numpy as np
import pytest

import n2v_lite
from n2v_lite import Graph, Node2Vec, NotFittedError
from n2v_lite.embedding import SimilarityResult
from n2v_lite.movielens import MOVIELENS_DEFAULTS, MOVIELENS_QUERIES, fit_movielens

TITLES = [
    "Matrix, The (1999)",
    "Matrix Reloaded, The (2003)",
    "Matrix Revolutions, The (2003)",
    "Godfather, The (1972)",
    "Godfather: Part II, The (1974)",
    "Toy Story (1995)",
    "Toy Story 2 (1999)",
    "Heat (1995)",
    "Alien (1979)",
    "Aliens (1986)",
]
IDS = [2571, 6365, 6934, 858, 1221, 1, 3114, 6, 1214, 1200]
SMALL = dict(
    dimensions=8,
    walk_length=12,
    num_walks=8,
    window=3,
    epochs=3,
    workers=1,
    random_state=0,
    progress=False,
)


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
    data = (
        None
        if titles is None
        else {
            "title": np.array(titles, dtype=object),
            "genres": np.array(["Action"] * 10, dtype=object),
        }
    )
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


@pytest.mark.parametrize(
    "params, message",
    [
        ({"p": 0}, "p must be a positive finite number"),
        ({"q": -1.0}, "q must be a positive finite number"),
        ({"dimensions": 0}, "dimensions must be an integer >= 1"),
        ({"walk_length": 2.5}, "walk_length"),
        ({"backend": "keras"}, "backend must be one of 'gensim', 'tutorial'"),
        ({"sample": -0.1}, "sample"),
        ({"workers": 0}, "workers"),
        ({"walk_length": 20_000}, "10000"),
        ({"negative": 2.5}, "negative"),
    ],
)
def test_bad_parameters_fail_in_fit_with_clear_messages(params, message):
    with pytest.raises(ValueError, match=message):
        Node2Vec(**{**SMALL, **params}).fit(two_communities())


def test_get_set_params_follow_scikit_learn():
    est = Node2Vec(dimensions=16)
    params = est.get_params()
    assert params["dimensions"] == 16 and params["backend"] == "gensim"
    assert set(params) >= {
        "p",
        "q",
        "walk_length",
        "num_walks",
        "window",
        "epochs",
        "negative",
        "random_state",
        "workers",
        "progress",
    }
    assert est.set_params(p=0.5, q=2.0) is est and (est.p, est.q) == (0.5, 2.0)
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        est.set_params(nope=1)
    twin = Node2Vec(**est.get_params())
    assert twin.get_params() == est.get_params()


def test_sklearn_clone_gives_an_unfitted_twin(model):
    from sklearn.base import clone

    twin = clone(model)
    assert twin.get_params() == model.get_params() and not hasattr(twin, "embedding_")
    assert clone(Node2Vec(p=0.5)).p == 0.5


def test_defaults_are_the_papers():
    est = Node2Vec()
    assert (
        est.dimensions,
        est.walk_length,
        est.num_walks,
        est.window,
        est.p,
        est.q,
        est.epochs,
        est.negative,
    ) == (128, 80, 10, 10, 1.0, 1.0, 1, 5)


def test_fit_returns_self_with_fitted_state(model):
    assert isinstance(model, Node2Vec)
    assert model.embedding_.vectors.shape == (10, 8)
    assert model.embedding_.node_ids == IDS  # node ids, in node index order, ints stay ints
    assert all(type(k) is int for k in model.embedding_.node_ids)
    assert len(model.embedding_.loss_history) == 3
    assert list(model.embedding_.node_data) == ["title", "genres", "degree"]
    assert model.embedding_.node_data["degree"].tolist() == [4, 4, 4, 4, 5, 5, 4, 4, 4, 4]
    assert model.embedding_.info["num_nodes"] == 10 and model.embedding_.info["walk_rows"] == 80


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
    np.testing.assert_array_equal(a.embedding_.vectors, b.embedding_.vectors)
    assert not np.allclose(a.embedding_.vectors, c.embedding_.vectors)


def test_precomputed_walks_are_used():
    graph = two_communities()
    walks = np.tile(np.arange(10, dtype=np.int32)[:, None], (3, 6))  # each row one node
    walks[:, 1::2] = (walks[:, 1::2] + 5) % 10  # pair node i with node i +- 5 only
    fitted = Node2Vec(**SMALL).fit(graph, walks=walks)
    assert fitted.embedding_.info["walk_rows"] == 30
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
    monkeypatch.setattr(
        walks_module, "iter_random_walks", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    streamed = Node2Vec(**SMALL).fit(graph)
    assert calls == [1]
    np.testing.assert_array_equal(streamed.embedding_.vectors, held.embedding_.vectors)


def test_networkx_graph_is_accepted():
    nx = pytest.importorskip("networkx")
    fitted = Node2Vec(**SMALL).fit(nx.karate_club_graph())
    assert fitted.embedding_.vectors.shape == (34, 8)
    with pytest.raises(n2v_lite.ParameterError, match="Graph"):
        Node2Vec(**SMALL).fit([(0, 1)])


def test_tutorial_backend_gives_the_same_kind_of_model():
    graph = two_communities()
    fitted = Node2Vec(**{**SMALL, "backend": "tutorial", "epochs": 2}).fit(graph)
    assert fitted.embedding_.vectors.shape == (10, 8)
    assert fitted.embedding_.node_ids == IDS
    assert len(fitted.embedding_.loss_history) == 2
    assert fitted.embedding_.info["backend"] == "tutorial"
    assert isinstance(fitted.most_similar("heat", topn=2), SimilarityResult)


def test_repr_is_readable(model):
    assert repr(Node2Vec()) == "Node2Vec()"
    assert repr(Node2Vec(dimensions=50, p=0.5)) == "Node2Vec(dimensions=50, p=0.5)"
    assert repr(model).startswith("Node2Vec(dimensions=8, epochs=3, num_walks=8")
    assert repr(model.embedding_) == "<NodeEmbedding 10 nodes x 8 dimensions, titled, 3 epochs>"


def test_deepcopy_of_a_fitted_model_works(model):
    twin = copy.deepcopy(model)
    assert twin.most_similar("heat", topn=3) == model.most_similar("heat", topn=3)


# ------------------------------------------------------------------ movielens
@pytest.mark.slow
@pytest.mark.shared
def test_movielens_defaults_give_sensible_neighbours(movielens_dir):
    fitted = fit_movielens(movielens_dir, random_state=0, progress=False, workers=1)
    assert fitted.vectors.shape == (1405, MOVIELENS_DEFAULTS["dimensions"])
    assert fitted.resolve("matrix") == 2571
    for query in MOVIELENS_QUERIES:
        assert len(fitted.most_similar(query, topn=10)) == 10
    godfather = fitted.most_similar("Godfather, The (1972)", topn=10).labels
    assert "Godfather: Part II, The (1974)" in godfather
    star_wars = fitted.most_similar(MOVIELENS_QUERIES[1], topn=10).labels
    assert {
        "Star Wars: Episode V - The Empire Strikes Back (1980)",
        "Star Wars: Episode VI - Return of the Jedi (1983)",
    } & set(star_wars)


def test_movielens_learning_rate_is_for_gensim_only(movielens_dir):

    small = dict(num_walks=1, walk_length=5, epochs=1, dimensions=4, workers=1, progress=False)
    tutorial = fit_movielens(movielens_dir, backend="tutorial", random_state=0, **small)
    assert tutorial.params["learning_rate"] is None  # Adam's own 0.001
    gensim = fit_movielens(movielens_dir, random_state=0, learning_rate=None, **small)
    assert gensim.params["learning_rate"] == MOVIELENS_DEFAULTS["learning_rate"]
    # describe() says where the model came from and shows what applied to its trainer
    assert gensim.describe()["source"] == (
        f"MovieLens ml-latest-small ({movielens_dir}), min_rating 5, min_weight 10"
    )
    assert "batch_size" not in gensim.describe()["params"]
    assert "sample" in gensim.describe()["params"]
    assert {"sample", "workers"}.isdisjoint(tutorial.describe()["params"])
    assert tutorial.describe()["params"]["batch_size"] == 1024


def test_int_query_finds_text_ids():
    from n2v_lite import Graph, Node2Vec

    g = Graph.from_edges([0, 1, 2], [1, 2, 0], node_ids=np.array(["1", "2", "x"], dtype=object))
    model = (
        Node2Vec(
            dimensions=4,
            walk_length=5,
            num_walks=2,
            window=2,
            workers=1,
            random_state=0,
            progress=False,
        )
        .fit(g)
        .embedding_
    )
    assert model.most_similar(1, topn=1).query_label == model.most_similar("1", topn=1).query_label


def test_fit_walks_trains_from_a_walk_folder_like_fit_on_the_same_walks(tmp_path):
    from n2v_lite.corpus import write_walk_folder
    from n2v_lite.walks import random_walks

    graph = two_communities()
    folder = write_walk_folder(
        graph,
        tmp_path / "walks",
        8,
        12,
        p=0.5,
        q=2.0,
        seed=5,
        rows_per_partition=25,
        progress=False,
    )
    from_folder = Node2Vec(**SMALL).fit_walks(tmp_path / "walks").embedding_
    walks = random_walks(graph, 8, 12, p=0.5, q=2.0, seed=5)
    in_memory = Node2Vec(**SMALL).fit(graph, walks=walks).embedding_
    np.testing.assert_array_equal(from_folder.vectors, in_memory.vectors)
    assert from_folder.node_ids == IDS
    assert from_folder.node_data["title"].tolist() == TITLES  # metadata travels with the walks
    assert from_folder.node_data["degree"].tolist() == in_memory.node_data["degree"].tolist()
    assert (from_folder.params["p"], from_folder.params["q"]) == (0.5, 2.0)  # the folder's
    assert from_folder.info["walk_rows"] == 80 and len(folder.partitions) == 4
    again = Node2Vec(**SMALL).fit_walks(folder).embedding_  # a restart: same vectors
    np.testing.assert_array_equal(again.vectors, from_folder.vectors)
    tutorial = Node2Vec(**{**SMALL, "backend": "tutorial"}).fit_walks(folder).embedding_
    assert tutorial.vectors.shape == (10, 8)


def test_a_run_that_does_not_fit_is_refused_before_the_work():
    from n2v_lite.exceptions import MemoryPlanError

    with pytest.raises(MemoryPlanError, match="but 0.00 GiB is allowed") as info:
        Node2Vec(**{**SMALL, "max_memory": "1M"}).fit(two_communities())
    assert "\n" not in str(info.value)
    Node2Vec(**{**SMALL, "max_memory": "2G"}).fit(two_communities())  # fits


def test_removed_attributes_warn_and_point_at_embedding_():
    from n2v_lite import NotFittedError

    model = Node2Vec(**SMALL).fit(two_communities())
    for old, new in (
        ("wv_", model.embedding_.wv),
        ("loss_history_", model.embedding_.loss_history),
        ("fit_info_", model.embedding_.info),
    ):
        with pytest.warns(
            FutureWarning,
            match=f"Node2Vec.{old} is deprecated since 0.2 and "
            "will be removed in 0.3; use Node2Vec.embedding_",
        ):
            assert getattr(model, old) is new
    with pytest.raises(NotFittedError), pytest.warns(FutureWarning):
        _ = Node2Vec().wv_
