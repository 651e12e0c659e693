"""Compare the main command's output with the README's (`<!-- ci:main-output -->` block).

Usage: python scripts/check_first_run.py README.md OUTPUT.txt

Titles, ids and ranks must be the same; similarities may differ by 1e-3 (BLAS builds
differ in the 4th decimal). Exit 1 with the first difference otherwise. Used by .ci/run
on a copy of the clone with nothing beside it and no network.
"""

import sys


def block(lines, marker):
    start = lines.index(f"<!-- ci:{marker} -->") + 2
    return lines[start : lines.index("```", start)]


def rows(lines):
    """(the line without its similarity, the similarity) of every line."""
    out = []
    for line in lines:
        fields = line.split("  ")
        if line.startswith("  ") and len(fields) > 3:
            out.append(("  ".join(fields[:2] + fields[3:]), float(fields[2])))
        else:
            out.append((line, None))
    return out


def main(readme, output):
    expected = rows(block(open(readme, encoding="utf-8").read().splitlines(), "main-output"))
    got = rows(open(output, encoding="utf-8").read().splitlines())
    if len(got) != len(expected):
        print(f"first run: {len(got)} lines, the README shows {len(expected)}")
        return 1
    for (text, sim), (want, want_sim) in zip(got, expected):
        if (
            text != want
            or (sim is None) != (want_sim is None)
            or (sim is not None and abs(sim - want_sim) > 1e-3)
        ):
            print(f"first run: got {text!r} ({sim}), the README shows {want!r} ({want_sim})")
            return 1
    print(f"first run: the {sum(s is not None for _, s in got)} neighbours match the README")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
