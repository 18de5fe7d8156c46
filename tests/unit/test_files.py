"""The one bounded read: a file over its bound, an endless device, an unreadable path."""

from __future__ import annotations

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


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_device_ends_at_the_bound() -> None:
    with pytest.raises(FileReadError) as refused:
        read_bounded(Path("/dev/zero"), 64 * 1024)
    assert refused.value.reason == "larger than 64 KiB"


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
