"""The n2v-lite command line (CliRunner): exit codes, exact output, one-line errors."""

import json
import os
import re
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from n2v_lite.cli import cli

FAST = [
    "--dimensions",
    "8",
    "--walk-length",
    "8",
    "--num-walks",
    "4",
    "--window",
    "3",
    "--seed",
    "0",
    "--workers",
    "1",
    "--quiet",
]


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


@pytest.fixture
def edges(tmp_path):
    """Two 6-cliques joined by one edge, string ids."""
    lines = []
    for group in ("a", "b"):
        nodes = [f"{group}{i}" for i in range(6)]
        lines += [f"{u}\t{v}" for k, u in enumerate(nodes) for v in nodes[k + 1 :]]
    lines.append("a0\tb0")
    path = tmp_path / "cliques.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def model_path(tmp_path, edges):
    out = tmp_path / "m.n2v"
    result = run("embed", edges, "--out", out, *FAST)
    assert result.exit_code == 0, result.output
    return out


def test_embed_reads_standard_input(tmp_path, edges, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("embed", "-", *FAST, input=edges.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.output == "saved stdin.n2v: 12 nodes x 8 dimensions\n"
    from n2v_lite import load

    from_file = run("embed", edges, "--out", tmp_path / "f.n2v", *FAST)
    assert from_file.exit_code == 0
    a, b = load(tmp_path / "stdin.n2v"), load(tmp_path / "f.n2v")
    assert a.node_ids == b.node_ids and np.array_equal(a.vectors, b.vectors)
    bad = run("embed", "-", "--out", tmp_path / "x.n2v", *FAST, input="a\tb\nb\tc\td\te\n")
    assert bad.exit_code == 1
    assert bad.output.splitlines()[-1] == (
        "Error: <stdin>, line 2: too many fields in 'b\\tc\\td\\te' "
        "(expected source, target and an optional weight)"
    )


def all_commands():
    return sorted(cli.commands.items())


def test_help_everywhere():
    for flag in ("-h", "--help"):
        result = run(flag)
        assert result.exit_code == 0 and "movielens" in result.output
    for name, command in all_commands():
        assert command.help, name
        result = run(name, "-h")
        assert result.exit_code == 0 and "Usage: " in result.output, name
        flat = " ".join(result.output.split())
        assert not re.search(r"\[default: [^]]*\] \[default:", flat), name  # said twice
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help"
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("n2v-lite, version ")


def test_embed_similar_info_export_round_trip(tmp_path, edges, model_path):
    result = run("embed", edges, "--out", tmp_path / "again.n2v", *FAST)
    assert result.output == f"saved {tmp_path / 'again.n2v'}: 12 nodes x 8 dimensions\n"

    result = run("similar", model_path, "a1", "-k", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["a1"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert sum(r["node"].startswith("a") for r in rows) >= 2  # its own clique is closest
    assert all(-1 <= r["similarity"] <= 1 for r in rows)

    tsv = run("similar", model_path, "a1", "-k", "2", "--format", "tsv").output.splitlines()
    assert tsv[0].split("\t") == ["query", "rank", "node", "label", "similarity"]
    assert len(tsv) == 3 and all(
        line.split("\t")[:2] == ["a1", str(rank)] for rank, line in enumerate(tsv[1:], 1)
    )
    table = run("similar", model_path, "a1", "-k", "2").output.splitlines()
    assert table[0] == "Nearest to 'a1':" and table[1].startswith("  1  ")

    info = json.loads(run("info", model_path, "--format", "json").output)
    assert info["nodes"] == 12 and info["dimensions"] == 8
    assert info["source"] == str(edges) and info["node_metadata"] == ["degree"]
    assert {"batch_size", "progress", "max_memory"}.isdisjoint(info["params"])
    assert "nodes" in run("info", model_path).output

    for fmt, name in [
        ("word2vec", "v.txt"),
        ("word2vec-binary", "v.bin"),
        ("npz", "v.npz"),
        ("csv", "v.csv"),
        ("projector", "proj"),
    ]:
        out = tmp_path / name
        result = run("export", model_path, "--format", fmt, "--out", out)
        assert result.exit_code == 0 and result.output == f"exported {out} ({fmt})\n"
        assert out.exists()
    assert (tmp_path / "v.txt").read_text().splitlines()[0] == "12 8"
    embeddings = (tmp_path / "proj" / "embeddings.tsv").read_text().splitlines()
    metadata = (tmp_path / "proj" / "metadata.tsv").read_text().splitlines()
    assert len(embeddings) == 12 and len(metadata) in (12, 13)


def test_embed_with_export_and_tutorial_backend(tmp_path, edges):
    out = tmp_path / "t.n2v"
    result = run(
        "embed",
        edges,
        "--out",
        out,
        "--backend",
        "tutorial",
        "--epochs",
        "2",
        "--export",
        "npz",
        *FAST,
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"saved {out}: 12 nodes x 8 dimensions",
        f"exported {tmp_path / 't.npz'} (npz)",
    ]
    assert np.load(tmp_path / "t.npz")["vectors"].shape == (12, 8)


def test_walks_to_stdout_and_file(tmp_path, edges):
    result = run("walks", edges, "--num-walks", "2", "--walk-length", "5", "--seed", "3", "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 24
    ids = {f"{g}{i}" for g in "ab" for i in range(6)}
    assert all(len(line.split()) == 5 and set(line.split()) <= ids for line in lines)
    out = tmp_path / "w.txt"
    assert (
        run(
            "walks",
            edges,
            "--num-walks",
            "2",
            "--walk-length",
            "5",
            "--seed",
            "3",
            "--out",
            out,
            "--quiet",
        ).output
        == ""
    )
    assert out.read_text() == result.output  # same seed, same walks


def test_bad_edge_list_is_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\t1\nb\tc\t-2\n")
    out = tmp_path / "m.n2v"
    result = run("embed", bad, "--out", out, *FAST)
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}, line 2: weight -2 must be positive\n"
    assert not out.exists() and os.listdir(tmp_path) == ["bad.tsv"]


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["embed", "{missing}"], 1, "Error: {missing}: cannot read"),
        (
            ["embed", "{edges}", "--p", "0"],
            2,
            "Invalid value for '--p': p must be a positive finite number, got 0.0",
        ),
        (
            ["embed", "{edges}", "--p", "nan"],
            2,
            "Invalid value for '--p': p must be a positive finite number, got nan",
        ),
        (["embed", "{edges}", "--q", "inf"], 2, "Invalid value for '--q': q must be a positive"),
        (
            ["embed", "{edges}", "--sample", "1"],
            2,
            "Invalid value for '--sample': sample must be a number in [0, 1), got 1.0",
        ),
        (
            ["embed", "{edges}", "--seed", "-1"],
            2,
            "Invalid value for '--seed': seed must be an integer >= 0, got -1",
        ),
        (["embed", "{edges}", "--out", "/proc/x.n2v"], 1, "Error: /proc/x.n2v: cannot write"),
        (["embed", "{edges}", "--out", "{tmp}"], 2, "is a directory"),
        (["walks", "{edges}", "--out", "/proc/w.txt"], 1, "Error: /proc/w.txt: cannot write"),
        (
            ["export", "{model}", "--format", "csv", "--out", "/proc/e.csv"],
            1,
            "Error: /proc/e.csv: cannot write",
        ),
        (["embed", "{edges}", "--q", "-1"], 2, "Invalid value for '--q'"),
        (["embed", "{edges}", "--out", "{tmp}/no/such/dir/m.n2v"], 1, "cannot write"),
        (
            ["similar", "{model}", "zz-unknown"],
            1,
            "Error: node 'zz-unknown' is not in the embedding",
        ),
        (["similar", "{missing}", "a1"], 1, "Error: {missing}"),
        (["similar", "{edges}", "a1"], 1, "Error: {edges}: "),
        (["export", "{model}", "--format", "xml", "--out", "x"], 2, "Invalid value for '--format'"),
        (["walks", "{edges}", "--walk-length", "0"], 2, "Invalid value for '--walk-length'"),
        (["bogus"], 2, "No such command 'bogus'"),
    ],
)
def test_errors_are_one_line_with_exit_codes(tmp_path, edges, model_path, args, code, message):
    subs = {
        "missing": tmp_path / "missing.tsv",
        "edges": edges,
        "model": model_path,
        "tmp": tmp_path,
    }
    args = [a.format(**subs) for a in args]
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message.format(**subs) in result.output
    if code == 1:
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_similar_ambiguous_title_lists_candidates(tmp_path):
    import pandas as pd

    from n2v_lite import Graph, Node2Vec

    df = pd.DataFrame({"source": [1, 2, 3], "target": [2, 3, 1]})
    graph = Graph.from_pandas(df).with_node_data(
        title=np.array(["Alien (1979)", "Aliens (1986)", "Heat (1995)"], dtype=object)
    )
    path = tmp_path / "t.n2v"
    Node2Vec(
        dimensions=4,
        walk_length=5,
        num_walks=2,
        window=2,
        workers=1,
        random_state=0,
        progress=False,
    ).fit(graph).save(path)
    result = run("similar", path, "alie")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "Alien (1979)" in result.output and "Aliens (1986)" in result.output
    result = run("similar", path, "alien", "-k", "1", "--format", "json")  # exact but for the year
    assert result.exit_code == 0 and list(json.loads(result.output)) == ["alien"]
    result = run("similar", path, "Heaat")
    assert result.exit_code == 1 and "closest: 'Heat (1995)'" in result.output


def test_plot_writes_an_image(tmp_path, model_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "map.png"
    result = run("plot", model_path, "--out", out)
    assert result.exit_code == 0 and result.output == f"wrote {out}\n"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = run("plot", model_path, "--out", out, "--color-by", "nope")
    assert result.exit_code == 1 and "no node metadata 'nope'" in result.output


def test_plot_without_matplotlib_says_how_to_install(tmp_path, model_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("plot", model_path, "--out", tmp_path / "map.png")
    assert result.exit_code == 1
    assert result.output == "Error: plotting needs matplotlib: pip install 'n2v-lite[plot]'\n"
    assert not (tmp_path / "map.png").exists()


def readme_block(marker):
    """The fenced block after ``<!-- ci:<marker> -->`` in README.md, as lines."""
    lines = (Path(__file__).resolve().parents[1] / "README.md").read_text().splitlines()
    start = lines.index(f"<!-- ci:{marker} -->") + 2
    return lines[start : lines.index("```", start)]


def neighbour_rows(lines):
    """(rank, title and id) and similarity of each neighbour line of the table format."""
    rows = [line.split("  ") for line in lines if line.startswith("  ")]
    return [(r[1].strip(), "  ".join(r[3:])) for r in rows], [float(r[2]) for r in rows]


@pytest.mark.slow
def test_movielens_main_job_prints_the_readme_output(tmp_path):
    # the README's main command, with no --data: the bundled copy, no network
    assert readme_block("main") == ["pip install . && n2v-lite movielens --seed 0"]
    out = tmp_path / "ml.n2v"
    result = run("movielens", "--seed", "0", "--quiet", "--out", out)
    assert result.exit_code == 0, result.output
    printed, expected = result.output.splitlines(), readme_block("main-output")
    assert [line for line in printed if not line.startswith("  ")] == [
        line for line in expected if not line.startswith("  ")
    ]
    (names, sims), (want_names, want_sims) = neighbour_rows(printed), neighbour_rows(expected)
    assert names == want_names and len(names) == 25
    # similarities to 4 decimals; other CPUs (BLAS and gensim's SIMD paths) move the
    # 4th: up to 3e-4 seen between two machines here
    assert np.allclose(sims, want_sims, atol=1e-3)
    result = run("similar", out, "godfather", "-k", "3")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Nearest to 'Godfather, The (1972)' [858]:"


def test_movielens_missing_data_is_one_line(tmp_path):
    result = run("movielens", "--data", tmp_path / "nope")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'nope'}: no such file or folder (leave the path "
        "out to use the copy bundled with n2v_lite, or download it: "
        "download=True, or --download)\n"
    )


@pytest.fixture
def caveman_files(tmp_path):
    import networkx as nx

    g = nx.connected_caveman_graph(6, 6)
    edges = tmp_path / "cave.tsv"
    edges.write_text("".join(f"{u}\t{v}\n" for u, v in g.edges))
    labels = tmp_path / "labels.tsv"
    labels.write_text("".join(f"{n}\t{n // 6}\n" for n in g.nodes))
    return edges, labels


def test_evaluate_link_and_node(caveman_files):
    edges, labels = caveman_files
    result = run(
        "evaluate",
        edges,
        "--labels",
        labels,
        "--task",
        "both",
        "--train-ratio",
        "0.5",
        "--repeats",
        "2",
        "--format",
        "json",
        *FAST,
        "--epochs",
        "10",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["link_prediction"]["auc"]) == {"hadamard", "average", "l1", "l2", "cosine"}
    assert data["node_classification"]["num_labels"] == 6
    assert data["node_classification"]["macro_f1"]["0.5"] > 0.8  # cliques are easy
    from n2v_lite.evaluate import C_GRID

    assert set(data["node_classification"]["C"]["0.5"]) <= set(C_GRID)
    assert set(data["link_prediction"]["C"]) == {"hadamard", "average", "l1", "l2"}
    table = run("evaluate", edges, "--task", "link", "--C", "2.5", *FAST).output.splitlines()
    assert table[0].startswith("link prediction: ") and table[1].startswith("  hadamard  0.")
    assert table[1].endswith("  C=2.5") and "C=" not in table[-1]  # cosine has no classifier
    bad = run("evaluate", edges, "--C", "-1", *FAST)
    assert bad.exit_code == 2 and "'-1' is neither \"auto\" nor a positive number" in bad.output
    result = run("evaluate", edges, "--task", "node", *FAST)
    assert result.exit_code == 1 and "needs labels" in result.output


@pytest.mark.slow
def test_tune_prints_grid_and_best(caveman_files):
    edges, labels = caveman_files
    result = run("tune", edges, "--labels", labels, "--ps", "0.5,2", "--qs", "1", *FAST)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "node classification: validation macro_f1, mean and sd of 5 splits (halving from 0.2 "
        "of a fit, "
    )
    assert lines[1].split() == ["p", "q", "cheap", "sd", "full", "sd", "budget", "seconds"]
    assert len(lines) == 5 and lines[-1].startswith("best: p=")
    assert "within one sd: " in lines[-1]
    grid = run(
        "tune",
        edges,
        "--labels",
        labels,
        "--ps",
        "0.5,2",
        "--qs",
        "1",
        "--method",
        "grid",
        "--splits",
        "2",
        *FAST,
    ).output.splitlines()
    assert "mean and sd of 2 splits (grid, 2.00 full fits, classifier C auto)" in grid[0]
    data = json.loads(
        run("tune", edges, "--ps", "1", "--qs", "0.5,2", "--format", "json", *FAST).output
    )
    assert data["task"] == "link_prediction" and len(data["table"]) == 2
    result = run("tune", edges, "--ps", "0,1", *FAST)
    assert (
        result.exit_code == 2
        and "Invalid value for '--ps': '0,1' is not a comma-separated list of positive numbers"
        in result.output
    )

    # --min-budget 1 (or any share above 1/5): every pair fully fitted, which is the grid
    def tuned(*options):
        out = run("tune", edges, "--ps", "1", "--qs", "0.5,2", "--format", "json", *options, *FAST)
        result = json.loads(out.output)
        return (
            [r["budget"] for r in result["rounds"]],
            result["cost_full_fits"],
            [{k: v for k, v in row.items() if k != "seconds"} for row in result["table"]],
        )

    grid = tuned("--method", "grid")
    assert grid[:2] == ([1.0], 3.0)  # 2 full fits, 1 without the test edges
    assert tuned("--min-budget", "1") == tuned("--min-budget", "0.5") == grid
    assert tuned()[0] == [0.2, 1.0]  # the default: a cheap round at a fifth
    for bad in ("0", "1.5", "x"):
        result = run("tune", edges, "--min-budget", bad, *FAST)
        assert result.exit_code == 2 and "Invalid value for '--min-budget': " in result.output
    result = run("tune", edges, "--min-budget", "0", *FAST)
    assert "min_budget must be a number in (0, 1], got 0.0" in result.output


def test_parity_ends_with_a_verdict(caveman_files):
    edges, labels = caveman_files
    result = run(
        "parity",
        edges,
        "--labels",
        labels,
        "--epochs",
        "2",
        "--dimensions",
        "8",
        "--seed",
        "0",
        "--workers",
        "1",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("VERDICT: ")


def test_header_option(tmp_path):
    path = tmp_path / "h.tsv"
    path.write_text("source\ttarget\na\tb\nb\tc\na\tc\n")
    result = run("walks", path, "--header", "--num-walks", "1", "--walk-length", "2", "--quiet")
    assert result.exit_code == 0 and "source" not in result.output
    assert len(result.output.splitlines()) == 3


def test_seed_alone_makes_the_vectors_reproducible(tmp_path, edges):
    args = [
        "--dimensions",
        "8",
        "--walk-length",
        "20",
        "--num-walks",
        "10",
        "--seed",
        "5",
        "--epochs",
        "3",
        "--quiet",
        "--export",
        "npz",
    ]  # no --workers: the default
    vectors = []
    for name in ("one", "two"):
        result = run("embed", edges, "--out", tmp_path / f"{name}.n2v", *args)
        assert result.exit_code == 0, result.output
        vectors.append(np.load(tmp_path / f"{name}.npz")["vectors"])
    assert np.array_equal(vectors[0], vectors[1])


def test_similar_positive_negative_where_and_among_file(tmp_path, edges, model_path):
    out = run(
        "similar",
        model_path,
        "--positive",
        "a1",
        "--positive",
        "a2",
        "--negative",
        "b3",
        "-k",
        "3",
        "--format",
        "csv",
    )
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0] == "query,rank,node,label,similarity" and len(lines) == 4
    assert not {"a1", "a2", "b3"} & {line.split(",")[2] for line in lines[1:]}
    among = tmp_path / "among.txt"
    among.write_text("b1\nb2\n\nb4\n")
    out = run("similar", model_path, "a1", "--among-file", among, "--format", "tsv")
    assert {line.split("\t")[2] for line in out.output.splitlines()[1:]} == {"b1", "b2", "b4"}
    out = run("similar", model_path, "a1", "--where", "degree>=99", "--where", "node~b")
    assert (
        out.exit_code == 0
        and out.stdout == ""
        and out.stderr
        == ("no node matches --where 'degree>=99' and --where 'node~b': no neighbours\n")
    )
    out = run("similar", model_path, "a1", "--where", "degree>=6", "--format", "json")
    assert {r["node"] for r in json.loads(out.output)["a1"]} == {"a0", "b0"}  # the bridge ends
    out = run("similar", model_path, "a1", "--where", "degree")
    assert out.exit_code == 1 and out.output.startswith("Error: where 'degree': expected")
    out = run("similar", model_path)
    assert out.exit_code == 2 and "give a QUERY" in out.output


def test_similar_queries_file_is_one_batch(tmp_path, model_path):
    queries = tmp_path / "q.txt"
    queries.write_text("a1\nb2\n")
    out = run("similar", model_path, "--queries-file", queries, "-k", "2", "--format", "csv")
    rows = [line.split(",") for line in out.output.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [("a1", "1"), ("a1", "2"), ("b2", "1"), ("b2", "2")]
    table = run("similar", model_path, "a1", "b2", "-k", "1").output
    assert table.count("Nearest to ") == 2


def test_list_files_are_one_error_when_unreadable(tmp_path, model_path):
    # /dev/zero was read forever (one endless line); bad UTF-8 was a traceback
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"a1\n\xff\xfe\n")
    cases = [
        ("--neighbours-file", "/dev/zero", "--neighbours-file /dev/zero: a device, not a file"),
        ("--queries-file", bad, f"--queries-file {bad}: not UTF-8 text (invalid start byte)"),
        (
            "--among-file",
            tmp_path / "no.txt",
            f"--among-file {tmp_path / 'no.txt'}: No such file or directory",
        ),
    ]
    for option, path, message in cases:
        args = ["a1"] if option == "--among-file" else []
        result = run("similar", model_path, *args, option, path)
        assert result.exit_code == 1, result.output
        assert result.output == f"Error: {message}\n"
    piped = run("similar", model_path, "--queries-file", "-", "-k", "1", input="a1\n\nb2\n")
    assert piped.output.count("Nearest to ") == 2


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_no_partial_file(tmp_path):
    import signal
    import subprocess
    import time

    big = tmp_path / "big.tsv"
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 20000, size=(200000, 2))
    big.write_text("\n".join(f"{u}\t{v}" for u, v in pairs.tolist()) + "\n")
    out = tmp_path / "big.n2v"
    # Ctrl-C as in a terminal: a test run started in the background by a shell without
    # job control inherits SIGINT *ignored*, and Python keeps it ignored
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "n2v_lite",
            "embed",
            str(big),
            "--out",
            str(out),
            "--quiet",
            "--num-walks",
            "40",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(4)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr == "Interrupted.\n" and stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.tsv"]


