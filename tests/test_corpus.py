"""Walk folders: exact round trip of the engine's walks, and clear errors on broken folders."""

import json
import os
import re

import numpy as np
import pytest

from n2v_lite.corpus import (
    WalkFolder,
    WalkFolderError,
    _parse_lines,
    finish_walk_folder,
    read_walk_folder,
    write_walk_folder,
    write_walk_partition,
)
from n2v_lite.exceptions import N2VLiteError
from n2v_lite.graph import Graph, node_metadata
from n2v_lite.walks import PAD, random_walks


def dead_end_graph():
    """Directed, weighted, with dead ends (nodes 5 and 6 have no out-edges; 7 isolated)."""
    rng = np.random.default_rng(0)
    src = rng.integers(0, 5, 40)
    dst = rng.integers(0, 7, 40)
    return Graph.from_edges(
        np.r_[src, 7],
        np.r_[dst, 7],
        rng.uniform(0.5, 2, 41),
        node_ids=[f"n{i}" for i in range(8)],
        directed=True,
        drop_self_loops=True,
        duplicates="sum",
    )


def reference_lines(walks):
    """What the files must hold, written independently: the rows without padding."""
    return [" ".join(str(x) for x in row if x != PAD) for row in walks.tolist()]


@pytest.mark.parametrize("rows_per_partition", [1, 7, 64, 10_000, None])
def test_round_trip_equals_random_walks(tmp_path, rows_per_partition):
    g = dead_end_graph()
    expected = random_walks(g, 9, 12, p=0.5, q=2.0, seed=3)
    assert (expected == PAD).any() and (expected[:, 1] == PAD).any()  # dead ends are exercised
    folder = write_walk_folder(
        g,
        tmp_path / "w",
        9,
        12,
        p=0.5,
        q=2.0,
        seed=3,
        rows_per_partition=rows_per_partition,
        progress=False,
    )
    again = read_walk_folder(tmp_path / "w")
    np.testing.assert_array_equal(np.concatenate(list(again)), expected)
    lines = b"".join(path.read_bytes() for path in folder.paths).decode().split("\n")
    assert lines[-1] == "" and lines[:-1] == reference_lines(expected)
    size = rows_per_partition or len(expected)
    assert [p["rows"] for p in again.partitions] == [
        min(size, len(expected) - i) for i in range(0, len(expected), size)
    ]
    assert again.rows == len(expected) and again.tokens == int((expected >= 0).sum())
    np.testing.assert_array_equal(
        again.counts, np.bincount(expected[expected >= 0], minlength=g.num_nodes)
    )
    assert again.node_ids == [f"n{i}" for i in range(8)]
    assert again.params == {"num_walks": 9, "walk_length": 12, "p": 0.5, "q": 2.0, "seed": 3}
    assert again.graph_info == {"directed": True, "weighted": True, "num_edges": g.num_edges}
    manifest = json.loads((tmp_path / "w" / "manifest.json").read_text())
    assert manifest["format"] == "n2v_lite-walks" and manifest["format_version"] == 1
    assert manifest["node_id_kind"] == "str"


def test_a_generator_seed_is_recorded_as_null_and_ids_keep_their_types(tmp_path):
    g = Graph.from_edges([0, 1], [1, 2], node_ids=[1, "1", (2, "x")])
    folder = write_walk_folder(g, tmp_path, 2, 3, seed=np.random.default_rng(0), progress=False)
    assert folder.params["seed"] is None
    assert folder.node_ids == [1, "1", (2, "x")]


def test_a_folder_of_very_different_id_lengths_stores_them_as_utf8(tmp_path):
    ids = [f"n{i}" for i in range(30_000)] + ["x" * 5000]
    g = Graph.from_edges(np.arange(30_000), np.arange(1, 30_001) % 30_001, node_ids=ids)
    folder = write_walk_folder(g, tmp_path / "w", 1, 3, seed=0, progress=False)
    assert (tmp_path / "w" / "nodes.npy").stat().st_size < 1 << 20  # fixed width: 600 MB
    assert folder.manifest["node_id_kind"] == "utf8" and folder.manifest["format_version"] == 2
    assert WalkFolder(tmp_path / "w").node_ids == ids


