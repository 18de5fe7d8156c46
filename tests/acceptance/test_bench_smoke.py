"""The benchmark scripts still run: ``bench/run.py --quick`` prints every table with every row.

No timing is asserted (speed is what bench/ reports, not what tests check). What is asserted is
what must hold at any speed: every configured row is there, the tool got no 429 in plan or apply,
and every apply change succeeded.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from types import ModuleType

import pytest

from tests.support.paths import REPO_ROOT

BENCH = REPO_ROOT / "bench"


def _bench_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tables(output: str) -> dict[str, list[dict[str, str]]]:
    """Title -> rows (header -> cell) of every ``## title`` table in the output."""
    tables: dict[str, list[dict[str, str]]] = {}
    for block in output.split("\n## ")[1:]:
        lines = block.splitlines()
        title, header_line = lines[0], lines[2]
        assert set(lines[3].replace(" ", "")) == {"-"}, f"no rule under the header of {title}"
        headers = re.split(r"\s{2,}", header_line.strip())
        rows = []
        for line in lines[4:]:
            if not line.strip() or line.startswith("  "):
                break  # notes (indented) or the blank line end the rows
            cells = re.split(r"\s{2,}", line.strip())
            assert len(cells) == len(headers), f"{title}: {line!r}"
            rows.append(dict(zip(headers, cells, strict=True)))
        tables[title] = rows
    return tables


def _find(tables: dict[str, list[dict[str, str]]], prefix: str) -> list[dict[str, str]]:
    matches = [rows for title, rows in tables.items() if title.startswith(prefix)]
    assert len(matches) == 1, f"expected one table titled {prefix!r}, got {list(tables)}"
    return matches[0]


@pytest.fixture(scope="module")
def quick_run() -> str:
    completed = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_quick_run_prints_the_machine_and_settings(quick_run: str) -> None:
    assert re.search(r"^machine: .+, \d+ cores", quick_run, re.MULTILINE)
    assert re.search(r"^python:  3\.\d+", quick_run, re.MULTILINE)
    assert "ORDERS 100/10 s" in quick_run
    assert re.search(r"^total: \d+ s$", quick_run, re.MULTILINE)


def test_plan_tables_have_every_row_and_no_429(quick_run: str) -> None:
    config = _bench_runner().QUICK.plan
    tables = _tables(quick_run)
    missing = _find(tables, "plan, nothing missing")
    expected = len(config.sizes) * len(config.symbol_counts) * len(config.rtts_ms)
    assert len(missing) == expected
    assert {row["RTT"] for row in missing} == {f"{rtt} ms" for rtt in config.rtts_ms}
    empty = _find(tables, "plan, nothing open")
    assert len(empty) == len(config.sizes) * len(config.symbol_counts)
    for row in missing + empty:
        assert row["429s"] == "0"
        assert int(row["weight"]) > 0


def test_plan_as_a_process_has_every_size_and_no_429(quick_run: str) -> None:
    config = _bench_runner().QUICK.process
    rows = _find(_tables(quick_run), "plan as a process")
    assert [row["brackets"] for row in rows] == [f"{size:,}" for size in config.sizes]
    assert {row["429s"] for row in rows} == {"0"}
    assert {row["goal"] for row in rows} == {"600 ms"}


def test_apply_tables_have_every_row_all_done_and_no_429(quick_run: str) -> None:
    config = _bench_runner().QUICK.apply
    tables = _tables(quick_run)
    apply_rows = _find(tables, "apply at")
    widths = 2 if config.what_if_in_flight else 1
    assert len(apply_rows) == widths * (len(config.placements) + len(config.replacements))
    assert {row["in flight"] for row in apply_rows} == {"64", "32"}
    for row in apply_rows:
        assert row["429s"] == "0"
        assert row["done"] == f"{row['OCOs']}/{row['OCOs']}"
    goals = {row["changes"]: row["goal"] for row in apply_rows}
    assert goals["20 placements"] == "0.080 s"  # issue 17: 1 RTT + 0.03 s at 50 ms
    versus = _find(tables, "the same placements")
    assert len(versus) == 2 * len(config.sdk_placements)
    ours = [row for row in versus if row["client"] == "oco-reconcile apply"]
    assert [row["429s"] for row in ours] == ["0"] * len(config.sdk_placements)
    assert [row["placed"] for row in ours] == [str(n) for n in config.sdk_placements]


def test_local_table_has_every_measure(quick_run: str) -> None:
    rows = _find(_tables(quick_run), "local:")
    measures = [row["measure"] for row in rows]
    assert measures[0] == "oco-reconcile --help"
    assert sum(1 for m in measures if m.startswith("validate")) == 3
    assert measures[-1].startswith("planner ")


def test_watch_tables_have_every_trigger_and_six_samples(quick_run: str) -> None:
    config = _bench_runner().QUICK.watch
    tables = _tables(quick_run)
    (latency,) = _find(tables, "watch: trigger arrival")
    assert latency["triggers"] == str(config.triggers)
    assert latency["cancelled"] == str(config.triggers)
    assert latency["failed"] == "0"
    (memory,) = _find(tables, "watch: memory over")
    assert len(memory["samples (KiB)"].split()) == 6
    assert int(memory["re-plans"]) >= config.hours * 3600 / config.interval_s


def test_validate_table_has_the_start_up_row_and_every_size(quick_run: str) -> None:
    config = _bench_runner().QUICK.validate
    rows = _find(_tables(quick_run), "validate as a process")
    assert [row["brackets"] for row in rows] == ["3 (start-up)"] + [
        f"{size:,}" for size in config.sizes
    ]
    for row in rows:
        assert row["verdict"] in {"met", "MISSED"}
        assert float(row["ratio"]) > 0


def test_growth_tables_have_every_size_and_no_429(quick_run: str) -> None:
    config = _bench_runner().QUICK.growth
    tables = _tables(quick_run)
    planner = _find(tables, "growth: the pure planner")
    assert [row["N"] for row in planner] == [f"{n:,}" for n in config.planner_sizes]
    plan = _find(tables, "growth: plan in process")
    assert [row["N"] for row in plan] == [f"{n:,}" for n in config.plan_sizes]
    assert all(row["429s"] == "0" and int(row["weight"]) > 0 for row in plan)
