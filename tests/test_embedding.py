"""NodeEmbedding, the result users hold: lookups, queries, save/load, exports, ids."""

import io
import json
import os
import zipfile

import numpy as np
import pytest
from test_model import IDS, SMALL, TITLES, two_communities  # the same small graph

import n2v_lite
from n2v_lite import AmbiguousQueryError, Graph, ModelFileError, Node2Vec, NodeNotFoundError, load
from n2v_lite.embedding import NodeEmbedding, SimilarityResult


@pytest.fixture(scope="module")
def model():
    return Node2Vec(**SMALL).fit(two_communities()).embedding_


# ------------------------------------------------------------------- lookups
def test_unknown_int_id_is_not_read_as_a_row_position(model):
    # gensim would return row 3 for the key 3; we must refuse
    assert 3 < len(IDS) and 3 not in IDS
    with pytest.raises(NodeNotFoundError, match="node 3 is not in the embedding"):
        model.most_similar(3)
    with pytest.raises(NodeNotFoundError):
        model.vector(True)


@pytest.mark.parametrize(
    "query, node",
    [
        ("Matrix, The (1999)", 2571),  # exact
        (2571, 2571),  # node id
        (np.int64(858), 858),  # numpy id
        ("2571", 2571),  # id as text
        ("matrix", 2571),  # title without article/year, several contain it
        ("The Matrix", 2571),
        ("matrix, the (1999)", 2571),  # exact ignoring case
        ("reloaded", 6365),  # unique substring
        ("GODFATHER: PART", 1221),
        ("toy story 2", 3114),
    ],
)
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


def test_above_the_spelling_limit_titles_give_no_closest_hint(monkeypatch):
    from n2v_lite import titles

    index = titles.TitleIndex(["Godfather, The (1972)", "Heat (1995)", "Alien (1979)"])
    assert index.closest("godfathr") == ["Godfather, The (1972)"]
    monkeypatch.setattr(titles, "CLOSEST_SPELLINGS", 2)  # O(titles) per miss: capped
    assert index.closest("godfathr") == []


def test_result_pairs_labels_and_records(model):
    result = model.most_similar("godfather", topn=4)
    assert isinstance(result, SimilarityResult) and len(result) == 4
    assert result.query_label == "'Godfather, The (1972)' [858]"
    assert 858 not in result.node_ids
    assert [label for label, _ in result] == [TITLES[IDS.index(i)] for i in result.node_ids]
    sims = result.similarities
    assert sims == sorted(sims, reverse=True) and all(-1 <= s <= 1.0001 for s in sims)
    expected = [model.wv.similarity(858, i) for i in result.node_ids]
    np.testing.assert_allclose(sims, expected, rtol=1e-5)
    records = result.to_records()
    assert records[0] == {
        "rank": 1,
        "node": result.node_ids[0],
        "label": result[0][0],
        "similarity": result[0][1],
    }
    text = repr(result)
    assert text.splitlines()[0] == "Nearest to 'Godfather, The (1972)' [858] by cosine similarity:"
    assert f"[{result.node_ids[0]}]" in text.splitlines()[1]
    frame = result.to_frame()
    assert list(frame.columns) == ["query", "rank", "node", "label", "similarity"]
    assert frame["node"].tolist() == result.node_ids and set(frame["query"]) == {"godfather"}


def test_vector_query_finds_the_node_itself(model):
    result = model.most_similar(model.vector(1200), topn=2)
    assert result.node_ids[0] == 1200 and result[0][1] == pytest.approx(1.0, abs=1e-5)
    assert result.query_label == "vector"
    with pytest.raises(ValueError, match="8 values"):
        model.most_similar(np.zeros(3))


def test_graph_without_titles_labels_with_ids_and_str_ids_work():
    ids = [f"n{i}" for i in range(10)]
    fitted = Node2Vec(**SMALL).fit(two_communities(ids, None)).embedding_
    result = fitted.most_similar("n0", topn=2)
    assert result.labels == result.node_ids
    assert fitted.node_ids == ids
    with pytest.raises(NodeNotFoundError, match="'n99' is not in the embedding"):
        fitted.most_similar("n99")


