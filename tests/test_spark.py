"""n2v_lite.spark: the same walks on Spark as on one machine, the same ids, the same files.

Runs on one local Spark session (``local[2]``, bound to 127.0.0.1, UI off) for
the whole module; skipped, saying why, when pyspark or Java is missing.
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from n2v_lite import walks as local
from n2v_lite._utils import as_generator
from n2v_lite.exceptions import GraphError, ParameterError
from n2v_lite.graph import Graph, node_metadata


def _spark_missing():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'n2v-lite[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark():
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    from n2v_lite.spark import local_session

    session = local_session("local[2]", {"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()


def _weighted_graph(n=300, m=1500, seed=0, node_ids=None, directed=False):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    weights = rng.choice([0.5, 1.0, 2.0, 4.0], m)
    return Graph.from_edges(
        src, dst, weights, node_ids=node_ids, directed=directed, duplicates="sum"
    )


def test_cluster_masters_run_the_drivers_python(monkeypatch):
    # no JVM: a stand-in builder records what session() configures
    from n2v_lite import spark as n2v_spark

    class Builder:
        def master(self, url):
            return self

        appName = master

        def config(self, key, value):
            return self

        def getOrCreate(self):
            return "session"

    class Session:
        builder = Builder()

        @staticmethod
        def getActiveSession():
            return None

    monkeypatch.setattr(n2v_spark, "_pyspark", lambda: Session)
    monkeypatch.setattr(n2v_spark, "_reach_master", lambda master: None)  # "host": no DNS
    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    n2v_spark.session("spark://host:7077", {"spark.pyspark.python": "/opt/py"})
    assert "PYSPARK_PYTHON" not in os.environ  # told otherwise: left alone
    assert n2v_spark.session("spark://host:7077") == "session"
    assert os.environ["PYSPARK_PYTHON"] == sys.executable
    monkeypatch.setenv("PYSPARK_PYTHON", "/usr/bin/python3")
    n2v_spark.session("yarn")
    assert os.environ["PYSPARK_PYTHON"] == "/usr/bin/python3"


def test_a_master_url_is_checked_before_a_jvm_starts(monkeypatch):
    # 'zzz' was a JVM traceback; an unreachable spark:// master was retried for minutes
    import socket

    from n2v_lite import spark as n2v_spark
    from n2v_lite.exceptions import ParameterError
    from n2v_lite.spark import SparkUnavailableError

    class NoJVM:
        @staticmethod
        def getActiveSession():
            return None

        @property
        def builder(self):
            pytest.fail("a JVM was started")

    monkeypatch.setattr(n2v_spark, "_pyspark", NoJVM)
    with pytest.raises(ParameterError, match=r"^master 'zzz' is not a Spark master URL \("):
        n2v_spark.session("zzz")
    with pytest.raises(ParameterError, match=r"'host' is not HOST:PORT"):
        n2v_spark.session("spark://host")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(SparkUnavailableError) as info:
        n2v_spark.session(f"spark://127.0.0.1:{port}")
    assert str(info.value) == (
        f"cannot reach the Spark master spark://127.0.0.1:{port} "
        f"(127.0.0.1:{port}: Connection refused)"
    )
    for good in ("local", "local[*]", "local[2,3]", "local-cluster[2,1,1024]", "yarn"):
        n2v_spark._check_master(good)


def test_importing_the_package_never_imports_pyspark():
    code = (
        "import sys, n2v_lite, n2v_lite.walks, n2v_lite.spark; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_broadcast_size_formula():
    from n2v_lite.spark import csr_broadcast_bytes

    g = _weighted_graph()
    assert (
        csr_broadcast_bytes(g.num_nodes, g.num_stored_edges, True)
        == g.indptr.nbytes + g.indices.nbytes + g.weights.nbytes
    )
    u = Graph.from_edges(np.arange(99), np.arange(1, 100))  # unweighted: no weights sent
    assert (
        csr_broadcast_bytes(u.num_nodes, u.num_stored_edges, False)
        == u.indptr.nbytes + u.indices.nbytes
    )


# ------------------------------------------------------------------ walks
def test_walks_equal_local_engine_for_any_partition_count(spark):
    """Eight blocks (walk_length 2048 makes 1024-row blocks): 1, 2, 3, 7 partitions."""
    from n2v_lite.spark import random_walks

    g = _weighted_graph(n=400, m=2000)
    expected = local.random_walks(g, 20, 2048, seed=11)
    assert local.walk_block_layout(g, 20, 2048, seed=11)[0] == 8
    for parts in (1, 2, 3, 7):
        got = random_walks(g, 20, 2048, seed=11, spark=spark, num_partitions=parts)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected, err_msg=f"{parts} partitions")


@pytest.mark.parametrize(
    "case",
    [
        "weighted p=0.5 q=2",
        "directed dead ends p=4 q=0.25",
        "string ids p=0.25 q=1",
        "generator seed",
    ],
)
def test_walks_equal_local_engine(spark, case):
    from n2v_lite.spark import random_walks

    seed, p, q, parts = 3, 1.0, 1.0, 2
    if case.startswith("weighted"):
        g, p, q, parts = _weighted_graph(seed=1), 0.5, 2.0, 3
    elif case.startswith("directed"):
        g, p, q, seed = _weighted_graph(seed=2, m=500, directed=True), 4.0, 0.25, 7
        assert (g.degrees() == 0).any()
    elif case.startswith("string"):
        ids = np.array([f"n{i:03d}" for i in range(300)], dtype=object)
        g, p, seed = _weighted_graph(seed=3, node_ids=ids), 0.25, 0
    else:
        g, p, q = _weighted_graph(seed=4), 2.0, 0.5
    expected = local.random_walks(
        g, 8, 12, p, q, seed=as_generator(seed) if case == "generator seed" else seed
    )
    got = random_walks(
        g,
        8,
        12,
        p,
        q,
        seed=as_generator(seed) if case == "generator seed" else seed,
        spark=spark,
        num_partitions=parts,
    )
    np.testing.assert_array_equal(got, expected)
    if case.startswith("directed"):
        assert (got == local.PAD).any()  # dead ends were reached and padded


def test_broadcast_limit_is_checked_before_broadcasting(spark):
    from n2v_lite.spark import BroadcastLimitError, random_walks

    g = _weighted_graph()
    with pytest.raises(
        BroadcastLimitError,
        match=r"max_broadcast_bytes=1,000 .*raise "
        r"max_broadcast_bytes.*"
        r"spark\.executor\.pyspark\.memory",
    ):
        random_walks(g, 1, 5, seed=0, spark=spark, max_broadcast_bytes=1000, mode="broadcast")
    with pytest.raises(ParameterError, match="q must be a positive"):
        random_walks(g, 1, 5, q=0, seed=0, spark=spark)


# ------------------------------------------------------ partitioned walks
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0)])
def test_partitioned_walks_equal_local_engine(spark, p, q):
    # tests/test_partitioned.py checks the engine shard by shard in memory, and
    # tests/test_spark_cluster.py on two executor JVMs: here, the plumbing
    from n2v_lite.spark import random_walks

    g = _weighted_graph(seed=2, m=500, directed=True)  # dead ends too
    expected = local.random_walks(g, 3, 7, p, q, seed=5)
    for shards, walkers in ((1, 10_000), (3, 400)):  # 400: three waves
        got = random_walks(
            g,
            3,
            7,
            p,
            q,
            seed=5,
            spark=spark,
            num_partitions=shards,
            mode="partitioned",
            max_walkers=walkers,
        )
        np.testing.assert_array_equal(got, expected, err_msg=f"{shards} shards")


def test_auto_mode_walks_partitioned_above_the_broadcast_budget(spark, tmp_path):
    # read on the cluster and sharded there: unicode ids, weights, a directed graph
    from n2v_lite.spark import ClusterGraph, read_graph, write_walks

    rng = np.random.default_rng(8)
    names = [f"nœud {i} ✓" for i in range(120)]
    lines = [
        f"{names[a]}\t{names[b]}\t{w}"
        for a, b, w in zip(
            rng.integers(0, 120, 700), rng.integers(0, 120, 700), rng.choice([1, 2.5], 700)
        )
    ]
    path = tmp_path / "edges.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local_graph = Graph.from_edgelist(path, directed=True, duplicates="sum")
    graph = read_graph(
        str(path), spark, directed=True, duplicates="sum", max_broadcast_bytes=1000, mode="auto"
    )
    assert isinstance(graph, ClusterGraph)
    assert (graph.num_nodes, graph.num_edges) == (local_graph.num_nodes, local_graph.num_edges)
    assert graph.node_ids.tolist() == local_graph.node_ids.tolist()
    folder = write_walks(
        graph,
        tmp_path / "walks",
        2,
        9,
        0.5,
        2.0,
        seed=1,
        spark=spark,
        num_partitions=3,
        max_broadcast_bytes=1000,
        max_walkers=100,
    )
    expected = local.random_walks(local_graph, 2, 9, 0.5, 2.0, seed=1)
    np.testing.assert_array_equal(np.concatenate(list(folder.chunks())), expected)
    assert folder.node_ids == local_graph.node_ids.tolist()
    for name, values in node_metadata(local_graph).items():  # degrees counted on the cluster
        np.testing.assert_array_equal(folder.node_data[name], values, err_msg=name)
    assert not (tmp_path / "walks" / ".n2v-lite-pieces").exists()


# -------------------------------------------------------------------- ids
def test_id_mapping_matches_the_local_readers(spark, tmp_path):
    from n2v_lite.spark import read_graph

    # text ids: code-point order, u-v / v-u one edge, self-loop once; the duplicate rule
    pdf = pd.DataFrame(
        {
            "src": ["b", "a", "c", "a", "é", "Z", "b", "Z"],
            "dst": ["a", "c", "b", "b", "a", "c", "a", "Z"],
            "weight": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.25, 1.5],
        }
    )
    frame = spark.createDataFrame(pdf)
    with pytest.raises(
        GraphError,
        match="^DataFrame: edge 'a' -- 'b' is listed with different "
        r"weights \(0.25 and 4\)",
    ):
        read_graph(frame, spark)
    for policy in ("sum", "max", "min"):
        got = read_graph(frame, spark, duplicates=policy)
        assert got == Graph.from_pandas(pdf, "src", "dst", "weight", duplicates=policy)
        assert got.duplicates_merged == 2
    assert got.node_ids.tolist() == ["Z", "a", "b", "c", "é"]
    unweighted = read_graph(frame, spark, weighted=False)
    assert unweighted == Graph.from_pandas(pdf, "src", "dst", weight=False)
    assert not unweighted.weighted
    # int ids in a text file: numeric order (10 after 9), directed, no weights, a duplicate
    path = tmp_path / "edges.tsv"
    path.write_text("# comment\n10\t9\n9\t100\n-3\t10\n10\t9\n100\t100\n")
    got = read_graph(str(path), spark, directed=True)
    assert got == Graph.from_edgelist(path, directed=True)
    assert got.node_ids.tolist() == [-3, 9, 10, 100]


def test_text_ids_that_are_not_canonical_ints_stay_text(spark, tmp_path):
    from n2v_lite.spark import read_graph

    path = tmp_path / "edges.csv"
    path.write_text("src,dst,weight\n007,7,1.5\n7,10,2\n10,007,0.5\n")
    got = read_graph(str(path), spark)
    assert got == Graph.from_edgelist(path)
    assert got.node_ids.tolist() == ["007", "10", "7"]


READER_CASES = {  # text: (separator, what the local reader gives)
    "NBSP and U+3000 around tab-separated ids": ("1\xa0\t2\n2\t3\u3000\n", None),
    "a tab inside a CSV field": ("1,\t2\n2,3\xa0\n", ","),
    "a vertical tab inside an id (whitespace-separated)": ("a\x0bb c\nc d\n", None),
    "a vertical tab inside an id (tabs)": ("a\x0bb\tc\nc\td\n", None),
    "a byte-order mark before integer ids": ("\ufeff1\t2\n2\t3\n", None),
    "spaces and tabs between, NBSP after": ("1 \t 2\xa0 0.5\n2\t3 1\n", None),
    "a form feed is not a separator": ("1\x0c2\n2 3\n", None),
}


@pytest.mark.parametrize("case", sorted(READER_CASES))
def test_odd_whitespace_and_a_bom_read_as_the_local_reader_reads_them(spark, tmp_path, case):
    """One fields rule (n2v_lite._text.SPACE_CLASS): the same graph, or both refuse."""
    from n2v_lite.spark import read_graph

    text, sep = READER_CASES[case]
    path = tmp_path / "edges.txt"
    path.write_text(text, encoding="utf-8")
    try:
        expected = Graph.from_edgelist(path, sep=sep)
    except GraphError:
        with pytest.raises(GraphError):
            read_graph(str(path), spark, sep=sep)
        return
    got = read_graph(str(path), spark, sep=sep)
    assert got == expected and got.node_ids.tolist() == expected.node_ids.tolist()


def test_bad_weight_names_file_and_line(spark, tmp_path):
    from n2v_lite.spark import read_graph

    path = tmp_path / "bad.tsv"
    path.write_text("a\tb\t1\nb\tc\t-2\n")
    with pytest.raises(GraphError) as info:
        read_graph(str(path), spark)
    # the file as given (it was '///tmp/.../bad.tsv', from Spark's file:/// URI)
    assert str(info.value) == f"{path}, line 2: weight '-2' must be positive"


def test_paths_spark_cannot_read_are_one_error(spark, tmp_path):
    # a missing file was an AnalysisException traceback; a pipe was read part by part by
    # several processes ("line 93: too many fields" for a 9-line file)
    from n2v_lite.spark import read_graph

    with pytest.raises(GraphError) as info:
        read_graph(str(tmp_path / "nope.tsv"), spark)
    assert str(info.value) == f"{tmp_path / 'nope.tsv'}: no such file or folder"
    with pytest.raises(GraphError, match=r"^file:///nowhere/x\.parquet: no such file or folder$"):
        read_graph("file:///nowhere/x.parquet", spark)
    fifo = tmp_path / "pipe.tsv"
    os.mkfifo(fifo)
    with pytest.raises(GraphError, match=r"pipe\.tsv: a pipe, which Spark's executors cannot"):
        read_graph(str(fifo), spark)
    with pytest.raises(GraphError, match=r"^-: standard input cannot be read by Spark"):
        read_graph("-", spark)


def test_an_overlong_id_names_its_line_as_the_local_reader_does(spark, tmp_path, monkeypatch):
    # the Spark reader named the file only (the check ran on the collected id table)
    import n2v_lite.ids as ids_module
    from n2v_lite.spark import read_graph

    monkeypatch.setattr(ids_module, "MAX_ID_CHARS", 50)
    path = tmp_path / "e.tsv"
    path.write_text("a\tb\n" + "x" * 51 + "\tc\nc\td\n")
    with pytest.raises(GraphError) as local_error:
        Graph.from_edgelist(path)
    with pytest.raises(GraphError) as spark_error:
        read_graph(str(path), spark)
    assert str(spark_error.value) == str(local_error.value)
    assert str(spark_error.value).startswith(f"{path}, line 2: node id 'xxx")


# ------------------------------------------------------------ walk folder
@pytest.mark.parametrize("mode", ["broadcast", "partitioned"])
def test_walk_folder_reads_back_as_local_walks(spark, tmp_path, mode):
    # the Parquet copy too: in partitioned mode read back from the partition files
    from n2v_lite.corpus import read_walk_folder
    from n2v_lite.spark import write_walks

    g = _weighted_graph(seed=5, m=400, directed=True)  # dead ends: padded rows
    folder = write_walks(
        g,
        tmp_path / "walks",
        10,
        9,
        p=0.5,
        q=2.0,
        seed=4,
        spark=spark,
        num_partitions=3,
        parquet=True,
        mode=mode,
        max_walkers=1000,
    )
    expected = local.random_walks(g, 10, 9, 0.5, 2.0, seed=4)
    back = read_walk_folder(tmp_path / "walks")
    np.testing.assert_array_equal(np.concatenate(list(back.chunks())), expected)
    # broadcast: 3000 rows in two blocks, one file each; partitioned: 3 waves x 3 shards
    assert len(back.partitions) == (2 if mode == "broadcast" else 9)
    assert back.node_ids == g.node_ids.tolist()
    assert np.array_equal(back.counts, np.bincount(expected[expected >= 0], minlength=g.num_nodes))
    manifest = json.loads((tmp_path / "walks" / "manifest.json").read_text())
    assert manifest["walks"] == {"num_walks": 10, "walk_length": 9, "p": 0.5, "q": 2.0, "seed": 4}
    rows = spark.read.parquet(str(tmp_path / "walks" / "walks.parquet")).orderBy("row").collect()
    assert [r["row"] for r in rows] == list(range(len(expected)))
    assert all(r["walk"] == [x for x in w if x >= 0] for r, w in zip(rows, expected.tolist()))
    assert folder.rows == len(expected)


@pytest.mark.parametrize("mode", ["broadcast", "partitioned"])
def test_a_walk_folder_the_driver_does_not_share_is_named_as_the_cause(spark, mode):
    # memory:// is each process's own: the executors' files never reach the driver, as
    # with a path on each machine's own disk (the bare "missing partition file; rerun
    # n2v-lite walks" left the cause to guess)
    from n2v_lite.corpus import WalkFolderError
    from n2v_lite.spark import write_walks

    pytest.importorskip("fsspec")
    uri = f"memory://not-shared-{mode}/walks"
    with pytest.raises(
        WalkFolderError,
        match=rf"^{uri}: (\d+ of the \d+ partition files the executors wrote .* are not "
        r"there for the driver|the executors' walk pieces of wave 0 are missing): the walk "
        r"folder must be on storage every executor and the driver share \(a shared mount, "
        r"or an hdfs:// or s3a:// URI\)$",
    ):
        write_walks(
            _weighted_graph(seed=5, m=200, directed=True),
            uri,
            2,
            5,
            seed=1,
            spark=spark,
            num_partitions=2,
            mode=mode,
        )


def test_a_lost_superstep_file_is_an_error_not_shorter_walks(spark, tmp_path, monkeypatch):
    # the steps of a superstep saved on a machine the assembling task cannot see: its
    # walks would end early, and padding looks like a dead end; the wave's step count
    # (from the superstep statistics) must match the tokens written
    import re
    from pathlib import Path

    from n2v_lite import spark as S
    from n2v_lite.corpus import WalkFolderError

    original = S._PartitionedJob.waves

    def waves(self, folder=None):
        for item in original(self, folder):
            files = list((Path(folder) / ".n2v-lite-pieces").glob("*.npz"))
            last = max(files, key=lambda f: int(re.search(r"-t(\d+)-", f.name).group(1)))
            last.unlink()  # final steps only: every walk still starts where it should
            yield item

    monkeypatch.setattr(S._PartitionedJob, "waves", waves)
    with pytest.raises(WalkFolderError, match="walk pieces of wave 0 are missing: the walk"):
        S.write_walks(
            _weighted_graph(seed=5, m=200, directed=False),
            tmp_path / "w",
            2,
            6,
            seed=1,
            spark=spark,
            num_partitions=2,
            mode="partitioned",
        )


# --------------------------------------------------------------- training
def test_spark_walks_then_gensim_match_local_link_prediction(spark, graphs_dir):
    from n2v_lite.evaluate import link_prediction
    from n2v_lite.spark import fit
    from n2v_lite.word2vec import train_word2vec

    params = dict(dimensions=32, num_walks=4, walk_length=20, window=5, workers=1)

    def on_spark(graph, seed):
        return fit(graph, spark=spark, random_state=seed, progress=False, **params).vectors

    def locally(graph, seed):
        rng = as_generator(seed)
        train_seed = int(rng.integers(2**63 - 1))
        walks = local.random_walks(graph, params["num_walks"], params["walk_length"], seed=rng)
        return train_word2vec(
            walks,
            graph.num_nodes,
            dimensions=32,
            window=5,
            workers=1,
            seed=train_seed,
            progress=False,
        ).vectors

    g = Graph.from_edgelist(graphs_dir / "ego-facebook" / "edges.tsv")
    spark_auc = link_prediction(g, on_spark, seed=0, operators=("hadamard",))["auc"]
    local_auc = link_prediction(g, locally, seed=0, operators=("hadamard",))["auc"]
    assert local_auc["hadamard"] > 0.9
    for name in ("hadamard", "cosine"):
        assert abs(spark_auc[name] - local_auc[name]) <= 0.01, (spark_auc, local_auc)


def test_spark_ml_trainer_finds_cliques(spark):
    from n2v_lite.spark import fit

    src, dst = [], []
    for base in (0, 10):  # two 8-cliques (0-7, 10-17) joined by the path 7-8-9-10
        for i in range(8):
            for j in range(i + 1, 8):
                src.append(base + i)
                dst.append(base + j)
    src += [7, 8, 9]
    dst += [8, 9, 10]
    g = Graph.from_edges(src, dst)
    emb = fit(
        g,
        spark=spark,
        trainer="spark",
        dimensions=16,
        num_walks=30,
        walk_length=20,
        window=3,
        epochs=3,
        random_state=0,
        progress=False,
    )
    assert emb.info["trainer"] == "spark" and emb.loss_history == []
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    clique = {
        i: set(range(0, 8)) if i < 8 else set(range(10, 18)) for i in [*range(0, 7), *range(11, 18)]
    }  # nodes off the path
    hits = [len(set(np.argsort(-sims[i])[:5].tolist()) & members) for i, members in clique.items()]
    assert np.mean(hits) >= 4.5, hits


def test_spark_ml_trainer_size_limit(spark):
    from n2v_lite.spark import fit

    ring = np.arange(250_000)
    big = Graph.from_edges(ring, np.roll(ring, 1))
    with pytest.raises(ParameterError, match=r"num_nodes x dimensions < 2\*\*31"):
        fit(big, spark=spark, trainer="spark", dimensions=9000, progress=False)
    g = Graph.from_edges([0, 1], [1, 2])
    with pytest.raises(ParameterError, match="unknown node2vec parameter 'alpha'"):
        fit(g, spark=spark, alpha=0.1)
    # what Spark ML's Word2Vec cannot do is refused, never ignored
    with pytest.raises(
        ParameterError,
        match=r"trainer='spark' .* has no negative, got "
        r"negative=10: leave it at 5",
    ):
        fit(g, spark=spark, trainer="spark", negative=10, progress=False)
    with pytest.raises(ParameterError, match="has no sample, got sample=0.001"):
        fit(g, spark=spark, trainer="spark", sample=1e-3, progress=False)


def test_cli_engine_spark_gives_the_local_fit_and_walks(spark, tmp_path):
    from click.testing import CliRunner

    from n2v_lite import Node2Vec, load
    from n2v_lite.cli import cli
    from n2v_lite.corpus import WalkFolder

    g = _weighted_graph(n=80, m=400, seed=3, node_ids=[f"n{i:03d}" for i in range(80)])
    edges = tmp_path / "edges.tsv"
    src, dst = np.repeat(np.arange(g.num_nodes), np.diff(g.indptr)), g.indices
    keep = src <= dst  # each undirected edge once
    edges.write_text(
        "".join(
            f"{g.node_ids[a]}\t{g.node_ids[b]}\t{w:g}\n"
            for a, b, w in zip(src[keep], dst[keep], np.asarray(g.weights)[keep])
        )
    )
    fast = [
        "--dimensions",
        "8",
        "--walk-length",
        "10",
        "--num-walks",
        "3",
        "--window",
        "3",
        "--p",
        "0.5",
        "--q",
        "2",
        "--seed",
        "4",
        "--quiet",
    ]
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "embed",
            str(edges),
            "--engine",
            "spark",
            "--master",
            "local[2]",
            "--out",
            str(tmp_path / "s.n2v"),
            *fast,
        ],
    )
    assert result.exit_code == 0, result.output
    on_spark = load(tmp_path / "s.n2v")
    local_fit = Node2Vec(
        dimensions=8,
        walk_length=10,
        num_walks=3,
        window=3,
        p=0.5,
        q=2,
        random_state=4,
        progress=False,
    ).fit(Graph.from_edgelist(edges))
    assert on_spark.node_ids == local_fit.embedding_.node_ids
    np.testing.assert_allclose(on_spark.vectors, local_fit.embedding_.vectors, rtol=1e-6)
    assert on_spark.info["trainer"] == "gensim" and "degree" in on_spark.node_data
    # partitioned: the graph read and sharded on the cluster; the same vectors
    result = runner.invoke(
        cli,
        [
            "embed",
            str(edges),
            "--engine",
            "spark",
            "--master",
            "local[2]",
            "--walk-mode",
            "partitioned",
            "--out",
            str(tmp_path / "p.n2v"),
            *fast,
        ],
    )
    assert result.exit_code == 0, result.output
    partitioned = load(tmp_path / "p.n2v")
    np.testing.assert_allclose(partitioned.vectors, local_fit.embedding_.vectors, rtol=1e-6)
    np.testing.assert_array_equal(partitioned.node_data["degree"], on_spark.node_data["degree"])
    for mode, out in (("broadcast", tmp_path / "w"), ("partitioned", f"file://{tmp_path}/pw")):
        result = runner.invoke(
            cli,
            [
                "walks",
                str(edges),
                "--engine",
                "spark",
                "--out",
                str(out),
                "--walk-length",
                "10",
                "--num-walks",
                "3",
                "--p",
                "0.5",
                "--q",
                "2",
                "--seed",
                "4",
                "--quiet",
                "--walk-mode",
                mode,
            ],
        )
        assert result.exit_code == 0, result.output
    expected = local.random_walks(Graph.from_edgelist(edges), 3, 10, 0.5, 2.0, seed=4)
    for folder in (tmp_path / "w", tmp_path / "pw"):
        np.testing.assert_array_equal(np.concatenate(list(WalkFolder(folder))), expected)
    # any other URI is written and read through fsspec, by the driver and the executors
    # alike: local:// (fsspec's name for this machine's disk) takes the code path of
    # hdfs:// and s3a://, and walks.parquet goes to the same place, not fs.defaultFS
    pd = pytest.importorskip("pandas")
    for mode in ("broadcast", "partitioned"):
        uri = f"local://{tmp_path}/{mode}"
        result = runner.invoke(
            cli,
            ["walks", str(edges), "--engine", "spark", "--out", uri, "--walk-length", "10"]
            + ["--num-walks", "3", "--p", "0.5", "--q", "2", "--seed", "4", "--quiet"]
            + ["--walk-mode", mode, "--parquet"],
        )
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"wrote {uri}: {len(expected)} walks")
        np.testing.assert_array_equal(np.concatenate(list(WalkFolder(uri))), expected)
        table = pd.read_parquet(tmp_path / mode / "walks.parquet").sort_values("row")
        assert table["row"].tolist() == list(range(len(expected)))
        assert [list(w) for w in table["walk"]] == [[x for x in r if x >= 0] for r in expected]
        assert sorted(p.name for p in (tmp_path / mode).iterdir() if p.name.startswith(".")) == []
    result = runner.invoke(
        cli, ["walks", str(edges), "--engine", "spark", "--out", "zzz://nn/walks", "--quiet"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: zzz://nn/walks: cannot open zzz:// locations (Protocol not known: zzz)\n"
    )


def test_quiet_spark_runs_keep_stderr_empty_and_a_failed_start_is_one_line(spark, tmp_path):
    # the JVM's banner, WARN logs and pyspark's warnings went to stderr under --quiet;
    # a setting Spark refuses printed a Java stack trace before the error
    import re
    from pathlib import Path

    edges = tmp_path / "e.tsv"
    edges.write_text("0\t1\n1\t2\n2\t0\n2\t3\n")
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYTHONPATH=root)
    args = [sys.executable, "-m", "n2v_lite", "embed", str(edges), "--engine", "spark"]
    small = ["--dimensions", "4", "--num-walks", "1", "--walk-length", "4", "--quiet"]
    out = tmp_path / "m.n2v"
    done = subprocess.run(
        [*args, "--out", str(out), *small], capture_output=True, text=True, env=env, timeout=600
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"saved {out}: 4 nodes x 4 dimensions\n"

    def failed_start(options, message, env):
        """The one stderr line of a start that fails; returns Spark's log, which it names."""
        bad = subprocess.run(
            [*args, *options, "--out", str(tmp_path / "x.n2v"), *small],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert bad.returncode == 1 and not (tmp_path / "x.n2v").exists()
        (line,) = bad.stderr.splitlines()
        found = re.fullmatch(rf"Error: cannot start Spark: {message} \(Spark's log: (\S+)\)", line)
        assert found, line
        return Path(found.group(1))

    log = failed_start(
        ["--spark-conf", "spark.executor.memory=lots"],
        "Executor memory must be a positive number",
        env,
    )
    assert "SparkException" in log.read_text()
    log.unlink()
    no_java = tmp_path / "no-java"
    message = rf"there is no {re.escape(str(no_java))}/bin/java \(is JAVA_HOME right\?\)"
    failed_start([], message, dict(env, JAVA_HOME=str(no_java))).unlink()


def test_partitioned_walks_checkpoint_to_the_sessions_folder(spark, monkeypatch, tmp_path):
    # every 3 supersteps here: on the executors without a checkpoint folder, to the
    # folder with one (so a lost executor costs a recomputation, not the job); the same
    # walks either way. (Last in this module: the folder stays set on the session.)
    from n2v_lite import spark as n2v_spark

    monkeypatch.setattr(n2v_spark, "_CHECKPOINT_STEPS", 3)
    g = _weighted_graph(seed=4, m=600, directed=True)
    expected = local.random_walks(g, 2, 9, 0.5, 2.0, seed=3)
    args = dict(seed=3, spark=spark, num_partitions=3, mode="partitioned", max_walkers=200)
    assert spark.sparkContext.getCheckpointDir() is None
    np.testing.assert_array_equal(n2v_spark.random_walks(g, 2, 9, 0.5, 2.0, **args), expected)
    spark.sparkContext.setCheckpointDir(str(tmp_path / "checkpoints"))
    np.testing.assert_array_equal(n2v_spark.random_walks(g, 2, 9, 0.5, 2.0, **args), expected)
    written = [p for p in (tmp_path / "checkpoints").rglob("part-*") if p.is_file()]
    assert written, "no checkpoint was written to the session's folder"
