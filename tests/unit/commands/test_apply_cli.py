"""The ``apply`` command end to end on the built-in simulator (``exchange: sim``, a state file).

Covers the quick start (apply, then ``plan --detailed-exitcode`` exits 0), the confirmation prompt
(yes / no), ``--auto-approve``, refusal without a terminal, the production guard, stale saved
plans, partial failure and a ban (faults injected by giving the simulator a fault plan), and the
JSON output. Every refusal is checked to have changed nothing on the exchange.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome
from oco_reconcile.commands import apply as apply_command
from oco_reconcile.core.plan import Action, Change, Plan, PlanProblem
from oco_reconcile.sim.engine.records import Event
from oco_reconcile.sim.exchange import open_sim
from oco_reconcile.sim.wire.faults import FaultKind, FaultPlan, FaultRule
from oco_reconcile.venues import connect
from tests.support.cli import run_main
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
STATE = Path(".oco-reconcile/sim.json")

TWO_BTC_BRACKETS = """\
brackets:
  - name: alpha
    symbol: BTCUSDT
    side: SELL
    quantity: "0.01"
    take_profit: {price: "120000"}
    stop_loss: {stop_price: "100000", price: "99900"}
  - name: beta
    symbol: BTCUSDT
    side: SELL
    quantity: "0.02"
    take_profit: {price: "125000"}
    stop_loss: {stop_price: "98000", price: "97900"}
