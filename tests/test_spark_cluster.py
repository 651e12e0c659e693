"""Partitioned walks on two executor JVMs (``local-cluster[2,1,1024]``).

The graph is read and sharded on the cluster with a broadcast budget below its size,
and the walks equal the local engine's for three (p, q) and 1, 3 and 8 shards. The
driver runs with ``spark.driver.maxResultSize`` at 1 MiB, so no edge array can reach
it (soc-Slashdot's 948k stored edges are 11 MiB). Marker ``spark``; the Slashdot part
needs ``../shared``.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from test_spark import _spark_missing

from n2v_lite import walks as local
from n2v_lite.graph import Graph

pytestmark = [pytest.mark.spark, pytest.mark.slow]
PQ = [(1.0, 1.0), (0.25, 4.0), (4.0, 0.5)]
SHARDS = [1, 3, 8]


@pytest.fixture(scope="module")
def cluster():
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    import pyspark

    from n2v_lite.spark import local_session

    os.environ.setdefault("SPARK_HOME", os.path.dirname(pyspark.__file__))
    package_root = str(Path(local.__file__).resolve().parents[1])
    session = local_session(
        "local-cluster[2,1,1024]",
        {
            "spark.driver.maxResultSize": "1m",
            "spark.executorEnv.PYTHONPATH": os.pathsep.join(
                filter(None, [package_root, os.environ.get("PYTHONPATH")])
            ),
        },
    )
    yield session
    session.stop()


def _unicode_graph(path):
    rng = np.random.default_rng(21)
    names = [f"узел {i} ✓" if i % 3 else f"{i}\u00a0x" for i in range(400)]
    a, b = (
        rng.integers(0, 350, 3000),
        (rng.pareto(1.5, 3000) * 40).astype(int) % 400,
    )  # 350+: no out-edges
    w = rng.choice([0.5, 1.0, 3.0], 3000)
    path.write_text(
        "".join(f"{names[i]}\t{names[j]}\t{x}\n" for i, j, x in zip(a, b, w)), encoding="utf-8"
    )


def test_two_executors_walk_a_weighted_directed_unicode_graph(cluster, tmp_path):
    from n2v_lite.spark import ClusterGraph, read_graph, write_walks

    path = tmp_path / "edges.tsv"
    _unicode_graph(path)
    expected_graph = Graph.from_edgelist(path, directed=True, duplicates="sum")
    assert expected_graph.weighted and (expected_graph.degrees() == 0).any()
    with read_graph(
        str(path),
        cluster,
        directed=True,
        duplicates="sum",
        max_broadcast_bytes=1 << 10,
        mode="auto",
    ) as graph:
        assert isinstance(graph, ClusterGraph)
        assert graph.node_ids.tolist() == expected_graph.node_ids.tolist()
        for shards in SHARDS:  # shards outside: a ClusterGraph keeps them for the next walks
            for p, q in PQ:
                expected = local.random_walks(expected_graph, 2, 6, p, q, seed=13)
                folder = write_walks(
                    graph,
                    tmp_path / f"w{shards}",
                    2,
                    6,
                    p,
                    q,
                    seed=13,
                    spark=cluster,
                    num_partitions=shards,
                    parquet=shards == 3,  # read back from the files by the executors
                )
                np.testing.assert_array_equal(
                    np.concatenate(list(folder.chunks())),
                    expected,
                    err_msg=f"p={p} q={q}, {shards} shards",
                )
                if shards == 3:
                    table = cluster.read.parquet(str(tmp_path / "w3" / "walks.parquet"))
                    rows = table.orderBy("row").collect()
                    assert [r["row"] for r in rows] == list(range(len(expected)))
                    assert [r["walk"] for r in rows] == [
                        [x for x in walk if x >= 0] for walk in expected.tolist()
                    ]


def test_two_executors_walk_soc_slashdot(cluster, graphs_dir, tmp_path):
    from n2v_lite.spark import ClusterGraph, csr_broadcast_bytes, read_graph, write_walks

    path = graphs_dir / "soc-slashdot0902" / "edges.tsv"
    expected_graph = Graph.from_edgelist(path)
    budget = (
        csr_broadcast_bytes(expected_graph.num_nodes, expected_graph.num_stored_edges, False) // 2
    )
    with read_graph(str(path), cluster, max_broadcast_bytes=budget, mode="auto") as graph:
        assert isinstance(graph, ClusterGraph)
        assert (graph.num_nodes, graph.num_edges) == (
            expected_graph.num_nodes,
            expected_graph.num_edges,
        )
        for shards in SHARDS:
            for p, q in PQ:
                expected = local.random_walks(expected_graph, 1, 5, p, q, seed=2)
                folder = write_walks(
                    graph,
                    tmp_path / "walks",
                    1,
                    5,
                    p,
                    q,
                    seed=2,
                    spark=cluster,
                    num_partitions=shards,
                )
                np.testing.assert_array_equal(
                    np.concatenate(list(folder.chunks())),
                    expected,
                    err_msg=f"p={p} q={q}, {shards} shards",
                )


def test_embed_on_two_executors_with_a_file_uri_walk_folder_equals_a_local_fit(cluster, tmp_path):
    """fit(..., walk_folder="file://...") on local-cluster: the walk folder is kept
    there, and the vectors equal a local fit's for the same seed (one training thread)."""
    from n2v_lite import Node2Vec
    from n2v_lite.corpus import read_walk_folder
    from n2v_lite.spark import fit

    path = tmp_path / "edges.tsv"
    _unicode_graph(path)
    params = dict(
        dimensions=8,
        walk_length=6,
        num_walks=2,
        window=3,
        epochs=1,
        workers=1,
        random_state=5,
        progress=False,
    )

    def run(uri, mode, **extra):
        return fit(
            str(path),
            spark=cluster,
            directed=True,
            duplicates="sum",
            walk_folder=uri,
            num_partitions=3,
            mode=mode,
            **extra,
            **params,
        )

    got = run((tmp_path / "walks").as_uri(), "partitioned", max_broadcast_bytes=1 << 10)
    local_graph = Graph.from_edgelist(path, directed=True, duplicates="sum")
    expected = Node2Vec(**params).fit(local_graph).embedding_
    assert got.node_ids == expected.node_ids
    np.testing.assert_array_equal(got.vectors, expected.vectors)
    folder = read_walk_folder(tmp_path / "walks")  # kept, and complete
    assert folder.rows == 2 * local_graph.num_nodes
    # a URI of another scheme goes through fsspec on the driver and on both executors
    # (local:// is fsspec's name for this disk: the code path of hdfs:// and s3a://)
    pytest.importorskip("fsspec")
    uri = f"local://{tmp_path}/walks2"
    for mode in ("broadcast", "partitioned"):
        got = run(uri, mode)
        np.testing.assert_array_equal(got.vectors, expected.vectors)
        assert got.info["walk_folder"] == uri


def test_only_local_masters_share_the_drivers_disk():
    from types import SimpleNamespace

    from n2v_lite.spark import _shares_driver_disk

    def session(master):
        return SimpleNamespace(sparkContext=SimpleNamespace(master=master))

    assert all(
        _shares_driver_disk(session(m))
        for m in ("local", "local[2]", "local[*]", "local-cluster[2,1,1024]")
    )
    assert not any(
        _shares_driver_disk(session(m))
        for m in ("spark://host:7077", "yarn", "k8s://https://api:443", "localhost")
    )
