"""The ``n2v-lite`` command line: a thin click layer over the library.

Each command parses its options, calls one library function and prints the
result on stdout; progress bars go to stderr (``--quiet`` silences them).
Library errors (:class:`N2VLiteError`, bad values, unreadable files) become
one-line ``Error: ...`` messages with exit status 1; usage errors exit 2.
Library modules are imported inside the commands, so ``n2v-lite --help`` is fast.

Shell completion comes from click, e.g. for bash::

    eval "$(_N2V_LITE_COMPLETE=bash_source n2v-lite)"
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

import click

from . import __version__
from .embedding import EXPORT_FORMATS, NEIGHBOUR_FILE_FORMATS
from .evaluate import DEFAULT_MIN_BUDGET
from .exceptions import N2VLiteError, ParameterError
from .graph import DUPLICATE_POLICIES
from .memory import parse_memory
from .movielens import MOVIELENS_DEFAULTS, MOVIELENS_QUERIES
from .presets import PRESETS
from .render import NEIGHBOUR_FORMATS
from .trainers import TRAINERS
from .update import DEFAULT_BUDGET, DEFAULT_HOPS, DEFAULT_INFER_STEPS
from .validation import (
    check_budget,
    check_finite,
    check_fraction,
    check_int,
    check_positive,
    check_seed,
    check_share,
)

__all__ = ["main", "cli"]

CONTEXT_SETTINGS = {
    "help_option_names": ["-h", "--help"],
    "show_default": True,
    "max_content_width": 100,
}


class Checked(click.ParamType):
    """A number checked by the library's own rule (:mod:`n2v_lite.validation`).

    A bad value is a usage error (exit 2) naming the option, with the same
    message the Python API gives: ``Invalid value for '--p': p must be a
    positive finite number, got nan``.
    """

    def __init__(self, kind, check, **bounds):
        self.kind, self.check, self.bounds = kind, check, bounds
        self.name = kind.__name__

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            try:
                value = self.kind(value)
            except ValueError:
                self.fail(f"{value!r} is not a valid {self.name}", param, ctx)
        name = param.name if param is not None else self.name
        try:
            return self.check(name, value, **self.bounds)
        except ParameterError as exc:
            self.fail(str(exc), param, ctx)


POSITIVE = Checked(float, check_positive)
FINITE = Checked(float, check_finite)
COUNT = Checked(int, check_int)
FRACTION = Checked(float, check_fraction)
SEED = Checked(int, check_seed)
SHARE = Checked(float, check_share)
BUDGET = Checked(float, check_budget)
MEMORY = Checked(str, lambda name, value: parse_memory(value))


def library_errors(fn):
    """Library errors become one-line messages (exit 1); Ctrl-C exits 130 saying so.

    Only deliberate errors (:class:`N2VLiteError`) and unreadable or unwritable
    files are turned into ``Error: ...`` lines; anything else is a bug and
    shows as one.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): click stops quietly
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except (N2VLiteError, OSError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, N2VLiteError) and exc.filename:
                message = f"{exc.filename}: {exc.strerror or exc}"
            else:
                message = str(exc) or exc.__class__.__name__
            raise click.ClickException(message.strip().splitlines()[0]) from None

    return wrapper


def _stack(*decorators):
    def apply(fn):
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


# Option groups shared by several commands (one definition each).
edge_format_options = _stack(
    click.option(
        "--directed/--undirected",
        default=False,
        help="Read 'u v' as u -> v only, or as an undirected edge.",
    ),
    click.option(
        "--weighted/--unweighted",
        default=None,
        help="Use the third column as edge weights  [default: when the file has one]",
    ),
    click.option(
        "--sep", default=None, help="Field separator  [default: detect tab, comma or whitespace]"
    ),
    click.option(
        "--header/--no-header",
        default=None,
        help="The first line names the columns  [default: detect]",
    ),
    click.option(
        "--duplicates",
        type=click.Choice(DUPLICATE_POLICIES),
        default=None,
        help="How copies of one edge with different weights merge  [default: they "
        "are an error; copies with equal weights are one edge]",
    ),
)
graph_options = _stack(
    click.argument("edges", type=click.Path(dir_okay=False, path_type=str)),
    edge_format_options,
)


def walk_options(num_walks=10, walk_length=80):
    return _stack(
        click.option(
            "--p",
            "p",
            type=POSITIVE,
            default=1.0,
            help="Return parameter: low p keeps walks near their start.",
        ),
        click.option(
            "--q",
            "q",
            type=POSITIVE,
            default=1.0,
            help="In-out parameter: low q explores outward (DFS-like).",
        ),
        click.option(
            "--num-walks", type=COUNT, default=num_walks, help="Walks started from every node."
        ),
        click.option("--walk-length", type=COUNT, default=walk_length, help="Nodes per walk."),
        click.option(
            "--seed",
            type=SEED,
            default=None,
            help="Random seed: the same seed gives the same walks and vectors "
            "(training then uses one worker unless --workers is given).",
        ),
    )


