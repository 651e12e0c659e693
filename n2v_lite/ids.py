"""Node ids at the edges of the toolkit: which ids are allowed, and how they are stored.

Inside, n2v_lite works on node *indices* (0..n-1); users see their own ids.
This module is the one home of the rules that keep those ids exact:

* :func:`check_node_ids` -- the ids a graph may have: ``int``, ``str``,
  ``float``, ``bool`` and tuples of those (nested), mixed freely, all
  distinct. Anything else (``None``, lists, frozensets, objects) is refused
  with a :class:`~n2v_lite.exceptions.GraphError` when the graph is read,
  never later at save time.
* :func:`encode_node_ids` / :func:`decode_node_ids` -- a pickle-free stored
  form that gives back every id with its type: all-``int`` ids as an int64
  array, all-``str`` ids as a unicode array, anything else (mixed, floats,
  tuples, bools) as one JSON text per id, tuples tagged.

Examples
--------
>>> ids = [1, "1", 2.5, (0, 1), True]
>>> array, kind = encode_node_ids(ids)
>>> kind
'json'
>>> decode_node_ids(array, kind) == ids
True
>>> [type(v).__name__ for v in decode_node_ids(array, kind)]
['int', 'str', 'float', 'tuple', 'bool']
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np

from .exceptions import GraphError, ModelFileError

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Sequence
    from typing import Any


__all__ = [
    "check_node_ids",
    "check_id_length",
    "encode_node_ids",
    "decode_node_ids",
    "encode_values",
    "decode_values",
    "plain_id",
    "id_text",
    "ID_KINDS",
    "MAX_ID_CHARS",
]

#: Stored forms of a node-id table: int64, fixed-width text (numpy's UTF-32, as wide as
#: the longest id), JSON texts, or UTF-8 (a uint8 array: the count, n + 1 offsets and
#: the bytes; used where fixed width would take more than twice the room).
ID_KINDS = ("int", "str", "json", "utf8")
_TUPLE = "__tuple__"


def plain_id(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; other values unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def id_text(node: Hashable) -> str:
    """How a node id is written for people: a str as itself, anything else as ``repr``.

    The explorer page shows ids so, and lookups accept this text for non-text ids.

    >>> id_text("007"), id_text(7), id_text((0, 1)), id_text(2.5)
    ('007', '7', '(0, 1)', '2.5')
    """
    node = plain_id(node)
    return node if isinstance(node, str) else repr(node)


#: The longest text node id, in characters. A longer one is almost surely a file read
#: wrongly (a whole line, or a whole file, taken as one id).
MAX_ID_CHARS = 65_536


def check_id_length(value: Any, where: str = "") -> None:
    """Refuse a text id longer than :data:`MAX_ID_CHARS` characters; the error keeps the
    id as ``node_id`` (a reader finds its line)."""
    if isinstance(value, str) and len(value) > MAX_ID_CHARS:
        error = GraphError(
            f"{where}node id {value[:30]!r}... has {len(value):,} characters; ids are at "
            f"most {MAX_ID_CHARS:,} (is the separator right?)"
        )
        error.node_id = value  # type: ignore[attr-defined]
        raise error


def _check_one(value, where):
    value = plain_id(value)
    if isinstance(value, (bool, int, str)):
        check_id_length(value, where)
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise GraphError(
                f"{where}node id nan is not allowed (nan != nan: it could never be looked up)"
            )
        return value
    if isinstance(value, tuple):
        return tuple(_check_one(v, where) for v in value)
    raise GraphError(
        f"{where}node id {value!r} has type {type(value).__name__}; node ids must "
        f"be int, str, float, bool or tuples of those"
    )


def check_node_ids(ids: Iterable[Any], where: str = "", distinct: bool = True) -> list:
    """The ids as a list of plain Python values, checked: allowed types, all distinct.

    ``where`` prefixes the message (e.g. ``"networkx graph: "``).
    ``distinct=False`` allows an id to repeat (edge endpoints) but still
    refuses two ids that would merge as Python keys.

    Raises
    ------
    GraphError
        An id of a type that has no faithful stored form, a NaN, an id given
        twice, or two ids that Python takes as one key (``1``, ``1.0`` and
        ``True`` are one dict key, so they cannot be three nodes).
    """
    values = [_check_one(v, where) for v in ids]
    seen: dict = {}
    for i, value in enumerate(values):
        first = seen.setdefault(value, i)
        if first == i:
            continue
        other = values[first]
        if type(other) is type(value) and other == value:
            if not distinct:
                continue
            raise GraphError(f"{where}node id {_shown(value)} appears twice")
        raise GraphError(
            f"{where}node ids {_shown(other)} and {_shown(value)} are equal as "
            f"Python keys; give them distinct ids"
        )
    return values


def _shown(value, limit=40):
    """A value as it is shown in messages: its repr, cut to about ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _to_json(value):
    if isinstance(value, tuple):
        return {_TUPLE: [_to_json(v) for v in value]}
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    return value