def test_partitions_written_separately_equal_the_streamed_folder(tmp_path):
    """The per-partition path (what Spark executors call) gives the same folder."""
    g = dead_end_graph()
    walks = random_walks(g, 5, 10, q=0.5, seed=1)
    ref = write_walk_folder(
        g, tmp_path / "ref", 5, 10, q=0.5, seed=1, rows_per_partition=11, progress=False
    )
    parts = [
        write_walk_partition(tmp_path / "spark", i, walks[b : b + 11], num_nodes=g.num_nodes)
        for i, b in enumerate(range(0, len(walks), 11))
    ]
    done = finish_walk_folder(
        tmp_path / "spark",
        node_ids=g.node_ids,
        partitions=parts,
        walks_params={"num_walks": 5, "walk_length": 10, "p": 1.0, "q": 0.5, "seed": 1},
        graph_info={"directed": True, "weighted": True, "num_edges": g.num_edges},
        node_data=node_metadata(g),
    )
    for a, b in zip(ref.paths, done.paths):
        assert a.read_bytes() == b.read_bytes()
    np.testing.assert_array_equal(done.counts, ref.counts)
    strip = ("n2v_lite_version",)
    assert {k: v for k, v in done.manifest.items() if k not in strip} == {
        k: v for k, v in ref.manifest.items() if k not in strip
    }


def test_parser_matches_python_on_large_indices():
    rng = np.random.default_rng(5)
    n = 123_456_789
    walks = rng.integers(0, n, (300, 17))
    walks[rng.random(300) < 0.3, 9:] = PAD
    walks[:5, 1:] = PAD
    text = "".join(line + "\n" for line in reference_lines(walks)).encode()
    np.testing.assert_array_equal(_parse_lines(text, 17, n, "x", 1), walks)


def test_rewriting_a_folder_replaces_it_and_drops_stale_partitions(tmp_path):
    g = dead_end_graph()
    write_walk_folder(g, tmp_path, 4, 5, seed=0, rows_per_partition=3, progress=False)
    assert (tmp_path / "part-00010.txt").exists()
    f = write_walk_folder(g, tmp_path, 1, 5, seed=0, rows_per_partition=3, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "counts.npy",
        "manifest.json",
        "node_data.npz",
        "nodes.npy",
        "part-00000.txt",
        "part-00001.txt",
        "part-00002.txt",
    ]
    np.testing.assert_array_equal(np.concatenate(list(f)), random_walks(g, 1, 5, seed=0))


def test_a_folder_with_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(WalkFolderError, match="not empty and not a walk folder.*notes.txt"):
        write_walk_folder(dead_end_graph(), tmp_path, 1, 5, progress=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.fixture
def folder(tmp_path):
    return write_walk_folder(
        dead_end_graph(), tmp_path / "w", 6, 8, seed=2, rows_per_partition=20, progress=False
    )


def reread(folder):
    f = read_walk_folder(folder.folder)
    return np.concatenate(list(f))


def test_missing_manifest_means_incomplete(folder):
    (folder.folder / "manifest.json").unlink()
    with pytest.raises(
        WalkFolderError,
        match=r"w: incomplete walk folder \(no manifest.json\); "
        r"rerun `n2v-lite walks`",
    ):
        read_walk_folder(folder.folder)


def test_errors_are_one_line_n2v_lite_errors(folder, tmp_path):
    with pytest.raises(N2VLiteError) as info:
        read_walk_folder(tmp_path / "nowhere")
    assert "\n" not in str(info.value) and "no such walk folder" in str(info.value)


def test_missing_partition(folder):
    os.unlink(folder.paths[1])
    with pytest.raises(WalkFolderError, match="part-00001.txt: missing partition file"):
        read_walk_folder(folder.folder)


def test_truncated_partition_is_caught_by_size(folder):
    path = folder.paths[2]
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(
        WalkFolderError,
        match=rf"part-00002.txt: {size - 7} bytes, the manifest "
        rf"says {size} \(truncated",
    ):
        read_walk_folder(folder.folder)


def edit_manifest(folder, change):
    path = folder.folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_truncated_partition_without_sizes_is_caught_while_reading(folder):
    edit_manifest(folder, lambda m: [p.pop("bytes") for p in m["partitions"]])
    path = folder.paths[1]
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"\n", 0, len(data) - 1) + 1])  # one whole line less
    with pytest.raises(WalkFolderError, match="part-00001.txt: holds 19 walks .* manifest says 20"):
        reread(folder)
    path.write_bytes(data[:-1])  # the last line lost its end
    with pytest.raises(WalkFolderError, match="part-00001.txt, line 20: last line has no end"):
        reread(folder)