# ---------------------------------------------------------------- save/load
def test_save_load_round_trip(model, tmp_path):
    path = model.save(tmp_path / "m.n2v")
    loaded = load(path)
    np.testing.assert_array_equal(loaded.vectors, model.vectors)
    assert loaded.node_ids == model.node_ids
    assert loaded.params == model.params
    assert loaded.loss_history == model.loss_history
    assert list(loaded.node_data["title"]) == TITLES
    assert loaded.most_similar("matrix", topn=3) == model.most_similar("matrix", topn=3)
    info = loaded.describe()
    assert info["n2v_lite_version"] == n2v_lite.__version__ and info["file"] == str(path)
    meta = json.loads(zipfile.ZipFile(path).read("meta.json"))
    assert meta["format_version"] == 2 and meta["params"]["dimensions"] == 8
    assert set(np.load(path).files) >= {"vectors", "node_ids"}  # plain numpy can read it


def test_save_load_str_ids(tmp_path):
    ids = [f"user {i}" for i in range(10)]
    fitted = Node2Vec(**SMALL).fit(two_communities(ids, None)).embedding_
    loaded = load(fitted.save(tmp_path / "s.n2v"))
    assert loaded.node_ids == ids
    assert loaded.most_similar("user 1", topn=2) == fitted.most_similar("user 1", topn=2)


def test_text_ids_of_very_different_lengths_are_stored_as_utf8(tmp_path):
    # numpy's fixed width took 4 bytes x the longest id for every id: 60,000 short ids and
    # one of 2,000 characters made 480 MB of ids; stored as UTF-8 they take about 1 MB
    ids = [f"n{i}" for i in range(60_000)] + ["https://example.org/" + "é" * 1980, "\u3000x"]
    vectors = np.random.default_rng(0).normal(size=(len(ids), 2)).astype(np.float32)
    path = NodeEmbedding(vectors, ids).save(tmp_path / "urls.n2v")
    assert path.stat().st_size < 3 << 20
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("meta.json"))
    assert (meta["node_id_kind"], meta["format_version"]) == ("utf8", 3)
    again = load(path)
    assert again.node_ids == ids and np.array_equal(again.vectors, vectors)
    assert again.most_similar(ids[-2], topn=1)[0][0] in ids
    short = NodeEmbedding(vectors[:3], ids[:3]).save(tmp_path / "short.n2v")
    with zipfile.ZipFile(short) as archive:
        meta = json.loads(archive.read("meta.json"))
    assert (meta["node_id_kind"], meta["format_version"]) == ("str", 2)  # 0.2 reads it


def test_a_corrupt_utf8_id_table_is_one_error(tmp_path):
    from n2v_lite.ids import decode_node_ids, encode_node_ids

    table, kind = encode_node_ids(["a" * 300_000, "b"], compact=True)
    assert kind == "utf8" and decode_node_ids(table, kind) == ["a" * 300_000, "b"]
    for broken in (table[:20], table[:-1], np.concatenate([table[:8] * 0 + 255, table[8:]])):
        with pytest.raises(ModelFileError, match="corrupt node-id table"):
            decode_node_ids(broken, "utf8")


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
    np.testing.assert_allclose(back.vectors, model.vectors, rtol=1e-5, atol=1e-6)


def test_format_follows_the_suffix(model, tmp_path):
    model.export(tmp_path / "v.bin")
    assert (tmp_path / "v.bin").read_bytes().startswith(b"10 8\n")
    with pytest.raises(ValueError, match="cannot tell the export format"):
        model.export(tmp_path / "v.xyz")
    with pytest.raises(ValueError, match="format must be one of"):
        model.export(tmp_path / "v.txt", "parquet")


def test_npz_and_csv_exports(model, tmp_path):
    import pandas as pd

    model.export(tmp_path / "v.npz", "npz")
    data = np.load(tmp_path / "v.npz")
    np.testing.assert_array_equal(data["vectors"], model.vectors)
    assert data["node_ids"].tolist() == IDS and data["title"].tolist() == TITLES
    model.export(tmp_path / "v.csv", "csv")
    frame = pd.read_csv(tmp_path / "v.csv")
    assert list(frame.columns[:4]) == ["node", "title", "genres", "degree"]
    assert frame["title"].tolist() == TITLES  # commas in titles survive
    np.testing.assert_allclose(frame.iloc[:, 4:].to_numpy(), model.vectors, rtol=1e-6)