def test_explore_writes_one_page(tmp_path, model_path):
    out = tmp_path / "map.html"
    result = run("explore", model_path, "--out", out, "-k", "3")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out}: 12 nodes, ")
    page = out.read_text()
    assert page.lstrip().lower().startswith("<!doctype html") and "http://" not in page
    for spelling in ("--topn", "--topk"):  # --topn as in similar; --topk, the old name, hidden
        again = tmp_path / f"{spelling}.html"
        assert run("explore", model_path, "--out", again, spelling, "3").exit_code == 0
        assert again.read_text() == page
    assert "--topn" in run("explore", "--help").output
    assert "--topk" not in run("explore", "--help").output
    result = run("explore", model_path, "--out", "/proc/map.html")
    assert result.exit_code == 1 and "cannot write" in result.output


def test_walks_to_a_folder_then_train_from_it(tmp_path, edges):
    walk_dir = tmp_path / "walks"
    result = run(
        "walks",
        edges,
        "--out",
        walk_dir,
        "--num-walks",
        "4",
        "--walk-length",
        "8",
        "--seed",
        "1",
        "--partition-rows",
        "10",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {walk_dir}: 48 walks, 384 tokens, 5 partition files\n"
    args = ["--dimensions", "8", "--window", "3", "--seed", "0", "--quiet"]
    first = run("train", walk_dir, "--out", tmp_path / "a.n2v", *args)
    assert first.output == f"saved {tmp_path / 'a.n2v'}: 12 nodes x 8 dimensions\n"
    run("train", walk_dir, "--out", tmp_path / "b.n2v", *args)  # a restart, from the walks
    from n2v_lite import load

    a, b = load(tmp_path / "a.n2v"), load(tmp_path / "b.n2v")
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.params["walk_length"] == 8 and a.info["walk_seed"] == 1
    result = run("train", walk_dir, "--out", tmp_path / "d.n2v", "--max-memory", "1M")
    assert result.exit_code == 1 and "Error: this run needs about" in result.output
    result = run("train", walk_dir, "--out", tmp_path / "d.n2v", "--max-memory", "lots")
    assert result.exit_code == 2 and "--max-memory" in result.output
    assert not (tmp_path / "d.n2v").exists()
    (walk_dir / "manifest.json").unlink()  # as if the walks had been interrupted
    result = run("train", walk_dir, "--out", tmp_path / "c.n2v", *args)
    assert result.exit_code == 1 and "incomplete" in result.output
    assert not (tmp_path / "c.n2v").exists()


def test_preset_fills_the_options_not_given(tmp_path, edges):
    from n2v_lite import PRESETS, load

    out = tmp_path / "fast.n2v"
    small = [
        "--num-walks",
        "2",
        "--walk-length",
        "6",
        "--dimensions",
        "8",
        "--seed",
        "0",
        "--quiet",
    ]
    result = run("embed", edges, "--out", out, "--preset", "fast", "--window", "7", *small)
    assert result.exit_code == 0, result.output
    params = load(out).params
    assert params["negative"] == PRESETS["fast"]["negative"]  # from the preset
    assert (params["window"], params["num_walks"], params["dimensions"]) == (7, 2, 8)  # given
    assert params["random_state"] == 0
    result = run("embed", edges, "--preset", "quick")
    assert result.exit_code == 2 and "'quick' is not one of 'paper', 'fast'" in result.output


def test_update_and_unseen_neighbours(tmp_path, edges, model_path):
    from n2v_lite import load

    grown = tmp_path / "grown.tsv"
    grown.write_text(edges.read_text() + "a1\tnew\na2\tnew\na3\tnew\n")
    out = tmp_path / "grown.n2v"
    result = run("update", model_path, grown, "--out", out, "--seed", "0", "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"saved {out}: 13 nodes x 8 dimensions")
    assert lines[1].startswith("changed: 1 new, 0 removed, 3 with other edges; walked again")
    assert "new" in load(out).node_ids and "new" not in load(model_path).node_ids
    assert load(out).info["memory_plan"]["phase"] in ("changes", "walk", "train", "finish")
    refused = tmp_path / "refused.n2v"
    result = run("update", model_path, grown, "--out", refused, "--max-memory", "1M", "--quiet")
    assert result.exit_code == 1 and result.output.startswith("Error: this run needs about")
    assert len(result.output.splitlines()) == 1 and not refused.exists()
    result = run("similar", model_path, "--neighbours", "a1,a2,zz")  # the old comma list
    assert result.exit_code == 2 and result.output.splitlines() == [  # one line, a pointer
        "Error: --neighbours 'a1,a2,zz': no such node; give one node per --neighbours "
        "(repeat the option), as titles may hold commas (see 'cli similar -h')"
    ]
    listed = tmp_path / "neighbours.txt"
    listed.write_text("a2\nzz\n")
    result = run(
        "similar",
        model_path,
        "--neighbours",
        "a1",
        "--neighbours-file",
        listed,
        "-k",
        "3",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    import csv

    lines = result.output.splitlines()
    assert lines[0] == "not in the model, left out: zz"  # (stderr, mixed in by CliRunner)
    rows = list(csv.reader(lines))
    assert rows[1] == ["query", "rank", "node", "label", "similarity"]
    assert sum(r[2].startswith("a") for r in rows[2:]) >= 2  # placed in clique a
    assert rows[2][0] == "a1, a2, zz"
    result = run("similar", model_path, "--neighbours", "zz")
    assert result.exit_code == 1 and "none of the neighbours is in the model" in result.output


def test_duplicate_edges_one_rule_on_the_command_line(tmp_path):
    path = tmp_path / "dup.tsv"
    path.write_text("a\tb\t2\nb\tc\t1\nb\ta\t3\n")
    result = run("walks", path, "--num-walks", "1", "--walk-length", "3", "--seed", "0")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}, lines 1 and 3: edge 'a' -- 'b' is listed with "
        "different weights (2 and 3); say how to merge them: duplicates= "
        "(--duplicates) sum, max, min, first, last\n"
    )
    result = run(
        "walks",
        path,
        "--num-walks",
        "1",
        "--walk-length",
        "3",
        "--seed",
        "0",
        "--duplicates",
        "max",
    )
    assert result.exit_code == 0, result.output
    note = f"{path}: 1 duplicate edge merged (an edge listed again is one edge; see --duplicates)"
    assert note in result.stderr.splitlines()
    assert len(result.stdout.splitlines()) == 3  # one walk per node, stdout clean
    quiet = run(
        "walks",
        path,
        "--num-walks",
        "1",
        "--walk-length",
        "3",
        "--seed",
        "0",
        "--duplicates",
        "max",
        "--quiet",
    )
    assert quiet.stderr == "" and quiet.stdout == result.stdout
    result = run("walks", path, "--duplicates", "mean")
    assert result.exit_code == 2 and "Invalid value for '--duplicates'" in result.output


def test_titles_with_commas_are_one_neighbour_each(tmp_path):
    # "Godfather, The (1972)" is one film, not three queries
    from n2v_lite import Graph, Node2Vec

    names = ["Godfather, The (1972)", "Heat (1995)", "Up (2009)", "Cars (2006)"]
    g = Graph.from_edges(
        [0, 0, 1, 2], [1, 2, 3, 3], node_ids=[858, 6, 68954, 45517], node_data={"title": names}
    )
    path = tmp_path / "films.n2v"
    Node2Vec(
        dimensions=4, num_walks=2, walk_length=5, epochs=1, random_state=0, progress=False
    ).fit(g).embedding_.save(path)
    by_title = run(
        "similar", path, "--neighbours", names[0], "--neighbours", "Heat (1995)", "--format", "csv"
    )
    by_id = run("similar", path, "--neighbours", "858", "--neighbours", "6", "--format", "csv")
    assert by_title.exit_code == 0, by_title.output
    import csv

    title_rows, id_rows = (list(csv.reader(r.output.splitlines())) for r in (by_title, by_id))
    assert title_rows[1][0] == "Godfather, The (1972), Heat (1995)" and len(title_rows) == 5
    assert [r[1:] for r in title_rows] == [r[1:] for r in id_rows]
    assert "not in the model" not in by_title.output


@pytest.mark.parametrize(
    "option,value,name,maximum",
    [
        ("--epochs", "99999999999999999999", "epochs", 10000),
        ("--num-walks", "1000001", "num_walks", 100000),
        ("--walk-length", "100001", "walk_length", 100000),
        ("--dimensions' / '-d", "10001", "dimensions", 10000),
        ("--window", "10001", "window", 10000),
    ],
)
def test_absurd_counts_are_refused_before_any_work(edges, tmp_path, option, value, name, maximum):
    from n2v_lite import Graph, Node2Vec, ParameterError

    out = tmp_path / "m.n2v"
    result = run("embed", edges, option.split("'")[0], value, "--out", out)
    assert result.exit_code == 2 and not out.exists()
    assert result.output.splitlines() == [
        f"Error: Invalid value for '{option}': {name} must be "
        f"an integer from 1 to {maximum}, got {value} (see "
        f"'cli embed -h')"
    ]
    with pytest.raises(ParameterError, match=f"^{name} must be an integer from 1 to {maximum}"):
        Node2Vec(**{name: int(value)}).fit(Graph.from_edges([0], [1]))


@pytest.mark.parametrize(
    "command,option,name,low,maximum",
    [
        ("evaluate", "--repeats", "repeats", 1, 10_000),
        ("tune", "--splits", "splits", 1, 10_000),
        ("index", "--connectivity", "connectivity", 2, 1_000),
        ("index", "--expansion-search", "expansion_search", 2, 100_000),
    ],
)
def test_every_count_option_is_bounded(
    edges, model_path, tmp_path, command, option, name, low, maximum
):
    # --repeats 10**14 ran until killed (with labels); --connectivity 10**14 was a traceback
    target = model_path if command == "index" else edges
    result = run(command, target, option, maximum + 1, "--quiet")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: Invalid value for '{option}': {name} must be an integer from {low} to "
        f"{maximum}, got {maximum + 1} (see 'cli {command} -h')"
    ]


