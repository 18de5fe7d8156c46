"""Bad simulator inputs get one clear line, never a traceback or a hang (issue 13, "Inputs"): a
state file that is not a state (a JSON list, an order id that does not exist, garbage, too large, a
FIFO), garbage written into it while ``sim serve`` runs, the files ``sim serve`` reads (public key,
fault plan), and a port already in use."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from oco_reconcile.sim.engine import store
from oco_reconcile.sim.exchange import open_sim
from oco_reconcile.sim.wire.server import start_server, stop_server
from tests.support.cli import run_main
from tests.support.fake_time import FakeTime
from tests.support.sim_api import SIM_START, Api

pytestmark = pytest.mark.timeout(30)  # a FIFO that is opened blocks: fail instead of hanging
RESET_HINT = "(`oco-reconcile sim reset` starts afresh)"


def _placed_state(path: Path) -> dict[str, object]:
    clock = FakeTime(SIM_START)
    sim = open_sim(path, clock=clock.clock_ms)
    with httpx.Client(base_url="http://sim.local", transport=sim.transport()) as http:
        assert Api(http, clock).place().status_code == 200
    data: dict[str, object] = json.loads(path.read_text())
    return data


def _with_missing_order(path: Path) -> str:
    data = _placed_state(path)
    orders = data["orders"]
    assert isinstance(orders, list)
    data["orders"] = orders[1:]
    path.write_text(json.dumps(data))
    return "order list 1 names order 1, which does not exist"


def _with_bad_decimal(path: Path) -> str:
    data = _placed_state(path)
    data["prices"] = {"BTCUSDT": "lots"}
    path.write_text(json.dumps(data))
    return "malformed (InvalidOperation"


BROKEN_STATES = {
    "a JSON list": (lambda p: p.write_text("[1, 2]") and "expected a JSON object, found a list"),
    "binary": (lambda p: p.write_bytes(b"\x00\xff\xfe garbage") and "not UTF-8 text"),
    "deep nesting": (lambda p: p.write_text("[" * 100_000) and "malformed (RecursionError"),
    "a missing key": (lambda p: p.write_text('{"format": 1}') and "missing 'counters'"),
    "a missing order": _with_missing_order,
    "a bad decimal": _with_bad_decimal,
}


@pytest.mark.parametrize("case", sorted(BROKEN_STATES))
def test_a_broken_state_file_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path = tmp_path / "sim.json"
    reason = BROKEN_STATES[case](path)
    assert run_main(["sim", "status", "--state", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: cannot read the simulator state {path}: {reason}")
    assert err.rstrip().endswith(RESET_HINT)
    assert err.count("\n") == 1


def test_a_state_file_over_its_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    _placed_state(path)
    monkeypatch.setattr(store, "MAX_STATE_BYTES", 1024)
    assert run_main(["sim", "status", "--state", str(path)]) == 1
    assert f"{path}: larger than 1 KiB" in capsys.readouterr().err


def test_a_fifo_as_the_state_file_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    os.mkfifo(path)
    assert run_main(["sim", "status", "--state", str(path)]) == 1
    assert f"{path}: not a regular file (a FIFO)" in capsys.readouterr().err


def test_sim_reset_starts_afresh_from_a_broken_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.json"
    path.write_text("[]")
    assert run_main(["sim", "reset", "--state", str(path)]) == 0
    assert run_main(["sim", "status", "--state", str(path)]) == 0
    assert "Open order lists: 0" in capsys.readouterr().out


# --- sim serve -------------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = tmp_path / "sim.json"
    server, url = start_server(open_sim(path))
    try:
        yield path, url
    finally:
        stop_server(server)


def test_garbage_in_the_state_file_while_serving_is_answered_at_once(
    served: tuple[Path, str], capfd: pytest.CaptureFixture[str]
) -> None:
    path, url = served
    with httpx.Client(base_url=url, timeout=10) as http:
        assert http.get("/api/v3/time").status_code == 200
        path.write_text("garbage, not JSON")
        for _ in range(3):  # every request is answered; none kills the connection
            response = http.get("/api/v3/exchangeInfo")
            assert response.status_code == 500
            message = response.json()["msg"]
            assert f"cannot read the simulator state {path}: not JSON" in message
        open_sim(path, fresh=True)  # `sim reset` from another terminal
        assert http.get("/api/v3/exchangeInfo").status_code == 200
    assert "Traceback" not in capfd.readouterr().err


# --- the files and the port sim serve uses -----------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("option", ["--public-key", "--faults"])
def test_sim_serve_refuses_an_endless_input_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    key = ["--api-key", "k"] if option == "--public-key" else []
    argv = ["sim", "serve", "--port", "0", "--state", str(tmp_path / "s.json"), *key]
    assert run_main([*argv, option, "/dev/zero"]) == 1
    err = capsys.readouterr().err
    assert "/dev/zero: not a regular file (a character device)" in err
    assert "Traceback" not in err


def test_sim_serve_on_a_port_in_use_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["sim", "serve", "--port", str(port), "--state", str(tmp_path / "s.json")]
        assert run_main(argv) == 1
    err = capsys.readouterr().err
    assert err == f"Error: cannot listen on 127.0.0.1:{port}: the port is in use\n"
