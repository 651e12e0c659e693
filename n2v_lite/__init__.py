"""n2v_lite: lightweight node2vec.

graph -> walks -> trainer -> embeddings, each stage in its own module:

* :mod:`n2v_lite.graph` -- the immutable CSR :class:`Graph` and its readers;
* :mod:`n2v_lite.movielens` -- the MovieLens movie graph (and its download);
* :mod:`n2v_lite.walks` -- exact node2vec biased random walks in numpy;
* :mod:`n2v_lite.word2vec` / :mod:`n2v_lite.tutorial` -- the two trainers;
* :mod:`n2v_lite.trainers` -- the registry of trainers (gensim, tutorial);
* :mod:`n2v_lite.model` -- the :class:`Node2Vec` estimator;
* :mod:`n2v_lite.embedding` -- :class:`NodeEmbedding`, the result users hold.

Importing the package is cheap: gensim, scikit-learn and pandas are imported
only where they are used.
"""

__version__ = "0.2.0"

from .exceptions import (  # noqa: E402  (cheap, no third-party imports)
    AmbiguousQueryError,
    DownloadError,
    GraphError,
    ModelFileError,
    N2VLiteError,
    NodeNotFoundError,
    NotFittedError,
    OutputError,
    ParameterError,
    StorageError,
)

__all__ = [
    "__version__",
    "Graph",
    "Node2Vec",
    "NodeEmbedding",
    "load",
    "where",
    "PRESETS",
    "estimate_memory",
    "N2VLiteError",
    "GraphError",
    "NodeNotFoundError",
    "AmbiguousQueryError",
    "NotFittedError",
    "ModelFileError",
    "DownloadError",
    "ParameterError",
    "OutputError",
    "StorageError",
]

# Public names resolved on first use, so ``import n2v_lite`` stays fast.
_LAZY = {
    "Graph": ("n2v_lite.graph", "Graph"),
    "Node2Vec": ("n2v_lite.model", "Node2Vec"),
    "NodeEmbedding": ("n2v_lite.embedding", "NodeEmbedding"),
    "load": ("n2v_lite.embedding", "load"),
    "where": ("n2v_lite.filters", "where"),
    "PRESETS": ("n2v_lite.presets", "PRESETS"),
    "estimate_memory": ("n2v_lite.memory", "estimate_memory"),
}


def __getattr__(name):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'n2v_lite' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