def train_options(
    dimensions=128,
    window=10,
    epochs=1,
    negative=5,
    sample=0.0,
    backend=True,
    learning_rate_help="Initial learning rate  [default: the backend's: gensim "
    "0.025, tutorial 0.001]",
):
    """Training options; ``backend=False`` leaves out the backend-specific ones
    (--sample, --backend, --learning-rate): parity trains both backends with their own."""
    backend_options = [
        click.option(
            "--sample",
            type=FRACTION,
            default=sample,
            help="gensim down-sampling of frequent nodes (0: off).",
        ),
        click.option(
            "--backend",
            type=click.Choice(tuple(TRAINERS)),
            default="gensim",
            help="gensim Word2Vec, or the Keras example's trainer in numpy.",
        ),
        click.option("--learning-rate", type=POSITIVE, default=None, help=learning_rate_help),
        click.option(
            "--max-memory",
            type=MEMORY,
            default=None,
            metavar="SIZE",
            help="Refuse to start when the memory plan needs more (e.g. 4G, 512M)  "
            "[default: the memory available]",
        ),
    ]
    return _stack(
        *(
            [
                click.option(
                    "--preset",
                    type=click.Choice(tuple(PRESETS)),
                    default=None,
                    help="Named settings (options given explicitly win): 'paper' (the "
                    "defaults) or 'fast' (a third of the training time; as good on "
                    "social and citation graphs, worse on co-occurrence graphs unless "
                    "--learning-rate 0.025).",
                ),
            ]
            if backend
            else []
        ),
        click.option(
            "--dimensions", "-d", type=COUNT, default=dimensions, help="Embedding dimensions."
        ),
        click.option("--window", type=COUNT, default=window, help="Skip-gram context window."),
        click.option(
            "--epochs", type=COUNT, default=epochs, help="Training passes over the walks."
        ),
        click.option(
            "--negative", type=COUNT, default=negative, help="Negative samples per positive pair."
        ),
        click.option(
            "--workers",
            type=COUNT,
            default=None,
            help="Worker threads  [default: all available cores]",
        ),
        *(backend_options if backend else []),
    )


quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bars on stderr.")
exact_option = click.option(
    "--exact/--approximate",
    default=None,
    help="Score every node, or take the model's approximate index's candidates (see "
    "'n2v-lite index')  [default: the index when the model has one and at least "
    "50,000 nodes]",
)


def _spark_conf(ctx, param, values):
    """KEY=VALUE pairs as a dict (an option callback)."""
    conf = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE")
        conf[key.strip()] = value
    return conf


spark_options = _stack(
    click.option(
        "--engine",
        type=click.Choice(["local", "spark"]),
        default="local",
        help="Walk on this machine, or on Spark's executors (pip install "
        "'n2v-lite[spark]'; the same walks for the same seed).",
    ),
    click.option(
        "--master",
        default=None,
        help="Spark master URL, with --engine spark  [default: local[2], or the one "
        "spark-submit gives]",
    ),
    click.option(
        "--spark-conf",
        multiple=True,
        metavar="KEY=VALUE",
        callback=_spark_conf,
        help="A Spark setting, with --engine spark (repeatable).",
    ),
    click.option(
        "--walk-mode",
        type=click.Choice(["auto", "broadcast", "partitioned"]),
        default="auto",
        help="With --engine spark: every executor gets the whole graph (broadcast), "
        "or the graph is sharded across them and walkers move (partitioned, "
        "for graphs bigger than one machine); auto: broadcast when the graph "
        "fits --max-broadcast. The same walks either way.",
    ),
    click.option(
        "--max-broadcast",
        type=MEMORY,
        default="2G",
        metavar="SIZE",
        help="With --engine spark: the largest graph (CSR bytes) sent whole to every executor.",
    ),
)


def _closing(graph):
    """A Spark read's graph in a ``with`` block (a ClusterGraph's edges are released)."""
    return graph if hasattr(graph, "__exit__") else contextlib.nullcontext(graph)


