"""The text rules of edge-list and label files, in one place.

:mod:`n2v_lite.graph`, :mod:`n2v_lite.evaluate` (label files), :mod:`n2v_lite.movielens` and
:mod:`n2v_lite.spark` read text through these: how a separator is chosen, what a header
looks like, which tokens are integer ids, how a value is shown in an error message.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import sys
import tempfile
import zlib

import numpy as np

from .exceptions import GraphError, ParameterError

#: A canonical integer: the text ``str(int(text))`` gives back (so not ``-0``, ``+1``, ``007``).
INT_RE = re.compile(r"0|-?[1-9][0-9]*")
#: The separator value that means "any run of whitespace".
WHITESPACE = r"\s+"
#: The rule for fields: split on the separator (``WHITESPACE``: runs of spaces and tabs,
#: as pandas reads it), then strip each field of what Python's ``str.strip()`` calls
#: whitespace, which is this character class (29 characters, NBSP and U+3000 among them;
#: the same in Python 3.10-3.13) -- spelled out for readers that are not Python (Spark's
#: Java regular expressions, whose ``\s`` is ASCII only).
SPACE_CLASS = (
    "[\\u0009\\u000a\\u000b\\u000c\\u000d\\u001c\\u001d\\u001e\\u001f\\u0020\\u0085"
    "\\u00a0\\u1680\\u2000\\u2001\\u2002\\u2003\\u2004\\u2005\\u2006\\u2007\\u2008"
    "\\u2009\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
#: What separates fields when the separator is ``WHITESPACE``.
FIELD_GAP = "[ \t]+"


def show(value, limit=40):
    """``value`` for an error message: repr-escaped (no control characters), cut to ~``limit``."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def detect_sep(first_line):
    """The separator of a file from its first data line: tab, else comma, else whitespace."""
    return "\t" if "\t" in first_line else "," if "," in first_line else WHITESPACE


def check_sep(sep, comment="#"):
    """The field separator to use: ``None`` (detect), one character, or whitespace runs.

    The two characters backslash-t (as typed in a shell) mean a tab.
    """
    if sep is None:
        return None
    if isinstance(sep, str) and sep == "\\t":
        return "\t"
    if isinstance(sep, str) and (
        sep == WHITESPACE or (len(sep) == 1 and sep not in "\r\n" and sep != comment)
    ):
        return sep
    raise ParameterError(
        "sep must be one character other than a line end or the comment "
        f"character {comment!r} (or '\\t', or {WHITESPACE!r} for whitespace), "
        f"got {show(sep)}"
    )


def maybe_ints(uniques):
    """Ids read as text become int64 when every one is a canonical integer, else stay text."""
    import pandas as pd

    text = pd.Series(uniques, dtype=object)
    if len(text) and text.str.fullmatch(INT_RE.pattern).all():
        try:
            return text.astype(np.int64).to_numpy()
        except (OverflowError, ValueError):
            pass
    return uniques.astype(object)


def noncanonical_in(block):
    """True when a token in ``block`` (bytes) starts like ``+7``, ``007``, ``-0`` or ``-07``."""
    b = np.frombuffer(block, dtype=np.uint8)
    if len(b) == 0:
        return False
    start = np.empty(len(b), dtype=bool)
    start[0] = True
    prev = b[:-1]
    start[1:] = (prev == 9) | (prev == 32) | (prev == 44) | (prev == 10) | (prev == 13)
    after = np.append(b[1:], 0)
    digit_after = (after >= 48) & (after <= 57)
    bad = (b == 43) | ((b == 48) & digit_after) | ((b == 45) & (after == 48))
    return bool((start & bad).any())


def has_noncanonical_ints(path, block_size=1 << 20):
    """True when a token starts like ``+7`` or ``007`` (ids that must stay text)."""
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            while True:
                block = handle.read(block_size)
                if not block:
                    return False
                block += handle.readline()  # end the block at a line end
                if noncanonical_in(block):
                    return True
    except (OSError, EOFError, zlib.error):
        return True  # let the text path report the problem


def open_text(path):
    """A text file (or a pipe, read once) as UTF-8 lines; ``.gz`` decompressed. Devices are refused:
    ``/dev/zero`` would be read forever, one endless line."""
    from ._utils import special_kind  # (a module of the same layer: at call time)

    if special_kind(path) == "a device":  # (edge lists copy a pipe first: readable_twice)
        raise GraphError(f"{path}: a device, not a file")
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