def test_projector_files_are_row_aligned(model, tmp_path):
    folder = tmp_path / "proj"
    emb, meta = model.export(folder, "projector")
    emb_rows = emb.read_text().splitlines()
    meta_rows = meta.read_text().splitlines()
    assert len(emb_rows) == 10 and len(meta_rows) == 11  # header, then one row per vector
    assert meta_rows[0] == "node\ttitle\tgenres\tdegree"
    for k in (0, 4, 9):
        node, title, _, _ = meta_rows[k + 1].split("\t")
        assert title == TITLES[IDS.index(int(node))]
        vector = np.array(emb_rows[k].split("\t"), dtype=float)
        np.testing.assert_allclose(vector, model.vector(int(node)), rtol=1e-5, atol=1e-6)


def test_projector_with_ids_only_has_no_header(tmp_path):
    fitted = NodeEmbedding(np.ones((3, 2)), [100, 101, 102])
    _, meta = fitted.export(tmp_path / "p", "projector")
    assert meta.read_text().splitlines() == ["100", "101", "102"]


def test_word2vec_export_refuses_ids_with_spaces(tmp_path):
    fitted = Node2Vec(**SMALL).fit(two_communities([f"a {i}" for i in range(10)], None)).embedding_
    with pytest.raises(ValueError, match="whitespace"):
        fitted.export(tmp_path / "v.txt")
    assert not (tmp_path / "v.txt").exists()


# ------------------------------------------------- "more like these", among
@pytest.fixture(scope="module")
def barbell():
    """Two 6-cliques (0-5, 8-13) joined by the path 5-6-7-8; clique 1 titled and tagged."""
    import networkx as nx

    graph = Graph.from_networkx(nx.barbell_graph(6, 2))
    genres = np.array(
        ["Comedy" if i < 6 else ("Drama" if i > 7 else "Path") for i in range(14)], dtype=object
    )
    graph = graph.with_node_data(genres=genres)
    return (
        Node2Vec(
            dimensions=16,
            walk_length=20,
            num_walks=30,
            window=3,
            epochs=3,
            random_state=0,
            progress=False,
        )
        .fit(graph)
        .embedding_
    )


def test_positive_nodes_of_one_clique_return_the_rest_of_it(barbell):
    result = barbell.most_similar(positive=[0, 1, 2], topn=3)
    assert sorted(result.node_ids) == [3, 4, 5]
    assert not {0, 1, 2} & set(result.node_ids)  # the query nodes are never returned


def test_positive_minus_negative_is_geese_arithmetic(barbell):
    unit = barbell.vectors / np.linalg.norm(barbell.vectors, axis=1, keepdims=True)
    query = (unit[9] + unit[10] - unit[0]) / 3
    query /= np.linalg.norm(query)
    scores = unit @ query
    scores[[9, 10, 0]] = -np.inf
    expected = np.argsort(-scores, kind="stable")[:4].tolist()
    result = barbell.most_similar(positive=[9, 10], negative=[0], topn=4)
    assert result.node_ids == expected
    assert result.query_label == "9, 10 minus 0"
    np.testing.assert_allclose(result.similarities, scores[expected], rtol=1e-5)


def test_among_never_returns_a_node_outside_the_set(barbell):
    allowed = {8, 9, 10, 11}
    for query in range(14):
        result = barbell.most_similar(query, topn=10, among=allowed)
        assert set(result.node_ids) <= allowed - {query}
        assert len(result) == len(allowed - {query})
    assert barbell.most_similar(0, among=[0]).node_ids == []  # only the query itself


def test_among_by_metadata_predicate_where_and_mask(barbell):
    from n2v_lite import where

    drama = set(range(8, 14))
    by_where = barbell.most_similar(0, topn=20, among=where("genres~drama"))
    by_text = barbell.most_similar(0, topn=20, among="genres ~ Drama")
    by_call = barbell.most_similar(0, topn=20, among=lambda node: node["genres"] == "Drama")
    assert set(by_where.node_ids) == set(by_text.node_ids) == set(by_call.node_ids) == drama
    hubs = barbell.most_similar(3, topn=20, among=where("degree>=6"))  # clique ends and 5, 8
    assert set(hubs.node_ids) == {5, 8}
    with pytest.raises(n2v_lite.ParameterError, match="no node metadata column 'rating'"):
        barbell.most_similar(0, among=where("rating>3"))
    with pytest.raises(n2v_lite.ParameterError, match="expected COLUMN OP VALUE"):
        where("degree")


