"""The merged pull request's comment and the job summary, rendered from real ``apply --format json``
documents (render/apply_report.py), and what they say when the apply printed no such document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oco_reconcile.apply.results import ApplyResult, ChangeResult, Outcome
from oco_reconcile.commands import ci, ci_report
from oco_reconcile.core.plan import Action, Change, Plan
from oco_reconcile.render.apply_report import render_json

CONVERGED = Plan(changes=())
CREATE_B = Change(Action.CREATE, "bracket.b", "BTCUSDT", "still missing")


def _result(*outcomes: Outcome, remaining: Plan | None = CONVERGED, **kwargs: str) -> str:
    results = tuple(
        ChangeResult(Change(Action.CREATE, f"bracket.{i}", "BTCUSDT", "new"), outcome)
        for i, outcome in enumerate(outcomes)
    )
    return render_json(ApplyResult(results=results, remaining=remaining, **kwargs))  # type: ignore[arg-type]


def _heading(text: str) -> str:
    return text.splitlines()[0]


def test_a_done_converged_apply_says_so_with_each_change() -> None:
    comment = ci_report.apply_comment(_result(Outcome.DONE, Outcome.ALREADY_DONE), "desk", "0")
    assert _heading(comment) == "**oco-reconcile apply `desk`: done, converged**"
    assert "1 done, 1 already done, 0 failed, 0 held, 0 not attempted." in comment
    assert "| `bracket.0` | create | done |  |" in comment
    assert "| `bracket.1` | create | already done |  |" in comment


def test_a_failed_change_makes_the_apply_failed_and_names_the_exchange_message() -> None:
    failed = ChangeResult(CREATE_B, Outcome.FAILED, code=-2010, message="insufficient | balance")
    remaining = Plan(changes=(CREATE_B,))
    text = render_json(ApplyResult(results=(failed,), remaining=remaining))
    comment = ci_report.apply_comment(text, "desk", "1")
    assert _heading(comment) == "**oco-reconcile apply `desk`: failed, not converged**"
    assert "| `bracket.b` | create | failed | insufficient \\| balance |" in comment
    assert "Still to do: 1 change; run apply again." in comment


def test_a_held_change_makes_the_apply_held() -> None:
    comment = ci_report.apply_comment(_result(Outcome.DONE, Outcome.HELD), "desk", "0")
    assert _heading(comment) == "**oco-reconcile apply `desk`: held, converged**"


def test_a_stopped_apply_is_failed_and_says_why() -> None:
    text = _result(Outcome.DONE, Outcome.NOT_ATTEMPTED, stop_reason="banned until 12:00")
    comment = ci_report.apply_comment(text, "desk", "1")
    assert _heading(comment).startswith("**oco-reconcile apply `desk`: failed,")
    assert "Stopped: banned until 12:00." in comment


def test_a_failed_re_read_leaves_convergence_unknown() -> None:
    text = _result(Outcome.DONE, remaining=None, reread_error="could not re-read")
    assert _heading(ci_report.apply_comment(text, "desk", "1")).endswith("convergence unknown**")


def test_nothing_to_do_says_no_change_was_needed() -> None:
    assert "No change was needed." in ci_report.apply_comment(_result(), ".", "0")


def test_summary_keys_without_spaces_and_a_kind_read_the_same() -> None:
    text = _result(Outcome.DONE, Outcome.ALREADY_DONE)
    document = json.loads(text)
    document["kind"] = "apply"
    document["summary"] = {k.replace(" ", "_"): v for k, v in document["summary"].items()}
    assert ci_report.apply_comment(json.dumps(document), "desk", "0") == ci_report.apply_comment(
        text, "desk", "0"
    )


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("", "it printed no result"),
        ("  \n", "it printed no result"),
        ('{"converged": tr', "what it printed is not an `apply --format json` result"),
        ("[1, 2]", "what it printed is not an `apply --format json` result"),
        ('{"converged": true, "summary": [], "changes": []}', "not an `apply --format json`"),
        ('{"converged": "yes", "summary": {}, "changes": []}', "not an `apply --format json`"),
        ('{"summary": {"done": 1}, "changes": []}', "not an `apply --format json`"),
    ],
)
def test_no_result_document_gives_a_clear_comment(text: str, cause: str) -> None:
    comment = ci_report.apply_comment(text, "desk", "1", "https://ci/run/7")
    assert _heading(comment) == (
        "**oco-reconcile apply `desk`: failed, no result (exit 1)** ([run log](https://ci/run/7))"
    )
    assert cause in comment
    assert "Run workflow" in comment  # the documented recovery


def test_apply_comment_command_reads_the_file_the_action_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "apply.out"
    out.write_text(_result(Outcome.DONE), encoding="utf-8")
    assert ci.main(["apply-comment", str(out), "accounts/desk", "0", "https://ci/run/7"]) == 0
    assert capsys.readouterr().out.startswith("**oco-reconcile apply `accounts/desk`: done,")


@pytest.mark.parametrize("content", [None, "", "Traceback (most recent call last):\n"])
def test_apply_comment_command_on_a_missing_empty_or_odd_file_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    out = tmp_path / "apply.out"
    if content is not None:
        out.write_text(content, encoding="utf-8")
    assert ci.main(["apply-comment", str(out), "desk"]) == 0
    captured = capsys.readouterr()
    assert "failed, no result (exit ?)" in captured.out
    assert captured.err == ""


def test_the_job_summary_renders_apply_json_and_keeps_markdown() -> None:
    rendered = ci_report.summary(_result(Outcome.DONE), "oco-reconcile apply in .", "0")
    assert rendered.startswith("### oco-reconcile apply in . (exit 0)\n\n**oco-reconcile apply")
    markdown = ci_report.summary("# Plan\n\nno changes\n", "plan", "0")
    assert markdown == "### plan (exit 0)\n\n# Plan\n\nno changes\n"


def test_the_job_summary_fences_plain_text_and_marks_an_interrupted_run() -> None:
    assert ci_report.summary("a ``` b\n", "validate", "1").endswith("````\na ``` b\n````\n")
    assert ci_report.summary("", "apply", "") == "### apply (interrupted)\n\n_No output._\n"
