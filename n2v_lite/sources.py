"""Where graphs come from: an edge-list file or a MovieLens folder/zip, told apart here.

:func:`read_input` is what the command line (and a script) calls with
whatever path the user typed: a folder or ``.zip`` is read as MovieLens
ml-latest-small (its genres are the labels), anything else as an edge list.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "edges.tsv")
>>> _ = open(path, "w").write("a\\tb\\nb\\tc\\n")
>>> graph, labels = read_input(path, progress=False)
>>> graph, labels
(<Graph undirected, 3 nodes, 2 edges, unweighted>, None)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._utils import progress_bar

if TYPE_CHECKING:
    import os

    from .graph import Graph


__all__ = ["read_input", "is_movielens"]


def is_movielens(source: str | os.PathLike[str]) -> bool:
    """Whether ``source`` names a MovieLens folder or zip (rather than an edge list)."""
    path = Path(source)
    return path.is_dir() or path.suffix.lower() == ".zip"


def read_input(
    source: str | os.PathLike[str],
    labels: str | os.PathLike[str] | None = None,
    *,
    directed: bool = False,
    weighted: bool | None = None,
    sep: str | None = None,
    header: bool | None = None,
    duplicates: str | None = None,
    progress: bool = True,
) -> tuple[Graph, dict | None]:
    """The graph (and node labels) a path names.

    Parameters
    ----------
    source : path
        An edge list (see :meth:`n2v_lite.Graph.from_edgelist`), or a MovieLens
        ml-latest-small folder or zip.
    labels : path, optional
        A ``node<TAB>label`` file (see :func:`n2v_lite.evaluate.read_labels`).
        Default: the genres for MovieLens, none for an edge list.
    directed, weighted, sep, header, duplicates
        Edge-list format (ignored for MovieLens).
    progress : bool
        A progress bar on stderr while reading.

    Returns
    -------
    (Graph, dict or None)
    """
    from .evaluate import movielens_genres, read_labels

    if is_movielens(source):
        from .movielens import movie_graph

        graph = movie_graph(source, progress=progress)
        return graph, read_labels(labels) if labels else movielens_genres(graph)
    from .graph import Graph

    with progress_bar(
        total=1, desc=f"read {Path(source).name}", unit="file", enabled=progress
    ) as bar:
        graph = Graph.from_edgelist(
            source,
            directed=directed,
            weighted=weighted,
            sep=sep,
            header=header,
            duplicates=duplicates,
        )
        bar.update()
    return graph, read_labels(labels) if labels else None