def _spark_session(master, conf, quiet):
    """The session of ``--master``. With ``--quiet`` the JVM's output (its start-up
    banner, WARN logs, pyspark's warnings) goes to a scratch log instead of stderr; a
    start that fails keeps that log and names it, with the JVM's own reason."""
    import os
    import re
    import tempfile

    from . import spark

    if not quiet:
        click.echo(f"starting Spark ({master or 'local[2]'})", err=True)
        return spark.session(master, conf)
    log = tempfile.NamedTemporaryFile(prefix="n2v-lite-spark-", suffix=".log", delete=False)
    saved = os.dup(2)
    sys.stderr.flush()
    os.dup2(log.fileno(), 2)  # the JVM started now keeps this as its stderr
    failure = None
    try:
        session = spark.session(master, conf)
    except spark.SparkUnavailableError as exc:
        failure = exc
    except BaseException:  # a bad --master and the like: no JVM, no log to keep
        os.unlink(log.name)
        raise
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        log.close()
    if failure is None:
        os.unlink(log.name)  # started: its errors come back as exceptions
        return session
    with open(log.name, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    reason = re.search(r"^Exception in thread \S+ [\w.$]+: (.+)$", text, re.M)
    java = re.search(
        r"^\S*spark-class: line \d+: (\S*java): No such file or directory$", text, re.M
    )
    if reason:
        message = f"cannot start Spark: {reason.group(1)}"
    elif java:  # JAVA_HOME names no Java
        message = f"cannot start Spark: there is no {java.group(1)} (is JAVA_HOME right?)"
    else:
        message = str(failure)
    raise spark.SparkUnavailableError(f"{message} (Spark's log: {log.name})") from None


FORMAT_KEYS = ("directed", "weighted", "sep", "header", "duplicates")


def _pop_format(options):
    """Take the edge-list format options (--directed, --weighted, --sep, --header,
    --duplicates) out."""
    return {key: options.pop(key) for key in FORMAT_KEYS}


def _model_format(embedding, fmt):
    """The edge-list options of ``update``: those given, else how the model's own
    edge list was read (stored by ``embed``; the graph kind by any fit)."""
    ctx = click.get_current_context()
    stored = dict(embedding.info.get("reader") or {})
    stored.setdefault("directed", embedding.info.get("directed"))
    given = {
        key: value
        for key, value in fmt.items()
        if ctx.get_parameter_source(key) != click.core.ParameterSource.DEFAULT
    }
    known = {key: value for key, value in stored.items() if key in fmt and value is not None}
    return {**fmt, **known, **given}


def _estimator(options, quiet):
    """A Node2Vec from the walk and training options (``--seed`` is ``random_state``)."""
    from .model import Node2Vec

    return Node2Vec(progress=not quiet, **_with_preset(options))


def _with_preset(options):
    """The options as Node2Vec parameters: ``--preset``'s values where an option was not given."""
    from click.core import ParameterSource

    from .presets import preset_params

    params = dict(options)
    params["random_state"] = params.pop("seed")
    preset = params.pop("preset", None)
    if preset is None:
        return params
    ctx = click.get_current_context()
    given = {
        name: value
        for name, value in params.items()
        if ctx.get_parameter_source("seed" if name == "random_state" else name)
        is not ParameterSource.DEFAULT
    }
    defaults = {name: value for name, value in params.items() if name not in given}
    return {**defaults, **preset_params(preset, **given)}


def _read(source, fmt, quiet, labels=None):
    from .sources import read_input

    graph, label_map = read_input(source, labels, progress=not quiet, **fmt)
    merged = graph.duplicates_merged
    if merged and not quiet:
        click.echo(
            f"{source}: {merged} duplicate edge{'s' if merged > 1 else ''} merged "
            "(an edge listed again is one edge; see --duplicates)",
            err=True,
        )
    return graph, label_map


def _checked_output(path):
    """Fail before the work when ``path`` cannot be written (None: stdout)."""
    from ._utils import check_writable

    if path is not None:
        check_writable(path)


# ----------------------------------------------------------------- commands
def _show_one_line(error, file=None):
    """A usage error as one line that says where the help is (click prints the usage
    synopsis and a hint on lines of their own)."""
    where = f" (see '{error.ctx.command_path} -h')" if error.ctx is not None else ""
    message = error.format_message()
    message = message[:-1] if message.endswith(".") and not message.endswith("..") else message
    click.echo(f"Error: {message}{where}", file=file, err=file is None)


@contextlib.contextmanager
def _usage_errors_in_one_line():
    try:
        yield
    except click.UsageError as error:
        error.show = functools.partial(_show_one_line, error)
        raise


class _OneLineErrors(click.Group):
    """A group whose usage errors (its own: parsing; its commands': invoking) are one
    line, exit 2."""

    def make_context(self, *args, **kwargs):
        with _usage_errors_in_one_line():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _usage_errors_in_one_line():
            return super().invoke(ctx)


@click.group(cls=_OneLineErrors, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="n2v-lite")
def cli():
    """n2v-lite: node2vec embeddings for any graph, fast, on a laptop CPU.

    \b
    Start with the MovieLens example (its data ships with n2v-lite):
        n2v-lite movielens --seed 0
    """


@cli.command()
@click.option(
    "--data",
    type=click.Path(path_type=str),
    default=None,
    help="ml-latest-small folder or zip  [default: the copy bundled with n2v-lite]",
)
@click.option(
    "--download",
    is_flag=True,
    help="Use the download cache instead, fetching ml-latest-small from GroupLens "
    "if it is not there.",
)
@click.option("--min-rating", type=FINITE, default=5.0, help="Ratings below this are ignored.")
@click.option(
    "--min-weight", type=POSITIVE, default=10.0, help="Edges lighter than this are dropped."
)
@walk_options(
    num_walks=MOVIELENS_DEFAULTS["num_walks"], walk_length=MOVIELENS_DEFAULTS["walk_length"]
)
@train_options(
    dimensions=MOVIELENS_DEFAULTS["dimensions"],
    window=MOVIELENS_DEFAULTS["window"],
    epochs=MOVIELENS_DEFAULTS["epochs"],
    negative=MOVIELENS_DEFAULTS["negative"],
    sample=MOVIELENS_DEFAULTS["sample"],
    learning_rate_help=f"Initial learning rate  [default: "
    f"{MOVIELENS_DEFAULTS['learning_rate']} with gensim, "
    "0.001 with tutorial]",
)
@click.option(
    "--query",
    "queries",
    multiple=True,
    metavar="TITLE",
    help="Movie to find neighbours for (repeatable)  [default: the example's five]",
)
@click.option("-k", "--topn", type=COUNT, default=5, help="Neighbours per movie.")
@click.option(
    "--format", "fmt", type=click.Choice(NEIGHBOUR_FORMATS), default="table", help="Output format."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Save the model here (.n2v).",
)
@quiet_option
@library_errors
def movielens(data, download, min_rating, min_weight, queries, topn, fmt, out, quiet, **options):
    """Embed the MovieLens movie graph and print the nearest neighbours of some movies.

    Builds the graph of the Keras node2vec example (movies joined when one user
    rated both >= --min-rating, weight = PMI x pair count >= --min-weight),
    walks it, trains skip-gram embeddings and prints cosine neighbours.
    """
    from .movielens import fit_movielens
    from .render import render_neighbours

    _checked_output(out)
    random_state = options.pop("seed")
    embedding = fit_movielens(
        data,
        download=download,
        min_rating=min_rating,
        min_weight=min_weight,
        progress=not quiet,
        **_with_preset(dict(options, seed=random_state)),
    )
    if out:
        embedding.save(out)
    frame = embedding.most_similar_many(list(queries or MOVIELENS_QUERIES), topn=topn)
    click.echo(render_neighbours(frame, fmt))


@cli.command()
@graph_options
@walk_options()
@train_options()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Where to save the model  [default: EDGES name with .n2v]",
)
@click.option(
    "--export",
    "export_format",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="Also export the vectors next to the model.",
)
@spark_options
@click.option(
    "--spark-trainer",
    type=click.Choice(["gensim", "spark"]),
    default="gensim",
    help="With --engine spark: gensim on this machine from the walk files, or "
    "Spark ML's Word2Vec (hierarchical softmax) on the cluster.",
)
@click.option(
    "--walk-folder",
    default=None,
    metavar="DIR",
    help="With --engine spark and the gensim trainer: write the walks there and keep them "
    "(a path or file:// URI every executor and this machine share, or an hdfs://, "
    "s3a://... URI; needed with a "
    "cluster master)  [default: a temporary folder, with local masters]",
)
@quiet_option
@library_errors
def embed(
    edges,
    out,
    export_format,
    engine,
    master,
    spark_conf,
    walk_mode,
    max_broadcast,
    spark_trainer,
    walk_folder,
    quiet,
    **options,
):
    """Learn node2vec embeddings of an edge list and save the model.

    EDGES is a text file with 'source target [weight]' per line (tab, comma or
    space separated, '#' comments, .gz accepted; '-' reads standard input).
    """
    out = out or ("stdin" if edges == "-" else Path(edges).name.split(".")[0]) + ".n2v"
    target = _export_target(out, export_format) if export_format else None
    _checked_output(out)
    _checked_output(target if export_format != "projector" else None)
    fmt = _pop_format(options)
    if walk_folder is not None and (engine != "spark" or spark_trainer != "gensim"):
        raise click.UsageError(
            "--walk-folder is for --engine spark with the gensim trainer (on this machine, "
            "`n2v-lite walks EDGES --out DIR` then `n2v-lite train DIR` keeps the walks)"
        )
    if engine == "spark":
        from .spark import fit as spark_fit

        params = dict(_with_preset(options), progress=not quiet)
        for name in ("backend", "max_memory"):
            params.pop(name)
        embedding = spark_fit(
            edges,
            spark=_spark_session(master, spark_conf, quiet),
            trainer=spark_trainer,
            mode=walk_mode,
            max_broadcast_bytes=max_broadcast,
            walk_folder=walk_folder,
            **fmt,
            **params,
        )
    else:
        graph, _ = _read(edges, fmt, quiet)
        embedding = _estimator(options, quiet).fit(graph).embedding_
    embedding.info["reader"] = fmt  # how EDGES was read: `update` reads the new list alike
    embedding.info["source"] = str(edges)
    embedding.save(out)
    click.echo(f"saved {out}: {len(embedding)} nodes x {embedding.dimensions} dimensions")
    if export_format:
        embedding.export(target, export_format)
        click.echo(f"exported {target} ({export_format})")


