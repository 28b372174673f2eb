"""Writing outputs under pressure: two runs on one --out, a full disk, an --out that is a file, and a killed
`--jobs` run; each leaves the previous outputs intact and ends in one line (exit status 2) or cleans up after itself."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import api, cli, config
from analysis.io.files import lock_path
from analysis.io.synthetic import synthetic_articles
from analysis.io.tables import read_table
from analysis.text.decode import read_text

from .conftest import ARTICLE, ROOT, run_cli

SHORT = "國產晶片的突圍\n\n這是一篇很好的新聞。我們非常高興!\n\n第二節\n\n兩彈一星的精神仍在;市場不好。\n"


def _files(folder: Path) -> dict[str, bytes]:
    """Every file below folder (relative path → bytes), hidden ones included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A folder with the outputs of an earlier run (tables), figures and reading-view pages of the demo article."""
    d = tmp_path_factory.mktemp("previous")
    for args in (["run", str(ARTICLE), "--out", str(d / "tables")],
                 ["figures", "--data", str(d / "tables"), "--out", str(d / "figures")],
                 ["html", "--data", str(d / "tables"), "--out", str(d / "pages")]):
        r = run_cli(*args)
        assert r.returncode == 0, r.stderr
    return d


# --- Item 9: two runs writing the same --out at once. ---

HOLD = """
import pathlib, sys, time
import analysis.batch.run as run
analyse = run._analyse_corpus
def wait_then_analyse(*args, **kwargs):  # holds the lock (and its temporary folder) until the file GO exists
    while not pathlib.Path(sys.argv[1]).exists():
        time.sleep(0.05)
    return analyse(*args, **kwargs)
run._analyse_corpus = wait_then_analyse
from analysis.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_second_run_on_the_same_out_is_refused_and_the_first_completes(tmp_path):
    (tmp_path / "a.txt").write_text(SHORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SHORT.replace("很好", "很糟"), encoding="utf-8")
    out, go = tmp_path / "out", tmp_path / "GO"
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(go), "run", "a.txt", "--out", "out"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.tmp-*")):  # the first run holds the lock and is writing
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        assert lock_path(out).read_text(encoding="ascii").strip() == str(first.pid)
        second = run_cli("run", "b.txt", "--out", "out", cwd=tmp_path)
        line = _one_line(second.stderr)
        assert second.returncode == 2 and f"process {first.pid}" in line and "--out" in line
        assert list(tmp_path.glob(f".out.tmp-{first.pid}-*"))  # the first run's temporary folder is untouched
    finally:
        go.touch()
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert read_table(out / "documents.csv")["document"].tolist() == ["a"]
    assert "很好" in (out / "sentences.csv").read_text(encoding="utf-8")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder, no lock file
    # Once the first run is done, the folder is free again.
    assert run_cli("run", "b.txt", "--out", "out", cwd=tmp_path).returncode == 0
    assert "很糟" in (out / "sentences.csv").read_text(encoding="utf-8")