def test_update_reads_the_new_list_as_the_model_was_read(tmp_path, edges):
    from n2v_lite import load

    model = tmp_path / "directed.n2v"
    assert (
        run(
            "embed",
            edges,
            "--directed",
            "--seed",
            "0",
            "--quiet",
            "--out",
            model,
            "-d",
            "8",
            "--num-walks",
            "2",
            "--walk-length",
            "5",
        ).exit_code
        == 0
    )
    out = tmp_path / "same.n2v"
    result = run("update", model, edges, "--out", out, "--seed", "0", "--quiet")  # no --directed
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith(
        "changed: 0 new, 0 removed, 0 with other edges; walked again from 0 nodes (0 walks"
    )
    before, after = load(model), load(out)
    assert after.info["directed"] is True and after.info["reader"]["directed"] is True
    assert np.array_equal(before.vectors, after.vectors)
    result = run("update", model, edges, "--out", out, "--undirected", "--quiet")
    assert result.exit_code == 1 and result.output == (
        "Error: the model was fitted on a directed graph and this graph is undirected; read it "
        "as directed (--directed), or fit a new model\n"
    )


def test_update_refuses_ids_of_another_kind(tmp_path):
    from n2v_lite import Graph, Node2Vec, ParameterError

    small = dict(dimensions=4, num_walks=2, walk_length=5, random_state=0, progress=False)
    emb = Node2Vec(**small).fit(Graph.from_edges([0, 1, 2], [1, 2, 0])).embedding_
    as_text = Graph.from_edges([0, 1, 2], [1, 2, 0], node_ids=["0", "1", "2"])
    with pytest.raises(
        ParameterError,
        match="the model's node ids are integers and this graph's are text .e.g. 0 vs '0'.",
    ):
        emb.update(as_text)