"""


@pytest.fixture
def small_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two brackets on one symbol, applied one after the other in name order (one request at a
    time, so scripted fault sequences hit a known bracket)."""
    settings = "exchange: sim\nowner: ocr\nmax_parallel_requests: 1\n"
    (tmp_path / "oco-reconcile.yaml").write_text(settings, encoding="utf-8")
    (tmp_path / "brackets").mkdir()
    (tmp_path / "brackets" / "btc.yaml").write_text(TWO_BTC_BRACKETS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sim_events(workdir: Path) -> list[Event]:
    path = workdir / STATE
    return open_sim(path).engine.events() if path.exists() else []


def placed(workdir: Path) -> list[str]:
    return [e.list_client_order_id or "" for e in sim_events(workdir) if e.kind == "placed"]


def answer_prompt(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A person at a terminal typing ``text``."""
    monkeypatch.setattr(apply_command, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def inject_faults(monkeypatch: pytest.MonkeyPatch, plan: FaultPlan) -> None:
    """The built-in simulator, but with ``plan``'s faults between the client and the engine."""
    original = connect.open_exchange

    @contextmanager
    def faulty(settings: Any, **kwargs: Any) -> Iterator[Any]:
        sim = open_sim(connect.sim_state_path(settings), faults=plan, sleep=lambda _: None)
        kwargs.pop("transport", None)  # the command's own simulator, replaced by the faulty one
        with original(settings, transport=sim.transport(), **kwargs) as exchange:
            yield exchange

    monkeypatch.setattr(connect, "open_exchange", faulty)


# --- the quick start ---------------------------------------------------------------------------


def test_quick_start_apply_then_plan_shows_no_changes(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--detailed-exitcode"]) == 2
    capsys.readouterr()
    assert run_main(["apply", "--auto-approve"]) == 0
    out = capsys.readouterr().out
    assert "Plan: 4 to place, 0 to replace, 0 to cancel." in out  # 3 Spot, 1 futures
    assert "Apply: 4 done, 0 already done, 0 failed, 0 held, 0 not attempted." in out
    assert "Converged: the exchange matches the desired state." in out
    assert len(placed(example_repo)) == 3
    assert run_main(["plan", "--detailed-exitcode"]) == 0


def test_apply_twice_changes_nothing_the_second_time(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve"]) == 0
    capsys.readouterr()
    assert run_main(["apply", "--auto-approve"]) == 0
    assert "No changes." in capsys.readouterr().out
    assert len(placed(example_repo)) == 3


# --- confirmation ------------------------------------------------------------------------------


def test_confirmation_yes_applies(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_prompt(monkeypatch, "yes\n")
    assert run_main(["apply"]) == 0
    out = capsys.readouterr().out
    assert "Apply these 4 changes to sim? Only 'yes' will be accepted: " in out
    assert len(placed(example_repo)) == 3


def test_confirmation_no_changes_nothing(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_prompt(monkeypatch, "n\n")
    assert run_main(["apply"]) == 1
    captured = capsys.readouterr()
    assert "Plan: 4 to place" in captured.out  # the plan was shown before asking
    assert "apply cancelled ('n' is not 'yes'): nothing was changed" in captured.err
    assert placed(example_repo) == []


def test_without_a_terminal_and_without_auto_approve_apply_refuses(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_command, "stdin_is_terminal", lambda: False)
    assert run_main(["apply"]) == 1
    assert "pass --auto-approve" in capsys.readouterr().err
    assert placed(example_repo) == []


# --- production guard --------------------------------------------------------------------------


def test_production_needs_confirm_production_in_the_settings(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = example_repo / "oco-reconcile.yaml"
    settings.write_text(
        settings.read_text().replace("exchange: sim ", "exchange: production "),
        encoding="utf-8",
    )
    # exit 1 (not a blocked network connection, which would be an internal error): refused first
    assert run_main(["apply", "--auto-approve"]) == 1
    assert "confirm_production: true" in capsys.readouterr().err


def test_a_production_base_url_is_guarded_too(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve", "--base-url", "https://api.binance.com"]) == 1
    assert "confirm_production: true" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    ["https://API.binance.com:443", "https://api1.binance.com/", "https://api-gcp.binance.com"],
)
def test_every_spelling_of_a_production_host_is_guarded(
    example_repo: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """Decided by host (urls.is_production_url), not by comparing the URL's text."""
    assert run_main(["apply", "--auto-approve", "--base-url", url]) == 1
    assert "confirm_production: true" in capsys.readouterr().err


def test_a_production_url_in_the_settings_is_guarded(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = example_repo / "oco-reconcile.yaml"
    settings.write_text(
        settings.read_text().replace("exchange: sim ", "exchange: https://api3.binance.com "),
        encoding="utf-8",
    )
    assert run_main(["apply", "--auto-approve"]) == 1
    assert "confirm_production: true" in capsys.readouterr().err


def test_production_off_a_terminal_needs_auto_approve(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = example_repo / "oco-reconcile.yaml"
    text = settings.read_text().replace("exchange: sim ", "exchange: production ")
    settings.write_text(text + "confirm_production: true\n", encoding="utf-8")
    monkeypatch.setattr(apply_command, "stdin_is_terminal", lambda: False)
    assert run_main(["apply"]) == 1
    assert "pass --auto-approve" in capsys.readouterr().err


# --- saved plans -------------------------------------------------------------------------------


def test_saved_plan_is_applied_exactly(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    assert run_main(["apply", "--plan", "saved.json", "--auto-approve"]) == 0
    assert "Converged" in capsys.readouterr().out
    assert len(placed(example_repo)) == 3


def test_stale_plan_is_refused_when_the_live_state_changed(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    assert run_main(["apply", "--auto-approve"]) == 0  # someone applied in between
    before = sim_events(example_repo)
    capsys.readouterr()
    assert run_main(["apply", "--plan", "saved.json", "--auto-approve"]) == 1
    err = capsys.readouterr().err
    assert "stale" in err
    assert "live order lists changed" in err
    assert sim_events(example_repo) == before


def test_stale_plan_is_refused_when_the_desired_files_changed(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    btc = example_repo / "brackets" / "btc.yaml"
    btc.write_text(btc.read_text().replace('quantity: "0.05"', 'quantity: "0.04"'), "utf-8")
    assert run_main(["apply", "--plan", "saved.json", "--auto-approve"]) == 1
    assert "desired brackets or settings changed" in capsys.readouterr().err
    assert placed(example_repo) == []


def test_stale_plan_with_on_stale_replan_plans_again_and_applies(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["plan", "--out", "saved.json"]) == 0
    btc = example_repo / "brackets" / "btc.yaml"
    btc.write_text(btc.read_text().replace('quantity: "0.05"', 'quantity: "0.04"'), "utf-8")
    argv = ["apply", "--plan", "saved.json", "--on-stale", "replan", "--auto-approve"]
    assert run_main(argv) == 0
    captured = capsys.readouterr()
    assert "is stale" in captured.err
    assert "planning again from the current files and live state (--on-stale replan)." in (
        captured.err
    )
    assert "Converged" in captured.out
    assert len(placed(example_repo)) == 3
    assert run_main(["plan", "--detailed-exitcode"]) == 0


def _as_older_format(saved: Path) -> None:
    document = json.loads(saved.read_text(encoding="utf-8"))
    document["format_version"] = 2  # what the release before plan format 3 wrote
    saved.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("on_stale", ["fail", "replan"])
def test_a_plan_saved_by_an_older_version_is_refused_naming_its_format(
    example_repo: Path, capsys: pytest.CaptureFixture[str], on_stale: str
) -> None:
    """Even with replan: its selection (the targets reviewed) is not read from an old format."""
    assert run_main(["plan", "--out", "saved.json"]) == 0
    _as_older_format(example_repo / "saved.json")
    capsys.readouterr()
    argv = ["apply", "--plan", "saved.json", "--on-stale", on_stale, "--auto-approve"]
    assert run_main(argv) == 1
    err = capsys.readouterr().err
    assert "saved.json: unsupported plan format_version 2 (expected 3)" in err
    assert "make the plan again with this version's `plan --out`" in err
    assert placed(example_repo) == []


# --- failures ----------------------------------------------------------------------------------


def test_partial_failure_reports_every_change_and_exits_1(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first three placements fail before the engine sees them: alpha gives up, beta lands
    plan = FaultPlan(
        rules=(FaultRule(FaultKind.HTTP_5XX, "POST /api/v3/orderList/oco", sequence=(True,) * 3),)
    )
    inject_faults(monkeypatch, plan)
    assert run_main(["apply", "--auto-approve"]) == 1
    out = capsys.readouterr().out
    assert "+ bracket.alpha (BTCUSDT): failed - not placed after 3 attempts [-1001 " in out
    assert "+ bracket.beta (BTCUSDT): done - placed" in out
    assert "Not succeeded:" in out
    assert "Not converged: 1 change remains:\n  + bracket.alpha (BTCUSDT)" in out
    assert len(placed(small_repo)) == 1


def test_lost_answers_after_commit_never_duplicate(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = FaultPlan(
        rules=(FaultRule(FaultKind.DROP, "POST /api/v3/orderList/oco", after=True, probability=1),)
    )
    inject_faults(monkeypatch, plan)
    assert run_main(["apply", "--auto-approve"]) == 0
    assert "confirmed by lookup" in capsys.readouterr().out
    assert sorted(placed(small_repo)) == sorted(set(placed(small_repo)))
    assert len(placed(small_repo)) == 2


def test_a_ban_stops_the_run_and_names_its_end(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = FaultPlan(
        rules=(FaultRule(FaultKind.BAN, "POST /api/v3/orderList/oco", sequence=(True,)),)
    )
    inject_faults(monkeypatch, plan)
    assert run_main(["apply", "--auto-approve"]) == 1
    out = capsys.readouterr().out
    assert "Stopped: banned by the exchange until 20" in out
    assert "UTC" in out
    assert "not attempted" in out
    assert "Convergence unknown: could not re-read the live state" in out
    assert placed(small_repo) == []


# --- machine output ----------------------------------------------------------------------------


def test_json_output_is_one_document_on_stdout(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["apply", "--auto-approve", "--format", "json"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["format_version"] == 2
    assert document["succeeded"] is True
    assert document["converged"] is True
    assert document["summary"]["done"] == 4
    assert {c["outcome"] for c in document["changes"]} == {"done"}
    assert document["plan"]["summary"]["place"] == 4
    assert document["remaining"] == []
    assert "Plan: 4 to place" in captured.err  # the human view went to stderr


def test_unknown_format_is_refused(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["apply", "--auto-approve", "--format", "yaml"]) == 1
    assert "unknown --format 'yaml'" in capsys.readouterr().err
    assert placed(example_repo) == []


# --- convergence decides the exit code ---------------------------------------------------------


def test_an_apply_whose_re_read_fails_exits_1(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every change done, but the final read is banned: convergence is unknown, so not success."""
    reads = FaultRule(FaultKind.BAN, "GET /api/v3/openOrderList", sequence=(False, True))
    inject_faults(monkeypatch, FaultPlan(rules=(reads,)))
    assert run_main(["apply", "--auto-approve"]) == 1
    out = capsys.readouterr().out
    assert "Apply: 2 done" in out
    assert "Convergence unknown" in out
    assert len(placed(small_repo)) == 2


def _result_with_remaining(remaining: Plan | None, error: str | None = None) -> ApplyResult:
    done = ChangeResult(Change(Action.CREATE, "bracket.a", "BTCUSDT", "new"), Outcome.DONE)
    return ApplyResult(results=(done,), remaining=remaining, reread_error=error)


def test_only_a_converged_successful_apply_exits_0() -> None:
    converged = Plan(changes=())
    diff = Plan(changes=(Change(Action.CREATE, "bracket.b", "BTCUSDT", "still missing"),))
    errors = Plan(changes=(), problems=(PlanProblem(address="bracket.b", message="no balance"),))
    assert apply_command.exit_code_of(_result_with_remaining(converged)) == 0
    assert apply_command.exit_code_of(_result_with_remaining(diff)) == 1
    assert apply_command.exit_code_of(_result_with_remaining(errors)) == 1
    assert apply_command.exit_code_of(_result_with_remaining(None, "could not re-read")) == 1
