"""Bounded, safe YAML: hostile input is one clear problem with a line, and nothing executes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.core.model import Leg, LegType
from oco_reconcile.errors import InputError
from oco_reconcile.inputs import desired, yamldoc
from tests.support.bracket_files import DEFAULTS, bracket_yaml, load_text, problems_of

# --- YAML-level hostility -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("brackets: !!set {a, b}\n", 1, "YAML tag '!!set' is not allowed"),
        ("brackets: !!binary aGVsbG8=\n", 1, "YAML tag '!!binary' is not allowed"),
        ("brackets: !local [1]\n", 1, "YAML tag '!local' is not allowed"),
        (
            "x-a: 1\nbrackets:\n  - !!python/name:os.system\n",
            3,
            "'!!python/name:os.system' is not allowed",
        ),
        ("brackets: []\nbrackets: []\n", 2, "duplicate key (first at line 1)"),
        ("brackets: &a [*a]\n", 1, "an alias refers to itself"),
        ("brackets: []\n? [1]\n: 2\n", 2, "mapping keys must be plain text"),
        ('brackets: []\nx: "\x07"\n', 2, "unacceptable character #x0007"),
        ("brackets: *nope\n", 1, "found undefined alias"),
        ("brackets: [\n", 2, "invalid YAML"),
        ("\tbrackets: []\n", 1, "invalid YAML"),
        ("brackets: []\nx: !!bool maybe\n", 2, "not a valid boolean"),
        ("brackets: []\nx: !!int abc\n", 2, "not a valid integer"),
        ("---\n---\nbrackets: []\n", 2, "more than one YAML document"),
        ("brackets: " + "[" * 100 + "]" * 100 + "\n", 1, "nested deeper than 40 levels"),
        ("brackets: [" + "1," * 60_000 + "1]\n", 1, "more than 50000 values"),
        ("just a string\n", 1, "expected a mapping with a 'brackets' list, found a string"),
        ("brackets: 5\n", 1, "brackets: must be a list, not an integer"),
        ("{}\n", 1, "brackets: required field is missing"),
    ],
)
def test_hostile_yaml_is_one_clear_problem(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([path], DEFAULTS)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(path), line)
    assert message in str(problem)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "~\n"])
def test_empty_files_are_an_error(tmp_path: Path, text: str) -> None:
    (problem,) = problems_of(tmp_path, text)
    assert problem.message == "empty file: expected a mapping with a 'brackets' list"


def test_a_file_over_one_mebibyte_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("brackets: []\n# " + "x" * yamldoc.MAX_FILE_BYTES + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([path], DEFAULTS)
    assert str(raised.value.problems[0]) == f"{path}: file is larger than 1024 KiB"


def test_non_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(b"brackets:\n  - name: caf\xe9\n")
    with pytest.raises(InputError) as raised:
        desired.load_brackets([path], DEFAULTS)
    assert (
        str(raised.value.problems[0])
        == f"{path}:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + bracket_yaml().encode())
    assert len(desired.load_brackets([path], DEFAULTS)) == 1


def test_alias_bomb_is_rejected_with_a_line(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    levels.append("brackets: *i")  # 10**9 strings if expanded
    (problem,) = problems_of(tmp_path, "\n".join(levels) + "\n")
    assert problem.line is not None
    assert "alias bomb" in problem.message


def test_anchors_merge_keys_and_x_fields_work(tmp_path: Path) -> None:
    brackets = load_text(
        tmp_path,
        """\
        x-btc-sell: &btc-sell
          symbol: BTCUSDT
          side: SELL
          quantity: "0.01"
        x-stop: &stop {stop_price: "98000"}
        brackets:
          - <<: *btc-sell
            name: one
            take_profit: {price: "125000"}
            stop_loss: *stop
          - <<: *btc-sell
            name: two
            quantity: "0.02"
            take_profit: {price: "126000"}
            stop_loss: *stop
        """,
    )
    assert [(b.name, b.symbol, b.quantity) for b in brackets] == [
        ("one", "BTCUSDT", Decimal("0.01")),
        ("two", "BTCUSDT", Decimal("0.02")),
    ]
    assert (
        brackets[0].below
        == brackets[1].below
        == Leg(LegType.STOP_LOSS, stop_price=Decimal("98000"))
    )


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = bracket_yaml().replace(
        "symbol: BTCUSDT", f"symbol: !!python/object/apply:os.system ['touch {marker}']"
    )
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "symbol"
    assert "is not allowed" in problem.message
    assert not marker.exists()


# --- read_document on its own ---------------------------------------------------------------------


def test_read_document_keeps_plain_values_and_the_line_of_every_key(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("# c\na: 0.1\nb:\n  - x\n  - 010\nc: {d: yes}\n", encoding="utf-8")
    doc = yamldoc.read_document(path, display="shown.yaml")
    assert doc.file == "shown.yaml"
    assert doc.data == {"a": Decimal("0.1"), "b": ["x", 8], "c": {"d": True}}
    assert isinstance(doc.data, dict)
    assert doc.data["b"][1].text == "010"
    assert (doc.lines[("a",)], doc.lines[("b", 1)], doc.lines[("c", "d")]) == (2, 5, 6)
    assert doc.issues == []


def test_read_document_records_value_level_issues_and_raises_for_unreadable_files(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("a: 1\na: 2\nb: !!set {x}\n", encoding="utf-8")
    doc = yamldoc.read_document(path)
    assert [(issue.path, issue.line) for issue in doc.issues] == [(("a",), 2), (("b",), 3)]
    assert doc.blocked(("b", "x"))
    path.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        yamldoc.read_document(path)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(path), 2)


def test_an_empty_document_is_marked_empty(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("# nothing\n", encoding="utf-8")
    assert yamldoc.read_document(path).empty