def test_batch_lookup_equals_one_query_at_a_time(barbell):
    frame = barbell.most_similar_many([0, 7, 13], topn=4)
    assert list(frame.columns) == ["query", "rank", "node", "label", "similarity"]
    for query in (0, 7, 13):
        one = barbell.most_similar(query, topn=4)
        rows = frame[frame["query"] == query]
        assert rows["node"].tolist() == one.node_ids
        assert rows["rank"].tolist() == [1, 2, 3, 4]
        np.testing.assert_allclose(rows["similarity"], one.similarities, rtol=1e-6)


# ----------------------------------------------------------- ids, any kind
def test_no_public_path_turns_an_id_into_a_row_position():
    emb = NodeEmbedding(np.arange(8, dtype=np.float32).reshape(4, 2), [10, 20, 30, 40])
    with pytest.raises(KeyError):
        emb.wv[2]  # gensim alone would return node 30's vector
    assert 2 not in emb.wv and 30 in emb.wv
    with pytest.raises(NodeNotFoundError):
        emb[2]
    with pytest.raises(NodeNotFoundError):
        emb.vector(2)
    np.testing.assert_array_equal(emb[30], [4, 5])
    np.testing.assert_array_equal(emb.wv[30], [4, 5])


MIXED = [1, "1", 2.5, (0, 1), ("a", (2, 3.5)), False, -3.0, "007"]  # (True would be 1)


def test_mixed_float_tuple_ids_query_and_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    emb = NodeEmbedding(
        rng.normal(size=(len(MIXED), 4)),
        MIXED,
        node_data={"title": np.array([f"t{i}" for i in range(8)], dtype=object)},
    )
    assert emb.resolve(1) == 1 and type(emb.resolve(1)) is int
    assert emb.resolve("1") == "1"
    assert emb.resolve(2.5) == 2.5 and emb.resolve((0, 1)) == (0, 1)
    assert emb.resolve("(0, 1)") == (0, 1)  # a tuple id typed as text
    assert emb.index(False) == 5 and emb.index(1) == 0
    with pytest.raises(NodeNotFoundError):
        emb.index(0)  # 0 == False as a Python key, but 0 is not an id here
    with pytest.raises(NodeNotFoundError):
        emb.index(1.0)  # nor is 1.0 the id 1
    result = emb.most_similar((0, 1), topn=7)  # a tuple is an id, not a vector
    assert (0, 1) not in result.node_ids and len(result) == 7
    with pytest.raises(n2v_lite.ParameterError, match="node id or a title"):
        emb.most_similar([1, 2, 3, 4])  # a list is neither an id nor a vector
    loaded = load(emb.save(tmp_path / "mixed.n2v"))
    assert loaded.node_ids == MIXED
    assert [type(v) for v in loaded.node_ids] == [type(v) for v in MIXED]
    assert repr(loaded.node_ids[6]) == "-3.0" and loaded.node_ids[7] == "007"
    np.testing.assert_array_equal(loaded.vectors, emb.vectors)
    assert loaded.most_similar(2.5, topn=3) == emb.most_similar(2.5, topn=3)


def test_networkx_grid_ids_survive_fit_save_load(tmp_path):
    import networkx as nx

    emb = (
        Node2Vec(dimensions=4, walk_length=6, num_walks=2, window=2, random_state=0, progress=False)
        .fit(nx.grid_2d_graph(3, 3))
        .embedding_
    )
    assert all(type(v) is tuple for v in emb.node_ids)
    loaded = load(emb.save(tmp_path / "grid.n2v"))
    assert loaded.node_ids == emb.node_ids
    assert loaded.most_similar((1, 1), topn=4) == emb.most_similar((1, 1), topn=4)