def test_corrupt_line_names_file_and_line(folder):
    path = folder.paths[0]
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b" ", b"  ", 1)
    path.write_bytes(b"\n".join(lines))
    edit_manifest(folder, lambda m: m["partitions"][0].pop("bytes"))
    with pytest.raises(WalkFolderError, match="part-00000.txt, line 5: not a walk line"):
        reread(folder)


def test_out_of_range_index_names_the_line(folder):
    path = folder.paths[0]
    path.write_bytes(path.read_bytes().replace(b"\n", b" 9\n", 1))
    edit_manifest(folder, lambda m: m["partitions"][0].pop("bytes"))
    with pytest.raises(
        WalkFolderError,
        match=r"part-00000.txt, line 1: node index 9 is outside "
        r"0..7",
    ):
        reread(folder)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(format="something"), "not an n2v_lite walk folder"),
        (lambda m: m.update(format_version=3), "format version 3 is not supported"),
        (lambda m: m.pop("num_nodes"), "missing or malformed 'num_nodes'"),
        (lambda m: m.update(tokens=m["tokens"] + 1), "partitions hold"),
        # values of the right type that no writer makes: refused, not trusted (a walk
        # length of 0 and negative rows trained; these two were tracebacks)
        (lambda m: m["walks"].update(walk_length=0), "malformed 'walks.walk_length'"),
        (lambda m: m.update(rows=-m["rows"]), "malformed 'rows'"),
        (lambda m: m.update(num_nodes=True), "malformed 'num_nodes'"),
        (lambda m: m.update(node_id_kind="pickle"), "malformed 'node_id_kind'"),
        (lambda m: m["walks"].update(p="x"), "malformed 'walks.p'"),
        (lambda m: m.update(node_data=[1]), "malformed 'node_data'"),
        (lambda m: m["graph"].pop("weighted"), "malformed 'graph.weighted'"),
        (lambda m: m["partitions"][0].update(bytes="1"), "malformed partition entry 0"),
    ],
)
def test_wrong_manifest(folder, change, message):
    edit_manifest(folder, change)
    with pytest.raises(WalkFolderError, match=message):
        WalkFolder(folder.folder)


def test_manifest_that_is_not_json(folder):
    (folder.folder / "manifest.json").write_text("{")
    with pytest.raises(WalkFolderError, match="manifest.json: not valid JSON"):
        WalkFolder(folder.folder)


def test_missing_counts(folder):
    (folder.folder / "counts.npy").unlink()
    with pytest.raises(WalkFolderError, match="counts.npy: missing"):
        WalkFolder(folder.folder)


