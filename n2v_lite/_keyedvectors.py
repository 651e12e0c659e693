"""gensim's ``KeyedVectors`` keyed by node id: :attr:`NodeEmbedding.wv`'s type.

A module of its own so that importing :mod:`n2v_lite.embedding` does not import
gensim, and so that pickle finds the class by name.
"""

from gensim.models import KeyedVectors

from .exceptions import NodeNotFoundError

__all__ = ["NodeKeyedVectors"]


class NodeKeyedVectors(KeyedVectors):
    """gensim KeyedVectors whose int keys are node ids, never row positions."""

    def get_index(self, key, default=None):
        index = self.key_to_index.get(key, -1)
        if index >= 0:
            return index
        if default is not None:
            return default
        raise NodeNotFoundError(f"Key '{key}' not present")
