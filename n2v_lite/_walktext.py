"""The walk-text codec: int walk rows <-> the text lines of a walk folder's partitions.

Shared by the walk folder (:mod:`n2v_lite.corpus`, which writes and parses partitions)
and the trainers that stream partitions to gensim (:mod:`n2v_lite.word2vec`): a
line is a walk's node indices in decimal, one space apart, padding (``-1``) dropped.
"""

from __future__ import annotations

import numpy as np

from .exceptions import ParameterError

__all__ = ["TextEncoder", "check_rows", "line_blocks", "READ_BYTES", "ENCODE_TOKENS"]

#: Rows are encoded and parsed in pieces of about this many bytes / tokens (parsing
#: takes ~40 bytes of scratch per byte: 1 MiB pieces parse as fast as 4 MiB ones,
#: which held ~170 MB at once).
READ_BYTES = 1 << 20
ENCODE_TOKENS = 1 << 18


class TextEncoder:
    """Vectorised int walks -> text lines ("12 7 3\\n"), padding dropped, no per-token objects."""

    def __init__(self, num_nodes):
        # table entry 0 is the padding token (empty); entry i + 1 is node i plus a space.
        # Built a digit count at a time with numpy: ~13 bytes a node (digits, a uint8
        # length, an int32 start while the digits fit), where int64 lengths and starts
        # took ~24 and a list of bytes objects ~60 (every Spark task that writes a
        # partition file holds one)
        pieces, lengths = [], np.empty(num_nodes, dtype=np.uint8)
        low, digits = 0, 1
        while low < num_nodes:
            high = min(num_nodes, 10**digits)
            values = np.arange(low, high, dtype=np.int64)
            block = np.empty((high - low, digits + 1), dtype=np.uint8)
            for place in range(digits):
                block[:, place] = values // 10 ** (digits - 1 - place) % 10 + ord("0")
            block[:, digits] = ord(" ")
            pieces.append(block.ravel())
            lengths[low:high] = digits + 1
            low, digits = high, digits + 1
        self.num_nodes = num_nodes
        self.lengths = np.concatenate([np.zeros(1, dtype=np.uint8), lengths])
        ends = np.cumsum(lengths, dtype=np.int64)
        wide = len(ends) and ends[-1] >= 2**31
        self.starts = np.zeros(num_nodes + 1, dtype=np.int64 if wide else np.int32)
        self.starts[2:] = ends[:-1]
        del ends
        self.buffer = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.uint8)

    def encode(self, chunk):
        if chunk.size == 0:
            return b""
        slots = chunk.astype(np.int64).ravel() + 1
        lengths = self.lengths[slots].astype(np.int64)
        ends = np.cumsum(lengths)
        total = int(ends[-1])
        # position p of the output copies buffer[start(token) + offset within token]
        gather = np.arange(total, dtype=np.int64)
        gather -= np.repeat(ends - lengths - self.starts[slots], lengths)
        out = self.buffer[gather]
        row_ends = ends.reshape(chunk.shape)[:, -1] - 1  # the space after each row's last token
        out[row_ends] = ord("\n")
        return out.tobytes()


def check_rows(chunk, num_nodes, what="walks"):
    """``chunk`` as a 2-d int array of indices in 0..num_nodes-1 (or -1 padding), counted."""
    chunk = np.asarray(chunk)
    if chunk.ndim != 2:
        raise ParameterError(f"{what} must be a 2-d array (walks x steps), got shape {chunk.shape}")
    if chunk.dtype.kind not in "iu":
        raise ParameterError(f"{what} must hold integer node indices, got dtype {chunk.dtype}")
    counts = None
    if chunk.size:
        low, high = chunk.min(), chunk.max()
        if low < -1 or high >= num_nodes:
            bad = low if low < -1 else high
            raise ParameterError(
                f"{what} hold node index {int(bad)}, outside 0..{num_nodes - 1} "
                f"(and -1 for padding)"
            )
        flat = chunk.ravel()
        counts = np.bincount(flat[flat >= 0] if low < 0 else flat, minlength=num_nodes)
        if chunk.shape[1] and (chunk[:, 0] < 0).any():
            raise ParameterError(f"{what} hold an empty row (a walk starts at its first node)")
    if counts is None:
        counts = np.zeros(num_nodes, dtype=np.int64)
    return chunk, counts.astype(np.int64, copy=False)


def line_blocks(path, size=READ_BYTES):
    """Yield the bytes of ``path`` in blocks of whole lines.

    A last line without its newline comes alone as the final block (callers
    refuse it: the file was cut short).
    """
    with path.open("rb") if hasattr(path, "open") else open(path, "rb") as handle:
        rest = b""
        while True:
            block = handle.read(size)
            if not block:
                break
            data = rest + block
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                yield data[:cut]
    if rest:
        yield rest