def test_only_temporary_folders_of_processes_that_are_gone_are_removed(tmp_path):
    (tmp_path / "a.txt").write_text(SHORT, encoding="utf-8")
    live = tmp_path / f".out.tmp-{os.getpid()}-abc"  # e.g. a run of an older version, without the lock
    dead = tmp_path / f".out.tmp-{_dead_pid()}-def"
    legacy = tmp_path / ".out.tmp-k2j4h5g6"  # named before folders carried their owner's pid
    for d in (live, dead, legacy):
        d.mkdir()
        (d / "documents.csv").write_text("partial", encoding="utf-8")
    r = run_cli("run", "a.txt", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert live.exists() and (live / "documents.csv").read_text(encoding="utf-8") == "partial"
    assert not dead.exists() and not legacy.exists()


# --- Item 10: a full disk or a file over the size limit while writing. ---

def _limited(limit: int):
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # writes beyond `limit` bytes fail with EFBIG
    return preexec


@pytest.mark.parametrize("command", ["run", "figures", "html"])
def test_a_file_over_the_size_limit_is_one_line_and_the_previous_outputs_stay(previous, tmp_path, command):
    folder = {"run": "tables", "figures": "figures", "html": "pages"}[command]
    out = tmp_path / folder
    shutil.copytree(previous / folder, out)
    before = _files(out)
    args = {"run": ["run", str(ARTICLE)], "figures": ["figures", "--data", str(previous / "tables")],
            "html": ["html", "--data", str(previous / "tables")]}[command]
    # 4 kB: the scorer's cache and the modules' bytecode exist already (the fixture's runs); every output is larger.
    r = subprocess.run([sys.executable, "-m", "analysis", *args, "--out", str(out)], cwd=ROOT, capture_output=True,
                       text=True, timeout=900, preexec_fn=_limited(4000),
                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    line = _one_line(r.stderr)
    assert r.returncode == 2
    assert line == f"error: cannot write the outputs to {out}: File too large; choose another --out"
    assert _files(out) == before  # nothing replaced, no temporary folder inside
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # none beside it, no lock file


@pytest.mark.parametrize("command", ["run", "figures", "html"])
def test_a_full_disk_is_one_line_and_the_previous_outputs_stay(previous, tmp_path, command, monkeypatch, capsys):
    import matplotlib.figure

    from analysis.batch.spool import Spool

    folder = {"run": "tables", "figures": "figures", "html": "pages"}[command]
    out = tmp_path / folder
    shutil.copytree(previous / folder, out)
    before = _files(out)
    calls = []

    def full(real):
        def write(*args, **kwargs):
            calls.append(1)
            if len(calls) > 1:  # the first write succeeds, then the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args, **kwargs)
        return write

    if command == "run":
        monkeypatch.setattr(Spool, "write", full(Spool.write))
        args = ["run", str(ARTICLE)]
    elif command == "figures":
        monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full(matplotlib.figure.Figure.savefig))
        args = ["figures", "--data", str(previous / "tables")]
    else:
        import analysis.present.html as rv

        def opener(path, mode="r", *args, **kwargs):  # files opened for writing by reading_view fail to write
            f = open(path, mode, *args, **kwargs)
            if "w" in mode:
                f.write = full(f.write)
                calls.append(1)  # not even the first write succeeds
            return f

        monkeypatch.setattr(rv, "open", opener, raising=False)
        args = ["html", "--data", str(previous / "tables")]
    capsys.readouterr()
    assert cli.main([*args, "--out", str(out)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line == (f"error: cannot write the outputs to {out}: No space left on device; free space or choose "
                    "another --out")
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]


def test_save_outputs_on_a_full_disk_raises_one_line_and_keeps_earlier_files(tmp_path, monkeypatch):
    from analysis.errors import AnalysisError

    (tmp_path / "t.csv").write_text("old", encoding="utf-8")

    def full(df, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(api, "write_csv", full)
    with pytest.raises(AnalysisError, match="No space left on device; free space or choose another output folder"):
        api.save_outputs(tmp_path, {"t": pd.DataFrame({"a": [1]})})
    assert _files(tmp_path) == {"t.csv": b"old"}


# --- Item 12 (part): an --out that is a file. ---

def test_an_out_that_is_a_file_is_one_line_for_figures_html_and_save_outputs(previous, tmp_path):
    from analysis.errors import AnalysisError

    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")
    for command in ("figures", "html"):
        r = run_cli(command, "--data", str(previous / "tables"), "--out", str(taken))
        assert r.returncode == 2 and "--out" in _one_line(r.stderr) and "not a folder" in r.stderr
        r = run_cli(command, "--data", str(previous / "tables"), "--out", str(taken / "below"))
        assert r.returncode == 2 and "--out" in _one_line(r.stderr)
    with pytest.raises(AnalysisError, match="not a folder"):
        api.save_outputs(taken, {"t": pd.DataFrame({"a": [1]})})
    assert taken.read_text(encoding="utf-8") == "mine" and sorted(tmp_path.iterdir()) == [taken]


# --- Item 14: kill -9 of the main process of a --jobs run. ---

def _descendants(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text(encoding="ascii", errors="replace")
                                                 .rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p} - found
        found |= kids
        todo += kids
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited already (its new parent reaps it)


#: The command as run from a process with another thread (a notebook kernel): its workers start fresh (forkserver).
WITH_A_THREAD = """
import sys, threading
from analysis.cli import main
if __name__ == "__main__":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the worker processes")
@pytest.mark.parametrize("start", ["forked", "fresh"])
def test_workers_exit_when_the_main_process_is_killed(previous, tmp_path, start):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for a in synthetic_articles(read_text(config.DEMO_ARTICLE), 300, seed=5):
        (corpus / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(previous / "tables", out)
    before = _files(out)
    command = ["-m", "analysis"] if start == "forked" else ["-c", WITH_A_THREAD]
    main = subprocess.Popen([sys.executable, *command, "run", "corpus", "--out", "out", "--jobs", "2"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while True:  # mid-run: the workers started and some results already spooled
            workers = _descendants(main.pid)
            spools = list(tmp_path.glob(".out.tmp-*/.rows.spool"))
            if len(workers) >= 2 and spools and spools[0].stat().st_size > 0:
                break
            assert main.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.05)
        workers = _descendants(main.pid)  # with fresh workers: also the forkserver and resource tracker
        main.send_signal(signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 10
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _running(w)], "worker processes outlived the killed main process"
    finally:
        main.kill()
        for w in workers:
            if _running(w):
                os.kill(w, signal.SIGKILL)
    assert _files(out) == before  # the previous outputs are intact
    # The next run removes the killed run's temporary folder (its owner is gone) and completes.
    (corpus / "extra.txt").write_text(SHORT, encoding="utf-8")
    r = run_cli("run", str(corpus / "extra.txt"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
