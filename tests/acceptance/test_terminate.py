"""SIGTERM (what CI sends to a cancelled job) outside apply's execute phase: a message and 143.

apply's execute phase has its own handling (tests/acceptance/test_apply_interrupt.py). Anywhere
else nothing is being sent, so the command stops where it is, says so, and exits 128 + 15; it
never dies silently or with a traceback. Shown on a ``plan`` whose reads the simulator slows
down (``sim serve`` itself stops cleanly on SIGTERM, with its own message).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sim_process import CLI, served_sim

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals")

SLOW_READS = """\
faults:
  - {kind: latency, endpoint: "*", probability: 1, latency_ms: 3000}
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with served_sim(tmp_path, SLOW_READS, "--verbose") as sim:
        yield sim.process, sim.url


def _wait_for_request(process: subprocess.Popen[str], request: str) -> None:
    """Block until the server logged ``request`` (``--verbose`` logs each one on stderr)."""
    assert process.stderr is not None
    for line in process.stderr:
        if request in line:
            return
    pytest.fail(f"the server never logged {request}")


def _terminated(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=20)
    return process.returncode, err


def test_sigterm_during_a_plan_read_says_so_and_exits_143(
    server: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    _, url = server
    workdir = tmp_path / "repo"
    (workdir / "brackets").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}
    plan = subprocess.Popen(
        [str(CLI), "plan", "--base-url", url],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_request(server[0], "GET /api/v3/")  # the plan is reading; every read is slow
    code, err = _terminated(plan)
    assert code == 143, err
    assert "Terminated." in err
    assert "Traceback" not in err
