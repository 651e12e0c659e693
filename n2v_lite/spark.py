"""n2v_lite on Spark: the same exact walks on a cluster, training from their files.

Needs the ``spark`` extra (``pip install 'n2v-lite[spark]'``, pyspark >= 3.5)
and a Java runtime (OpenJDK 17). Importing :mod:`n2v_lite` never imports
pyspark; this module imports it only when a function here is called.

The pipeline
------------
1. **Graph.** Edges come as a Spark DataFrame (``src``, ``dst``, optional
   ``weight``), a path Spark reads (Parquet, or tab/comma/space separated
   text, ``#`` comments), or an n2v_lite :class:`~n2v_lite.graph.Graph`.
   Node ids of any Spark type are mapped to dense indices on the cluster
   (distinct ids -> sort -> ``zipWithIndex`` -> join), in the order the local
   readers give (ints numerically, text lexicographically by code point;
   text ids that are all canonical integers become ints, as in
   :meth:`Graph.from_edgelist`). Duplicate edges are summed on the cluster;
   only the id table (``n`` rows) and the indexed, de-duplicated edges come
   to the driver, where :meth:`Graph.from_edges` builds the CSR exactly as
   the local readers do.
2. **Walks.** The CSR (``8 (n + 1)`` bytes of row pointers, 4 bytes per
   stored edge, plus 8 per stored edge when weighted: about 12-13 bytes per
   stored edge, ids not included -- executors never see the ids) is checked
   against ``max_broadcast_bytes`` and broadcast once. The rows of
   :func:`n2v_lite.walks.random_walks` are cut into the same fixed blocks
   with the same per-block random streams (:func:`n2v_lite.walks.walk_block_layout`,
   :func:`n2v_lite.walks.walk_blocks`); partitions hold whole blocks, so for
   one seed the walks are **identical** to ``n2v_lite.walks.random_walks`` on
   one machine whatever the number of partitions. Each executor also builds
   the walk engine's own tables (alias tables 16 bytes per stored edge when
   weighted; edge-test hash tables about 8 per stored edge when ``p``, ``q``
   are not 1).
3. **Training.** ``trainer="gensim"`` (default) trains gensim's skip-gram with
   negative sampling on the driver from the walks; ``trainer="spark"`` uses
   Spark ML's ``Word2Vec`` on the cluster (skip-gram with hierarchical
   softmax only, ``minCount=0``, ``vocabulary x dimensions < 2**31``).

Examples
--------
>>> from n2v_lite.spark import local_session, random_walks   # doctest: +SKIP
>>> spark = local_session("local[2]")                          # doctest: +SKIP
>>> walks = random_walks("edges.tsv", 10, 80, seed=0, spark=spark)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._text import FIELD_GAP, SPACE_CLASS, WHITESPACE, check_sep, looks_like_header, show
from ._utils import as_generator
from .exceptions import GraphError, N2VLiteError, ParameterError
from .graph import Graph, check_duplicates
from .ids import check_node_ids
from .validation import check_choice, check_int, check_positive, check_seed

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from pyspark.sql import DataFrame, SparkSession

    from .corpus import WalkFolder
    from .embedding import NodeEmbedding


__all__ = [
    "SparkUnavailableError",
    "BroadcastLimitError",
    "DEFAULT_MAX_BROADCAST_BYTES",
    "SPARK_WORD2VEC_MAX_CELLS",
    "local_session",
    "session",
    "read_graph",
    "ClusterGraph",
    "csr_broadcast_bytes",
    "WALK_MODES",
    "DEFAULT_MAX_WALKERS",
    "random_walks",
    "write_walks",
    "fit",
]

#: Default ceiling on the broadcast CSR (bytes): 2 GiB.
DEFAULT_MAX_BROADCAST_BYTES = 2 << 30
#: Spark ML ``Word2Vec`` refuses ``vocabulary x dimensions`` at or above this.
SPARK_WORD2VEC_MAX_CELLS = 2**31 - 1
TRAINERS = ("gensim", "spark")
#: How walks run: the whole CSR broadcast to every executor, the graph sharded
#: by node across them with walkers moving between shards, or (auto) broadcast
#: when the CSR fits ``max_broadcast_bytes`` and partitioned otherwise.
WALK_MODES = ("auto", "broadcast", "partitioned")
#: Partitioned mode: walks in flight at once (rows walked per wave).
DEFAULT_MAX_WALKERS = 1_000_000

_INT_PATTERN = r"^-?(0|[1-9][0-9]*)$"
_WALK_PARAMS = (
    "dimensions",
    "walk_length",
    "num_walks",
    "window",
    "p",
    "q",
    "epochs",
    "negative",
    "sample",
    "learning_rate",
    "workers",
    "random_state",
    "progress",
)


class SparkUnavailableError(N2VLiteError, ImportError):
    """pyspark (or Java) is missing: install ``n2v-lite[spark]`` and a JRE."""


class BroadcastLimitError(N2VLiteError, MemoryError):
    """The graph's CSR is larger than ``max_broadcast_bytes``."""


# ------------------------------------------------------------------ session
def _pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailableError(
            f"n2v_lite.spark needs pyspark ({exc}): pip install 'n2v-lite[spark]' "
            "(and a Java runtime, e.g. apt-get install openjdk-17-jre-headless)"
        ) from None
    return SparkSession


