"""The names defined outside the selected files: read from the repository's other bracket files
(names only), and an input error when a file's names cannot all be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from oco_reconcile.errors import InputError
from oco_reconcile.inputs import desired
from oco_reconcile.inputs.outside import names_outside, repository_brackets_dir
from tests.support.bracket_files import bracket_yaml, write


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "oco-reconcile.yaml", "exchange: sim\n")
    write(tmp_path, "brackets/a.yaml", bracket_yaml(name="alpha"))
    write(tmp_path, "brackets/sub/b.yaml", bracket_yaml(name="bravo"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_repository_directory_is_beside_the_settings_file(tmp_path: Path) -> None:
    assert repository_brackets_dir(tmp_path / "oco-reconcile.yaml") == tmp_path / "brackets"
    assert repository_brackets_dir(None) == Path("brackets")


def test_no_path_selects_everything(repo: Path) -> None:
    assert desired.load_selected([]).outside == {}


def test_a_selected_file_leaves_the_others_names_outside(repo: Path) -> None:
    loaded = desired.load_selected([Path("brackets/a.yaml")])
    assert [b.name for b in loaded.brackets] == ["alpha"]
    assert loaded.outside == {"bravo": str(Path("brackets/sub/b.yaml"))}


def test_a_file_outside_the_repository_leaves_every_repository_name_outside(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = write(tmp_path_factory.mktemp("x"), "c.yaml", bracket_yaml(name="charlie"))
    assert set(desired.load_selected([elsewhere]).outside) == {"alpha", "bravo"}


def test_other_files_are_read_for_names_only(repo: Path) -> None:
    write(repo, "brackets/sub/b.yaml", bracket_yaml(name="bravo", quantity="-1"))
    assert desired.load_selected([Path("brackets/a.yaml")]).outside == {
        "bravo": str(Path("brackets/sub/b.yaml"))
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("brackets: [\n", "leave this file's brackets alone"),
        ("other: 1\n", "no 'brackets' list"),
        ("brackets:\n  - symbol: BTCUSDT\n", "brackets[0] has no name"),
    ],
)
def test_a_file_whose_names_cannot_be_read_is_an_error(
    repo: Path, text: str, expected: str
) -> None:
    write(repo, "brackets/sub/b.yaml", text)
    with pytest.raises(InputError) as raised:
        desired.load_selected([Path("brackets/a.yaml")])
    [problem] = raised.value.problems
    assert problem.file == str(Path("brackets/sub/b.yaml"))
    assert expected in problem.message


def test_an_empty_file_outside_defines_nothing(repo: Path) -> None:
    write(repo, "brackets/sub/b.yaml", "")
    assert names_outside(Path("oco-reconcile.yaml"), [Path("brackets/a.yaml")]) == ({}, [])
