"""The error tree: problem formatting and exit codes."""

from __future__ import annotations

from datetime import UTC, datetime

from oco_reconcile import errors


def test_problem_renders_file_line_bracket_field_message() -> None:
    problem = errors.Problem(
        file="brackets/btc.yaml",
        line=7,
        bracket="btc-core-exit",
        field="take_profit.price",
        message="must be a positive decimal",
    )
    assert str(problem) == (
        "brackets/btc.yaml:7: bracket 'btc-core-exit': take_profit.price: "
        "must be a positive decimal"
    )


def test_problem_leaves_out_unknown_parts() -> None:
    assert str(errors.Problem(file="a.yaml", message="empty file")) == "a.yaml: empty file"


def test_input_error_keeps_every_problem() -> None:
    problems = [errors.Problem("a.yaml", "one"), errors.Problem("b.yaml", "two")]
    error = errors.InputError(problems)
    assert error.problems == tuple(problems)
    assert str(error) == "2 problems found"
    assert error.exit_code == errors.EXIT_ERROR


def test_exchange_errors_keep_code_and_message_and_endpoint() -> None:
    error = errors.RejectedError(
        "Filter failure: PRICE_FILTER",
        status=400,
        code=-1013,
        endpoint="POST /api/v3/orderList/oco",
    )
    assert (
        str(error) == "POST /api/v3/orderList/oco HTTP 400 code -1013: Filter failure: PRICE_FILTER"
    )
    assert isinstance(error, errors.ExchangeError)
    assert error.code == -1013


def test_banned_error_states_the_end_of_the_ban() -> None:
    until = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    error = errors.BannedError("IP banned", status=418, retry_after=120.0, until=until)
    assert error.until_text() == "2026-11-23 20:00:00 UTC"
    assert errors.BugError("x").exit_code == errors.EXIT_BUG
