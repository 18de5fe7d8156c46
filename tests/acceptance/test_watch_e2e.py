"""``watch`` end to end: the CLI against ``sim serve`` (its HTTP API and its user data streams),
with ``sim price`` moving the market from another process, as a trader would in two terminals.

Checked: a futures trigger and a Spot fill are each reported (naming the bracket) soon after the
price moves; the orphan is cancelled with exactly one cancel request; SIGINT exits 130; the
``--apply`` mode heals a list cancelled by hand; no key, secret or listen key is printed."""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from oco_reconcile.sim.wire.keys import SIM_API_KEY, SIM_API_SECRET
from tests.support.paths import REPO_ROOT
from tests.support.sim_process import CLI, ServedSim, served_sim

WAIT_S = 20.0  # generous: the suite shares 2 cores; the figures live in bench/watch_bench.py
NO_FAULTS = "seed: 1\nfaults: []\n"


@dataclass
class Watching:
    process: subprocess.Popen[str]
    records: queue.Queue[dict[str, object]] = field(default_factory=queue.Queue)
    seen: list[dict[str, object]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    def wait_for(self, wanted: Callable[[dict[str, object]], bool]) -> dict[str, object]:
        for record in self.seen:
            if wanted(record):
                return record
        while True:
            record = self.records.get(timeout=WAIT_S)
            self.seen.append(record)
            if wanted(record):
                return record

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=WAIT_S)
        assert self.process.stderr is not None
        return self.process.returncode, self.process.stderr.read()


def _read(watching: Watching) -> None:
    assert watching.process.stdout is not None
    for line in watching.process.stdout:
        watching.raw.append(line)
        watching.records.put(json.loads(line))


@pytest.fixture
def account(tmp_path: Path) -> Path:
    """The example repository, with its own copy of brackets and settings."""
    shutil.copytree(REPO_ROOT / "brackets", tmp_path / "brackets")
    shutil.copy(REPO_ROOT / "oco-reconcile.yaml", tmp_path / "oco-reconcile.yaml")
    return tmp_path


@pytest.fixture
def served(account: Path) -> Iterator[ServedSim]:
    with served_sim(account, NO_FAULTS, "--verbose") as sim:
        apply_examples(account, sim)
        yield sim