# ------------------------------------------------ folders at URIs (through fsspec)
def test_a_folder_at_a_uri_holds_the_same_bytes_and_reads_back(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")  # one process's store: a name of this test's own
    g = dead_end_graph()
    write_walk_folder(g, tmp_path / "w", 4, 6, seed=3, rows_per_partition=7, progress=False)
    uri, root = f"memory://{tmp_path.name}/w", f"/{tmp_path.name}/w"
    remote = write_walk_folder(g, uri, 4, 6, seed=3, rows_per_partition=7, progress=False)
    assert str(remote.folder) == uri and remote.paths[0].uri == f"{uri}/part-00000.txt"
    names = sorted(path.rsplit("/", 1)[-1] for path in fs.ls(root, detail=False))
    assert names == sorted(path.name for path in (tmp_path / "w").iterdir())
    for name in names:  # no temporary names left, and every file as on a disk
        assert fs.cat(f"{root}/{name}") == (tmp_path / "w" / name).read_bytes(), name
    back = read_walk_folder(uri)
    np.testing.assert_array_equal(np.concatenate(list(back)), random_walks(g, 4, 6, seed=3))
    assert back.node_ids == list(g.node_ids)
    np.testing.assert_array_equal(back.node_data["degree"], node_metadata(g)["degree"])
    # rewriting drops the stale partitions and the temporary files of killed writes (not
    # other dot files); a truncated partition is named by its URI
    killed = [".part-00003.txt.4242.tmp", ".manifest.json.77.tmp", ".keep", ".x.txt.1.tmp"]
    for name in killed:
        fs.pipe(f"{root}/{name}", b"half a file")
    write_walk_folder(g, uri, 1, 6, seed=3, rows_per_partition=4, progress=False)
    names = sorted(path.rsplit("/", 1)[-1] for path in fs.ls(root, detail=False))
    assert names == sorted(
        [".keep", ".x.txt.1.tmp", "counts.npy", "manifest.json", "node_data.npz", "nodes.npy"]
        + ["part-00000.txt", "part-00001.txt"]
    )
    data = fs.cat(f"{root}/part-00001.txt")
    fs.pipe(f"{root}/part-00001.txt", data[:-3])
    with pytest.raises(
        WalkFolderError,
        match=rf"^{uri}/part-00001.txt: {len(data) - 3} bytes, the manifest says {len(data)}",
    ):
        read_walk_folder(uri)


def test_a_uri_that_cannot_be_opened_is_one_line(monkeypatch):
    from n2v_lite.exceptions import ParameterError

    pytest.importorskip("fsspec")
    with pytest.raises(
        ParameterError, match=r"^zzz://h/w: cannot open zzz:// locations \(Protocol not known"
    ):
        read_walk_folder("zzz://h/w")
    monkeypatch.setitem(__import__("sys").modules, "fsspec", None)
    with pytest.raises(
        ParameterError,
        match=r"^s3a://b/w: s3a:// locations need fsspec \(pip install 'n2v-lite\[cluster\]'\)$",
    ):
        write_walk_folder(dead_end_graph(), "s3a://b/w", 1, 5, progress=False)


def test_a_store_driver_error_of_its_own_type_is_one_line_naming_the_uri(tmp_path):
    from click.testing import CliRunner

    from n2v_lite.cli import cli
    from n2v_lite.exceptions import StorageError

    fsspec = pytest.importorskip("fsspec")
    from fsspec.implementations.memory import MemoryFileSystem

    class NoCredentialsError(Exception):  # as botocore's: not an OSError
        pass

    class Locked(MemoryFileSystem):
        protocol = "locked"

        def _refuse(self, *args, **kwargs):
            raise NoCredentialsError("Unable to locate credentials\n(more detail)")

        makedirs = exists = isdir = isfile = ls = size = _open = _refuse

    fsspec.register_implementation("locked", Locked, clobber=True)
    message = "locked://b/w: the locked:// store refused (NoCredentialsError: Unable to locate "
    with pytest.raises(StorageError, match=rf"^{re.escape(message)}credentials\)$"):
        read_walk_folder("locked://b/w")
    edges = tmp_path / "e.tsv"
    edges.write_text("0\t1\n1\t2\n")
    done = CliRunner().invoke(cli, ["walks", str(edges), "--out", "locked://b/w", "-q"])
    assert (done.exit_code, done.output) == (1, f"Error: {message}credentials)\n")


def test_cli_walks_to_a_uri_and_train_from_it_as_from_a_path(tmp_path):
    from click.testing import CliRunner

    from n2v_lite import load
    from n2v_lite.cli import cli

    pytest.importorskip("fsspec")
    edges = tmp_path / "e.tsv"
    edges.write_text("".join(f"{i}\t{(i * 7 + 3) % 30}\n" for i in range(30)))
    uri, runner = f"memory://{tmp_path.name}/walks", CliRunner()
    for out in (uri, str(tmp_path / "walks")):
        done = runner.invoke(cli, ["walks", str(edges), "--out", out, "--seed", "1", "-q"])
        assert done.output == f"wrote {out}: 300 walks, 24000 tokens, 1 partition file\n"
        model = tmp_path / f"m{len(out)}.n2v"
        done = runner.invoke(
            cli, ["train", out, "--out", str(model), "--seed", "0", "--dimensions", "8", "-q"]
        )
        assert done.exit_code == 0, done.output
    a, b = (
        load(tmp_path / f"m{len(uri)}.n2v"),
        load(tmp_path / f"m{len(str(tmp_path / 'walks'))}.n2v"),
    )
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.info["walk_folder"] == uri
    done = runner.invoke(cli, ["walks", str(edges), "--out", "memory://x/w.txt", "-q"])
    assert done.exit_code == 2 and "URIs are for walk folders" in done.output