def run_fresh(args):
    """Run ``n2v-lite args`` in a fresh interpreter: (its output lines, the heavy
    libraries it imported)."""
    import subprocess

    code = (
        "import runpy, sys\n"
        f"sys.argv = {['n2v-lite', *map(str, args)]!r}\n"
        "try:\n    runpy.run_module('n2v_lite', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'sklearn', "
        "'gensim', 'scipy'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    return lines[:-1], lines[-1]


@pytest.mark.parametrize(
    "command",
    [
        "explore {model} --out {tmp}/m.html --method pca",
        "info {model}",
        "export {model} --format npz --out {tmp}/v.npz",
    ],
)
def test_commands_that_do_not_train_import_no_sklearn_pandas_or_gensim(
    model_path, tmp_path, command
):
    _, heavy = run_fresh(command.format(model=model_path, tmp=tmp_path).split())
    assert heavy == "[]"


def test_similar_starts_without_pandas_sklearn_or_gensim(model_path):
    # a neighbour query is the command people run most: it must not pay for heavy imports
    lines, heavy = run_fresh(["similar", model_path, "a1", "--format", "tsv"])
    assert heavy == "[]" and lines[1].startswith("a1\t1\t")  # csv too: pandas-free
    in_process = run("similar", model_path, "a1", "--format", "tsv").output  # same output
    assert "\n".join(lines) == in_process.rstrip("\n")


def test_csv_and_tsv_neighbours_are_what_pandas_writes():
    """The same header and columns in both, minimal quoting: checked against pandas'
    to_csv (the reference) on labels with commas, tabs, quotes and non-ASCII text."""
    import io

    import pandas as pd

    from n2v_lite.embedding import NEIGHBOUR_COLUMNS
    from n2v_lite.render import render_rows

    rows = [
        ("Godfather, The (1972)", 1, 1221, "Godfather: Part II, The (1974)", 0.75382596),
        ("Godfather, The (1972)", 2, "x\ty", 'say "hi"', 0.5),
        (260, 1, ("a", 1), "Amélie (2001)", -0.125),
    ]
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        buffer = io.StringIO()
        pd.DataFrame.from_records(rows, columns=NEIGHBOUR_COLUMNS).to_csv(
            buffer, sep=sep, index=False, lineterminator="\n"
        )
        assert render_rows(rows, {}, fmt) == buffer.getvalue().rstrip("\n"), fmt


def test_walk_folder_is_for_the_spark_engine_with_gensim(caveman_files, tmp_path):
    edges = caveman_files[0]
    out = tmp_path / "m.n2v"
    for extra in ([], ["--engine", "spark", "--spark-trainer", "spark"]):
        result = run("embed", edges, "--walk-folder", tmp_path / "w", "--out", out, *extra)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("Error: --walk-folder is for --engine spark with the")
    assert not out.exists() and not (tmp_path / "w").exists()
