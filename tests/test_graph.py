"""The CSR graph and its readers: structure, duplicates, ids, and one-line errors."""

import gzip
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from n2v_lite import Graph, GraphError, NodeNotFoundError


def write(tmp_path, text, name="edges.tsv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def adjacency(g):
    """{(src_id, dst_id): weight} of every stored entry."""
    out = {}
    for i in range(g.num_nodes):
        for k in range(g.indptr[i], g.indptr[i + 1]):
            out[(g.node_ids[i], g.node_ids[g.indices[k]])] = g.weights[k]
    return out


def test_undirected_stores_both_directions_sorted(tmp_path):
    g = Graph.from_edgelist(write(tmp_path, "1\t3\n1\t2\n2\t3\n3\t3\n"))
    assert g.num_nodes == 3 and g.num_edges == 4 and g.num_self_loops == 1
    assert g.num_stored_edges == 7  # 3 edges twice + the self-loop once
    assert g.node_ids.tolist() == [1, 2, 3]
    for i in range(3):
        row = g.indices[g.indptr[i] : g.indptr[i + 1]]
        assert np.all(np.diff(row) > 0)
    adj = adjacency(g)
    assert all(adj[(v, u)] == w for (u, v), w in adj.items())
    assert not g.weighted and not g.directed


def test_an_edge_listed_twice_is_one_edge_and_stays_unweighted(tmp_path):
    # Cora's shape: pairs listed in both directions, read as undirected
    text = "1 2\n2 1\n2 3\n3 4\n4 3\n1 2\n"
    g = Graph.from_edgelist(write(tmp_path, text))
    assert not g.weighted and g.num_edges == 3 and g.duplicates_merged == 3
    assert repr(g) == "<Graph undirected, 4 nodes, 3 edges, unweighted, 3 duplicates merged>"
    reference = nx.read_edgelist(write(tmp_path, text), nodetype=int)
    assert g.to_networkx().edges == reference.edges
    d = Graph.from_edgelist(write(tmp_path, text), directed=True)  # u v and v u: two edges
    assert not d.weighted and d.num_edges == 5 and d.duplicates_merged == 1
    assert Graph.from_edgelist(write(tmp_path, text), duplicates="sum").weights.max() == 3


def test_unequal_weights_are_an_error_naming_both_lines_unless_a_policy(tmp_path):
    path = write(tmp_path, "# weights\na b 2\nb c 1\nb a 3\na b 2\n")
    with pytest.raises(GraphError) as info:
        Graph.from_edgelist(path)
    assert str(info.value) == (
        f"{path}, lines 2 and 4: edge 'a' -- 'b' is listed with different "
        "weights (2 and 3); say how to merge them: duplicates= "
        "(--duplicates) sum, max, min, first, last"
    )
    expected = {"sum": 7.0, "max": 3.0, "min": 2.0, "first": 2.0, "last": 2.0}
    for policy, weight in expected.items():
        g = Graph.from_edgelist(path, duplicates=policy)
        assert adjacency(g)[("a", "b")] == adjacency(g)[("b", "a")] == weight, policy
        assert g.duplicates_merged == 2
    same = Graph.from_edgelist(write(tmp_path, "a b 2\nb a 2\nb c 1\n", "same.tsv"))
    assert adjacency(same)[("a", "b")] == 2.0 and same.duplicates_merged == 1
    d = Graph.from_edgelist(path, directed=True)  # a->b twice with 2, b->a once: no conflict
    assert adjacency(d) == {("a", "b"): 2.0, ("b", "c"): 1.0, ("b", "a"): 3.0}
    with pytest.raises(Exception, match="duplicates must be one of sum, max, min, first, last"):
        Graph.from_edgelist(path, duplicates="mean")


def test_every_reader_has_the_same_duplicate_rule(tmp_path):
    frame = pd.DataFrame(
        {"source": ["a", "b", "b"], "target": ["b", "c", "a"], "weight": [1.0, 2.0, 3.0]}
    )
    with pytest.raises(GraphError, match="^DataFrame row 0 and DataFrame row 2: edge 'a' -- 'b'"):
        Graph.from_pandas(frame)
    from_file = Graph.from_edgelist(write(tmp_path, "a b 1\nb c 2\nb a 3\n"), duplicates="max")
    assert Graph.from_pandas(frame, duplicates="max") == from_file
    multi = nx.MultiGraph(
        [("a", "b", {"weight": 1.0}), ("b", "c", {"weight": 2.0}), ("b", "a", {"weight": 3.0})]
    )
    with pytest.raises(GraphError, match="^networkx edge .* and networkx edge .*: edge 'a' -- 'b'"):
        Graph.from_networkx(multi)
    assert Graph.from_networkx(multi, duplicates="max") == from_file
    unweighted = pd.DataFrame({"source": [1, 2, 1], "target": [2, 1, 2]})
    g = Graph.from_pandas(unweighted)
    assert not g.weighted and g.num_edges == 1 and g.duplicates_merged == 2
    assert Graph.from_edges([0, 1, 0], [1, 0, 1]) == g.__class__.from_edges([0], [1])


def test_self_loops_kept_unless_dropped(tmp_path):
    path = write(tmp_path, "1 1\n1 2\n")
    assert Graph.from_edgelist(path).neighbors(1) == [1, 2]
    assert Graph.from_edgelist(path, drop_self_loops=True).neighbors(1) == [2]


@pytest.mark.parametrize(
    "text,kwargs",
    [
        ("# c\nsource,target,weight\nx,y,1.5\ny,z,2\n", {}),
        ("x\ty\t1.5\n\n# blank and comment lines\ny\tz\t2  # trailing\n", {}),
        ("x   y 1.5\ny z    2\n", {}),
        ("from to w\nx y 1.5\ny z 2\n", {"header": True}),
    ],
)
def test_separators_headers_comments(tmp_path, text, kwargs):
    g = Graph.from_edgelist(write(tmp_path, text), **kwargs)
    assert g.node_ids.tolist() == ["x", "y", "z"]
    assert adjacency(g)[("x", "y")] == 1.5 and adjacency(g)[("z", "y")] == 2.0


def test_header_detected_for_integer_ids(tmp_path):
    g = Graph.from_edgelist(write(tmp_path, "src dst\n10 20\n20 30\n"))
    assert g.node_ids.tolist() == [10, 20, 30]


def test_gzip_and_weight_flag(tmp_path):
    path = tmp_path / "e.tsv.gz"
    with gzip.open(path, "wt") as f:
        f.write("1\t2\t3.0\n2\t3\t4.0\n")
    assert Graph.from_edgelist(path).weights.max() == 4.0
    assert not Graph.from_edgelist(path, weighted=False).weighted
    with pytest.raises(GraphError, match="no weight column"):
        Graph.from_edgelist(write(tmp_path, "1 2\n"), weighted=True)


def _through_a_pipe(tmp_path, data, name="pipe"):
    """A named pipe that a thread fills with ``data`` once (as a shell's ``<(...)``)."""
    import os
    import threading

    fifo = tmp_path / name
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as f:
            f.write(data)

    threading.Thread(target=feed, daemon=True).start()
    return fifo


@pytest.mark.parametrize("compressed", [False, True])
def test_a_pipe_reads_as_the_same_file(tmp_path, compressed):
    # the reader reads a file more than once (a sample for its layout, then the data);
    # a pipe is copied first, so `<(zcat edges.gz)` is the graph the file holds
    text = "# a comment\nsrc\tdst\tw\n" + "".join(
        f"n{i}\tn{(i * 7 + 3) % 50}\t{1 + i % 4}\n" for i in range(200)
    )
    data = gzip.compress(text.encode()) if compressed else text.encode()
    expected = Graph.from_edgelist(write(tmp_path, text), duplicates="sum")
    got = Graph.from_edgelist(_through_a_pipe(tmp_path, data), duplicates="sum")
    assert got.node_ids.tolist() == expected.node_ids.tolist()
    assert adjacency(got) == adjacency(expected) and got.num_edges == expected.num_edges
    assert not list(tmp_path.glob("n2v-lite-input-*"))


def test_a_pipes_errors_name_the_pipe_and_its_copy_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    fifo = _through_a_pipe(tmp_path, b"1\t2\n2\t3\t4\t5\n")
    with pytest.raises(GraphError) as info:
        Graph.from_edgelist(fifo)
    assert (
        str(info.value) == f"{fifo}, line 2: too many fields in '2\\t3\\t4\\t5' "
        "(expected source, target and an optional weight)"
    )
    assert not list((tmp_path / "scratch").iterdir())


def test_string_ids_that_look_like_numbers_stay_strings(tmp_path):
    g = Graph.from_edgelist(write(tmp_path, "007 1\n1 x\n"))
    assert g.node_ids.tolist() == ["007", "1", "x"]
    assert g.index_of(1) == g.index_of("1") == 1  # ints are matched to str ids


@pytest.mark.parametrize(
    "text,message",
    [
        ("a\tb\t1\nb\tc\tx\n", r"edges.tsv, line 2: weight 'x' is not a number"),
        ("1\t2\t1\n# note\n2\t3\t-1\n", r"edges.tsv, line 3: weight -1 must be positive"),
        ("1\t2\t0\n", r"edges.tsv, line 1: weight 0 must be positive"),
        ("a\tb\t1\n\nb\tc\tnan\n", r"edges.tsv, line 3: weight nan is not finite"),
        ("a b 1\nb c inf\n", r"edges.tsv, line 2: weight inf is not finite"),
        ("a\tb\t1\nb\tc\t1\t5\n", r"edges.tsv, line 2: too many fields in 'b\\tc\\t1\\t5'"),
        ("a b c d\n", r"edges.tsv, line 1: too many fields"),
        ("1\t2\t1\n2\t3\n", r"edges.tsv, line 2: missing weight"),
        ("1\t2\n3\n", r"edges.tsv, line 2: missing target column after '3'"),
        ("# only a comment\n", r"edges.tsv: no edges"),
        ("", r"edges.tsv: no edges"),
    ],
)
def test_bad_input_names_file_line_and_value(tmp_path, text, message):
    with pytest.raises(GraphError, match=message) as info:
        Graph.from_edgelist(write(tmp_path, text))
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_file_is_a_graph_error(tmp_path):
    with pytest.raises(GraphError, match="nope.tsv: cannot read"):
        Graph.from_edgelist(tmp_path / "nope.tsv")


def test_only_self_loops_dropped_is_empty(tmp_path):
    with pytest.raises(GraphError, match="no edges"):
        Graph.from_edgelist(write(tmp_path, "1 1\n"), drop_self_loops=True)


def test_from_pandas_and_errors():
    df = pd.DataFrame({"u": [3, 1, 1], "v": [1, 2, 2], "weight": [1.0, 2.0, 0.5]})
    g = Graph.from_pandas(df, "u", "v", directed=True, duplicates="sum")
    assert g.node_ids.tolist() == [1, 2, 3]
    assert adjacency(g) == {(1, 2): 2.5, (3, 1): 1.0}
    with pytest.raises(GraphError, match="no column 'src'"):
        Graph.from_pandas(df, "src", "v")
    bad = df.assign(weight=[1.0, -2.0, 1.0])
    with pytest.raises(GraphError, match=r"DataFrame row 1: weight -2.0 must be positive"):
        Graph.from_pandas(bad, "u", "v")
    with pytest.raises(GraphError, match="DataFrame row 0: missing v value"):
        Graph.from_pandas(df.assign(v=[None, "a", "b"]), "u", "v")


def test_nodes_argument_keeps_order_and_isolated_nodes():
    df = pd.DataFrame({"source": ["b"], "target": ["c"]})
    g = Graph.from_pandas(df, nodes=["c", "b", "lonely"])
    assert g.node_ids.tolist() == ["c", "b", "lonely"]
    assert g.degrees().tolist() == [1, 1, 0]
    with pytest.raises(GraphError, match="node 'c' is not in nodes"):
        Graph.from_pandas(df, nodes=["b"])


def test_networkx_round_trip_keeps_weights_metadata_and_isolated_nodes():
    nxg = nx.karate_club_graph()
    nxg.add_node(99, club="none")
    g = Graph.from_networkx(nxg)
    assert g.num_nodes == 35 and g.num_edges == nxg.number_of_edges()
    assert g.node_attribute("club")[-1] == "none"
    back = g.to_networkx()
    assert set(back.edges) == set(nxg.edges)
    for u, v, w in nxg.edges(data="weight"):
        assert back[u][v]["weight"] == w
    assert Graph.from_networkx(back) == g
    d = Graph.from_networkx(nx.DiGraph([("x", "y")]))
    assert d.directed and d.neighbors("x") == ["y"] and d.neighbors("y") == []


def test_graph_is_immutable_and_compact():
    g = Graph.from_edges([0, 1, 2], [1, 2, 0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        g.indices[0] = 2
    with pytest.raises(AttributeError):
        g.directed = True
    assert g.nbytes <= 16 * g.num_stored_edges + 8 * (g.num_nodes + 1)


def test_node_lookup_errors():
    g = Graph.from_edges([0], [1], node_ids=np.array(["a", "b"], dtype=object))
    with pytest.raises(NodeNotFoundError, match="node 'z' is not in the graph"):
        g.index_of("z")
    assert "a" in g and "z" not in g
    assert g.indices_of(["b", "a"]).tolist() == [1, 0]


def test_constructor_rejects_bad_csr():
    with pytest.raises(GraphError, match="weights must be positive"):
        Graph([0, 1, 1], [1], [-1.0], [0, 1])
    with pytest.raises(GraphError, match="indptr"):
        Graph([0, 2], [1], [1.0], [0])


def test_repr():
    g = Graph.from_edges([0, 1], [1, 2], [1.0, 2.0])
    assert repr(g) == "<Graph undirected, 3 nodes, 2 edges, weighted>"


def test_import_is_light():
    code = (
        "import sys, n2v_lite, n2v_lite.graph; "
        "print(any(m in sys.modules for m in ('gensim', 'sklearn', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_large_edge_list_is_vectorised(tmp_path):
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, 5000, 50_000), rng.integers(0, 5000, 50_000)
    path = tmp_path / "big.tsv"
    np.savetxt(path, np.c_[src, dst], fmt="%d", delimiter="\t")
    g = Graph.from_edgelist(path)
    expected = {(min(a, b), max(a, b)) for a, b in zip(src.tolist(), dst.tolist())}
    s, d, _ = g.edges()
    assert set(zip(g.node_ids[s].tolist(), g.node_ids[d].tolist())) == expected


def test_trailing_separators_are_not_columns(tmp_path):
    g = Graph.from_edgelist(write(tmp_path, "1\t2\t1.5\t\n2\t3\t2.0\t\n"))
    assert g.weighted and adjacency(g)[(1, 2)] == 1.5
    assert not Graph.from_edgelist(write(tmp_path, "a,b,\nb,c,\n")).weighted


def test_noncanonical_integers_anywhere_keep_ids_as_text(tmp_path):
    text = "".join(f"{i}\t{i + 1}\n" for i in range(1, 61)) + "007\t8\n"
    g = Graph.from_edgelist(write(tmp_path, text))
    assert "007" in g and g.num_nodes == 62 and g.node_ids.dtype == object


def test_truncated_gzip_is_a_graph_error(tmp_path):
    full = tmp_path / "full.tsv.gz"
    with gzip.open(full, "wt") as f:
        f.write("".join(f"{i}\t{i + 1}\n" for i in range(20000)))
    cut = tmp_path / "cut.tsv.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(GraphError, match="cut.tsv.gz: cannot read"):
        Graph.from_edgelist(cut)


def test_string_ids_with_a_header_need_header_true(tmp_path):
    path = write(tmp_path, "source\ttarget\na\tb\nb\tc\n")
    assert Graph.from_edgelist(path, header=True).node_ids.tolist() == ["a", "b", "c"]


# ------------------------------------------------------- ids that survive
@pytest.mark.parametrize(
    "text,ids",
    [
        ("0\t-0\t+1\n", ["-0", "0"]),
        ("0 -0\n+1 007\n1.0 a\n", ["+1", "-0", "0", "007", "1.0", "a"]),
        ("1 2\n2 -0\n", ["-0", "1", "2"]),
    ],
)
def test_any_noncanonical_id_keeps_every_id_as_written(tmp_path, text, ids):
    g = Graph.from_edgelist(write(tmp_path, text))
    assert sorted(g.node_ids.tolist()) == ids
    assert all(type(x) is str for x in g.node_ids.tolist())
    assert [g.index_of(x) for x in g.node_ids.tolist()] == list(range(g.num_nodes))


def test_canonical_integer_ids_become_int(tmp_path):
    g = Graph.from_edgelist(write(tmp_path, "0 -3\n42 0\n"))
    assert g.node_ids.tolist() == [-3, 0, 42] and g.node_ids.dtype.kind == "i"


def test_from_pandas_columns_of_two_kinds_keep_every_id():
    # numpy promotes int64 with uint64 to float64: 2**63 - 1 and 2**63 became one node
    # (3 nodes, not 4), and bool with int merged True into 1, without a word
    df = pd.DataFrame(
        {
            "s": np.array([2**63 - 1, 5], dtype=np.int64),
            "t": np.array([2**63, 2**64 - 1], dtype=np.uint64),
        }
    )
    g = Graph.from_pandas(df, "s", "t")
    reference = nx.Graph(zip(df["s"].tolist(), df["t"].tolist()))
    assert g.num_nodes == reference.number_of_nodes() == 4
    assert g.node_ids.tolist() == [5, 2**63 - 1, 2**63, 2**64 - 1]
    assert all(type(node) is int for node in g.node_ids.tolist())
    mixed = Graph.from_pandas(pd.DataFrame({"s": [1, 2], "t": [2.5, 3.5]}), "s", "t")
    assert [type(v) for v in mixed.node_ids.tolist()] == [int, int, float, float]
    for t_values, pair in (([1, 5], "True and 1"), ([1.0, 3.5], "1 and 1.0")):
        s_values = [True, False] if pair.startswith("True") else [1, 2]
        with pytest.raises(GraphError, match=f"node ids {pair} are equal as Python keys"):
            Graph.from_pandas(pd.DataFrame({"s": s_values, "t": t_values}), "s", "t")


def test_an_id_longer_than_the_limit_is_one_error_naming_its_line(tmp_path, monkeypatch):
    # a 100,000,000-character "id" (a file without the expected separator) ran for
    # minutes in the id hashing at 3.6 GB; it is refused when the graph is built
    import n2v_lite.ids as ids_module

    monkeypatch.setattr(ids_module, "MAX_ID_CHARS", 50)
    path = write(tmp_path, "a\tb\n" + "x" * 51 + "\tc\nc\td\n")
    with pytest.raises(GraphError) as info:
        Graph.from_edgelist(path)
    assert str(info.value) == (
        f"{path}, line 2: node id 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... has 51 characters; "
        "ids are at most 50 (is the separator right?)"
    )
    assert Graph.from_edgelist(write(tmp_path, "a\tb\n" + "x" * 50 + "\tc\n")).num_nodes == 4
    with pytest.raises(GraphError, match="has 51 characters"):
        Graph.from_pandas(pd.DataFrame({"s": ["a"], "t": ["y" * 51]}), "s", "t")
    with pytest.raises(GraphError, match="has 51 characters"):
        Graph.from_networkx(nx.Graph([("a", "z" * 51)]))


def test_from_pandas_keeps_mixed_ids_with_their_types():
    df = pd.DataFrame(
        {"source": pd.Series([1, "1"], dtype=object), "target": pd.Series(["1", 2], dtype=object)}
    )
    g = Graph.from_pandas(df)
    ids = g.node_ids.tolist()
    assert len(ids) == 3 and {(type(x), x) for x in ids} == {(int, 1), (str, "1"), (int, 2)}
    assert g.index_of(1) != g.index_of("1")
    assert sorted(g.neighbors("1"), key=str) == [1, 2]
    assert g.neighbors(1) == ["1"]
    assert g.indices_of(["1", 1]).tolist() == [g.index_of("1"), g.index_of(1)]
    with pytest.raises(GraphError, match="equal as Python keys"):
        Graph.from_pandas(
            pd.DataFrame(
                {
                    "source": pd.Series([1, 1.0], dtype=object),
                    "target": pd.Series([2, 2], dtype=object),
                }
            )
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: nx.grid_2d_graph(3, 4),
        lambda: nx.Graph([(1, "1"), ("1", 2.5), (2.5, (0, "a")), ((0, "a"), True)]),
        lambda: nx.DiGraph([(1.5, 2.5), (2.5, -0.5)]),
    ],
)
def test_networkx_ids_keep_type_and_value(make):
    nxg = make()
    g = Graph.from_networkx(nxg)
    ids = g.node_ids.tolist()
    assert g.node_ids.ndim == 1 and len(ids) == nxg.number_of_nodes()
    assert [(type(x), x) for x in ids] == [(type(x), x) for x in nxg.nodes]
    assert all(x in g for x in ids)
    assert [g.index_of(x) for x in ids] == list(range(len(ids)))
    assert g.indices_of(ids).tolist() == list(range(len(ids)))
    back = g.to_networkx()
    assert [(type(x), x) for x in back.nodes] == [(type(x), x) for x in nxg.nodes]
    assert set(back.edges) == set(nxg.edges)


@pytest.mark.parametrize("bad", [frozenset({1}), float("nan"), None.__class__, object()])
def test_networkx_ids_without_a_stored_form_are_refused(bad):
    nxg = nx.Graph([(0, bad)])
    with pytest.raises(GraphError, match="networkx graph: node id"):
        Graph.from_networkx(nxg)


def test_given_node_ids_are_checked():
    with pytest.raises(GraphError, match="equal as Python keys"):
        Graph.from_edges([0], [1], node_ids=np.array([1, 1.0], dtype=object))
    with pytest.raises(GraphError, match="node id"):
        Graph.from_edges([0], [1], node_ids=np.array([1, [2]], dtype=object))
    with pytest.raises(GraphError, match="node_ids: node id 3 appears twice"):
        Graph.from_edges([0], [1], node_ids=np.array([3, 3]))
    with pytest.raises(GraphError, match="node id"):
        Graph.from_pandas(
            pd.DataFrame({"source": ["a"], "target": ["b"]}), nodes=["a", "b", frozenset()]
        )
    g = Graph.from_edges([0], [1], node_ids=[(0, 1), (0, 2)])
    assert g.node_ids.shape == (2,) and g.neighbors((0, 1)) == [(0, 2)]


# ---------------------------------------------------------- clear messages
def test_one_field_first_line_names_line_one(tmp_path):
    with pytest.raises(GraphError) as info:
        Graph.from_edgelist(write(tmp_path, "a\nb c\n"))
    assert str(info.value) == (
        f"{tmp_path / 'edges.tsv'}, line 1: expected 'source target [weight]', got 1 field in 'a'"
    )


def test_binary_garbage_is_shown_short_and_escaped(tmp_path):
    path = tmp_path / "edges.tsv"
    junk = bytes(b for b in range(1, 128) if b not in b"\t\n\r ,#0123456789")
    path.write_bytes(junk * 4 + b"\nb c\n")
    with pytest.raises(GraphError) as info:
        Graph.from_edgelist(path)
    message = str(info.value)
    assert len(message) < len(str(path)) + 120, message
    assert message.isprintable() and "\n" not in message


def test_shown_values_are_cut_and_escaped():
    from n2v_lite._text import show

    assert show("a\tb") == r"'a\tb'"
    long = show("x" * 500 + "\x00")
    assert len(long) <= 45 and long.isprintable() and long.endswith("...")
    assert show(-1.0) == "-1.0"


@pytest.mark.parametrize("sep", ["\t", "\\t"])
def test_escaped_tab_separator(tmp_path, sep):
    g = Graph.from_edgelist(write(tmp_path, "a b\tc\nc\td e\n"), sep=sep)
    assert g.node_ids.tolist() == ["a b", "c", "d e"]


@pytest.mark.parametrize("sep", ["", "ab", "\n", "\r", "#", 5])
def test_bad_separator_names_sep(tmp_path, sep):
    from n2v_lite import N2VLiteError

    with pytest.raises(
        N2VLiteError, match=r"^sep must be .*got " + __import__("re").escape(repr(sep))
    ):
        Graph.from_edgelist(write(tmp_path, "a b\n"), sep=sep)


def test_header_only_one_byte_file(tmp_path):
    with pytest.raises(GraphError, match=r"edges.tsv: no edges"):
        Graph.from_edgelist(write(tmp_path, "0"), header=True)


# ---------------------------------------------------------------- labels
def read_labels(*args, **kwargs):
    from n2v_lite.evaluate import read_labels as read

    return read(*args, **kwargs)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1\ta\n-0\tb\n", {"1": ["a"], "-0": ["b"]}),
        ("0 x\n-3 y\n0 z\n", {0: ["x", "z"], -3: ["y"]}),
        ("node label\n007 1\n7 2\n", {"007": [1], "7": [2]}),
        ("1,a\r\n2,b\r\n", {1: ["a"], 2: ["b"]}),
    ],
)
def test_read_labels_ids_follow_the_edge_list_rule(tmp_path, text, expected):
    assert read_labels(write(tmp_path, text, "labels.tsv")) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("1\ta\n2\n", r"labels.tsv, line 2: missing label after '2'"),
        ("1\ta\n\n2\t\n", r"labels.tsv, line 3: missing label after '2'"),
        ("1\ta\n2\tb\tc\n", r"labels.tsv, line 2: too many fields in '2\\tb\\tc'"),
        ("# nothing\n", r"labels.tsv: no labels"),
    ],
)
def test_read_labels_errors_name_file_line_and_value(tmp_path, text, message):
    with pytest.raises(GraphError, match=message) as info:
        read_labels(write(tmp_path, text, "labels.tsv"))
    assert "\n" not in str(info.value)