#: How an error message names standard input (the path ``-``).
STDIN_NAME = "<stdin>"


@contextlib.contextmanager
def readable_twice(path):
    """``path`` itself, or a scratch copy of a pipe (``<(zcat edges.gz)``, a piped
    ``/dev/stdin``) or of ``-`` (standard input): an edge list is read more than once
    (a sample to find its layout, then its data) and a pipe gives its data once. A
    gzip stream's copy is named ``.gz``. Yields ``(path to read, name for messages)``."""
    from ._utils import scratch_errors, special_kind

    if path != "-" and special_kind(path) != "a pipe":
        yield path, path
        return
    name = STDIN_NAME if path == "-" else path
    with scratch_errors("TMPDIR"):
        fd, copy = tempfile.mkstemp(prefix="n2v-lite-input-")
        try:
            with os.fdopen(fd, "wb") as out:
                source = sys.stdin.buffer if path == "-" else open(path, "rb")
                with contextlib.ExitStack() as stack:
                    if path != "-":
                        stack.enter_context(source)
                    head = source.read(2)
                    out.write(head)
                    shutil.copyfileobj(source, out, 1 << 20)
            if head == b"\x1f\x8b":
                os.replace(copy, copy + ".gz")
                copy += ".gz"
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(copy)
            raise
    try:
        yield copy, name
    finally:
        os.unlink(copy)


def data_lines(path, comment):
    """Yield ``(line_number, text)`` for every non-blank, non-comment line."""
    try:
        handle = open_text(path)
    except OSError as exc:
        raise GraphError(f"{path}: cannot read ({exc.strerror or exc})") from None
    number = 0
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                text = line.split(comment, 1)[0] if comment else line
                text = text.rstrip("\r\n")
                if text.strip():
                    yield number, text
        except UnicodeDecodeError as exc:
            raise GraphError(f"{path}, line {number + 1}: not UTF-8 text ({exc.reason})") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise GraphError(f"{path}: cannot read ({show(str(exc), 80)})") from None


def sample_lines(path, comment, size=50):
    sample = []
    for item in data_lines(path, comment):
        sample.append(item)
        if len(sample) >= size:
            break
    return sample


def split_line(text, sep):
    return text.split() if sep == r"\s+" else text.split(sep)


def is_number(token):
    try:
        float(token)
    except ValueError:
        return False
    return True


def looks_like_header(sample, sep):
    """A first line is a header when it does not parse like the lines after it."""
    first = [t.strip() for t in split_line(sample[0][1], sep)]
    rest = [[t.strip() for t in split_line(text, sep)] for _, text in sample[1:]]
    rest = [tokens for tokens in rest if len(tokens) == len(first)]
    if len(first) not in (2, 3) or (sample[1:] and not rest):
        return False
    if len(first) == 3 and not is_number(first[2]):
        return all(is_number(tokens[2]) for tokens in rest)

    def int_ids(tokens):
        return all(INT_RE.fullmatch(t) for t in tokens[:2])

    return bool(rest) and not int_ids(first) and all(int_ids(tokens) for tokens in rest)


def line_of_row(path, comment, header, row):
    """File line number of data row ``row`` (0-based, after the header)."""
    skip = 1 if header else 0
    for k, (number, _) in enumerate(data_lines(path, comment)):
        if k == row + skip:
            return number
    return "?"


def line_fields(text, sep):
    """The fields of one line, without empty ones left by separators at its end."""
    tokens = split_line(text, sep)
    while len(tokens) > 2 and not tokens[-1].strip():
        tokens.pop()
    return tokens


def shape_problem(path, sep, comment, header):
    """The message for the first line with a wrong number of fields."""
    expected = None
    for k, (number, text) in enumerate(data_lines(path, comment)):
        if header and k == 0:
            continue
        fields = len(line_fields(text, sep))
        if fields < 2 and expected is None:
            return (
                f"{path}, line {number}: expected 'source target [weight]', got {fields} "
                f"field in {show(text)}"
            )
        if fields > 3 or (expected is not None and fields > expected):
            return (
                f"{path}, line {number}: too many fields in {show(text)} "
                "(expected source, target and an optional weight)"
            )
        expected = fields if expected is None else expected
    return f"{path}: cannot split the lines into fields with separator {show(sep)}"