def _export_target(model_path, fmt):
    stem = str(Path(model_path).with_suffix(""))
    return {
        "word2vec": stem + ".txt",
        "word2vec-binary": stem + ".bin",
        "projector": stem + "-projector",
        "npz": stem + ".npz",
        "csv": stem + ".csv",
    }[fmt]


@cli.command()
@graph_options
@walk_options()
@click.option(
    "--out",
    type=click.Path(path_type=str),
    default="-",
    help="A folder for a walk folder (partition files of node indices, the node-id "
    "table and a manifest; `n2v-lite train` reads it; a path or a URI such as "
    "hdfs://nn/walks), a .txt file for walks as node ids, or '-' for stdout.",
)
@click.option(
    "--partition-rows",
    type=COUNT,
    default=None,
    help="Walks per partition file of a walk folder  [default: about 64 MB of text]",
)
@click.option(
    "--workers", type=COUNT, default=None, help="Walk threads  [default: all available cores]"
)
@spark_options
@click.option(
    "--parquet",
    is_flag=True,
    help="With --engine spark: also write the walks as Parquet (walks.parquet).",
)
@quiet_option
@library_errors
def walks(
    edges,
    p,
    q,
    num_walks,
    walk_length,
    seed,
    out,
    partition_rows,
    workers,
    engine,
    master,
    spark_conf,
    walk_mode,
    max_broadcast,
    parquet,
    quiet,
    **fmt,
):
    """Write node2vec walks: a walk folder to train from later, or text lines of node ids.

    A walk folder makes training restartable: `n2v-lite train DIR --out MODEL`
    trains from it, as often as needed, without the graph.
    """
    from ._utils import RemotePath, atomic_write, uri_scheme
    from .corpus import write_walk_folder
    from .walks import write_walks

    folder = out != "-" and Path(out).suffix.lower() not in (".txt", ".walks")
    if folder:
        from .corpus import folder_path

        out = folder_path(out)  # a path, or a URI (file:// is a path; see folder_path)
    elif out != "-" and uri_scheme(out) is not None:
        raise click.BadParameter(
            f"{out}: text walks go to a file path or stdout; URIs are for walk folders",
            param_hint="'--out'",
        )
    if out != "-" and not isinstance(out, RemotePath):
        # an existing folder is checked inside, a new one beside it
        _checked_output(Path(out) / "manifest.json" if Path(out).is_dir() else out)
    if engine == "spark":
        if not folder:
            raise click.UsageError("--engine spark writes a walk folder: give --out DIR")
        from .spark import read_graph
        from .spark import write_walks as spark_write_walks

        spark = _spark_session(master, spark_conf, quiet)
        with _closing(
            read_graph(edges, spark, mode=walk_mode, max_broadcast_bytes=max_broadcast, **fmt)
        ) as graph:
            written = spark_write_walks(
                graph,
                out,
                num_walks,
                walk_length,
                p,
                q,
                seed,
                spark=spark,
                parquet=parquet,
                mode=walk_mode,
                max_broadcast_bytes=max_broadcast,
                progress=not quiet,
            )
        _say_walks(out, written)
        return
    graph, _ = _read(edges, fmt, quiet)
    if out == "-":
        write_walks(
            sys.stdout,
            graph,
            num_walks,
            walk_length,
            p,
            q,
            seed,
            workers=workers,
            progress=not quiet,
        )
    elif not folder:
        with atomic_write(out) as handle:
            write_walks(
                handle,
                graph,
                num_walks,
                walk_length,
                p,
                q,
                seed,
                workers=workers,
                progress=not quiet,
            )
    else:
        _say_walks(
            out,
            write_walk_folder(
                graph,
                out,
                num_walks,
                walk_length,
                p,
                q,
                seed,
                workers=workers,
                rows_per_partition=partition_rows,
                progress=not quiet,
            ),
        )