def test_format_1_files_of_the_first_release_still_load():
    here = os.path.join(os.path.dirname(__file__), "data")
    titled = load(os.path.join(here, "format1_titled.n2v"))
    assert titled.node_ids == ["a", "b", "c", "d", "e"]
    assert titled.node_data["title"].tolist()[0] == "Matrix, The (1999)"
    assert titled.params["dimensions"] == 4 and len(titled.loss_history) == 2
    assert titled.info["format_version"] == 1
    assert titled.resolve("the matrix") == "a"
    with zipfile.ZipFile(os.path.join(here, "format1_titled.n2v")) as archive:
        raw = np.load(archive.open("vectors.npy"))
    np.testing.assert_array_equal(titled.vectors, raw)
    numbered = load(os.path.join(here, "format1_int.n2v"))
    assert numbered.node_ids == [10, 20, 30, 40] and type(numbered.node_ids[0]) is int
    with pytest.raises(NodeNotFoundError):
        numbered.vector(2)


# --------------------------------------------------- word2vec files, read plainly
def _read_word2vec(path, binary):
    """A plain reader (no gensim): header, then id and values per row."""
    data = path.read_bytes()
    header, _, body = data.partition(b"\n")
    n, d = map(int, header.split())
    rows = {}
    if binary:
        pos = 0
        while pos < len(body):
            space = body.index(b" ", pos)
            key = body[pos:space].decode()
            vector = np.frombuffer(body[space + 1 : space + 1 + 4 * d], dtype="<f4")
            pos = space + 1 + 4 * d + 1
            assert key not in rows, f"{key} written twice"
            rows[key] = vector
    else:
        for line in body.decode().splitlines():
            key, *values = line.split(" ")
            assert key not in rows, f"{key} written twice"
            assert len(values) == d
            rows[key] = np.array(values, dtype=np.float32)
    return n, d, rows


@pytest.mark.parametrize("fmt, binary", [("word2vec", False), ("word2vec-binary", True)])
def test_word2vec_export_of_0_based_ids_writes_each_vector_once(tmp_path, fmt, binary):
    rng = np.random.default_rng(1)
    emb = NodeEmbedding(rng.normal(size=(50, 6)), list(range(50)))
    path = tmp_path / "v.out"
    emb.export(path, fmt)
    n, d, rows = _read_word2vec(path, binary)
    assert (n, d) == (50, 6) and len(rows) == 50
    assert list(rows) == [str(i) for i in range(50)]
    for i in range(50):
        np.testing.assert_array_equal(rows[str(i)], emb.vectors[i])


def test_word2vec_export_refuses_ids_equal_as_text(tmp_path):
    emb = NodeEmbedding(np.ones((2, 2)), [1, "1"])
    with pytest.raises(n2v_lite.ParameterError, match="same text '1'"):
        emb.export(tmp_path / "v.txt")
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------ safe saves
def test_unwritable_output_fails_before_the_work_naming_the_users_path(tmp_path):
    emb = NodeEmbedding(np.ones((2, 2)), ["a", "b"])
    with pytest.raises(n2v_lite.OutputError, match=r"^/proc/x\.n2v: cannot write"):
        emb.save("/proc/x.n2v")
    with pytest.raises(n2v_lite.OutputError, match="no folder"):
        emb.save(tmp_path / "missing" / "x.n2v")


