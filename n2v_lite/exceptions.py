"""Typed exceptions raised by n2v_lite.

Every error the library raises on purpose derives from :class:`N2VLiteError`,
so callers (and the command line) can tell "bad input" from a bug.
"""

__all__ = [
    "N2VLiteError",
    "GraphError",
    "NodeNotFoundError",
    "AmbiguousQueryError",
    "NotFittedError",
    "ModelFileError",
    "DownloadError",
    "ParameterError",
    "MemoryPlanError",
    "OutputError",
    "StorageError",
]


class N2VLiteError(Exception):
    """Base class of every error raised on purpose by n2v_lite."""


class GraphError(N2VLiteError, ValueError):
    """A graph (or the file it comes from) is malformed or empty.

    The message names the file, the line and the offending value when the
    graph was read from a file.
    """


class NodeNotFoundError(N2VLiteError, KeyError):
    """A node id or title is not in the graph or model."""

    def __str__(self):  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class AmbiguousQueryError(N2VLiteError, KeyError):
    """A title query matches several nodes; the message lists the candidates."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class NotFittedError(N2VLiteError, AttributeError):
    """A model method that needs a fitted model was called before ``fit``."""


class ModelFileError(N2VLiteError, OSError):
    """A saved model cannot be read (missing, truncated or not an n2v_lite model)."""


class DownloadError(N2VLiteError, OSError):
    """A download failed, or the file fetched does not match its checksum."""


class ParameterError(N2VLiteError, ValueError, TypeError):
    """A parameter value is out of range or of the wrong type; the message names it.

    A ``ValueError`` and a ``TypeError`` alike, so code that caught either from an
    earlier release still catches it."""


class OutputError(N2VLiteError, OSError):
    """An output path cannot be written (checked before the work starts)."""


class StorageError(N2VLiteError, OSError):
    """A store at a URI (``s3a://``, ``hdfs://``, ...) refused a request with an error
    of its own driver's type (no credentials, say); the message names the URI."""


class MemoryPlanError(N2VLiteError, MemoryError):
    """A run's estimated peak memory exceeds the limit; the message suggests a way out."""
