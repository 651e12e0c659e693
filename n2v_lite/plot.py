"""Pictures of a model: a 2-D map of the embeddings and the training-loss curve.

matplotlib is an optional extra (``pip install 'n2v-lite[plot]'``); without it
:func:`plot_embeddings` raises :class:`N2VLiteError` saying how to install it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._utils import atomic_path
from .exceptions import N2VLiteError, ParameterError

if TYPE_CHECKING:
    import os

    from .embedding import NodeEmbedding


__all__ = ["project_2d", "pca_2d", "plot_embeddings"]

MAX_CATEGORIES = 9  # + 'other': ten distinct colours


def project_2d(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project vectors to 2-D with PCA (numpy) or t-SNE (scikit-learn)."""
    if method == "pca":
        return pca_2d(vectors)
    vectors = np.asarray(vectors, dtype=np.float64)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (len(vectors) - 1) // 3)))
        return TSNE(
            n_components=2, init="pca", random_state=seed, perplexity=perplexity
        ).fit_transform(vectors)
    raise ParameterError(f"unknown projection {method!r}; choose pca or tsne")


def pca_2d(vectors: np.ndarray, block_rows: int = 1 << 16) -> np.ndarray:
    """The first two principal components' coordinates, in blocks of rows (no float64
    copy of a big embedding, no scikit-learn): the top eigenvectors of the covariance,
    each signed so that its largest entry is positive (scikit-learn's convention since
    1.5; equal to its PCA up to each axis's sign before)."""
    vectors = np.asarray(vectors)
    n, d = vectors.shape
    mean = vectors.mean(axis=0, dtype=np.float64)
    cov = np.zeros((d, d))
    for start in range(0, n, block_rows):
        block = vectors[start : start + block_rows].astype(np.float64) - mean
        cov += block.T @ block
    _, eigenvectors = np.linalg.eigh(cov)
    components = eigenvectors[:, ::-1][:, :2].T.copy()
    if components.shape[0] < 2:  # one dimension: the second axis is flat
        components = np.vstack([components, np.zeros((2 - len(components), d))])
    for component in components:
        if component[np.argmax(np.abs(component))] < 0:
            component *= -1
    out = np.empty((n, 2))
    for start in range(0, n, block_rows):
        out[start : start + block_rows] = (
            vectors[start : start + block_rows].astype(np.float64) - mean
        ) @ components.T
    return out


def _categories(values):
    """First category of each value ('A|B' -> 'A'); all but the most common become 'other'."""
    first = np.array([str(v).split("|")[0] if v is not None else "" for v in values], dtype=object)
    names, counts = np.unique(first, return_counts=True)
    keep = set(names[np.argsort(-counts, kind="stable")][:MAX_CATEGORIES].tolist())
    return np.array([v if v in keep else "other" for v in first], dtype=object)


def plot_embeddings(
    embedding: NodeEmbedding,
    path: str | os.PathLike[str],
    *,
    method: str = "pca",
    color_by: str | None = None,
    seed: int = 0,
) -> None:
    """Save a 2-D map of an embedding's vectors, coloured by a node attribute.

    Parameters
    ----------
    embedding : NodeEmbedding
        The vectors (a fitted ``Node2Vec`` is taken for its ``embedding_``).
    path : str or os.PathLike
        Image file; the format follows the suffix (.png, .svg, .pdf).
    method : {"pca", "tsne"}
    color_by : str, optional
        A node metadata column (default: ``genres`` when the model has it).
    seed : int
        Seed of the projection.
    """
    try:
        from matplotlib import colormaps
        from matplotlib.figure import Figure  # no pyplot: the user's backend is left alone
    except ImportError:
        raise N2VLiteError("plotting needs matplotlib: pip install 'n2v-lite[plot]'") from None
    embedding = getattr(embedding, "embedding_", embedding)
    metadata = embedding.node_data
    if color_by is None and "genres" in metadata:
        color_by = "genres"
    if color_by is not None and color_by not in metadata:
        raise N2VLiteError(
            f"no node metadata {color_by!r} to colour by "
            f"(available: {', '.join(metadata) or 'none'})"
        )
    xy = project_2d(embedding.vectors, method, seed)
    losses = list(embedding.loss_history)
    fig = Figure(figsize=(13 if losses else 8, 6))
    axes = fig.subplots(1, 2 if losses else 1, squeeze=False)
    ax = axes[0, 0]
    if color_by is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=6, alpha=0.7)
    else:
        groups = _categories(metadata[color_by])
        palette = colormaps["tab10"].colors  # type: ignore[attr-defined]  # a ListedColormap
        names = sorted(set(groups.tolist()) - {"other"})
        if "other" in groups:  # drawn first, in grey, underneath the named groups
            mask = groups == "other"
            ax.scatter(xy[mask, 0], xy[mask, 1], s=6, alpha=0.5, color="lightgrey", label="other")
        for colour, name in zip(palette, names):
            mask = groups == name
            ax.scatter(
                xy[mask, 0], xy[mask, 1], s=6, alpha=0.7, color=colour, label=name or "(none)"
            )
        ax.legend(markerscale=3, fontsize=8, title=color_by, loc="best")
    ax.set_title(f"{len(xy)} nodes, {method.upper()} of {embedding.dimensions}-d embeddings")
    ax.set_xticks([])
    ax.set_yticks([])
    if losses:
        curve = axes[0, 1]
        curve.plot(range(1, len(losses) + 1), losses, marker="o")
        curve.xaxis.get_major_locator().set_params(integer=True)
        curve.set_xlabel("epoch")
        curve.set_ylabel("loss")
        curve.set_title("training loss per epoch")
    fig.tight_layout()
    suffix = Path(path).suffix or ".png"
    with atomic_path(path, suffix=suffix) as tmp:
        fig.savefig(tmp, dpi=110, format=suffix[1:])