# ------------------------------------------------------ compact storage
def reference_csr(src, dst, weights, n, directed, duplicates="sum", weighted=True):
    """{(row, col): merged weight} by a plain dict (an independent reference)."""
    copies = {}
    for u, v, w in zip(src, dst, weights):
        for a, b in [(u, v)] if directed or u == v else [(u, v), (v, u)]:
            copies.setdefault((a, b), []).append(w)
    merge = {"sum": sum, "max": max, "min": min, "first": lambda w: w[0], "last": lambda w: w[-1]}
    if not weighted:
        return {key: (float(len(w)) if duplicates == "sum" else 1.0) for key, w in copies.items()}
    return {key: merge[duplicates](w) for key, w in copies.items()}


def stored(g):
    w = np.asarray(g.weights, dtype=np.float64)
    return {
        (i, int(g.indices[k])): float(w[k])
        for i in range(g.num_nodes)
        for k in range(g.indptr[i], g.indptr[i + 1])
    }


def test_unweighted_graph_stores_no_weights(tmp_path):
    g = Graph.from_edgelist(write(tmp_path, "1 2\n2 3\n3 1\n"))
    assert not g.weighted and g._weights is None
    assert g.weights.dtype == np.float32 and g.weights.shape == g.indices.shape
    assert np.all(g.weights == 1) and not g.weights.flags.writeable
    assert g.indptr.dtype == np.int32 and g.indices.dtype == np.int32
    assert g.nbytes == g.indptr.nbytes + g.indices.nbytes + g.node_ids.nbytes
    same = Graph.from_edgelist(write(tmp_path, "1 2 1\n2 3 1.0\n3 1 1\n"))
    assert same == g and not same.weighted  # weights that are all 1 are not stored