def test_a_killed_save_leaves_a_temp_file_that_the_next_save_removes(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "m.n2v"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f".m.n2v.{dead}.abcd1234.tmp"  # as a SIGKILLed save leaves it
    stale.write_bytes(b"half a model")
    live = tmp_path / f".m.n2v.{os.getpid() + 0}.zz.tmp"  # our own pid: never touched
    NodeEmbedding(np.ones((2, 2)), ["a", "b"]).save(path)
    assert not stale.exists() and path.exists()
    assert not live.exists()  # (it never existed: our pid's files are in use, not stale)
    assert load(path).node_ids == ["a", "b"]


def test_container_protocol_is_over_node_ids():
    emb = NodeEmbedding(np.arange(12.0).reshape(4, 3), [0, 1, "x", 3])
    assert list(emb) == emb.node_ids == emb.keys() == [0, 1, "x", 3]  # ids 0..n-1 too
    assert len(emb) == 4 and 3 in emb and "x" in emb and 4 not in emb and [1] not in emb
    assert [node for node, _ in emb.items()] == emb.node_ids
    assert all(np.array_equal(vector, emb[node]) for node, vector in emb.items())
    assert dict(emb.items()).keys() == set(emb)


def test_embeddings_and_fitted_estimators_pickle_with_their_wv(tmp_path):
    import copy
    import pickle

    import joblib
    from sklearn.base import clone

    model = Node2Vec(**SMALL).fit(two_communities())
    emb = model.embedding_
    first = emb.wv.most_similar(IDS[0], topn=3)  # the gensim view is built, then pickled
    for round_trip in (
        lambda x: pickle.loads(pickle.dumps(x)),
        copy.deepcopy,
        lambda x: (joblib.dump(x, tmp_path / "m.joblib"), joblib.load(tmp_path / "m.joblib"))[1],
    ):
        again = round_trip(emb)
        assert again.node_ids == emb.node_ids and np.array_equal(again.vectors, emb.vectors)
        assert not again.vectors.flags.writeable
        assert again.most_similar(IDS[0], topn=3) == emb.most_similar(IDS[0], topn=3)
        assert again.wv.most_similar(IDS[0], topn=3) == first
        wv = round_trip(emb.wv)
        assert wv.most_similar(IDS[0], topn=3) == first
        fitted = round_trip(model)
        assert np.array_equal(fitted.embedding_.vectors, emb.vectors)
        assert fitted.get_params() == model.get_params()
    unfitted = clone(model)
    assert unfitted.get_params() == model.get_params() and not hasattr(unfitted, "embedding_")


def test_a_model_file_is_read_with_bounded_memory(tmp_path):
    import json

    def model_file(name, members):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "meta.json", json.dumps({"format": "n2v_lite-model", "format_version": 2})
            )
            for member, data in members.items():
                archive.writestr(member, data)
        return path

    bomb = model_file("bomb.n2v", {"vectors.npy": b"\0" * (64 << 20)})  # 64 MiB of zeros
    with pytest.raises(
        ModelFileError,
        match=r"bomb.n2v: member vectors.npy claims 67108864 "
        r"bytes from \d+ on disk; not an n2v_lite model$",
    ):
        load(bomb)
    path = tmp_path / "meta.n2v"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", " " * (17 << 20))
    with pytest.raises(ModelFileError, match=r"meta.json claims 17825792 bytes \(at most"):
        load(path)
    header = model_file(
        "header.n2v",
        {
            "vectors.npy": b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', "
            b"'fortran_order': False, 'shape': "
            b"(100000000, 128), }" + b" " * 40 + b"\n"
        },
    )
    with pytest.raises(ModelFileError, match="header.n2v: corrupt or truncated model file"):
        load(header)  # a header cut short
    huge = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        huge, {"descr": "<f4", "fortran_order": False, "shape": (10**11, 8)}
    )
    with pytest.raises(
        ModelFileError,
        match=r"huge.n2v: corrupt model file \(vectors.npy claims shape \(100000000000, 8\): "
        r"3200000000000 bytes, more than the 64 it holds\)$",
    ):  # refused before numpy allocates 3 TB
        load(model_file("huge.n2v", {"vectors.npy": huge.getvalue() + b"\0" * 64}))


def _edited(tmp_path, source, name, meta=None, members=None):
    """A copy of the model file ``source`` with meta.json fields or members replaced."""
    import json

    with zipfile.ZipFile(source) as archive:
        contents = {item: archive.read(item) for item in archive.namelist()}
    old = json.loads(contents["meta.json"])
    for key, value in (meta or {}).items():
        section, _, field = key.partition(".")
        if field:
            old[section][field] = value
        else:
            old[key] = value
    contents["meta.json"] = json.dumps(old).encode()
    contents.update(members or {})
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for item, data in contents.items():
            archive.writestr(item, data)
    return path


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"params": "x"}, "meta.json: params is not a dict"),
        ({"loss_history": "abc"}, "meta.json: loss_history is not a list"),
        ({"loss_history": [1.0, "a"]}, "meta.json: loss_history holds a non-number"),
        ({"fit_info": [1]}, "meta.json: fit_info is not a dict"),
        ({"node_data_kinds": [1]}, "meta.json: node_data_kinds is not a dict"),
        ({"node_data": [7]}, "meta.json: node_data holds a non-name"),
        ({"fit_info.reader": [1, 2]}, "meta.json: fit_info.reader is not a dict"),
        ({"fit_info.directed": "yes"}, "meta.json: fit_info.directed is 'yes'"),
        ({"fit_info.weighted": [1]}, "meta.json: fit_info.weighted is [1]"),
    ],
)
def test_a_model_whose_meta_has_foreign_types_is_one_error(tmp_path, meta, message):
    emb = NodeEmbedding(np.eye(3, dtype=np.float32), ["a", "b", "c"], info={"reader": {}})
    emb.save(tmp_path / "good.n2v")
    path = _edited(tmp_path, tmp_path / "good.n2v", "bad.n2v", meta=meta)
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert str(info.value) == f"{path}: corrupt model file ({message})"