def local_session(
    master: str = "local[2]", conf: Mapping[str, str] | None = None, app_name: str = "n2v_lite"
) -> SparkSession:
    """A Spark session for this machine (or ``master``), set up to run offline.

    Binds the driver to 127.0.0.1 (``SPARK_LOCAL_IP`` too), turns the UI and
    the console progress bar off, uses 4 shuffle partitions, runs Python
    workers with this interpreter, and keeps Spark's logs at ERROR. ``conf``
    (a dict) overrides any of these. An active session is reused by Spark.

    Examples
    --------
    >>> spark = local_session("local[1]", {"spark.driver.memory": "2g"})   # doctest: +SKIP
    """
    session_class = _pyspark()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": str(_local_cores(master)),
    }
    settings.update({str(k): str(v) for k, v in (conf or {}).items()})
    builder = session_class.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # a JVM that cannot start: no Java, no loopback
        raise SparkUnavailableError(
            f"cannot start Spark ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
            "check that Java 17 is installed and the loopback interface is up"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


#: The master URLs Spark knows (checked before a JVM starts: a typo is one line).
_MASTER_RE = re.compile(
    r"local(\[(\*|\d+)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|spark://\S+|yarn"
    r"|k8s://\S+|mesos://\S+"
)
#: Seconds to wait for a standalone master's port before giving up.
_MASTER_TIMEOUT = 10.0


def _check_master(master):
    """Refuse a master URL Spark does not know (``zzz``: a JVM traceback before)."""
    if not _MASTER_RE.fullmatch(master):
        raise ParameterError(
            f"master {master!r} is not a Spark master URL (local[N], "
            "local-cluster[N,CORES,MB], spark://HOST:PORT, yarn, k8s://URL)"
        )


def _reach_master(master):
    """A standalone master (``spark://HOST:PORT[,HOST:PORT]``) must answer on one of its
    ports: Spark itself retries an unreachable one for minutes, printing Java stack
    traces."""
    import socket

    problems = []
    for address in master[len("spark://") :].split(","):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ParameterError(f"master {master!r}: {address!r} is not HOST:PORT")
        try:
            socket.create_connection((host.strip("[]"), int(port)), _MASTER_TIMEOUT).close()
            return
        except OSError as exc:
            problems.append(f"{address}: {exc.strerror or exc}")
    raise SparkUnavailableError(f"cannot reach the Spark master {master} ({'; '.join(problems)})")


def session(master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """A SparkSession for a master URL: the one the command line starts.

    ``None`` or a ``local[...]`` master gets :func:`local_session` (loopback,
    no UI; default ``local[2]``); a cluster master (``yarn``, ``spark://...``,
    ``k8s://...``) gets Spark's own settings plus ``conf``, and its executors
    run this interpreter (``PYSPARK_PYTHON``) unless ``PYSPARK_PYTHON`` or
    ``spark.pyspark.python`` says otherwise. Under
    ``spark-submit`` an active session is reused as it is.
    """
    if master is not None:
        _check_master(master)
    session_class = _pyspark()
    active = session_class.getActiveSession()
    if active is not None:
        return active
    if master is None or master.startswith("local"):
        return local_session(master or "local[2]", conf)
    if master.startswith("spark://"):
        _reach_master(master)
    if not any(str(key) == "spark.pyspark.python" for key in (conf or {})):
        # executors run python3 from their PATH otherwise (a 111-line traceback
        # after ~100 s when that Python lacks numpy or n2v_lite)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = session_class.builder.master(master).appName("n2v_lite")
    for key, value in (conf or {}).items():
        builder = builder.config(str(key), str(value))
    try:
        return builder.getOrCreate()
    except Exception as exc:  # a JVM that cannot start, a setting Spark refuses
        raise SparkUnavailableError(
            f"cannot start Spark on {master} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200]})"
        ) from None


def _local_cores(master):
    match = re.fullmatch(r"local\[(\d+)(?:,\d+)?\]", master or "")
    return int(match.group(1)) if match else 2


def _session(spark):
    if spark is not None:
        return spark
    session_class = _pyspark()
    return session_class.getActiveSession() or local_session()


class _Stages:
    """One line per stage on stderr (``progress=False`` silences it); keeps the times."""

    def __init__(self, progress):
        self.progress = bool(progress)
        self.seconds = {}
        self._start = time.perf_counter()

    def done(self, name, text):
        now = time.perf_counter()
        self.seconds[name] = round(now - self._start, 3)
        self._start = now
        if self.progress:
            print(
                f"n2v_lite.spark: {name}: {text} ({self.seconds[name]:.1f} s)",
                file=sys.stderr,
                flush=True,
            )


# -------------------------------------------------------------------- graph
def read_graph(
    edges: Graph | DataFrame | str,
    spark: SparkSession | None = None,
    *,
    directed: bool = False,
    sep: str | None = None,
    header: bool | None = None,
    drop_self_loops: bool = False,
    max_broadcast_bytes: int = DEFAULT_MAX_BROADCAST_BYTES,
    weighted: bool | None = None,
    duplicates: str | None = None,
    mode: str = "broadcast",
) -> Graph | ClusterGraph:
    """Build an n2v_lite :class:`Graph` from edges on a cluster (or leave it there).

    Parameters
    ----------
    edges : Graph, pyspark DataFrame or str
        A Graph is returned unchanged. A DataFrame has columns ``src``,
        ``dst`` and optionally ``weight`` (numeric); ids of any Spark type
        (integral types give ``int`` ids, text ``str``, floating ``float``,
        booleans ``bool``; others are cast to text). A path is read as
        Parquet when it ends in ``.parquet`` (same columns), else as an edge
        list like :meth:`Graph.from_edgelist` (``source target [weight]``,
        tab, comma or whitespace, ``#`` comments, optional header).
    spark : SparkSession, optional
        Default: the active session, else :func:`local_session`.
    directed, drop_self_loops : bool
        As in :meth:`Graph.from_edges`.
    sep, header
        Text edge lists only, as in :meth:`Graph.from_edgelist`.
    max_broadcast_bytes : int
        Refuse (before collecting the edges) a graph whose CSR would exceed it.
    weighted : bool or None
        As in :meth:`Graph.from_edgelist`: ``None`` uses a weight column when
        there is one, ``False`` ignores it, ``True`` requires it.
    duplicates : {None, "sum", "max", "min"}
        The duplicate rule of :mod:`n2v_lite.graph`, the same as the local
        readers' (``"first"``/``"last"`` need an input order, which a
        distributed read does not have).
    mode : {"broadcast", "partitioned", "auto"}
        ``"broadcast"`` collects the merged edges and builds a :class:`Graph`
        on the driver. ``"partitioned"`` leaves them on the cluster and
        returns a :class:`ClusterGraph` for the partitioned walks of
        :func:`random_walks`, :func:`write_walks` and :func:`fit` (only the
        node ids come to the driver). ``"auto"``: partitioned when the CSR
        would exceed ``max_broadcast_bytes``.

    Returns
    -------
    Graph or ClusterGraph
        A Graph equal to what the local reader gives for the same edges
        (weights of merged duplicates are summed in another order, so they
        can differ in the last bit when they are not exact binary fractions);
        a ClusterGraph holds the same edges on the executors.
    """
    return _read(
        edges,
        spark,
        directed=directed,
        sep=sep,
        header=header,
        drop_self_loops=drop_self_loops,
        max_broadcast_bytes=max_broadcast_bytes,
        weighted=weighted,
        duplicates=duplicates,
        mode=mode,
    )


def _read(
    edges,
    spark,
    *,
    directed=False,
    sep=None,
    header=None,
    drop_self_loops=False,
    max_broadcast_bytes=DEFAULT_MAX_BROADCAST_BYTES,
    weighted=None,
    duplicates=None,
    mode="broadcast",
):
    """:func:`read_graph`; with ``mode`` "partitioned" (or "auto" and a graph above
    ``max_broadcast_bytes``) the edges stay on the cluster: a :class:`ClusterGraph`."""
    if isinstance(edges, (Graph, ClusterGraph)):
        return edges
    mode = check_choice("mode", mode, WALK_MODES)
    check_duplicates(duplicates)
    if duplicates in ("first", "last"):
        raise ParameterError(
            f"duplicates={duplicates!r} needs the input order, which a Spark "
            "read does not keep: use sum, max or min, or the local reader"
        )
    spark = _session(spark)
    cached = []  # frames read more than once (checks, ids, join): computed once
    try:
        return _read_graph(
            spark,
            edges,
            directed,
            sep,
            header,
            drop_self_loops,
            max_broadcast_bytes,
            cached,
            weighted,
            duplicates,
            mode,
        )
    finally:
        for frame in cached:
            frame.unpersist()


def _read_graph(
    spark,
    edges,
    directed,
    sep,
    header,
    drop_self_loops,
    max_broadcast_bytes,
    cached,
    weighted=None,
    duplicates=None,
    mode="broadcast",
):
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    if isinstance(edges, DataFrame):
        df, where = _edge_frame(edges, "DataFrame", cached), "DataFrame"
    elif isinstance(edges, (str, os.PathLike)):
        path = os.fspath(edges)
        _check_readable(path)
        try:
            if path.rstrip("/").endswith(".parquet"):
                df, where = _edge_frame(spark.read.parquet(path), path, cached), path
            else:
                df, where = _read_text_edges(spark, path, sep, header, cached), path
        except Exception as exc:
            if "PATH_NOT_FOUND" in str(exc):  # a URI Spark cannot find (checked late)
                raise GraphError(f"{path}: no such file or folder") from None
            raise
    else:
        raise GraphError(
            f"edges must be a Graph, a Spark DataFrame or a path, got {type(edges).__name__}"
        )
    if weighted is False and "weight" in df.columns:
        df = df.drop("weight")
    elif weighted and "weight" not in df.columns:
        raise GraphError(f"{where}: weighted=True but the edges have no weight column")
    if drop_self_loops:
        df = df.filter(F.col("src") != F.col("dst"))
    node_ids, id_table = _index_ids(spark, df, where)
    indexed = df.join(
        id_table.withColumnRenamed("id", "src").withColumnRenamed("idx", "s"), "src"
    ).join(id_table.withColumnRenamed("id", "dst").withColumnRenamed("idx", "d"), "dst")
    if directed:
        a, b = F.col("s"), F.col("d")
    else:  # u v and v u are one edge: merged here, mirrored by Graph.from_edges
        a, b = F.least("s", "d"), F.greatest("s", "d")
    # the duplicate rule of n2v_lite.graph: copies of an edge are one edge; unequal
    # weights need a policy; an unweighted input stays unweighted unless "sum" counts
    has_weight = "weight" in df.columns
    value = F.col("weight") if has_weight else F.lit(1.0)
    merge = {"sum": F.sum, "max": F.max, "min": F.min, None: F.min}[duplicates]
    weight = merge(value) if has_weight or duplicates == "sum" else F.lit(1.0)
    merged = (
        indexed.groupBy(a.alias("a"), b.alias("b")).agg(
            weight.cast("double").alias("w"),
            F.count(F.lit(1)).alias("copies"),
            F.min(value).alias("low"),
            F.max(value).alias("high"),
        )
    ).persist()
    try:
        totals = merged.agg(
            F.count(F.lit(1)).alias("edges"),
            F.sum("copies").alias("rows"),
            F.max((F.col("low") != F.col("high")).cast("int")).alias("conflict"),
        ).first()
        if duplicates is None and totals["conflict"]:
            row = merged.filter(F.col("low") != F.col("high")).first()
            u, v = node_ids[row["a"]], node_ids[row["b"]]
            raise GraphError(
                f"{where}: edge {show(u)} {'->' if directed else '--'} "
                f"{show(v)} is listed with different weights ({row['low']:g} "
                f"and {row['high']:g}); say how to merge them: duplicates= "
                "(--duplicates) sum, max, min"
            )
        count = totals["edges"]
        stored = count if directed else 2 * count
        weighted_graph = has_weight or duplicates == "sum"
        fits = csr_broadcast_bytes(len(node_ids), stored, weighted_graph) <= max_broadcast_bytes
        if mode == "partitioned" or (mode == "auto" and not fits):
            graph = ClusterGraph(
                node_ids, merged, count, directed, weighted_graph, int(totals["rows"] or 0) - count
            )
            merged = None  # kept on the cluster, released by graph.close()
            return graph
        _check_broadcast(len(node_ids), stored, weighted_graph, max_broadcast_bytes)
        parts = merged.select("a", "b", "w").rdd.mapPartitions(_pack_edges).collect()
    finally:
        if merged is not None:
            merged.unpersist()
    src, dst, weights = (
        np.concatenate([p[k] for p in parts])
        if parts
        else np.zeros(0, dtype=np.int64 if k < 2 else np.float64)
        for k in range(3)
    )
    try:
        graph = Graph.from_edges(src, dst, weights, node_ids=node_ids, directed=directed)
    except GraphError as exc:
        raise GraphError(f"{where}: {exc}") from None
    graph._duplicates_merged = int(totals["rows"] or 0) - count
    return graph


class ClusterGraph:
    """A graph read on the cluster and left there (partitioned walks).

    Made by :func:`read_graph` with ``mode="partitioned"``; the walk
    functions of this module take it wherever they take a graph (it always
    walks partitioned), as often as needed. :meth:`close` (or a ``with``
    block) releases its edges; a graph the walk functions read themselves is
    released when they return.

    The node ids (``n`` values) are on the driver; the merged edges ``a, b,
    w`` (``a <= b`` when undirected) stay a persisted DataFrame on the
    executors. :meth:`close` releases them.
    """

    def __init__(
        self,
        node_ids: np.ndarray,
        edges: DataFrame,
        num_edges: int,
        directed: bool,
        weighted: bool,
        duplicates_merged: int,
    ) -> None:
        self.node_ids, self.edges = node_ids, edges
        self._shards: dict = {}  # (shards, reverse weights) -> persisted RDD, reused by later walks
        self._node_data = None
        self.num_nodes, self.num_edges = len(node_ids), int(num_edges)
        self.directed, self.weighted = bool(directed), bool(weighted)
        self._duplicates_merged = duplicates_merged

    def __repr__(self):
        kind = "directed" if self.directed else "undirected"
        return (
            f"<Graph {kind}, {self.num_nodes} nodes, {self.num_edges} edges"
            f"{', weighted' if self.weighted else ''}, on the cluster>"
        )

    def stored_edges(self) -> DataFrame:
        """Every stored (directed) edge ``src, dst, w`` as a DataFrame."""
        from pyspark.sql import functions as F

        e = self.edges.select(F.col("a").alias("src"), F.col("b").alias("dst"), "w")
        if not self.directed:  # u -- v is stored both ways (a self-loop once), as Graph does
            e = e.union(
                e.filter(F.col("src") != F.col("dst")).select(
                    F.col("dst").alias("src"), F.col("src").alias("dst"), "w"
                )
            )
        return e

    def node_data(self) -> dict[str, np.ndarray]:
        """:func:`n2v_lite.graph.node_metadata`'s degree columns, computed on the cluster."""
        data = self._node_data
        if data is None:
            data = self._node_data = self._degrees()
        return data

    def _degrees(self):
        stored = self.stored_edges()
        out_degree = _counts(stored, "src", self.num_nodes)
        if not self.directed:
            return {"degree": out_degree}
        in_degree = _counts(stored, "dst", self.num_nodes)
        return {"degree": in_degree + out_degree, "in_degree": in_degree, "out_degree": out_degree}

    def close(self) -> None:
        for rdd in self._shards.values():
            rdd.unpersist()
        self._shards.clear()
        self.edges.unpersist()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _counts(frame, column, n):
    counts = np.zeros(n, dtype=np.int64)
    for row in frame.groupBy(column).count().toLocalIterator():
        counts[row[0]] = row[1]
    return counts


def _pack_edges(rows):
    """One partition of (a, b, w) rows as three numpy arrays (cheap to collect)."""
    a, b, w = [], [], []
    for row in rows:
        a.append(row[0])
        b.append(row[1])
        w.append(row[2])
    yield (np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), np.array(w, dtype=np.float64))


def _edge_frame(df, where, cached):
    """Check a DataFrame of edges; returns it with ``src``, ``dst`` (and a double ``weight``)."""
    from pyspark.sql import functions as F

    for column in ("src", "dst"):
        if column not in df.columns:
            raise GraphError(
                f"{where}: no column {column!r} (columns: {df.columns}); "
                "edges need src, dst and an optional weight"
            )
    columns = [_id_column(df, "src"), _id_column(df, "dst")]
    if "weight" in df.columns:
        kind = df.schema["weight"].dataType.typeName()
        if kind not in ("byte", "short", "integer", "long", "float", "double", "decimal"):
            raise GraphError(f"{where}: column 'weight' must be numeric, got {kind}")
        columns.append(F.col("weight").cast("double").alias("weight"))
    df = df.select(*columns).persist()
    cached.append(df)
    _check_rows(df, where)
    return df


def _id_column(df, name):
    from pyspark.sql import functions as F

    kind = df.schema[name].dataType.typeName()
    if kind in ("byte", "short", "integer", "long"):
        return F.col(name).cast("long").alias(name)
    if kind in ("string", "float", "double", "boolean"):
        return F.col(name)
    return F.col(name).cast("string").alias(name)  # dates, decimals, ...: as text


def _check_rows(df, where, describe=None):
    """Raise GraphError for the first edge with a missing id or a bad weight."""
    from pyspark.sql import functions as F

    bad = F.col("src").isNull() | F.col("dst").isNull()
    if "weight" in df.columns:
        w = F.col("weight")
        bad = bad | w.isNull() | F.isnan(w) | (w <= 0) | (F.abs(w) == float("inf"))
    row = df.filter(bad).first()
    if row is None:
        return
    row = row.asDict()
    if row["src"] is None or row["dst"] is None:
        problem = f"missing {'src' if row['src'] is None else 'dst'} value"
    else:
        problem = _weight_problem(row.get("raw_weight", row.get("weight")))
    place = describe(row) if describe else f"{where}, edge {row['src']!r} -> {row['dst']!r}"
    raise GraphError(f"{place}: {problem}")


def _weight_problem(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "missing weight" if value in (None, "") else f"weight {value!r} is not a number"
    if not np.isfinite(number):
        return f"weight {value!r} is not finite"
    return f"weight {value!r} must be positive"


def _check_readable(path):
    """A local path must exist and be a file or folder: Spark's executors read it (a
    pipe would be read part by part, by several processes: garbage)."""
    from ._utils import special_kind, uri_scheme

    if path == "-":
        raise GraphError(
            "-: standard input cannot be read by Spark's executors; save the edges to a "
            "file (or use the local engine)"
        )
    if uri_scheme(path) or any(c in path for c in "*?["):
        return  # a URI or a glob: Spark says whether it exists
    kind = special_kind(path)
    if kind is not None:
        raise GraphError(
            f"{path}: {kind}, which Spark's executors cannot read; save the edges to a "
            "file (or use the local engine)"
        )
    if not os.path.exists(path):
        raise GraphError(f"{path}: no such file or folder")


def _read_text_edges(spark, path, sep, header, cached):
    """A text edge list as a DataFrame of edges, with the local reader's rules."""
    from pyspark.sql import functions as F

    from . import ids as ids_module

    sep = check_sep(sep)

    def strip(column):  # Python's str.strip(): Unicode whitespace at both ends
        return F.regexp_replace(column, f"^{SPACE_CLASS}+|{SPACE_CLASS}+$", "")

    text = spark.read.text(path).select(F.input_file_name().alias("file"), "value")
    # comments and a CR go (Hadoop's line reader drops a byte-order mark at the start of
    # a file, as the local reader does)
    line = F.regexp_replace(F.regexp_replace("value", "#.*$", ""), "\r$", "")
    data = text.select("file", line.alias("line"), F.col("value").alias("raw"))
    data = data.filter(strip("line") != "")
    sample = [(k + 1, r["line"]) for k, r in enumerate(data.select("line").limit(50).collect())]
    if not sample:
        raise GraphError(f"{path}: no edges (the file has no data lines)")
    if sep is None:
        first = sample[0][1]
        sep = "\t" if "\t" in first else "," if "," in first else WHITESPACE
    if header is None:
        header = looks_like_header(sample, sep)
    if header:  # Spark's CSV rule: the header line is dropped from every file
        data = data.filter(F.col("line") != sample[0][1])
    # the fields rule of n2v_lite._text (SPACE_CLASS): split, then strip each field
    pattern = FIELD_GAP if sep == WHITESPACE else re.escape(sep)
    source = (
        F.regexp_replace("line", f"^{FIELD_GAP}|{FIELD_GAP}$", "")
        if sep == WHITESPACE
        else F.col("line")
    )
    fields = data.select("file", "raw", F.split(source, pattern).alias("f"))
    fields = fields.select(
        "file",
        "raw",
        *(
            strip(F.get("f", i)).alias(c)
            for i, c in enumerate(("src", "dst", "raw_weight", "extra"))
        ),
    )

    # one pass for every check; the offending line is looked up only on error
    def present(name):
        return F.coalesce(F.col(name), F.lit("")) != ""

    weight = F.expr("try_cast(raw_weight as double)")
    bad_weight = weight.isNull() | F.isnan(weight) | (weight <= 0) | (F.abs(weight) == float("inf"))
    not_int = F.lit(False)
    for name in ("src", "dst"):
        not_int = (
            not_int
            | ~F.col(name).rlike(_INT_PATTERN)
            | F.expr(f"try_cast({name} as bigint)").isNull()
        )
    longest = ids_module.MAX_ID_CHARS
    checks = {
        "extra": present("extra"),
        "short": ~present("dst"),
        "long_id": (F.length("src") > longest) | (F.length("dst") > longest),
        "weighted": present("raw_weight"),
        "bad_weight": bad_weight,
        "not_int": not_int,
    }
    fields = fields.persist()
    cached.append(fields)
    flags = (
        fields.agg(*(F.max(test.cast("int")).alias(name) for name, test in checks.items()))
        .first()
        .asDict()
    )
    if flags["extra"]:
        row = fields.filter(checks["extra"]).first()
        raise GraphError(
            f"{_text_place(spark, row, path)}: too many fields "
            "(expected source, target and an optional weight)"
        )
    if flags["short"]:
        row = fields.filter(checks["short"]).first()
        raise GraphError(
            f"{_text_place(spark, row, path)}: missing target column after "
            f"{row['src']!r} (separator {sep!r})"
        )
    if flags["long_id"]:  # the local reader's message, with the line
        row = fields.filter(checks["long_id"]).first()
        value = row["src"] if len(row["src"]) > longest else row["dst"]
        ids_module.check_id_length(value, where=f"{_text_place(spark, row, path)}: ")
    weighted = bool(flags["weighted"])
    if weighted and flags["bad_weight"]:
        row = fields.filter(bad_weight).first()
        raise GraphError(f"{_text_place(spark, row, path)}: {_weight_problem(row['raw_weight'])}")
    id_type = "string" if flags["not_int"] else "long"
    # ids that are all canonical integers become ints (as Graph.from_edgelist does)
    return fields.select(
        F.col("src").cast(id_type),
        F.col("dst").cast(id_type),
        *([weight.alias("weight")] if weighted else []),
    )


def _text_place(spark, row, given):
    """``file, line N`` for a row of a text edge list (found again only on error); the
    file named as ``given`` when that is the one file read."""
    from urllib.parse import unquote, urlsplit

    file, raw = row["file"], row["raw"]
    name = unquote(urlsplit(file).path) if file.startswith("file:") else file
    if os.path.isfile(given) and os.path.samefile(given, name):
        name = given
    try:
        lines = spark.read.text(file).rdd.map(lambda r: r[0]).zipWithIndex()
        number = lines.filter(lambda pair: pair[0] == raw).map(lambda pair: pair[1]).first() + 1
    except Exception:  # noqa: BLE001 - the message must still name the file
        return f"{name} (line {raw!r})"
    return f"{name}, line {number}"


def _index_ids(spark, df, where):
    """Distinct ids -> sort -> zipWithIndex on the cluster; the id list comes back."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StructField, StructType

    ids = (
        df.select(F.col("src").alias("id"))
        .union(df.select(F.col("dst").alias("id")))
        .distinct()
        .orderBy("id")
    )
    pairs = ids.rdd.map(lambda row: row[0]).zipWithIndex().persist()
    try:
        node_ids = pairs.keys().collect()
    except Exception:
        pairs.unpersist()
        raise
    if not node_ids:
        pairs.unpersist()
        raise GraphError(f"{where}: no edges")
    check_node_ids(node_ids, where=f"{where}: ")
    schema = StructType(
        [StructField("id", ids.schema["id"].dataType, False), StructField("idx", LongType(), False)]
    )
    table = spark.createDataFrame(pairs, schema)
    if isinstance(node_ids[0], int) and not isinstance(node_ids[0], bool):
        node_ids = np.array(node_ids, dtype=np.int64)
    else:
        node_ids = np.array(node_ids, dtype=object if isinstance(node_ids[0], str) else None)
    return node_ids, table


# ------------------------------------------------------------ broadcasting
def csr_broadcast_bytes(num_nodes: int, num_stored_edges: int, weighted: bool) -> int:
    """Bytes of the CSR that is broadcast: row pointers, indices and (if weighted) weights.

    That is ``indptr.itemsize (n + 1) + (indices.itemsize [+ weights.itemsize])
    x stored edges`` with :class:`Graph`'s own dtypes (int64/int32/float64:
    12 bytes per stored edge + 8 per node). Unweighted graphs send no weights
    (executors rebuild them as ones). Node ids are never broadcast.

    Examples
    --------
    >>> nbytes = csr_broadcast_bytes(82168, 948464, weighted=False)   # soc-Slashdot
    >>> 4 * 948464 <= nbytes < 8 << 20
    True
    """
    ptr, idx, wgt = _csr_itemsizes()
    return ptr * (int(num_nodes) + 1) + (idx + (wgt if weighted else 0)) * int(num_stored_edges)


def _csr_itemsizes():
    probe = Graph.from_edges([0], [1], [2.0])
    return probe.indptr.itemsize, probe.indices.itemsize, probe.weights.itemsize


def _check_broadcast(num_nodes, num_stored_edges, weighted, limit):
    limit = check_int("max_broadcast_bytes", limit)
    need = csr_broadcast_bytes(num_nodes, num_stored_edges, weighted)
    if need > limit:
        raise BroadcastLimitError(
            f"the graph's CSR needs {_gib(need)} to broadcast ({num_nodes:,} nodes, "
            f"{num_stored_edges:,} stored edges), "
            f"above max_broadcast_bytes={limit:,} ({_gib(limit)}): raise max_broadcast_bytes "
            f"and give the driver and every executor's Python workers at least 3x that much "
            f"memory (spark.driver.memory; spark.executor.pyspark.memory or "
            f"spark.executor.memoryOverhead, since the copies live outside the JVM heap), "
            f"or split the graph"
        )


def _gib(nbytes):
    return f"{nbytes / 2**30:.2f} GiB" if nbytes >= 2**30 else f"{nbytes / 2**20:.1f} MiB"


def _payload(graph):
    return {
        "indptr": np.asarray(graph.indptr),
        "indices": np.asarray(graph.indices),
        "weights": np.asarray(graph.weights) if graph.weighted else None,
        "directed": bool(graph.directed),
    }


_EXECUTOR_GRAPHS: dict = {}  # job key -> Graph, reused by a Python worker across tasks


def _executor_graph(broadcast, key):
    graph = _EXECUTOR_GRAPHS.get(key)
    if graph is None:
        data = broadcast.value
        n = len(data["indptr"]) - 1
        weights = data["weights"]
        if weights is None:
            weights = np.ones(len(data["indices"]))
        graph = Graph(
            data["indptr"], data["indices"], weights, np.arange(n), directed=data["directed"]
        )
        _EXECUTOR_GRAPHS.clear()  # keep one graph per worker
        _EXECUTOR_GRAPHS[key] = graph
    return graph


# -------------------------------------------------------------------- walks
def _check_walk_args(job, num_walks, walk_length, p, q, seed, num_partitions):
    """The checks both walk jobs make: sets ``job.p, q, num_walks, walk_length``;
    returns ``num_partitions`` checked (None stays None)."""
    job.p, job.q = check_positive("p", p), check_positive("q", q)
    job.num_walks = check_int("num_walks", num_walks)
    job.walk_length = check_int("walk_length", walk_length)
    check_seed("seed", seed)
    return None if num_partitions is None else check_int("num_partitions", num_partitions)


class _WalkJob:
    """The walk RDD of one call: blocks of ``random_walks`` spread over partitions."""

    def __init__(
        self, spark, graph, num_walks, walk_length, p, q, seed, num_partitions, max_broadcast_bytes
    ):
        from .walks import walk_block_layout

        num_partitions = _check_walk_args(self, num_walks, walk_length, p, q, seed, num_partitions)
        _check_broadcast(
            graph.num_nodes, graph.num_stored_edges, graph.weighted, max_broadcast_bytes
        )
        self.graph = graph
        self.num_blocks, self.block_rows, self.entropy = walk_block_layout(
            graph, num_walks, walk_length, seed
        )
        sc = spark.sparkContext
        wanted = num_partitions or sc.defaultParallelism
        self.num_partitions = max(1, min(wanted, self.num_blocks))
        self.broadcast = sc.broadcast(_payload(graph))
        key = f"{os.getpid()}-{id(self)}-{time.time_ns()}"
        args = (self.broadcast, key, self.num_walks, self.walk_length, self.p, self.q, self.entropy)
        self.rdd = sc.parallelize(range(self.num_blocks), self.num_partitions).mapPartitions(
            lambda blocks: _run_blocks(blocks, *args)
        )

    @property
    def total_rows(self):
        return self.num_walks * self.graph.num_nodes

    def close(self):
        self.broadcast.unpersist()


def _run_blocks(block_ids, broadcast, key, num_walks, walk_length, p, q, entropy):
    """Executor side: ``(block_id, walks)`` for this partition's blocks, in order."""
    from .walks import walk_blocks

    graph = _executor_graph(broadcast, key)
    for b, _, rows in walk_blocks(
        graph, num_walks, walk_length, p, q, entropy=entropy, block_ids=list(block_ids)
    ):
        yield b, rows


def random_walks(
    graph: Graph | ClusterGraph,
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    seed: int | np.random.Generator | None = None,
    spark: SparkSession | None = None,
    num_partitions: int | None = None,
    *,
    max_broadcast_bytes: int = DEFAULT_MAX_BROADCAST_BYTES,
    mode: str = "auto",
    max_walkers: int = DEFAULT_MAX_WALKERS,
    progress: bool = False,
) -> np.ndarray:
    """node2vec walks computed on Spark executors, collected on the driver.

    Parameters
    ----------
    graph : Graph, pyspark DataFrame or path
        The graph (anything :func:`read_graph` takes; DataFrames and paths are
        read as undirected graphs: call :func:`read_graph` for others).
    num_walks, walk_length, p, q, seed
        As in :func:`n2v_lite.walks.random_walks`.
    spark : SparkSession, optional
        Default: the active session, else :func:`local_session`.
    num_partitions : int, optional
        Broadcast mode: partitions of whole walk blocks; partitioned mode:
        shards of the graph (default: Spark's default parallelism). Never
        changes the walks.
    max_broadcast_bytes : int
        Ceiling on the broadcast CSR (see :func:`csr_broadcast_bytes`).
    mode : {"auto", "broadcast", "partitioned"}
        ``"broadcast"``: every executor gets the whole CSR (refused above
        ``max_broadcast_bytes``). ``"partitioned"``: the graph is sharded by
        node index across the executors (a DataFrame or path is read and
        sharded on the cluster, never collected), and walkers move, in
        supersteps, to the shard that owns their current node; the
        ``prev -> x`` test of a second-order step is answered by the owner of
        ``prev``. ``"auto"``: broadcast when the CSR fits, else partitioned.
        The walkers in flight are checkpointed every 20 supersteps, to the
        session's checkpoint folder when it has one (``setCheckpointDir``;
        a lost executor then costs a recomputation, not the job).
    max_walkers : int
        Partitioned mode: walks in flight at once (a wave of rows); bounds
        each superstep's shuffle (a walker carries its state, not its path:
        40-56 bytes whatever the walk length, and up to 200 more while it
        waits on an edge test, which carries its next attempts: see
        :data:`n2v_lite.walks.TEST_PROPOSALS`). The steps each superstep
        takes stay where they were taken (collected, or with a walk folder
        saved beside it at 12 bytes a step) and are put in place per wave.
    progress : bool
        One line per stage on stderr.

    Returns
    -------
    numpy.ndarray
        Exactly ``n2v_lite.walks.random_walks(graph, num_walks, walk_length,
        p, q, seed)`` in every mode: int32 node indices, row ``k`` from node
        ``k % n``, ``-1`` padding after a dead end.

    Raises
    ------
    BroadcastLimitError
        ``mode="broadcast"`` and the CSR exceeds ``max_broadcast_bytes``.
    ParameterError
        A parameter out of range.

    Examples
    --------
    >>> w = random_walks(Graph.from_edges([0, 1], [1, 2]), 2, 5, seed=0)  # doctest: +SKIP
    """
    from .walks import PAD, walk_dtype

    spark = _session(spark)
    stages = _Stages(progress)
    given = graph
    graph = _read(graph, spark, max_broadcast_bytes=max_broadcast_bytes, mode=mode)
    job: Any
    if _partitioned(graph, mode, max_broadcast_bytes):
        try:
            job = _PartitionedJob(
                spark, graph, num_walks, walk_length, p, q, seed, num_partitions, max_walkers
            )
            try:
                out = np.full((job.total_rows, job.walk_length), PAD, dtype=job.dtype)
                for _, _, _, done in job.waves():
                    for rows, t, nodes in done:
                        out[rows, t] = nodes
            finally:
                job.close()
        finally:
            _release(graph, given)
        stages.done(
            "walks",
            f"{job.total_rows:,} walks x {job.walk_length} on "
            f"{job.num_shards} shards{_superstep_summary(job)}",
        )
        return out
    job = _WalkJob(
        spark, graph, num_walks, walk_length, p, q, seed, num_partitions, max_broadcast_bytes
    )
    try:
        out = np.empty((job.total_rows, job.walk_length), dtype=walk_dtype(graph))
        for b, rows in job.rdd.toLocalIterator():
            out[b * job.block_rows : b * job.block_rows + len(rows)] = rows
    finally:
        job.close()
    stages.done(
        "walks", f"{job.total_rows:,} walks x {job.walk_length} on {job.num_partitions} partitions"
    )
    return out


def _superstep_summary(job):
    """What a partitioned job's supersteps cost, for its progress line ("" otherwise)."""
    if not isinstance(job, _PartitionedJob) or not job.supersteps:
        return ""
    return (
        f"; {job.supersteps} supersteps, walker messages {_gib(job.message_bytes / job.supersteps)}"
        f" a superstep on average, {_gib(job.peak_message_bytes)} at most"
    )


def _release(graph, given):
    """Release the edges of a ClusterGraph read by the call itself (not one passed in)."""
    if isinstance(graph, ClusterGraph) and graph is not given:
        graph.close()


def _partitioned(graph, mode, max_broadcast_bytes):
    """Whether walks over ``graph`` run partitioned (see :data:`WALK_MODES`)."""
    mode = check_choice("mode", mode, WALK_MODES)
    if isinstance(graph, ClusterGraph) or mode == "partitioned":
        return True
    return (
        mode == "auto"
        and csr_broadcast_bytes(graph.num_nodes, graph.num_stored_edges, graph.weighted)
        > max_broadcast_bytes
    )


# ------------------------------------------------------ partitioned walks
def _shard_of(key):
    """The partitioner of shards and walker messages: key ``s`` goes to partition ``s``."""
    return key


_DONE, _STATS = -1, -2  # keys of finished walks and of per-task statistics


_PACK_ROWS = 1 << 16  # edges turned from Rows into numpy at a time


def _pack_by_shard(rows, num_shards, weighted, reverse):
    """Executor side: stored edges as numpy pieces ``(shard, (src, dst, w, rw))``, a
    bounded number of rows at a time (``w``, ``rw`` None when not needed)."""
    import itertools

    rows = iter(rows)
    while True:
        chunk = list(itertools.islice(rows, _PACK_ROWS))
        if not chunk:
            return
        columns = list(zip(*chunk))
        src = np.array(columns[0], dtype=np.int64)
        dst = np.array(columns[1], dtype=np.int64)
        w = np.array(columns[2], dtype=np.float64) if weighted else None
        rw = np.array(columns[3], dtype=np.float64) if reverse else None
        del chunk, columns
        shard = src % num_shards
        for s in np.unique(shard).tolist():
            mine = shard == s
            yield s, tuple(None if a is None else a[mine] for a in (src, dst, w, rw))


def _build_shard(s, pieces, num_shards, num_nodes, directed, weighted):
    """Executor side: shard ``s``'s CSR (rows ``v // num_shards``, targets sorted)."""
    pieces = [list(piece) for _, piece in pieces]

    def column(k, dtype):
        if not pieces or pieces[0][k] is None:
            return None if pieces else np.zeros(0, dtype=dtype)
        out = np.concatenate([p[k] for p in pieces])
        for p in pieces:  # the pieces are dropped one column at a time
            p[k] = None
        return out

    rows = -(-(num_nodes - s) // num_shards)
    key = column(0, np.int64)
    key //= num_shards  # local row
    key *= num_nodes
    key += column(1, np.int64)  # (row, target) as one sortable int64
    weights = pieces and (pieces[0][2] is not None or pieces[0][3] is not None)
    order = None
    if weights:
        order = np.argsort(key, kind="stable")
        key = key[order]
    else:
        key.sort()  # in place: no permutation to keep
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(key // num_nodes, minlength=rows), out=indptr[1:])
    index_dtype = np.int32 if num_nodes < 2**31 - 1 else np.int64
    indices = (key % num_nodes).astype(index_dtype)
    del key
    w, rw = (
        None if a is None or order is None else a[order]
        for a in (column(2, np.float64), column(3, np.float64))
    )
    pieces.clear()
    if weighted and w is None:  # a shard without edges
        w = np.zeros(0)
    yield (
        s,
        (
            "shard",
            {
                "shard": s,
                "num_shards": num_shards,
                "num_nodes": num_nodes,
                "indptr": indptr,
                "indices": indices,
                "weights": w if weighted else None,
                "directed": directed,
                "reverse_weights": rw,
            },
        ),
    )


def _needs_reverse(directed, p, q):
    """Directed graphs need each edge's reverse weight when ``1/p`` is the largest factor."""
    return bool(directed) and 1.0 / p > max(1.0, 1.0 / q)


def _shards(spark, graph, num_shards, p, q):
    """The graph's shards as an RDD keyed and partitioned by shard (persisted)."""
    from .walks import graph_shard

    sc = spark.sparkContext
    reverse = _needs_reverse(graph.directed, p, q)
    if isinstance(graph, Graph):  # already on the driver: ship one shard per partition

        def payload(s):
            shard = graph_shard(graph, s, num_shards)
            return s, (
                "shard",
                {
                    "shard": s,
                    "num_shards": num_shards,
                    "num_nodes": graph.num_nodes,
                    "indptr": shard.indptr,
                    "indices": shard.indices,
                    "weights": shard.weights if graph.weighted else None,
                    "directed": graph.directed,
                    "reverse_weights": shard.reverse_weights if reverse else None,
                },
            )

        rdd = sc.parallelize([payload(s) for s in range(num_shards)], num_shards)
        return rdd.partitionBy(num_shards, _shard_of).persist()
    cached = graph._shards.get((num_shards, reverse))
    if cached is not None:
        return cached
    from pyspark.sql import functions as F

    stored = graph.stored_edges()
    if reverse:
        back = stored.select(
            F.col("dst").alias("src"), F.col("src").alias("dst"), F.col("w").alias("rw")
        )
        stored = stored.join(back, ["src", "dst"], "left").fillna(0.0, ["rw"])
    n, directed, weighted = graph.num_nodes, graph.directed, graph.weighted
    pieces = stored.rdd.mapPartitions(
        lambda rows: _pack_by_shard(rows, num_shards, weighted, reverse)
    )
    shards = graph._shards[(num_shards, reverse)] = (
        pieces.partitionBy(num_shards, _shard_of)
        .mapPartitionsWithIndex(
            lambda s, it: _build_shard(s, it, num_shards, n, directed, weighted),
            preservesPartitioning=True,
        )
        .persist()
    )
    return shards


def _shard_walker(record, p, q, walk_length, key):
    """Executor side: a shard record's walk tables, built once per job into the
    persisted walkers RDD (so a task holds one shard's tables, never a cache of them)."""
    from .walks import GraphShard, ShardWalker

    payload = record[1]
    shard = GraphShard(
        payload["shard"],
        payload["num_shards"],
        payload["num_nodes"],
        payload["indptr"],
        payload["indices"],
        payload["weights"],
        payload["directed"],
        payload["reverse_weights"],
    )
    return "walker", ShardWalker(shard, p, q, walk_length, key)


def _peak_rss_mib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _superstep(s, records, sink=None):
    """Executor side: one superstep of shard ``s`` (its walker record, then its messages).

    Yields ``(shard, message)`` for the next superstep, ``(_STATS, dict)``, and
    the steps taken here: ``(_DONE, (rows, t, nodes))``, or with a ``sink``
    (see :func:`_save_pieces`) none, as they are saved beside the walk folder.
    """
    walker, inbox, start = None, [], None
    for _, value in records:
        if isinstance(value, tuple) and value[0] == "walker":
            walker = value[1]
        elif isinstance(value, tuple) and value[0] == "start":
            start = value[1:]
        else:
            inbox.append(value)
    if start is not None:
        inbox.append({"walk": walker.start(*start)})
    outbox, steps = walker.superstep(inbox)
    in_flight = sent = 0
    for dest, message in outbox.items():
        in_flight += sum(len(batch["row"]) for batch in message.values())
        sent += sum(array.nbytes for batch in message.values() for array in batch.values())
        yield dest, message
    if steps is not None:
        if sink is None:  # to the driver: int32 steps, nodes of the walks' dtype
            rows, t, nodes = steps
            yield _DONE, (rows, t.astype(np.int32), nodes.astype(walker.dtype))
        else:
            _save_pieces(sink, s, *steps, walker.dtype)
    yield (
        _STATS,
        {
            "in_flight": in_flight,
            "message_bytes": sent,
            "steps": 0 if steps is None else len(steps[0]),
            "peak_rss_mib": _peak_rss_mib(),
            "pid": os.getpid(),
            "shard": s,
        },
    )


def _piece_folder(folder):
    """The scratch folder of walk pieces inside walk folder ``folder`` (a path or URI)."""
    from .corpus import folder_path

    return folder_path(folder) / ".n2v-lite-pieces"


def _save_pieces(sink, s, rows, t, nodes, dtype):
    """Executor side: the steps taken in one superstep of shard ``s``, one file per
    (wave, superstep, shard): a retried task rewrites the same file. Rows are kept as
    offsets in their wave, with ``t`` and the node: 12 bytes a step."""
    from ._utils import atomic_open

    folder, wave, step, first = sink
    pieces = _piece_folder(folder)
    pieces.mkdir(parents=True, exist_ok=True)
    name = pieces / f"w{wave}-t{step}-s{s}.npz"
    offsets = rows - first
    wide = len(offsets) and int(offsets.max()) >= 2**31  # a wave of over 2**31 rows
    columns = {"row": offsets.astype(np.int64 if wide else np.int32), "t": t.astype(np.int32)}
    columns["node"] = nodes.astype(dtype)
    if isinstance(name, Path):  # no fsync: a lost piece is recomputed, not trusted
        with open(f"{name}.tmp", "wb") as handle:
            np.savez(handle, **columns)
        os.replace(f"{name}.tmp", name)
    else:
        with atomic_open(name) as handle:
            np.savez(handle, **columns)


#: Supersteps between checkpoints of the walkers in flight (see :class:`_PartitionedJob`).
_CHECKPOINT_STEPS = 20


class _PartitionedJob:
    """Walks over a sharded graph: waves of at most ``max_walkers`` rows, each run
    in supersteps until every walk of the wave has ended."""

    def __init__(self, spark, graph, num_walks, walk_length, p, q, seed, num_shards, max_walkers):
        from .walks import check_stream_capacity, draw_entropy, stream_key, walk_dtype

        num_shards = _check_walk_args(self, num_walks, walk_length, p, q, seed, num_shards)
        self.max_walkers = check_int("max_walkers", max_walkers)
        self.spark, self.graph = spark, graph
        sc = spark.sparkContext
        self.num_shards = num_shards or sc.defaultParallelism
        self.key = int(stream_key(draw_entropy(seed)))  # the local engine's one draw
        self.dtype = walk_dtype(graph)
        self.total_rows = self.num_walks * graph.num_nodes
        check_stream_capacity(self.total_rows, self.walk_length)
        self.shards = _shards(spark, graph, self.num_shards, self.p, self.q)
        # each shard's walk tables, built once and kept by Spark (spilled to disk
        # rather than rebuilt): a superstep's task reads its own shard's tables only
        from pyspark import StorageLevel

        args = (self.p, self.q, self.walk_length, np.uint64(self.key))
        self.walkers = self.shards.mapValues(lambda record: _shard_walker(record, *args)).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        self.supersteps, self.peak_rss_mib = 0, {}
        self.message_bytes = self.peak_message_bytes = 0  # walker messages (array bytes)
        self.wave_steps = 0

    def waves(self, folder=None):
        """Run the waves of at most ``max_walkers`` rows, each in supersteps until every
        walk of the wave has ended. Yields ``(wave, first_row, stop_row, done)``:
        ``done`` lists the ``(rows, t, nodes)`` steps collected on the driver (put in
        place on an array of padding), or with ``folder``, None: the steps were saved
        as pieces beside it (see :func:`_write_wave`)."""
        sc = self.spark.sparkContext
        for wave, first in enumerate(range(0, self.total_rows, self.max_walkers)):
            stop = min(self.total_rows, first + self.max_walkers)
            inbox = sc.parallelize(
                [(s, ("start", first, stop)) for s in range(self.num_shards)], self.num_shards
            ).partitionBy(self.num_shards, _shard_of)
            done, previous, step = [], None, 0
            self.wave_steps = 0  # steps taken in this wave: what its files must hold
            while True:
                sink = None if folder is None else (folder, wave, step, first)
                out = self.walkers.union(inbox).mapPartitionsWithIndex(
                    lambda s, records, sink=sink: _superstep(s, records, sink=sink)
                )
                out.persist()
                if step % _CHECKPOINT_STEPS == _CHECKPOINT_STEPS - 1:
                    # cut the lineage, which grows by a shuffle a step: to the checkpoint
                    # folder when the session has one (it survives a lost executor), else
                    # on the executors (a lost one then fails the job)
                    if sc.getCheckpointDir():
                        out.checkpoint()
                    else:
                        out.localCheckpoint()
                got = out.filter(lambda kv: kv[0] < 0).collect()
                if previous is not None:
                    previous.unpersist()
                previous, step = out, step + 1
                stats = [value for key, value in got if key == _STATS]
                done += [value for key, value in got if key == _DONE]
                self.wave_steps += sum(stat["steps"] for stat in stats)
                sent = sum(stat["message_bytes"] for stat in stats)
                self.message_bytes += sent
                self.peak_message_bytes = max(self.peak_message_bytes, sent)
                for stat in stats:
                    self.peak_rss_mib[stat["pid"]] = max(
                        self.peak_rss_mib.get(stat["pid"], 0), stat["peak_rss_mib"] or 0
                    )
                if not sum(stat["in_flight"] for stat in stats):
                    break
                inbox = out.filter(lambda kv: kv[0] >= 0).partitionBy(self.num_shards, _shard_of)
            previous.unpersist()
            self.supersteps += step
            yield wave, first, stop, (done if folder is None else None)

    def close(self):
        self.walkers.unpersist()
        if not isinstance(self.graph, ClusterGraph):  # a ClusterGraph keeps its shards
            self.shards.unpersist()


def _wave_steps(path):
    """Executor side: one superstep's saved steps (see :func:`_save_pieces`)."""
    from .corpus import folder_path

    with folder_path(path).open("rb") as handle, np.load(handle, allow_pickle=False) as saved:
        return saved["row"], saved["t"], saved["node"]


def _write_wave(folder, num_nodes, first_index, size, per, walk_length, dtype):
    """Executor side: partition file ``first_index + k`` from the steps of the wave's
    rows ``k * per ..`` (at most ``per``), which a shuffle brought to task ``k``."""
    from .corpus import write_walk_partition
    from .walks import PAD

    def write(k, records):
        records = [steps for _, steps in records]
        if not records:
            return
        rows = min(per, size - k * per)
        paths = np.full((rows, walk_length), PAD, dtype=dtype)
        for row, t, node in records:
            paths[row - k * per, t] = node
        entry = write_walk_partition(folder, first_index + k, paths, num_nodes=num_nodes)
        counts = entry.pop("counts")
        yield first_index + k, entry, counts

    return write


def _by_piece(per):
    """Executor side: a superstep file's steps split by piece (``row // per``)."""

    def split(path):
        try:
            row, t, node = _wave_steps(path)
        except FileNotFoundError:  # written on another machine: the token count tells
            return
        piece = row // per
        order = np.argsort(piece, kind="stable")
        row, t, node, piece = row[order], t[order], node[order], piece[order]
        cuts = np.flatnonzero(np.diff(piece)) + 1
        for chunk in np.split(np.arange(len(piece)), cuts):
            if len(chunk):
                yield int(piece[chunk[0]]), (row[chunk], t[chunk], node[chunk])

    return split


def _partition_writer(folder, num_nodes):
    """Executor side: write one partition file; yield its entry and its node counts."""
    from .corpus import write_walk_partition

    def write(index, blocks):
        entry = write_walk_partition(
            folder, index, (rows for _, rows in blocks), num_nodes=num_nodes
        )
        counts = entry.pop("counts")
        yield index, entry, counts

    return write


def write_walks(
    graph: Graph | ClusterGraph,
    folder: str | os.PathLike[str],
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    seed: int | np.random.Generator | None = None,
    spark: SparkSession | None = None,
    num_partitions: int | None = None,
    parquet: bool = False,
    *,
    max_broadcast_bytes: int = DEFAULT_MAX_BROADCAST_BYTES,
    mode: str = "auto",
    max_walkers: int = DEFAULT_MAX_WALKERS,
    progress: bool = False,
) -> WalkFolder:
    """Walk on the executors and write a walk folder (:mod:`n2v_lite.corpus` format).

    Every partition writes its own ``part-NNNNN.txt`` (so ``folder`` must be
    a path that the driver and every executor see: a shared filesystem on a
    cluster, the local disk in local mode); the driver sums the node counts
    and writes ``nodes.npy``, ``counts.npy`` and, last, ``manifest.json``.
    No walk passes through the driver.

    Parameters
    ----------
    graph, num_walks, walk_length, p, q, seed, spark, num_partitions, mode, max_walkers
        As in :func:`random_walks`. Broadcast mode writes one partition file
        per Spark partition; partitioned mode one per shard and wave.
    folder : path or URI
        New, empty, or an earlier walk folder (replaced): a path every executor
        and the driver see, or a URI (see :func:`n2v_lite.corpus.folder_path`).
    parquet : bool
        Also write ``folder/walks.parquet`` with columns ``row`` (long) and
        ``walk`` (array of int node indices, padding left out); in
        partitioned mode from the partition files, each read by a task.

    Returns
    -------
    n2v_lite.corpus.WalkFolder
        Its walks (``np.concatenate(list(folder))``) equal
        ``n2v_lite.walks.random_walks(graph, num_walks, walk_length, p, q, seed)``.

    Examples
    --------
    >>> folder = write_walks(graph, "walks/", 10, 80, seed=0, spark=spark)  # doctest: +SKIP
    """
    spark = _session(spark)
    stages = _Stages(progress)
    given = graph
    graph = _read(graph, spark, max_broadcast_bytes=max_broadcast_bytes, mode=mode)
    try:
        return _write_walks(
            spark,
            stages,
            graph,
            folder,
            num_walks,
            walk_length,
            p,
            q,
            seed,
            num_partitions,
            parquet,
            max_broadcast_bytes,
            mode,
            max_walkers,
        )
    finally:
        _release(graph, given)


def _write_walks(
    spark,
    stages,
    graph,
    folder,
    num_walks,
    walk_length,
    p,
    q,
    seed,
    num_partitions,
    parquet,
    max_broadcast_bytes,
    mode,
    max_walkers,
):
    from .corpus import finish_walk_folder, folder_path, prepare_walk_folder
    from .graph import node_metadata

    check_seed("seed", seed)
    partitioned = _partitioned(graph, mode, max_broadcast_bytes)
    if partitioned:
        job = _PartitionedJob(
            spark, graph, num_walks, walk_length, p, q, seed, num_partitions, max_walkers
        )
    else:
        job = _WalkJob(
            spark, graph, num_walks, walk_length, p, q, seed, num_partitions, max_broadcast_bytes
        )
    folder = folder_path(folder)
    if (folder / "manifest.json").is_file() and (folder / "walks.parquet").is_dir():
        _remove_tree(folder / "walks.parquet")  # our own earlier copy
    old_parts = prepare_walk_folder(folder)
    path = str(folder.resolve())  # what executors are given: a path or a URI
    try:
        if partitioned:
            entries, counts = _write_partitioned(job, path, graph.num_nodes)
        else:
            entries, counts = _write_blocks(
                spark, job, path, graph.num_nodes, parquet, folder, stages
            )
        stages.done(
            "walks",
            f"{job.total_rows:,} walks x {job.walk_length} written to "
            f"{len(entries)} partition files{_superstep_summary(job)}",
        )
    finally:
        job.close()
    _check_shared(folder, entries)
    for name in old_parts - {entry["file"] for entry in entries}:
        (folder / name).unlink()
    if partitioned and parquet:  # from the partition files, read where they are
        _write_parquet(spark, _partition_chunks(spark, path, entries, job), folder)
        stages.done("parquet", "walks.parquet written")
    return finish_walk_folder(
        folder,
        node_ids=graph.node_ids.tolist(),
        partitions=entries,
        counts=counts,
        walks_params={
            "num_walks": job.num_walks,
            "walk_length": job.walk_length,
            "p": job.p,
            "q": job.q,
            "seed": seed if isinstance(seed, (int, np.integer)) else None,
        },
        graph_info={
            "directed": graph.directed,
            "weighted": graph.weighted,
            "num_edges": graph.num_edges,
        },
        node_data=graph.node_data() if isinstance(graph, ClusterGraph) else node_metadata(graph),
    )


def _check_shared(folder, entries):
    """The partition files the executors wrote are where the driver looks; else the walk
    folder is not on storage they share (each machine's own disk, or ``memory://``)."""
    from .corpus import WalkFolderError

    seen = {path.name for path in folder.iterdir()} if folder.is_dir() else set()
    missing = [entry["file"] for entry in entries if entry["file"] not in seen]
    if missing:
        raise WalkFolderError(
            f"{folder}: {len(missing)} of the {len(entries)} partition files the executors "
            f"wrote ({missing[0]}, ...) are not there for the driver: {_NOT_SHARED}"
        )


_NOT_SHARED = (
    "the walk folder must be on storage every executor and the driver share (a shared "
    "mount, or an hdfs:// or s3a:// URI)"
)


def _gather(written):
    """``(index, entry)`` of the partition files an RDD of ``(index, entry, counts)``
    wrote, by index, and their node counts summed on the cluster: one array reaches the
    driver (``8 n`` bytes), whatever the number of partitions (None when nothing was
    written)."""
    written = written.persist()
    try:
        got = sorted(written.map(lambda t: (t[0], t[1])).collect(), key=lambda t: t[0])
        # summed in place: two arrays of num_nodes in the summing worker, not three
        counts = (
            written.map(lambda t: t[2]).coalesce(1).reduce(lambda a, b: np.add(a, b, out=a))
            if got
            else None
        )
    finally:
        written.unpersist()
    return got, counts


def _write_blocks(spark, job, path, num_nodes, parquet, folder, stages):
    """Broadcast mode: one partition file per Spark partition of walk blocks."""
    blocks = job.rdd.persist() if parquet else job.rdd
    got, counts = _gather(blocks.mapPartitionsWithIndex(_partition_writer(path, num_nodes)))
    entries = [entry for _, entry in got]
    if parquet:
        try:
            _write_parquet(spark, _first_rows(blocks, job.block_rows), folder)
        finally:
            blocks.unpersist()
        stages.done("parquet", "walks.parquet written")
    return entries, counts


def _write_partitioned(job, path, num_nodes):
    """Partitioned mode: each wave's walks cut by row range into one file per shard."""
    from .corpus import WalkFolderError

    sc = job.spark.sparkContext
    entries, counts = [], np.zeros(num_nodes, dtype=np.int64)
    try:
        for wave, first, stop, _ in job.waves(folder=path):
            # each superstep file read once, its steps shuffled to their piece (a row
            # range of the wave), each piece written as one partition file
            pieces = _piece_folder(path)
            found = pieces.iterdir() if pieces.is_dir() else ()  # none: not shared
            files = [p for p in found if p.name.startswith(f"w{wave}-")]
            files = [str(p) for p in files if p.name.endswith(".npz")]
            per = -(-(stop - first) // job.num_shards)
            count = -(-(stop - first) // per)
            got, wave_counts = (
                _gather(
                    sc.parallelize(files, min(len(files), job.num_shards))
                    .flatMap(_by_piece(per))
                    .partitionBy(count, lambda k: k)
                    .mapPartitionsWithIndex(
                        _write_wave(
                            path,
                            num_nodes,
                            len(entries),
                            stop - first,
                            per,
                            job.walk_length,
                            job.dtype,
                        )
                    )
                )
                if files
                else ([], None)
            )
            _remove_tree(pieces)
            if got:
                counts += wave_counts
            missing = [k for k, (index, _) in enumerate(got) if index != len(entries) + k]
            tokens = sum(entry["tokens"] for _, entry in got)
            if missing or len(got) != count or tokens != job.wave_steps:
                raise WalkFolderError(
                    f"{path}: the executors' walk pieces of wave {wave} are missing: {_NOT_SHARED}"
                )
            entries += [entry for _, entry in got]
    finally:
        _remove_tree(_piece_folder(path))
    return entries, counts


def _remove_tree(location):
    """Remove a folder (a Path or a URI's RemotePath) and what it holds, if it is there."""
    import shutil

    if isinstance(location, Path):
        shutil.rmtree(location, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            location.rmtree()


def _first_rows(blocks, block_rows):
    """Walk blocks ``(b, rows)`` as ``(first row, rows)``."""
    return blocks.map(lambda block: (block[0] * block_rows, block[1]))


def _partition_chunks(spark, path, entries, job):
    """The written partition files as ``(first row, rows)`` chunks, each file read by
    a task (on the executors, which see the walk folder)."""
    from .corpus import read_walk_partition

    firsts = np.concatenate([[0], np.cumsum([entry["rows"] for entry in entries])]).tolist()
    tasks = [(firsts[i], entry) for i, entry in enumerate(entries)]
    length, num_nodes = job.walk_length, job.graph.num_nodes

    def read(task):
        first, entry = task
        chunks = read_walk_partition(
            f"{path.rstrip('/')}/{entry['file']}",
            length,
            num_nodes,
            rows=entry["rows"],
            tokens=entry["tokens"],
        )
        for chunk in chunks:
            yield first, chunk
            first += len(chunk)

    return spark.sparkContext.parallelize(tasks, max(len(tasks), 1)).flatMap(read)


def _walk_rows(chunks, as_tokens=False):
    """``(row, walk)`` records of ``(first row, rows)`` chunks, padding left out."""
    from .walks import PAD

    for first, rows in chunks:
        for k, row in enumerate(rows.tolist()):
            walk = [x for x in row if x != PAD] if PAD in row else row
            yield (first + k, [str(x) for x in walk] if as_tokens else walk)


def _walk_frame(spark, chunks, as_tokens=False):
    from pyspark.sql.types import (
        ArrayType,
        IntegerType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    item = StringType() if as_tokens else IntegerType()
    schema = StructType(
        [StructField("row", LongType(), False), StructField("walk", ArrayType(item, False), False)]
    )
    rows = chunks.mapPartitions(lambda part: _walk_rows(part, as_tokens))
    return spark.createDataFrame(rows, schema)


def _write_parquet(spark, chunks, folder):
    _walk_frame(spark, chunks).write.mode("overwrite").parquet(_hadoop_location(folder))


def _hadoop_location(folder):
    """``folder/walks.parquet`` as Spark's (Hadoop's) writers name it: the same place as
    the walk folder's own files, whatever ``fs.defaultFS`` says."""
    from ._utils import RemotePath, uri_scheme

    if not isinstance(folder, RemotePath):
        return (folder.resolve() / "walks.parquet").as_uri()
    if uri_scheme(folder.uri).lower() == "local":  # fsspec's other name for file://
        return Path(folder.path, "walks.parquet").as_uri()
    return str(folder / "walks.parquet")


# ----------------------------------------------------------------- training
def fit(
    graph: Graph | DataFrame | str,
    *,
    spark: SparkSession | None = None,
    trainer: str = "gensim",
    num_partitions: int | None = None,
    directed: bool = False,
    sep: str | None = None,
    header: bool | None = None,
    walk_folder: str | os.PathLike[str] | None = None,
    max_broadcast_bytes: int = DEFAULT_MAX_BROADCAST_BYTES,
    trainer_partitions: int = 1,
    weighted: bool | None = None,
    duplicates: str | None = None,
    mode: str = "auto",
    max_walkers: int = DEFAULT_MAX_WALKERS,
    **node2vec_params: Any,
) -> NodeEmbedding:
    """node2vec on Spark: read the graph, walk on the executors, train.

    Parameters
    ----------
    graph : Graph, pyspark DataFrame or path
        Anything :func:`read_graph` takes.
    spark : SparkSession, optional
    trainer : {"gensim", "spark"}
        ``"gensim"``: the walks are written to a walk folder and gensim's
        skip-gram with negative sampling trains on the driver from its files
        (as :class:`n2v_lite.Node2Vec` does; same ``random_state`` and
        ``workers=1`` give the same vectors). ``"spark"``: Spark ML
        ``Word2Vec`` on the cluster -- skip-gram with **hierarchical
        softmax** only (``negative`` and ``sample`` other than their defaults
        are refused),
        ``minCount=0``, ``trainer_partitions`` partitions; needs
        ``num_nodes x dimensions < 2**31``. No loss is reported.
    num_partitions : int, optional
        Walk partitions (see :func:`random_walks`).
    directed, sep, header, weighted, duplicates
        How a DataFrame or path is read (see :func:`read_graph`).
    walk_folder : path or URI, optional
        Keep the walk folder there (gensim trainer): a path or ``file://`` URI
        on a shared mount, or a URI such as ``hdfs://nn/walks`` (see
        :func:`n2v_lite.corpus.folder_path`). Default: a temporary folder on the
        driver, removed afterwards -- only with a master whose executors share
        the driver's disk (``local``, ``local-cluster``); with any other master
        the executors write partition files the driver must read, so a shared
        folder is required.
    max_broadcast_bytes : int
        Ceiling on the broadcast CSR.
    mode, max_walkers
        How the walks run (see :func:`random_walks`); a partitioned graph
        needs ``trainer="gensim"``.
    trainer_partitions : int
        Spark ML ``Word2Vec``'s ``numPartitions`` (1 is its default; many
        partitions have been reported to diverge).
    **node2vec_params
        :class:`n2v_lite.Node2Vec`'s: ``dimensions``, ``walk_length``,
        ``num_walks``, ``window``, ``p``, ``q``, ``epochs``, ``negative``,
        ``sample``, ``learning_rate``, ``workers``, ``random_state``,
        ``progress``.

    Returns
    -------
    NodeEmbedding
        The same result type as a local fit (saved, loaded and queried the
        same way); with the gensim trainer the vectors equal a local
        ``Node2Vec(...).fit(graph)`` with the same ``random_state`` (on one
        training thread).

    Examples
    --------
    >>> emb = fit("edges.parquet", spark=spark, dimensions=64, random_state=0)  # doctest: +SKIP
    >>> emb.vectors.shape                                                       # doctest: +SKIP
    (82168, 64)
    """
    from .embedding import NodeEmbedding
    from .graph import node_metadata
    from .model import Node2Vec

    unknown = sorted(set(node2vec_params) - set(_WALK_PARAMS))
    if unknown:
        raise ParameterError(
            f"unknown node2vec parameter {unknown[0]!r}; valid: {', '.join(_WALK_PARAMS)}"
        )
    estimator = Node2Vec(**node2vec_params)
    estimator._check_params()  # the estimator's own checks, before the cluster is touched
    params = estimator.get_params()
    trainer = check_choice("trainer", trainer, TRAINERS)
    trainer_partitions = check_int("trainer_partitions", trainer_partitions)
    spark = _session(spark)
    stages = _Stages(params["progress"])
    mode = check_choice("mode", mode, WALK_MODES)
    given = graph
    graph = _read(
        graph,
        spark,
        directed=directed,
        sep=sep,
        header=header,
        max_broadcast_bytes=max_broadcast_bytes,
        weighted=weighted,
        duplicates=duplicates,
        mode=mode,
    )
    stages.done("graph", repr(graph))
    if trainer == "spark" and _partitioned(graph, mode, max_broadcast_bytes):
        _release(graph, given)
        raise ParameterError(
            "trainer='spark' needs broadcast walks for now: use "
            "trainer='gensim' (which trains from the walk folder) for a "
            "partitioned graph"
        )
    defaults = Node2Vec().get_params()
    for name in ("negative", "sample"):  # Spark ML's Word2Vec has neither: never ignored
        if trainer == "spark" and params[name] != defaults[name]:
            _release(graph, given)
            raise ParameterError(
                f"trainer='spark' (Spark ML Word2Vec: hierarchical softmax) has no {name}, "
                f"got {name}={params[name]!r}: leave it at {defaults[name]!r} or use "
                "trainer='gensim'"
            )
    n = graph.num_nodes
    if trainer == "spark" and n * params["dimensions"] >= SPARK_WORD2VEC_MAX_CELLS:
        raise ParameterError(
            f"Spark ML Word2Vec needs num_nodes x dimensions < 2**31, got {n:,} x "
            f"{params['dimensions']}: lower dimensions to {SPARK_WORD2VEC_MAX_CELLS // n} "
            f"or use trainer='gensim'"
        )
    # the same draws, in the same order, as Node2Vec.fit: training seed, then walks
    rng = as_generator(params["random_state"])
    train_seed = int(rng.integers(2**63 - 1))
    walk_args = (graph, params["num_walks"], params["walk_length"], params["p"], params["q"], rng)
    info = {"trainer": trainer, "spark_version": spark.version, "master": spark.sparkContext.master}
    if trainer == "gensim" and walk_folder is None and not _shares_driver_disk(spark):
        _release(graph, given)
        raise ParameterError(
            f"with master {spark.sparkContext.master!r} the executors write the walk files "
            "on their own machines: give walk_folder= (--walk-folder DIR), a folder every "
            "executor and the driver share (a path on a shared mount, or an hdfs:// or "
            "s3a:// URI)"
        )
    if trainer == "gensim":
        with tempfile.TemporaryDirectory(prefix="n2v_lite-walks-") as tmp:
            try:
                folder = write_walks(
                    graph,
                    walk_folder if walk_folder is not None else tmp,
                    *walk_args[1:],
                    spark=spark,
                    num_partitions=num_partitions,
                    max_broadcast_bytes=max_broadcast_bytes,
                    mode=mode,
                    max_walkers=max_walkers,
                    progress=False,
                )
            finally:
                _release(graph, given)
            stages.done(
                "walks",
                f"{folder.rows:,} walks, {folder.tokens:,} tokens in "
                f"{len(folder.partitions)} partition files",
            )
            embedding = estimator.fit_walks(folder).embedding_  # exactly as a local fit
        stages.done("train", f"gensim skip-gram, negative sampling, {params['epochs']} epoch(s)")
        embedding.info.update(
            info, walk_partitions=len(folder.partitions), seconds=dict(stages.seconds)
        )
        if walk_folder is None:
            embedding.info.pop("walk_folder", None)
        return embedding
    vectors = _train_spark(
        spark,
        walk_args,
        params,
        train_seed,
        num_partitions,
        trainer_partitions,
        max_broadcast_bytes,
        stages,
        info,
    )
    info.update(
        num_nodes=n,
        num_edges=int(graph.num_edges),
        directed=bool(graph.directed),
        weighted=bool(graph.weighted),
        seconds=dict(stages.seconds),
    )
    used = dict(params)
    used.pop("progress")
    if isinstance(used["random_state"], np.random.Generator):
        used["random_state"] = None
    return NodeEmbedding(
        vectors,
        graph.node_ids,
        node_data=node_metadata(graph),
        params=used,
        loss_history=[],
        info=info,
        copy=False,
    )


def _shares_driver_disk(spark):
    """Whether the executors run on the driver's machine (``local[...]``, ``local-cluster``)."""
    master = spark.sparkContext.master
    return master == "local" or master.startswith(("local[", "local-cluster["))


def _train_spark(
    spark,
    walk_args,
    params,
    train_seed,
    num_partitions,
    trainer_partitions,
    max_broadcast_bytes,
    stages,
    info,
):
    from pyspark.ml.feature import Word2Vec

    graph = walk_args[0]
    job = _WalkJob(spark, *walk_args, num_partitions, max_broadcast_bytes)
    try:
        walks = _walk_frame(spark, _first_rows(job.rdd, job.block_rows), as_tokens=True).persist()
        rows = walks.count()
        stages.done("walks", f"{rows:,} walks on {job.num_partitions} partitions")
        w2v = Word2Vec(
            vectorSize=params["dimensions"],
            windowSize=params["window"],
            minCount=0,
            maxIter=params["epochs"],
            stepSize=params["learning_rate"] or 0.025,
            numPartitions=trainer_partitions,
            seed=train_seed % 2**63,
            maxSentenceLength=max(1000, params["walk_length"]),
            inputCol="walk",
            outputCol="vector",
        )
        model = w2v.fit(walks)
        walks.unpersist()
    finally:
        job.close()
    vectors = np.zeros((graph.num_nodes, params["dimensions"]), dtype=np.float32)
    seen = np.zeros(graph.num_nodes, dtype=bool)
    for row in model.getVectors().toLocalIterator():
        i = int(row["word"])
        vectors[i] = row["vector"].toArray()
        seen[i] = True
    stages.done(
        "train",
        f"Spark ML Word2Vec (hierarchical softmax), {params['epochs']} "
        f"iteration(s), {trainer_partitions} partition(s)",
    )
    info.update(
        walk_partitions=job.num_partitions,
        walk_rows=rows,
        trainer_partitions=trainer_partitions,
        unvisited_nodes=int((~seen).sum()),
        loss_units=None,
    )
    return vectors