def test_weights_float32_only_when_exact():
    g = Graph.from_edges([0, 1], [1, 2], [0.5, 3.0])
    assert g.weights.dtype == np.float32 and g.nbytes == (
        g.indptr.nbytes + g.indices.nbytes + g.weights.nbytes + g.node_ids.nbytes
    )
    g = Graph.from_edges([0, 1, 0], [1, 2, 1], [0.1, 3.0, 0.2], duplicates="sum")
    assert stored(g)[(0, 1)] == 0.1 + 0.2  # the sum of duplicates stays exact
    g = Graph.from_edges([0, 0, 0], [1, 1, 1], duplicates="sum")  # unweighted: the count
    assert stored(g) == {(0, 1): 3.0, (1, 0): 3.0} and g.weighted


@pytest.mark.parametrize("duplicates", ["sum", "max", "min", "first", "last", None])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_csr_builder_matches_a_plain_reference(monkeypatch, directed, weighted, duplicates):
    import n2v_lite.graph as graph_module

    monkeypatch.setattr(graph_module, "_ROW_BLOCK", 7)  # many small row blocks
    rng = np.random.default_rng(1)
    n, m = 40, 300
    src, dst = rng.integers(0, n, m), (rng.integers(0, n, m) ** 2) % n
    weights = rng.integers(1, 5, m) / 4 if weighted else np.ones(m)
    build = dict(node_ids=np.arange(n), directed=directed, duplicates=duplicates)
    if weighted and duplicates is None:  # random weights: some copies differ
        with pytest.raises(GraphError, match=r"^edges \d+ and \d+ \(by position\): edge"):
            Graph.from_edges(src, dst, weights, **build)
        return
    g = Graph.from_edges(src, dst, weights if weighted else None, **build)
    assert stored(g) == reference_csr(
        src.tolist(), dst.tolist(), weights.tolist(), n, directed, duplicates, weighted
    )
    for i in range(n):
        assert np.all(np.diff(g.indices[g.indptr[i] : g.indptr[i + 1]]) > 0)