def apply_examples(account: Path, sim: ServedSim) -> None:
    assert sim.stream_url
    applied = subprocess.run(
        [str(CLI), "apply", "--auto-approve", "--base-url", sim.url],
        cwd=account,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr


def start_watch(account: Path, sim: ServedSim, *extra: str) -> Watching:
    command = [str(CLI), "watch", "--format", "json", "--base-url", sim.url]
    command += ["--stream-url", sim.stream_url, "--interval", "30", *extra]
    process = subprocess.Popen(
        command, cwd=account, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watching = Watching(process)
    threading.Thread(target=_read, args=(watching,), daemon=True).start()
    for market in ("spot", "usdm"):
        watching.wait_for(_stream_of(market))
    watching.wait_for(lambda r: r["type"] == "plan")
    return watching


def _stream_of(market: str) -> Callable[[dict[str, object]], bool]:
    return lambda record: record["type"] == "stream" and record["market"] == market


def sim_price(sim: ServedSim, account: Path, price: str) -> None:
    command = [str(CLI), "sim", "price", "BTCUSDT", price, "--mark", price]
    moved = subprocess.run(
        [*command, "--state", str(sim.state)],
        cwd=account,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert moved.returncode == 0, moved.stderr


def cancel_requests(sim: ServedSim) -> int:
    """``DELETE /fapi/v1/algoOrder`` requests in the server's log so far (stop it first)."""
    assert sim.process.stderr is not None
    return sim.process.stderr.read().count('"DELETE /fapi/v1/algoOrder')


@pytest.mark.parametrize("mode", [(), ("--apply",)], ids=["watch", "watch-apply"])
def test_a_trigger_and_fills_are_reported_and_the_orphan_cancelled_once(
    account: Path, served: ServedSim, mode: tuple[str, ...]
) -> None:
    """With ``--apply`` the Spot fills' re-plan runs beside the fast path's cancel: still one."""
    watching = start_watch(account, served, *mode)
    sim_price(served, account, "94000")  # below every stop: the futures SL and the Spot SLs fire
    fired = watching.wait_for(
        lambda r: r["type"] == "event" and r["market"] == "usdm" and r["kind"] == "filled"
    )
    assert fired["bracket"] == "btc-perp-exit"
    assert fired["leg"] == "stop-loss"
    orphan = watching.wait_for(lambda r: r["type"] == "orphan_cancel")
    assert (orphan["bracket"], orphan["leg"], orphan["outcome"]) == (
        "btc-perp-exit",
        "take-profit",
        "done",
    )
    spot = watching.wait_for(lambda r: r["type"] == "event" and r["market"] == "spot")
    assert spot["bracket"] in {"btc-core-exit", "btc-full-form"}
    watching.wait_for(lambda r: r["type"] == "plan" and r["why"] == "after an event")
    code, err = watching.stop()
    assert code == 130
    assert "Stopped watching" in err
    _no_secret(served, watching.raw, err)
    served.process.send_signal(signal.SIGINT)
    served.process.wait(timeout=WAIT_S)
    assert cancel_requests(served) == 1
    assert sum(1 for r in watching.seen if r["type"] == "orphan_cancel") == 1


def test_apply_heals_a_list_cancelled_by_hand(account: Path, served: ServedSim) -> None:
    watching = start_watch(account, served, "--apply")
    listed = _signed(served, "GET", "/api/v3/openOrderList")
    victim = next(item for item in listed.json() if "btc-core-exit" in item["listClientOrderId"])
    gone = _signed(
        served,
        "DELETE",
        "/api/v3/orderList",
        symbol="BTCUSDT",
        listClientOrderId=victim["listClientOrderId"],
    )
    assert gone.status_code == 200, gone.text
    applied = watching.wait_for(lambda r: r["type"] == "apply")
    result = applied["result"]
    assert isinstance(result, dict)
    assert result.get("converged") is True, result
    placed = watching.wait_for(
        lambda r: r["type"] == "event" and r["kind"] == "placed" and r["bracket"] == "btc-core-exit"
    )
    assert placed["market"] == "spot"
    code, err = watching.stop()
    assert code == 130, err
    reopened = _signed(served, "GET", "/api/v3/openOrderList").json()
    assert any(item["listClientOrderId"] == victim["listClientOrderId"] for item in reopened)


def _signed(sim: ServedSim, method: str, path: str, **params: str) -> httpx.Response:
    import hashlib
    import hmac
    import time
    from urllib.parse import urlencode

    query = urlencode({**params, "timestamp": str(int(time.time() * 1000))})
    signature = hmac.new(SIM_API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    url = f"{sim.url}{path}?{query}&signature={signature}"
    return httpx.request(method, url, headers={"X-MBX-APIKEY": SIM_API_KEY}, timeout=10)


def _no_secret(sim: ServedSim, out: list[str], err: str) -> None:
    key = httpx.post(
        f"{sim.url}/fapi/v1/listenKey", headers={"X-MBX-APIKEY": SIM_API_KEY}, timeout=10
    )
    assert key.status_code == 200, key.text
    text = "".join(out) + err
    for secret in (SIM_API_SECRET, SIM_API_KEY, key.json()["listenKey"]):
        assert secret not in text


DROP_FIRST_FUTURES_EVENT = """\
seed: 1
faults:
  - {endpoint: "WS /ws", kind: drop, probability: 1, times: 1}
"""


def test_a_dropped_stream_reconnects_and_the_re_plan_finds_what_it_missed(
    account: Path,
) -> None:
    with served_sim(account, DROP_FIRST_FUTURES_EVENT) as sim:
        apply_examples(account, sim)
        watching = start_watch(account, sim)
        sim_price(sim, account, "94000")
        lost = watching.wait_for(lambda r: r["type"] == "stream" and r["state"] == "disconnected")
        assert lost["market"] == "usdm"
        watching.wait_for(lambda r: r["type"] == "stream" and r["state"] == "reconnected")
        replan = watching.wait_for(
            lambda r: r["type"] == "plan" and r["why"] == "after a reconnect"
        )
        assert replan["changes"] == 1  # the orphan the lost trigger would have cancelled
        assert "ocr-btc-perp-exit" in json.dumps(replan["plan"])
        assert not any(r["type"] == "orphan_cancel" for r in watching.seen)
        code, _ = watching.stop()
    assert code == 130


def test_in_process_sim_sees_sim_price_from_another_process(account: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CLI), *args], cwd=account, capture_output=True, text=True, timeout=60, check=False
        )

    assert run("apply", "--auto-approve").returncode == 0
    process = subprocess.Popen(
        [str(CLI), "watch", "--format", "json", "--max-events", "1"],
        cwd=account,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watching = Watching(process)
    threading.Thread(target=_read, args=(watching,), daemon=True).start()
    watching.wait_for(_stream_of("usdm"))
    watching.wait_for(_stream_of("spot"))
    watching.wait_for(lambda r: r["type"] == "plan")
    assert run("sim", "price", "BTCUSDT", "94000", "--mark", "94000").returncode == 0
    event = watching.wait_for(lambda r: r["type"] == "event")
    assert event["bracket"] in {"btc-perp-exit", "btc-core-exit", "btc-full-form"}
    assert process.wait(timeout=WAIT_S) == 0  # --max-events 1: stops after the event's re-plan


def test_sigterm_stops_watch_with_143(account: Path) -> None:
    process = subprocess.Popen(
        [str(CLI), "watch", "--format", "json"],
        cwd=account,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watching = Watching(process)
    threading.Thread(target=_read, args=(watching,), daemon=True).start()
    watching.wait_for(lambda r: r["type"] == "plan")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT_S) == 143
    assert process.stderr is not None
    assert "Stopped watching (interrupted by SIGTERM)" in process.stderr.read()


SHUT_DOWN_THE_SPOT_STREAM = """\
seed: 1
faults:
  - {endpoint: "WS /ws-api/v3", kind: server_shutdown, probability: 1, times: 1}
"""


def test_a_spot_server_shutdown_reconnects_and_re_plans(account: Path) -> None:
    with served_sim(account, SHUT_DOWN_THE_SPOT_STREAM) as sim:
        apply_examples(account, sim)
        watching = start_watch(account, sim)
        sim_price(sim, account, "94000")
        lost = watching.wait_for(lambda r: r["type"] == "stream" and r["state"] == "disconnected")
        assert lost["market"] == "spot"
        assert "serverShutdown" in str(lost["detail"])
        assert lost["retry_in_s"] == 0  # another server is ready: reconnect at once
        again = watching.wait_for(lambda r: r["type"] == "stream" and r["state"] == "reconnected")
        assert again["market"] == "spot"
        replan = watching.wait_for(
            lambda r: r["type"] == "plan" and r["why"] == "after a reconnect"
        )
        assert "btc-core-exit" in json.dumps(replan["plan"])  # the fill it missed, read over REST
        code, _ = watching.stop()
    assert code == 130


def test_on_a_terminal_a_status_line_names_the_connected_venues(account: Path) -> None:
    import os
    import pty

    master, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(CLI), "watch", "--interval", "30"],
        cwd=account,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    connected = "watching spot, usdm · last event: none yet · next re-plan in".encode()
    shown = _read_terminal_until(master, connected)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=WAIT_S) == 130
    shown += _read_terminal_until(master, b"Stopped watching")
    os.close(master)
    assert connected in shown
    assert b"Stopped watching (interrupted by SIGINT)" in shown


def _read_terminal_until(master: int, wanted: bytes) -> bytes:
    import os
    import select
    import time

    seen = b""
    deadline = time.monotonic() + WAIT_S
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:  # the other end closed
                break
    return seen
