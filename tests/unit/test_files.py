"""The one bounded read: a file over its bound, an endless device, an unreadable path, and every
path that is not a regular file (refused before it is opened: a FIFO would block forever)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oco_reconcile.files import FileReadError, describe_size, read_bounded


def test_a_file_within_the_bound_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_bounded(path, 10) == b"x" * 10


def test_a_file_over_the_bound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 11)
    with pytest.raises(FileReadError) as refused:
        read_bounded(path, 10)
    assert refused.value.too_large
    assert refused.value.reason == "larger than 10 bytes"


@pytest.mark.timeout(10)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_device_is_refused_unread() -> None:
    with pytest.raises(FileReadError) as refused:
        read_bounded(Path("/dev/zero"), 64 * 1024)
    assert refused.value.reason == "not a regular file (a character device)"


@pytest.mark.timeout(10)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "brackets.yaml"
    os.mkfifo(fifo)
    with pytest.raises(FileReadError) as refused:
        read_bounded(fifo, 10)
    assert refused.value.reason == "not a regular file (a FIFO)"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileReadError) as refused:
        read_bounded(tmp_path, 10)
    assert refused.value.reason == "not a regular file (a directory)"


def test_a_dangling_symlink_says_so(tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(FileReadError) as refused:
        read_bounded(link, 10)
    assert refused.value.reason == "a dangling symbolic link (its target does not exist)"


def test_a_symlink_loop_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    with pytest.raises(FileReadError) as refused:
        read_bounded(tmp_path / "a.yaml", 10)
    assert refused.value.reason == "a symbolic link loop"


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_bytes(b"data")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert read_bounded(tmp_path / "link.yaml", 10) == b"data"


def test_a_missing_file_names_the_reason(tmp_path: Path) -> None:
    with pytest.raises(FileReadError) as refused:
        read_bounded(tmp_path / "missing", 10)
    assert not refused.value.too_large
    assert refused.value.reason == "No such file or directory"


def test_sizes_read_as_people_read_them() -> None:
    assert [describe_size(n) for n in (1024 * 1024, 65536, 1000)] == [
        "1 MiB",
        "64 KiB",
        "1000 bytes",
    ]
