"""File-system faults end in one line naming the path, the old file intact and no temporary
file left: a full disk (patched writer, and a real 64 KiB tmpfs where mounting is allowed), a
read-only folder, ``--out`` under ``/proc`` or under a regular file, and special files (a FIFO,
a device node, ``/dev/full``) given as the output, which are refused rather than replaced.
Run folders: claimed race-free, locked against a second process, removed after a failed start."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from seqrnn.errors import OutputError
from seqrnn.io import atomic
from seqrnn.io.atomic import atomic_write, atomic_write_text, check_replaceable
from seqrnn.io.checkpoint import Checkpoint, save_checkpoint
from seqrnn.io.runs import lock_run_dir, new_run_dir, remove_failed_run

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path = tmp_path / "out.txt"
    path.write_text("previous result\n")
    return path


# ---- full disk ----------------------------------------------------------------------------------


def _raise_enospc(tmp: Path) -> None:
    with open(tmp, "w") as fh:
        fh.write("half a result")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_writing_keeps_the_old_file(old):
    with pytest.raises(OutputError) as info:
        atomic_write(old, _raise_enospc)
    assert str(info.value) == f"{old}: cannot write (No space left on device)"
    assert old.read_text() == "previous result\n" and _leftovers(old.parent) == []


def test_a_full_disk_at_fsync_keeps_the_old_file(old, monkeypatch):
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(ENOSPC))
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write_text(old, "new result\n")
    assert old.read_text() == "previous result\n" and _leftovers(old.parent) == []


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EDQUOT])
def test_a_refused_temporary_file_is_one_error(old, monkeypatch, code):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match=rf"^{old}: cannot write \({os.strerror(code)}\)$"):
        atomic_write_text(old, "new result\n")
    assert old.read_text() == "previous result\n"


@contextlib.contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_real_full_disk_keeps_the_old_checkpoint(tmp_path):
    with _tmpfs(tmp_path / "small", "size=64k") as small:
        path = small / "c.safetensors"
        save_checkpoint(path, Checkpoint({"w": torch.zeros(10)}, {"kind": "t"}))
        before = path.read_bytes()
        with pytest.raises(OutputError, match=rf"^{path}: cannot write \(No space left"):
            atomic_write_text(path, "x" * 200_000)
        assert path.read_bytes() == before and _leftovers(small) == []


def test_a_real_full_disk_through_the_cli(tmp_path, run_cli, one_line_error):
    with _tmpfs(tmp_path / "small", "size=16k") as small:
        log = tmp_path / "a.log"
        log.write_text("".join(f"Receiving block blk_{i} from host{i}\n" for i in range(3000)))
        r = run_cli(["parse", log, "--out", small / "p", "--session-regex", r"blk_\d+"])
        one_line_error(r, str(small / "p"), "No space left on device")
        assert not any(p.name.endswith(".tmp") for p in small.rglob("*"))


def test_a_read_only_folder(tmp_path, run_cli, one_line_error):
    with _tmpfs(tmp_path / "ro", "ro,size=16k") as ro:
        with pytest.raises(OutputError, match="Read-only file system"):
            atomic_write_text(ro / "x.txt", "x")
        log = tmp_path / "a.log"
        log.write_text("one\ntwo\n")
        r = run_cli(["parse", log, "--out", ro / "p", "--window-lines", "2"])
        one_line_error(r, str(ro / "p"), "Read-only file system")


# ---- bad places for --out -------------------------------------------------------------------


def test_out_under_proc(tmp_path, run_cli, one_line_error, markov_model):
    log = tmp_path / "a.log"
    log.write_text("Receiving block blk_1\n")
    r = run_cli(["parse", log, "--out", "/proc/seqrnn-test", "--session-regex", r"blk_\d+"])
    one_line_error(r, "/proc/seqrnn-test")
    r = run_cli(["detect", markov_model, log, "--out", "/proc/seqrnn-test/r"])
    one_line_error(r)


def test_out_under_a_regular_file(tmp_path, run_cli, one_line_error, old):
    from seqrnn.data.samples import sample_path

    train = sample_path("hdfs", "train_normal.txt")
    out = old / "m.safetensors"
    r = run_cli(["baseline", "markov", "--train", train, "--out", out])
    one_line_error(r, str(out), "Not a directory")
    r = run_cli(["parse", train, "--out", old, "--window-lines", "5"])
    one_line_error(r, str(old), "is a file")  # click's own check of a folder option
    assert old.read_text() == "previous result\n"


# ---- special files as outputs -----------------------------------------------------------------


@pytest.fixture
def guard_replace(monkeypatch):
    """Fail the test, rather than let it happen, if a special file would be replaced."""
    real = os.replace

    def guarded(src, dst, *a, **kw):
        if os.path.exists(dst) and not stat.S_ISREG(os.stat(dst).st_mode):
            raise AssertionError(f"would replace the special file {dst}")
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(atomic.os, "replace", guarded)


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def _device(tmp_path: Path) -> Path:
    path = tmp_path / "full"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # a second /dev/full
    except PermissionError:
        pytest.skip("mknod is not permitted here")
    return path


def _dev_full(_: Path) -> Path:
    if not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full here")
    return Path("/dev/full")


@pytest.mark.parametrize("make", [_fifo, _device, _dev_full])
def test_a_special_file_as_out_is_refused_not_replaced(
    tmp_path, run_cli, one_line_error, guard_replace, make
):
    from seqrnn.data.samples import sample_path

    target = make(tmp_path)
    mode = os.stat(target).st_mode
    train = sample_path("hdfs", "train_normal.txt")
    r = run_cli(["baseline", "markov", "--train", train, "--out", target])
    one_line_error(r, str(target), "not a regular file; seqrnn will not replace it")
    assert os.stat(target).st_mode == mode and _leftovers(target.parent) == []


def test_check_replaceable_names_the_kind(tmp_path):
    with pytest.raises(OutputError, match="is a character device"):
        check_replaceable("/dev/null")
    with pytest.raises(OutputError, match="is a folder"):
        check_replaceable(tmp_path)
    check_replaceable(tmp_path / "absent")  # absent or regular: fine


# ---- run folders --------------------------------------------------------------------------------


def test_simultaneous_run_folders_never_collide(tmp_path):
    n, barrier, got, errors = 50, threading.Barrier(50), [], []

    def claim():
        barrier.wait()
        try:
            got.append(new_run_dir(tmp_path, "same"))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(got)) == n
    assert {p.name for p in got} == {"same", *(f"same-{i}" for i in range(2, n + 1))}


def test_a_folder_taken_between_check_and_create_is_skipped(tmp_path, monkeypatch):
    """Deterministic form of the race: every ``exists`` check says "free" (another process
    creates the folder just after), yet the claim moves on to the next free name."""
    (tmp_path / "same").mkdir()
    (tmp_path / "same-2").mkdir()
    monkeypatch.setattr(Path, "exists", lambda self, **kw: False)
    assert new_run_dir(tmp_path, "same") == tmp_path / "same-3"


def test_a_run_root_that_is_a_file_is_one_error(old):
    with pytest.raises(OutputError, match="exists and is not a folder"):
        new_run_dir(old, "x")


def test_a_locked_run_is_refused_with_the_holder_pid(tmp_path):
    run = new_run_dir(tmp_path, "r")
    with lock_run_dir(run):
        with pytest.raises(OutputError) as info, lock_run_dir(run):
            pass
        assert str(info.value) == f"{run}: in use by another seqrnn process (pid {os.getpid()})"
    with lock_run_dir(run):  # released on exit
        pass


def test_another_process_holding_the_run_is_refused(tmp_path):
    run = new_run_dir(tmp_path, "r")
    code = (
        "import sys; from seqrnn.io.runs import lock_run_dir\n"
        f"with lock_run_dir({str(run)!r}):\n    print('held', flush=True); sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(
                OutputError, match=rf"in use by another seqrnn process \(pid {holder.pid}\)"
            ),
            lock_run_dir(run),
        ):
            pass
    finally:
        holder.communicate("", timeout=30)
    with lock_run_dir(run):  # the holder exited: free again
        pass


def test_remove_failed_run(tmp_path):
    failed = new_run_dir(tmp_path, "failed")
    (failed / "config.json").write_text("{}")
    with lock_run_dir(failed):
        pass
    assert remove_failed_run(failed) and not failed.exists()
    kept = new_run_dir(tmp_path, "kept")
    (kept / "config.json").write_text("{}")
    (kept / "last.safetensors").write_bytes(b"x")
    assert not remove_failed_run(kept) and (kept / "last.safetensors").exists()
    assert not remove_failed_run(tmp_path / "absent")


def test_a_fifo_inside_the_report_folder_is_refused_not_blocked_on(
    tmp_path, run_cli, one_line_error, markov_model
):
    """pandas would open the FIFO and wait forever for a reader; the report refuses it."""
    from seqrnn.data.samples import sample_path

    report = tmp_path / "report"
    report.mkdir()
    fifo = report / "verdicts.csv"
    os.mkfifo(fifo)
    r = run_cli(["detect", markov_model, sample_path("hdfs", "test_abnormal.txt"), "--out", report])
    one_line_error(r, str(fifo), "is a FIFO, not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