def _say_walks(out, written):
    parts = len(written.partitions)
    click.echo(
        f"wrote {out}: {written.rows} walks, {written.tokens} tokens, {parts} partition "
        f"file{'' if parts == 1 else 's'}"
    )


@cli.command()
@click.argument("walk_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=str))
@click.option(
    "--seed",
    type=SEED,
    default=None,
    help="Random seed: the same seed gives the same vectors (training then uses "
    "one worker unless --workers is given).",
)
@train_options()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Where to save the model (.n2v).",
)
@quiet_option
@library_errors
def train(walk_dir, out, quiet, **options):
    """Train embeddings from a walk folder written by `n2v-lite walks EDGES --out DIR`.

    The walks are read from their files (the graph is not needed), so a crashed or
    interrupted training simply runs again from them.
    """
    _checked_output(out)
    embedding = _estimator(options, quiet).fit_walks(walk_dir).embedding_
    embedding.save(out)
    click.echo(f"saved {out}: {len(embedding)} nodes x {embedding.dimensions} dimensions")


def _read_lines(path, option):
    """Non-empty lines of a text file (``-``: stdin; ``.gz`` decompressed), stripped.
    A device (``/dev/zero`` would be read forever) or text that is not UTF-8 is one
    error naming ``option``."""
    from ._text import STDIN_NAME, open_text
    from .exceptions import GraphError

    name = STDIN_NAME if path == "-" else path
    try:
        with (
            contextlib.nullcontext(click.get_text_stream("stdin"))
            if path == "-"
            else open_text(path)
        ) as handle:
            return [line.strip() for line in handle if line.strip()]
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{option} {name}: not UTF-8 text ({exc.reason})") from None
    except (OSError, GraphError) as exc:  # GraphError: a device
        reason = getattr(exc, "strerror", None) or str(exc).removeprefix(f"{path}: ")
        raise ParameterError(f"{option} {name}: {reason}") from None


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.argument("queries", metavar="[QUERY]...", nargs=-1)
@click.option(
    "--queries-file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default=None,
    help="More queries, one per line ('-': stdin); answered in one batch.",
)
@click.option(
    "--positive",
    multiple=True,
    metavar="NODE",
    help="More like these: ids or titles averaged into one query (repeatable).",
)
@click.option(
    "--negative",
    multiple=True,
    metavar="NODE",
    help="Less like these: subtracted from the --positive query (repeatable).",
)
@click.option(
    "--among-file",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Rank only the nodes listed in this file (ids or titles, one per line).",
)
@click.option(
    "--where",
    "conditions",
    multiple=True,
    metavar="EXPR",
    help="Rank only nodes whose metadata match, e.g. 'degree>=20', 'genres~Comedy' "
    "(repeatable: all must hold; operators >= <= > < == != ~ !~).",
)
@click.option(
    "--neighbours",
    "--neighbour",
    "unseen",
    multiple=True,
    metavar="NODE",
    help="A node the model has never seen, given by its neighbours (one id or "
    "title per option, repeatable; titles may hold commas): placed at their "
    "mean, refined by --steps, then queried.",
)
@click.option(
    "--neighbours-file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default=None,
    help="More --neighbours, one per line ('-': stdin).",
)
@click.option(
    "--steps",
    type=Checked(int, check_int, minimum=0),
    default=DEFAULT_INFER_STEPS,
    show_default=True,
    help="With --neighbours: SGD steps of the new vector against the model (0: the plain mean).",
)
@click.option("-k", "--topn", type=COUNT, default=10, help="Neighbours per query.")
@click.option(
    "--format", "fmt", type=click.Choice(NEIGHBOUR_FORMATS), default="table", help="Output format."
)
@exact_option
@library_errors
def similar(
    model_path,
    queries,
    queries_file,
    positive,
    negative,
    among_file,
    conditions,
    unseen,
    neighbours_file,
    steps,
    topn,
    fmt,
    exact,
):
    """Nearest neighbours of nodes, by node id or (for movie graphs) by title."""
    from .embedding import load
    from .filters import where
    from .render import render_rows

    queries = list(queries) + (_read_lines(queries_file, "--queries-file") if queries_file else [])
    unseen = [n.strip() for n in unseen if n.strip()] + (
        _read_lines(neighbours_file, "--neighbours-file") if neighbours_file else []
    )
    if not queries and not positive and not negative and not unseen:
        raise click.UsageError(
            "give a QUERY, --queries-file, --positive/--negative nodes or --neighbours"
        )
    embedding = load(model_path)
    among = None
    if conditions:
        among = embedding.candidates(where(*conditions))
    if among_file:
        listed = embedding.candidates(_read_lines(among_file, "--among-file"))
        among = listed if among is None else among & listed
    if among is not None and not among.any():
        given = [f"--where {c!r}" for c in conditions] + (
            [f"--among-file {among_file}"] if among_file else []
        )
        click.echo(f"no node matches {' and '.join(given)}: no neighbours", err=True)
    rows, headings = [], {}

    def add(part):
        rows.extend(part[0])
        headings.update(part[1])

    if unseen:
        _check_listed(embedding, unseen, "--neighbours")
        placed = embedding.infer(unseen, steps=steps, seed=0)
        if placed.missing:
            click.echo(
                f"not in the model, left out: {', '.join(map(str, placed.missing))}", err=True
            )
        result = embedding.most_similar(placed.vector, topn=topn, among=among, exact=exact)
        result.query_label = f"an unseen node next to {', '.join(map(str, placed.used))}"
        add(result._rows(query=", ".join(unseen)))
    if positive or negative:
        add(
            embedding.most_similar(
                positive=list(positive),
                negative=list(negative),
                topn=topn,
                among=among,
                exact=exact,
            )._rows()
        )
    if queries:
        add(embedding._neighbour_rows(queries, topn=topn, among=among, exact=exact))
    if rows or fmt != "table":
        click.echo(render_rows(rows, headings, fmt))


