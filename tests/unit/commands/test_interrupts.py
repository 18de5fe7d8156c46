"""The signal edge of ``apply``: the first SIGINT / SIGTERM sets the stop token, a second exits at
once naming what may be unprotected, and the previous handlers come back afterwards."""

from __future__ import annotations

import os
import signal

import pytest

from oco_reconcile.apply.stop import StopToken
from oco_reconcile.commands.interrupts import Interrupts, stop_on_signals


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_the_first_signal_sets_the_token_and_the_exit_code(
    signum: signal.Signals, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    before = signal.getsignal(signum)
    with stop_on_signals(StopToken()) as seen:
        signal.raise_signal(signum)
        assert seen.token.is_set
        assert seen.token.reason == f"interrupted by {signum.name}"
        assert seen.exit_code == code
    assert signal.getsignal(signum) is before
    assert "starting nothing new" in capsys.readouterr().err


def test_no_signal_no_exit_code() -> None:
    with stop_on_signals(StopToken()) as seen:
        pass
    assert seen.exit_code is None
    assert not seen.token.is_set


class ExitedError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def test_a_second_signal_exits_at_once_naming_the_exposed_brackets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exit_now(code: int) -> None:
        raise ExitedError(code)

    monkeypatch.setattr(os, "_exit", exit_now)
    seen = Interrupts(StopToken())
    seen.handle(signal.SIGINT, None)
    with seen.token.exposed("bracket.btc-core"), pytest.raises(ExitedError) as exited:
        seen.handle(signal.SIGINT, None)
    assert exited.value.code == 130
    err = capsys.readouterr().err
    assert "exiting at once" in err
    assert "bracket.btc-core" in err
