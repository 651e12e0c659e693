"""The README runs as written: the tour's shell session and the Python shell session.

Every ``$ command`` of the tour's console block runs (in order, in a scratch copy of the
repository's place, with ``../shared`` beside it when there is one) and its output is
compared with the lines the README shows; every ``>>>`` line of "The same from a Python
shell" runs in one namespace, and where the README shows output it is compared too.
Decimals may differ by 0.002 (BLAS and thread counts move the 4th decimal; whole numbers
must match), ``...`` in a README line stands for any text, and everything else must match
exactly. Commands and statements that read ``../shared`` are skipped, with the reason,
where it is absent. CI runs this on one Python (marker ``readme``): 3-4 minutes.
"""

import contextlib
import doctest
import io
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO, SHARED

README = (REPO / "README.md").read_text()
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
TOLERANCE = 0.002

pytestmark = [pytest.mark.slow, pytest.mark.readme]


def _section(title):
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def _fenced(text, language):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def console_steps(block):
    """[(command, expected output lines)] of a console block: ``$ `` starts a command,
    a trailing backslash continues it, and the lines up to the next command are its
    output (blank lines between commands dropped)."""
    steps, lines = [], block.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        command = lines[i][2:]
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + " " + lines[i].strip()
        i += 1
        out = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        while out and not out[-1].strip():
            out.pop()
        steps.append((command, out))
    return steps


def same_line(want, got):
    """``got`` matches ``want``: text exact, numbers within TOLERANCE, ``...`` any text."""
    parts = want.split("...")
    pattern = ".*?".join(_number_pattern(part) for part in parts)
    match = re.fullmatch(pattern, got.rstrip())
    if not match:
        return False
    wanted = [x for part in parts for x in NUMBER.findall(part)]
    found = list(match.groups())
    return len(wanted) == len(found) and all(
        abs(float(a) - float(b)) <= TOLERANCE if "." in a else a == b  # counts exactly
        for a, b in zip(wanted, found)
    )


def _number_pattern(text):
    out, last = [], 0
    for number in NUMBER.finditer(text):
        out.append(re.escape(text[last : number.start()]))
        out.append(r"(-?\d+(?:\.\d+)?(?:e-?\d+)?)")
        last = number.end()
    out.append(re.escape(text[last:]))
    return "".join(out)


def same_output(want, got):
    want = [line.rstrip() for line in want]
    got = [line.rstrip() for line in got]
    return len(want) == len(got) and all(same_line(w, g) for w, g in zip(want, got))


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A scratch folder standing where the repository does: ``repo/`` to run in, with
    ``shared`` beside it (a link to the real one, when there is one), and an
    ``n2v-lite`` on the PATH that runs this interpreter's n2v_lite."""
    root = tmp_path_factory.mktemp("place")
    (root / "repo").mkdir()
    if SHARED.is_dir():
        (root / "shared").symlink_to(SHARED.resolve())
    bin_dir = root / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "n2v-lite"
    shim.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m n2v_lite \"$@\"\n")
    shim.chmod(0o755)
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        N2V_LITE_PROGRESS="0",
        COLUMNS="200",
    )
    return root / "repo", env


def test_the_tours_commands_print_what_the_readme_shows(place):
    cwd, env = place
    (block,) = _fenced(_section("A tour of the command line"), "console")
    steps = console_steps(block)
    assert len(steps) >= 14 and steps[0][0].startswith("n2v-lite movielens")
    skipped, failures, unmade = [], [], set()
    for command, want in steps:
        words = command.split()
        if not SHARED.is_dir() and ("../shared" in command or unmade & set(words)):
            skipped.append(command)  # it reads ../shared, or what a skipped command makes
            unmade |= {out for flag, out in zip(words, words[1:]) if flag == "--out"}
            continue
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
        got = done.stdout.splitlines()  # stderr interleaved, as a terminal shows it
        if not same_output(want, got):
            failures.append(
                f"$ {command}\n--- README\n" + "\n".join(want) + "\n--- got\n" + "\n".join(got)
            )
    assert not failures, "\n\n".join(failures)
    if skipped:
        pytest.skip(f"{len(skipped)} commands need {SHARED} (set N2V_LITE_SHARED)")


def test_the_python_shell_session_runs_and_prints_what_the_readme_shows(place):
    cwd, _ = place
    (block,) = _fenced(_section("The same from a Python shell"), "python")
    examples = doctest.DocTestParser().get_examples(block)
    assert len(examples) >= 20
    namespace, failures, skipped = {}, [], []
    old = os.getcwd()
    os.chdir(cwd)
    try:
        for example in examples:
            if "../shared" in example.source and not SHARED.is_dir():
                skipped.append(example.source)
                continue
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(example.source, "README.md", "single"), namespace)
            if example.want and not same_output(
                example.want.splitlines(), out.getvalue().splitlines()
            ):
                failures.append(
                    f">>> {example.source}--- README\n{example.want}--- got\n{out.getvalue()}"
                )
    finally:
        os.chdir(old)
    assert not failures, "\n".join(failures)
    if skipped:
        pytest.skip(f"{len(skipped)} statements need {SHARED} (set N2V_LITE_SHARED)")


@pytest.mark.parametrize(
    "want, got, same",
    [
        (
            "  1  0.7631  In the Heat of the Night (1967)  [1950]",
            "  1  0.7640  In the Heat of the Night (1967)  [1950]",
            True,
        ),
        (
            "  1  0.7631  In the Heat of the Night (1967)  [1950]",
            "  1  0.7731  In the Heat of the Night (1967)  [1950]",
            False,
        ),
        (
            "  1  0.7631  In the Heat of the Night (1967)  [1950]",
            "  1  0.7631  In the Heat of the Night (1968)  [1950]",
            False,
        ),
        (
            "Error: 'star wars' matches 8 titles: 'Star Wars' [260], ...; give the id",
            "Error: 'star wars' matches 8 titles: 'Star Wars' [260], 'b' [1], 'c' [2]; give the id",
            True,
        ),
        ("saved cora.n2v: 2708 nodes", "saved cora.n2v: 2709 nodes", False),
    ],
)
def test_lines_compare_numbers_loosely_and_text_exactly(want, got, same):
    assert same_line(want, got) is same


def test_console_steps_join_continued_commands():
    block = "$ a \\\n    --b\nout 1\n\n$ c\n"
    assert console_steps(block) == [("a  --b", ["out 1"]), ("c", [])]