def _check_listed(embedding, nodes, option):
    """Refuse a value that names no node but looks like an old comma-separated list."""
    for node in nodes:
        if "," in node and node not in embedding:
            try:
                embedding.resolve(node)
            except N2VLiteError:
                raise click.UsageError(
                    f"{option} {node!r}: no such node; give one node per "
                    f"{option} (repeat the option), as titles may hold "
                    "commas"
                ) from None


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.option("-k", "--topn", type=COUNT, default=10, help="Neighbours per node.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    help="Output file: .csv, .parquet (needs pyarrow) or tab-separated; '-': "
    "stdout (tab-separated).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(NEIGHBOUR_FILE_FORMATS),
    default=None,
    help="Output format  [default: from the --out suffix]",
)
@exact_option
@quiet_option
@library_errors
def neighbours(model_path, topn, out, fmt, exact, quiet):
    """Every node's nearest neighbours, as a file of rows node, rank, neighbour, similarity.

    Written a block of nodes at a time (bounded memory) and renamed into place when
    complete. With --approximate and no index in the model, one is built first (not
    saved: 'n2v-lite index' saves one).
    """
    from .embedding import load

    if out == "-" and fmt == "parquet":
        raise click.UsageError("--out -: only tsv or csv go to stdout")
    embedding = load(model_path)
    if exact is False and not embedding.has_index:
        if not quiet:
            click.echo(
                f"building an index of {len(embedding):,} nodes (not saved; "
                "'n2v-lite index' saves one)",
                err=True,
            )
        embedding.build_index(progress=not quiet)
    embedding.save_neighbours(out, topn, exact=exact, format=fmt, progress=not quiet)
    if not quiet and out != "-":
        click.echo(f"wrote {out}: {topn} neighbours of each of {len(embedding):,} nodes", err=True)


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Where to save the model with its index  [default: MODEL itself]",
)
@click.option(
    "--connectivity",
    type=Checked(int, check_int, minimum=2),
    default=None,
    help="Links per node in the index's graph  [default: 16]",
)
@click.option(
    "--expansion-add",
    type=Checked(int, check_int, minimum=2),
    default=None,
    help="Candidates kept while adding  [default: 128]",
)
@click.option(
    "--expansion-search",
    type=Checked(int, check_int, minimum=2),
    default=None,
    help="Candidates kept while searching (recall against speed)  [default: 64]",
)
@quiet_option
@library_errors
def index(model_path, out, connectivity, expansion_add, expansion_search, quiet):
    """Build an approximate nearest-neighbour index and save it inside the model file.

    Needs the 'ann' extra (pip install 'n2v-lite[ann]'). Queries of models with at
    least 50,000 nodes then use it ('similar', 'neighbours'; --exact to score every
    node); similarities stay exact, only recall is approximate.
    """
    import time

    from .embedding import load

    embedding = load(model_path)
    start = time.perf_counter()
    embedding.build_index(
        connectivity=connectivity,
        expansion_add=expansion_add,
        expansion_search=expansion_search,
        progress=not quiet,
    )
    took = time.perf_counter() - start
    path = embedding.save(out or model_path)
    index = embedding._ann_for(False)
    click.echo(
        f"indexed {len(embedding):,} nodes in {took:.1f} s "
        f"({index.nbytes / 2**20:,.0f} MiB in memory); saved {path}"
    )


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(EXPORT_FORMATS),
    help="word2vec text/binary, Embedding-Projector TSVs (a folder), npz or csv.",
)
@click.option("--out", required=True, type=click.Path(path_type=str), help="Output path.")
@library_errors
def export(model_path, fmt, out):
    """Export a model's vectors for other tools."""
    from .embedding import load

    embedding = load(model_path)
    embedding.export(out, fmt)
    click.echo(f"exported {out} ({fmt})")


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format."
)
@library_errors
def info(model_path, fmt):
    """What a saved model is: nodes, dimensions, parameters, version, source graph."""
    from .embedding import load
    from .render import render_info

    click.echo(render_info(load(model_path).describe(), fmt))


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Image file to write (.png, .svg, .pdf).",
)
@click.option("--method", type=click.Choice(["pca", "tsne"]), default="pca", help="2-D projection.")
@click.option(
    "--color-by",
    default=None,
    help="Node metadata column to colour by  [default: genres, when there]",
)
@click.option("--seed", type=SEED, default=0, help="Random seed of the projection.")
@library_errors
def plot(model_path, out, method, color_by, seed):
    """Draw a 2-D map of the embeddings (and the loss curve when the model has one)."""
    from .embedding import load

    _checked_output(out)
    load(model_path).plot(out, method=method, color_by=color_by, seed=seed)
    click.echo(f"wrote {out}")


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@graph_options
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Where to save the updated model (.n2v).",
)
@click.option(
    "--hops",
    type=Checked(int, check_int, minimum=0),
    default=DEFAULT_HOPS,
    help="Walk again from nodes up to this many hops from a changed node.",
)
@click.option(
    "--budget",
    type=BUDGET,
    default=DEFAULT_BUDGET,
    help="At most this share of a full refit's walks (1: no cap).",
)
@click.option(
    "--seed",
    type=SEED,
    default=None,
    help="Random seed: the same seed gives the same update (one training thread "
    "unless --workers is given).",
)
@click.option("--workers", type=COUNT, default=None, help="Threads  [default: all available cores]")
@click.option(
    "--max-memory",
    type=MEMORY,
    default=None,
    metavar="SIZE",
    help="Refuse to start walking and training when the memory plan needs more "
    "(e.g. 4G, 512M)  [default: the memory available]",
)
@quiet_option
@library_errors
def update(model_path, edges, out, hops, budget, seed, workers, max_memory, quiet, **fmt):
    """Update a model for its graph as it is now: EDGES is the whole new edge list.

    What changed (new, removed and changed nodes, found by the fingerprints stored
    with the model) is walked again and trained on; the rest of the model is kept.
    The walk and training settings are the model's own.
    """
    from .embedding import load
    from .render import render_update

    _checked_output(out)
    embedding = load(model_path)
    fmt = _model_format(embedding, fmt)
    graph, _ = _read(edges, fmt, quiet)
    updated = embedding.update(
        graph,
        hops=hops,
        budget=budget,
        seed=seed,
        workers=workers,
        progress=not quiet,
        max_memory=max_memory,
    )
    updated.save(out)
    click.echo(render_update(out, updated))