def test_chunked_reading_is_the_same_and_names_lines(tmp_path, monkeypatch):
    import n2v_lite.graph as graph_module

    rng = np.random.default_rng(2)
    lines = [
        f"{a}\t{b}\t{w}"
        for a, b, w in zip(
            rng.integers(0, 30, 200).tolist(),
            rng.integers(0, 30, 200).tolist(),
            rng.integers(1, 9, 200).tolist(),
        )
    ]
    text = "# head comment\n" + "\n".join(lines[:100]) + "\n\n# mid\n" + "\n".join(lines[100:])
    whole = Graph.from_edgelist(write(tmp_path, text + "\n"), duplicates="sum")
    monkeypatch.setattr(graph_module, "_CHUNK_ROWS", {"int": 7, "text": 5})
    assert Graph.from_edgelist(write(tmp_path, text + "\n"), duplicates="sum") == whole
    late_text = Graph.from_edgelist(write(tmp_path, text + "\nx\ty\t2\n"), duplicates="sum")
    assert late_text.node_ids.dtype == object and "x" in late_text and "29" in late_text
    late_zero = Graph.from_edgelist(write(tmp_path, text + "\n007\t1\t1\n"), duplicates="sum")
    assert late_zero.index_of("007") != late_zero.index_of("7") and late_zero.num_nodes == 31
    with pytest.raises(GraphError, match=r"edges.tsv, line 204: weight -3 must be positive"):
        Graph.from_edgelist(write(tmp_path, text + "\n1\t2\t-3\n"))
    with pytest.raises(GraphError, match=r"edges.tsv, line 204: missing target column after '5'"):
        Graph.from_edgelist(write(tmp_path, text + "\n5\n"))
    with pytest.raises(
        GraphError, match=r"edges.tsv, line 204: too many fields in '1\\t2\\t3\\t4'"
    ):
        Graph.from_edgelist(write(tmp_path, text + "\n1\t2\t3\t4\n"))
    with pytest.raises(GraphError, match=r"edges.tsv, line 204: node 99 is not in nodes"):
        Graph.from_edgelist(write(tmp_path, text + "\n99\t1\t1\n"), nodes=range(30))