def test_a_model_with_nested_meta_or_non_finite_vectors_is_refused(tmp_path):
    emb = NodeEmbedding(np.eye(3, dtype=np.float32), ["a", "b", "c"])
    emb.save(tmp_path / "good.n2v")
    nested = tmp_path / "nested.n2v"
    with zipfile.ZipFile(tmp_path / "good.n2v") as good, zipfile.ZipFile(nested, "w") as bad:
        for item in good.namelist():
            data = good.read(item)
            bad.writestr(item, b"[" * 100000 + b"]" * 100000 if item == "meta.json" else data)
    with pytest.raises(ModelFileError, match=r"nested.n2v: not an n2v_lite model \(meta.json\)$"):
        load(nested)
    vectors = np.eye(3, dtype=np.float32)
    vectors[1, 2] = np.nan
    stored = io.BytesIO()
    np.save(stored, vectors)
    path = _edited(
        tmp_path, tmp_path / "good.n2v", "nan.n2v", members={"vectors.npy": stored.getvalue()}
    )
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert str(info.value) == (
        f"{path}: corrupt model file (the vector of node 'b' (row 1) holds NaN or infinite values)"
    )
    with pytest.raises(n2v_lite.ParameterError, match="node 'c' \\(row 2\\) holds NaN"):
        NodeEmbedding(np.array([[0.0], [1.0], [np.inf]]), ["a", "b", "c"])


def test_copy_false_adopts_the_arrays_and_copy_true_keeps_them_apart():
    """A trainer's fresh result is adopted (no second n x d copy at the peak); a user's
    array is copied, so writing to it later does not change the embedding."""
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    output = vectors + 1
    counts = np.array([1, 2, 3], dtype=np.int64)
    adopted = NodeEmbedding(
        vectors, [0, 1, 2], state={"output_vectors": output, "counts": counts}, copy=False
    )
    assert np.shares_memory(adopted.vectors, vectors) and not vectors.flags.writeable
    assert np.shares_memory(adopted._state["output_vectors"], output)
    mine = np.ones((3, 2))
    copied = NodeEmbedding(mine, ["a", "b", "c"])
    mine[0, 0] = 9.0
    assert copied["a"][0] == 1.0 and copied.vectors.dtype == np.float32
    converted = NodeEmbedding(np.ones((3, 2)), ["a", "b", "c"], copy=False)  # float64 in:
    assert converted.vectors.dtype == np.float32  # converted


def test_an_unknown_text_id_names_the_closest_ids():
    """As titles do: another case first, then similar spellings; nothing when nothing is
    near, and only the case check above the size where comparing spellings costs."""
    import networkx as nx

    ids = [n for n in nx.les_miserables_graph().nodes]
    emb = NodeEmbedding(np.random.default_rng(0).normal(size=(len(ids), 4)), ids)
    with pytest.raises(
        NodeNotFoundError,
        match=r"^node 'valjean' is not in the embedding; "
        r"closest: 'Valjean'$",
    ):
        emb.most_similar("valjean")
    with pytest.raises(NodeNotFoundError, match=r"closest: 'Valjean'"):
        emb["Valjen"]
    with pytest.raises(NodeNotFoundError, match=r"^node 'zzzz' is not in the embedding$"):
        emb["zzzz"]
    emb._CLOSEST_SPELLINGS = 10  # (les misérables has 77)
    with pytest.raises(NodeNotFoundError, match=r"embedding$"):
        emb["Valjen"]
    with pytest.raises(NodeNotFoundError, match=r"closest: 'Valjean'$"):
        emb["VALJEAN"]