@cli.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="HTML file to write.",
)
@click.option(
    "--color-by",
    default=None,
    help="Node metadata column to colour by  [default: genres, when there; else "
    "k-means clusters of the vectors]",
)
@click.option(
    "--labels",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="node<TAB>label file to colour by (of several labels, the one nearest the node).",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "pca", "tsne", "umap"]),
    default="auto",
    help="2-D projection: auto is t-SNE up to 5,000 nodes, PCA above (umap needs "
    "the 'explore' extra).",
)
@click.option(
    "-k",
    "--topn",
    "topk",
    type=COUNT,
    default=10,
    help="Nearest neighbours listed per node (computed now, in the full space).",
)
@click.option(
    "--topk", "topk_alias", type=COUNT, default=None, hidden=True, help="Old name of --topn."
)
@click.option(
    "--max-points",
    type=COUNT,
    default=20000,
    help="Above this many nodes the map draws a sample (every node stays searchable).",
)
@click.option("--seed", type=SEED, default=0, help="Random seed of the projection and sample.")
@click.option("--title", default=None, help="Page title  [default: the model file's name]")
@quiet_option
@library_errors
def explore(
    model_path, out, color_by, labels, method, topk, topk_alias, max_points, seed, title, quiet
):
    """Write one self-contained HTML page (no network, no server) with a 2-D map of the
    nodes, a search box and each node's nearest neighbours."""
    topk = topk_alias if topk_alias is not None else topk
    from .embedding import load
    from .evaluate import read_labels

    _checked_output(out)
    embedding = load(model_path)
    path = embedding.explore(
        out,
        color_by=color_by,
        labels=read_labels(labels) if labels else None,
        method=method,
        topk=topk,
        max_points=max_points,
        seed=seed,
        title=title or Path(model_path).name,
        progress=not quiet,
    )
    size = Path(path).stat().st_size / 1e6
    click.echo(f"wrote {out}: {len(embedding)} nodes, {size:.2f} MB")


# ------------------------------------------------------- evaluation commands
input_options = _stack(
    click.argument("source", metavar="EDGES", type=click.Path(path_type=str)),
    click.option(
        "--labels",
        type=click.Path(dir_okay=False, path_type=str),
        default=None,
        help="node<TAB>label file  [default: genres for a MovieLens folder/zip]",
    ),
    edge_format_options,
)


def _c_value(ctx, param, text):
    """``auto`` or a positive number (an option callback)."""
    if text == "auto":
        return text
    try:
        return check_positive("C", float(text))
    except (ValueError, ParameterError):
        raise click.BadParameter(f'{text!r} is neither "auto" nor a positive number') from None


c_option = click.option(
    "--C",
    "C",
    default="auto",
    callback=_c_value,
    show_default=True,
    help="The classifiers' inverse regularisation strength: auto chooses it per split from "
    "0.01, 0.1, 1, 10, 100 by 3-fold cross-validation on the training part; a number "
    "fixes it.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Output format."
)