def _from_json(value):
    if isinstance(value, dict):
        if _TUPLE in value:
            return tuple(_from_json(v) for v in value[_TUPLE])
        return float(value["__float__"])
    return value


def encode_node_ids(ids: Iterable[Hashable], compact: bool = False) -> tuple[np.ndarray, str]:
    """``(array, kind)``: a stored form of the ids that numpy saves without pickle.

    ``compact=True`` (model files, walk folders) stores text ids as UTF-8 (kind
    ``"utf8"``) when numpy's fixed width, 4 bytes x the longest id for every id, would
    take more than twice the room and over 1 MiB: one URL of 2,000 characters among a
    million short ids would make 8 GB of it.
    """
    values = [plain_id(v) for v in ids]
    if (
        all(type(v) is int for v in values)
        and values
        and all(-(2**63) <= v < 2**63 for v in values)
    ):
        return np.array(values, dtype=np.int64), "int"
    if all(type(v) is str for v in values):
        table = _utf8_table(values) if compact else None
        if table is not None:
            return table, "utf8"
        return (np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")), "str"
    texts = [json.dumps(_to_json(v), ensure_ascii=False, allow_nan=False) for v in values]
    return np.array(texts, dtype=str), "json"


def _utf8_table(values):
    """The ``"utf8"`` form of text ids, or None when fixed width costs little more."""
    fixed = 4 * len(values) * max(map(len, values), default=0)
    if fixed <= 1 << 20:
        return None
    encoded = [v.encode("utf-8", "surrogatepass") for v in values]
    offsets = np.zeros(len(values) + 1, dtype="<u8")
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(values)), out=offsets[1:])
    if fixed <= 2 * (int(offsets[-1]) + offsets.nbytes + 8):
        return None
    count = np.array([len(values)], dtype="<u8")
    return np.concatenate(
        [count.view(np.uint8), offsets.view(np.uint8), np.frombuffer(b"".join(encoded), np.uint8)]
    )


def _from_utf8_table(array):
    data = np.ascontiguousarray(array)
    if data.dtype != np.uint8 or data.ndim != 1 or len(data) < 16:
        raise ModelFileError("corrupt node-id table (utf8)")
    n = int(data[:8].view("<u8")[0])
    if 8 * (n + 2) > len(data):
        raise ModelFileError(f"corrupt node-id table (utf8: {n} ids claimed)")
    offsets = data[8 : 8 * (n + 2)].view("<u8").astype(np.int64)
    blob = data[8 * (n + 2) :].tobytes()
    if offsets[0] != 0 or offsets[-1] != len(blob) or (np.diff(offsets) < 0).any():
        raise ModelFileError("corrupt node-id table (utf8 offsets)")
    try:
        return [
            blob[a:b].decode("utf-8", "surrogatepass")
            for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())
        ]
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"corrupt node-id table (utf8: {exc.reason})") from None


def decode_node_ids(array: np.ndarray, kind: str) -> list:
    """The ids stored by :func:`encode_node_ids`, as a list of Python values."""
    if kind == "utf8":
        return _from_utf8_table(array)
    if kind == "int":
        return [int(v) for v in np.asarray(array, dtype=np.int64).tolist()]
    if kind == "str":
        return [str(v) for v in np.asarray(array).tolist()]
    if kind == "json":
        try:
            return [_from_json(json.loads(text)) for text in np.asarray(array).tolist()]
        except (ValueError, TypeError, KeyError) as exc:
            raise ModelFileError(f"corrupt node-id table ({exc})") from None
    raise ModelFileError(f"unknown node-id kind {kind!r}; expected one of {', '.join(ID_KINDS)}")


def encode_values(column: Sequence | np.ndarray) -> tuple[np.ndarray, str]:
    """``(array, kind)`` for a node metadata column: numbers as they are, text and mixed
    values in the stored form of :func:`encode_node_ids` (``kind`` ``"array"`` for numbers).

    Examples
    --------
    >>> array, kind = encode_values(np.array(["Drama", None, 3], dtype=object))
    >>> kind, decode_values(array, kind).tolist()
    ('json', ['Drama', None, 3])
    """
    column = np.asarray(column) if not isinstance(column, np.ndarray) else column
    if column.dtype.kind in "biuf":
        return column, "array"
    if column.dtype.kind == "U":
        return column, "str"
    return encode_node_ids(column.tolist())


def decode_values(array: np.ndarray, kind: str) -> np.ndarray:
    """The column stored by :func:`encode_values` (text and mixed values as an object array)."""
    if kind in (None, "array"):  # None: a format-1 model file (numbers, or unicode text)
        values = array.tolist() if array.dtype.kind == "U" else None
    else:
        values = decode_node_ids(array, kind)
    if values is None:
        return array
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