def test_degrees_in_node_metadata_match_networkx():
    from n2v_lite.embedding import NodeEmbedding
    from n2v_lite.filters import where
    from n2v_lite.graph import node_metadata

    rng = np.random.default_rng(4)
    src, dst = rng.integers(0, 30, 120), rng.integers(0, 30, 120)
    d = Graph.from_edges(src, dst, directed=True, node_ids=np.arange(30))
    reference = nx.DiGraph()
    reference.add_nodes_from(range(30))
    reference.add_edges_from(zip(src.tolist(), dst.tolist()))
    columns = node_metadata(d)
    assert list(columns) == ["degree", "in_degree", "out_degree"]
    assert columns["in_degree"].tolist() == [reference.in_degree(i) for i in range(30)]
    assert columns["out_degree"].tolist() == [reference.out_degree(i) for i in range(30)]
    assert columns["degree"].tolist() == [reference.degree(i) for i in range(30)]
    u = Graph.from_edges(src, dst, node_ids=np.arange(30))
    plain = nx.Graph(reference)
    assert list(node_metadata(u)) == ["degree"]
    assert node_metadata(u)["degree"].tolist() == [len(set(plain[i])) for i in range(30)]
    emb = NodeEmbedding(np.eye(30), list(range(30)), node_data=columns)
    hubs = emb.candidates(where("in_degree>=7"))
    assert sorted(np.flatnonzero(hubs).tolist()) == [
        i for i in range(30) if reference.in_degree(i) >= 7
    ]
    assert emb.describe()["degrees"] == "degree = in_degree + out_degree (a directed graph)"


@pytest.mark.parametrize(
    "text", ["1\t2\n2\t3\n3\t1\n", "src,dst\n1,2\n2,3\n3,1\n", "a b\nb c\nc a\n"]
)
@pytest.mark.parametrize("suffix", [".txt", ".txt.gz"])
def test_a_byte_order_mark_changes_nothing(tmp_path, text, suffix):
    # a BOM before the first id read as text made it a non-integer "header" and dropped
    # the first edge; the same file without the BOM is the reference
    def write(name, data):
        path = tmp_path / (name + suffix)
        if suffix.endswith(".gz"):
            with gzip.open(path, "wb") as handle:
                handle.write(data)
        else:
            path.write_bytes(data)
        return path

    plain = Graph.from_edgelist(write("plain", text.encode()))
    marked = Graph.from_edgelist(write("bom", b"\xef\xbb\xbf" + text.encode()))
    assert marked.num_edges == plain.num_edges == 3
    assert marked.node_ids.tolist() == plain.node_ids.tolist()
    assert (marked.indices == plain.indices).all()