@cli.command()
@input_options
@click.option(
    "--task",
    type=click.Choice(["auto", "link", "node", "both"]),
    default="auto",
    help="Link prediction, node classification, or both  [auto: node when there "
    "are labels, else link]",
)
@click.option(
    "--test-fraction", type=SHARE, default=0.5, help="Link prediction: share of edges hidden."
)
@click.option(
    "--train-ratio",
    "train_ratios",
    type=SHARE,
    multiple=True,
    help="Node classification: training share (repeatable)  [default: 0.1 to 0.9]",
)
@click.option(
    "--repeats",
    type=COUNT,
    default=5,
    help="Node classification: random splits per training share.",
)
@c_option
@walk_options()
@train_options()
@format_option
@quiet_option
@library_errors
def evaluate(source, labels, task, test_fraction, train_ratios, repeats, C, fmt, quiet, **options):
    """Score embeddings: link prediction (ROC-AUC) and node classification (F1).

    EDGES is an edge list, or a MovieLens folder or zip (its genres are the labels).
    """
    from .evaluate import DEFAULT_TRAIN_RATIOS, evaluate_embeddings
    from .render import render_evaluation, to_json

    graph, label_map = _read(source, _pop_format(options), quiet, labels)
    if task == "auto":
        task = "node" if label_map else "link"
    results = evaluate_embeddings(
        graph,
        _estimator(options, quiet),
        labels=label_map,
        task=task,
        test_fraction=test_fraction,
        train_ratios=train_ratios or DEFAULT_TRAIN_RATIOS,
        repeats=repeats,
        seed=options["seed"],
        progress=not quiet,
        C=C,
    )
    click.echo(to_json(results) if fmt == "json" else render_evaluation(results))


def _grid(ctx, param, text):
    """A comma-separated list of positive numbers (an option callback)."""
    try:
        values = [check_positive(param.name, float(v)) for v in text.split(",") if v.strip()]
    except (ValueError, ParameterError):
        values = []
    if not values:
        raise click.BadParameter(f"{text!r} is not a comma-separated list of positive numbers")
    return values


@cli.command()
@input_options
@click.option(
    "--ps", default="0.25,0.5,1,2,4", callback=_grid, help="Values of p to try (comma-separated)."
)
@click.option(
    "--qs", default="0.25,0.5,1,2,4", callback=_grid, help="Values of q to try (comma-separated)."
)
@click.option(
    "--test-fraction",
    type=SHARE,
    default=0.5,
    help="Share of edges (or labelled nodes) kept for the final test.",
)
@click.option(
    "--method",
    "search",
    type=click.Choice(["halving", "grid"]),
    default="halving",
    help="Successive halving (cheap fits on every pair, full fits on the best), or "
    "a full fit of every pair.",
)
@click.option(
    "--min-budget",
    type=BUDGET,
    default=DEFAULT_MIN_BUDGET,
    help="With halving: the cheapest fit's share of a full fit (lower is cheaper but "
    "may rank pairs unlike full fits; 1 is the grid).",
)
@click.option(
    "--splits",
    type=COUNT,
    default=5,
    help="Validation splits each score is averaged over (its sd is shown).",
)
@c_option
@walk_options()
@train_options()
@format_option
@quiet_option
@library_errors
def tune(
    source, labels, ps, qs, test_fraction, search, min_budget, splits, C, fmt, quiet, **options
):
    """Find good p and q on validation data carved from the training part.

    Successive halving fits every pair at a fifth of the walks (--min-budget) and the
    best fifth of them (and any pair close to the best) fully: about 10 full fits for a
    5 x 5 grid.
    Scores are means over repeated validation splits, shown with their sd. With labels
    the score is node-classification Macro-F1, otherwise link-prediction AUC (Hadamard).
    Only the best pair is scored on the test part.
    """
    from .evaluate import tune as tune_grid
    from .render import render_tuning, to_json

    graph, label_map = _read(source, _pop_format(options), quiet, labels)
    result = tune_grid(
        graph,
        label_map,
        ps=ps,
        qs=qs,
        model=_estimator(options, True),
        seed=options["seed"],
        test_fraction=test_fraction,
        method=search,
        min_budget=min_budget,
        splits=splits,
        progress=not quiet,
        C=C,
    )
    click.echo(to_json(result) if fmt == "json" else render_tuning(result))


@cli.command()
@input_options
@walk_options(num_walks=5, walk_length=10)
@train_options(dimensions=50, window=10, epochs=10, negative=4, backend=False)
@format_option
@quiet_option
@library_errors
def parity(source, labels, fmt, quiet, **options):
    """Train both backends on the same walks and report how close they are.

    Defaults are the Keras node2vec example's settings. Ends with a verdict line.
    """
    from .parity import format_parity, parity_report
    from .render import to_json

    graph, label_map = _read(source, _pop_format(options), quiet, labels)
    report = parity_report(
        graph,
        num_walks=options["num_walks"],
        walk_length=options["walk_length"],
        p=options["p"],
        q=options["q"],
        dimensions=options["dimensions"],
        window=options["window"],
        negative=options["negative"],
        epochs=options["epochs"],
        labels=label_map,
        workers=options["workers"],
        seed=0 if options["seed"] is None else options["seed"],
        progress=not quiet,
    )
    click.echo(to_json(report) if fmt == "json" else format_parity(report))


def main(argv=None):
    """Entry point of the ``n2v-lite`` console script."""
    try:
        cli.main(args=argv, prog_name="n2v-lite", standalone_mode=True)
    except KeyboardInterrupt:  # outside a command (while parsing): same contract
        click.echo("Interrupted.", err=True)
        _exit_now(130)
    except SystemExit as exc:
        if exc.code == 130:  # interrupted in a command: its outputs are already cleaned up
            _exit_now(130)
        raise


def _exit_now(code):
    """Leave at once: after Ctrl-C, walk and training threads may still be inside C code,
    and tearing the interpreter down under them can crash it (seen with older numpy)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
