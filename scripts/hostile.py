#!/usr/bin/env python
"""Hostile inputs against the command line: every one must fail cleanly.

Each case writes its inputs into a scratch folder and runs one ``n2v-lite`` command in a
fresh process (``--timeout`` seconds at most). A case passes when the command

* exits 1 (a bad input) or 2 (a bad option), within the time limit;
* prints exactly one line on stderr, starting ``Error: ``, and no traceback;
* leaves no output behind (the ``--out`` path it was given does not exist, and nothing
  else was added to the folder) -- or, for cases that must succeed, exits 0.

The catalogue: edge lists (NUL bytes, invalid UTF-8, non-finite and negative weights,
truncated gzip, a folder, a device, an empty file or standard input, ragged lines), labels
files (empty, unknown nodes, one class, too few to choose the classifier's C), model files
(foreign zips, truncated, a pickle, a folder, ``/dev/zero`` or a symlink to it, a named
pipe, huge meta or array-size claims, meta fields of foreign types or nested deep), an
output that is a device (``/dev/full``), query files (a device, not UTF-8), walk folders
(missing, truncated or garbled partitions), and options (absurd counts, ``--where`` with code
in it, bad sizes, Spark masters that are not URLs or do not answer).
Usage::

    python scripts/hostile.py [--timeout 60] [--only NAME]

Exit status 1 when any case fails; the last line is one JSON object.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _bench import json_line  # noqa: E402

#: The commands run this checkout's n2v_lite (installed or not).
ENV = dict(
    os.environ,
    PYTHONPATH=os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])),
)
GOOD_EDGES = "".join(f"{i}\t{(i + 1) % 12}\n{i}\t{(i + 5) % 12}\n" for i in range(12))
FAST = [
    "--dimensions",
    "4",
    "--num-walks",
    "2",
    "--walk-length",
    "5",
    "--window",
    "2",
    "--seed",
    "0",
    "--workers",
    "1",
    "--quiet",
]


def _write(path, data):
    path = Path(path)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def _made(folder, command, name, *options):
    """A good output of ``n2v-lite command good.tsv --out name``, made once per run."""
    out = Path(folder) / name
    if not out.exists():
        edges = _write(Path(folder) / "good.tsv", GOOD_EDGES)
        subprocess.run(
            [sys.executable, "-m", "n2v_lite", command, edges, "--out", str(out), *options],
            check=True,
            capture_output=True,
            env=ENV,
        )
    return str(out)


def _copy_tree(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return str(dst)


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return str(path)


def cases(tmp):
    """(name, argv, expected exit codes) with the inputs written into ``tmp``."""
    t = Path(tmp)
    out = str(t / "out.n2v")
    model = _made(tmp, "embed", "good.n2v", *FAST)
    walks = _made(
        tmp,
        "walks",
        "good-walks",
        "--num-walks",
        "2",
        "--walk-length",
        "5",
        "--seed",
        "0",
        "--quiet",
    )
    yield (
        "edges: NUL bytes",
        ["embed", _write(t / "nul.tsv", "0\t1\n1\x002\n"), "--out", out, *FAST],
        (1,),
    )
    yield (
        "edges: invalid UTF-8",
        ["embed", _write(t / "utf.tsv", b"0\t1\n\xff\xfe\t2\n"), "--out", out, *FAST],
        (1,),
    )
    yield (
        "edges: NaN weight",
        ["embed", _write(t / "nan.tsv", "0\t1\t1\n1\t2\tnan\n"), "--out", out, *FAST],
        (1,),
    )
    yield (
        "edges: infinite weight",
        ["embed", _write(t / "inf.tsv", "0\t1\t1\n1\t2\tinf\n"), "--out", out, *FAST],
        (1,),
    )
    yield (
        "edges: negative weight",
        ["embed", _write(t / "neg.tsv", "0\t1\t1\n1\t2\t-3\n"), "--out", out, *FAST],
        (1,),
    )
    yield (
        "edges: zero weight",
        ["embed", _write(t / "zero.tsv", "0\t1\t1\n1\t2\t0\n"), "--out", out, *FAST],
        (1,),
    )
    truncated = gzip.compress(GOOD_EDGES.encode())[:40]
    yield (
        "edges: truncated gzip",
        ["embed", _write(t / "cut.tsv.gz", truncated), "--out", out, *FAST],
        (1,),
    )
    yield "edges: empty standard input", ["embed", "-", "--out", out, *FAST], (1,)
    yield "edges: empty file", ["embed", _write(t / "empty.tsv", ""), "--out", out, *FAST], (1,)
    yield (
        "edges: only comments",
        ["embed", _write(t / "comments.tsv", "# a\n# b\n"), "--out", out, *FAST],
        (1,),
    )
    yield (
        "edges: ragged lines",
        ["embed", _write(t / "ragged.tsv", "0\t1\n1\t2\t3\t4\n"), "--out", out, *FAST],
        (1,),
    )
    yield "edges: one column", ["embed", _write(t / "one.tsv", "0\n1\n"), "--out", out, *FAST], (1,)
    (t / "folder.tsv").mkdir(exist_ok=True)
    yield "edges: a folder", ["embed", str(t / "folder.tsv"), "--out", out, *FAST], (1, 2)
    yield "edges: a device", ["embed", "/dev/zero", "--out", out, *FAST], (1,)
    yield "edges: missing", ["embed", str(t / "missing.tsv"), "--out", out, *FAST], (1, 2)
    good = _write(t / "good.tsv", GOOD_EDGES)
    yield (
        "labels: empty",
        ["evaluate", good, "--labels", _write(t / "l0.tsv", ""), "--task", "node", *FAST],
        (1,),
    )
    yield (
        "labels: unknown nodes",
        [
            "evaluate",
            good,
            "--labels",
            _write(t / "l1.tsv", "x\ta\ny\tb\n"),
            "--task",
            "node",
            *FAST,
        ],
        (1,),
    )
    yield (
        "labels: one class",
        [
            "evaluate",
            good,
            "--labels",
            _write(t / "l2.tsv", "".join(f"{i}\ta\n" for i in range(12))),
            "--task",
            "node",
            *FAST,
        ],
        (1,),
    )
    yield (
        "labels: too few to choose C",
        ["evaluate", good, "--labels", _write(t / "l3.tsv", "0\ta\n1\tb\n2\ta\n"), *FAST],
        (1,),
    )
    yield (
        "labels: a device",
        ["evaluate", good, "--labels", "/dev/zero", "--task", "node", *FAST],
        (1, 2),
    )
    yield "model: a foreign zip", ["similar", _zip(t / "foreign.n2v", {"a.txt": "hi"}), "0"], (1,)
    data = Path(model).read_bytes()
    yield "model: truncated", ["similar", _write(t / "cut.n2v", data[: len(data) // 2]), "0"], (1,)
    yield (
        "model: a pickle",
        ["similar", _write(t / "pickle.n2v", b"\x80\x04\x95cos\nsystem\n"), "0"],
        (1,),
    )
    yield "model: a folder", ["similar", str(t / "folder.tsv"), "0"], (1, 2)
    yield "model: /dev/zero", ["similar", "/dev/zero", "0"], (1, 2)
    link = t / "device-link.n2v"
    if not link.is_symlink():
        link.symlink_to("/dev/zero")
    yield "model: a symlink to /dev/zero", ["similar", str(link), "0"], (1,)
    fifo = t / "pipe.n2v"
    if not fifo.exists():
        os.mkfifo(fifo)
    yield "model: a named pipe", ["similar", str(fifo), "0"], (1,)
    yield "output: a device", ["embed", good, "--out", "/dev/full", *FAST], (1,)
    yield (
        "queries: a device as --neighbours-file",
        ["similar", model, "--neighbours-file", "/dev/zero"],
        (1,),
    )
    yield (
        "queries: --queries-file not UTF-8",
        ["similar", model, "--queries-file", _write(t / "q.txt", b"0\n\xff\xfe\n")],
        (1,),
    )
    yield (
        "model: huge meta",
        [
            "similar",
            _zip(
                t / "meta.n2v",
                {"meta.json": json.dumps({"format_version": 2, "pad": "x" * (20 << 20)})},
            ),
            "0",
        ],
        (1,),
    )
    with zipfile.ZipFile(model) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(members["meta.json"])
    claim = b"{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 4), }"
    claim = b"\x93NUMPY\x01\x00" + len(claim + b"\n").to_bytes(2, "little") + claim + b"\n"
    yield (
        "model: an array header claiming 1.6 TB",
        ["similar", _zip(t / "claim.n2v", {**members, "vectors.npy": claim + b"\0" * 64}), "0"],
        (1,),
    )
    yield (
        "model: meta fields of foreign types",
        [
            "update",
            _zip(
                t / "types.n2v",
                {**members, "meta.json": json.dumps({**meta, "fit_info": {"reader": [1, 2]}})},
            ),
            good,
            "--out",
            out,
            "--quiet",
        ],
        (1,),
    )
    yield (
        "model: meta nested 100,000 deep",
        ["similar", _zip(t / "deep.n2v", {**members, "meta.json": "[" * 10**5 + "]" * 10**5}), "0"],
        (1,),
    )
    yield (
        "model: future version",
        [
            "similar",
            _zip(
                t / "future.n2v",
                {"meta.json": json.dumps({"format": "n2v_lite-model", "format_version": 99})},
            ),
            "0",
        ],
        (1,),
    )
    garbled = _copy_tree(walks, t / "garbled-walks")
    part = next(Path(garbled).glob("part-*.txt"))
    part.write_bytes(part.read_bytes()[:-7] + b"x y z\n")
    yield "walks: garbled partition", ["train", garbled, "--out", out, *FAST[:2], "--quiet"], (1,)
    cut = _copy_tree(walks, t / "cut-walks")
    part = next(Path(cut).glob("part-*.txt"))
    part.write_bytes(part.read_bytes()[:-3])
    yield "walks: truncated partition", ["train", cut, "--out", out, *FAST[:2], "--quiet"], (1,)
    gone = _copy_tree(walks, t / "gone-walks")
    next(Path(gone).glob("part-*.txt")).unlink()
    yield "walks: missing partition", ["train", gone, "--out", out, *FAST[:2], "--quiet"], (1,)
    yield (
        "walks: not a walk folder",
        ["train", str(t / "folder.tsv"), "--out", out, "--quiet"],
        (1,),
    )
    yield "walks: a URI scheme nothing opens", ["walks", good, "--out", "zzz://h/w", "-q"], (1,)
    yield (
        "walks: an hdfs:// folder with no Hadoop here",
        ["train", "hdfs://namenode/walks", "--out", out, "--quiet"],
        (1,),
    )
    yield "walks: text walks to a URI", ["walks", good, "--out", "s3a://b/w.txt", "-q"], (2,)
    yield (
        "option: absurd epochs",
        ["embed", good, "--epochs", "99999999999999999999", "--out", out],
        (2,),
    )
    yield "option: zero walks", ["embed", good, "--num-walks", "0", "--out", out], (2,)
    yield (
        "option: --where with code",
        ["similar", model, "0", "--where", "__import__('os').system('touch PWNED')"],
        (1, 2),
    )
    yield (
        "option: --master that is not a master URL",
        ["embed", good, "--engine", "spark", "--master", "zzz", "--out", out, *FAST],
        (1,),
    )
    yield (
        "option: --master nothing answers",
        [
            "embed",
            good,
            "--engine",
            "spark",
            "--master",
            "spark://127.0.0.1:1",
            "--out",
            out,
            *FAST,
        ],
        (1,),
    )
    yield "option: bad memory size", ["embed", good, "--max-memory", "lots", "--out", out], (2,)
    yield "option: tiny memory", ["embed", good, "--max-memory", "1k", "--out", out, *FAST], (1,)


def run_case(name, argv, codes, folder, timeout):
    before = set(os.listdir(folder))
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "n2v_lite", *argv],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=ENV,
        )
    except subprocess.TimeoutExpired:
        return {"case": name, "ok": False, "why": f"no answer within {timeout} s"}
    seconds = time.perf_counter() - start
    err = done.stderr.splitlines()
    added = sorted(set(os.listdir(folder)) - before)
    problems = []
    if done.returncode not in codes:
        problems.append(f"exit {done.returncode}, expected {codes}")
    if "Traceback" in done.stderr:
        problems.append("a traceback")
    if len(err) != 1 or not err[0].startswith("Error: "):
        problems.append(f"stderr is not one 'Error:' line: {err[:3]!r}")
    if added:
        problems.append(f"left {added}")
    return {
        "case": name,
        "ok": not problems,
        "why": "; ".join(problems),
        "seconds": round(seconds, 2),
        "message": err[-1] if err else "",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--only", default=None, help="run the cases whose name has this text")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="n2v_lite-hostile-") as tmp:
        for name, command, codes in cases(tmp):
            if args.only and args.only not in name:
                continue
            result = run_case(name, command, codes, tmp, args.timeout)
            results.append(result)
            mark = "ok  " if result["ok"] else "FAIL"
            print(f"{mark} {name:<32} {result['why'] or result['message'][:90]}", flush=True)
    failed = [r for r in results if not r["ok"]]
    print(f"{len(results) - len(failed)} of {len(results)} cases failed cleanly")
    print(
        json_line(
            {"bench": "hostile", "cases": len(results), "failed": len(failed), "results": results}
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
