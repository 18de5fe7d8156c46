"""``sim serve`` as a real process on a free loopback port, for tests that signal the tool."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CLI = Path(sys.executable).parent / "oco-reconcile"


@dataclass(frozen=True)
class ServedSim:
    url: str
    state: Path
    process: subprocess.Popen[str]
    stream_url: str = ""  # ws://127.0.0.1:PORT, the user data streams' base URL


@contextmanager
def served_sim(directory: Path, faults: str, *extra: str) -> Iterator[ServedSim]:
    """``sim serve --port 0`` with the fault plan ``faults`` (YAML text), state in ``directory``;
    stopped with SIGINT (killed if it does not stop) on the way out."""
    state = directory / "sim.json"
    fault_file = directory / "faults.yaml"
    fault_file.write_text(faults, encoding="utf-8")
    command = [str(CLI), "sim", "serve", "--port", "0", "--state", str(state)]
    server = subprocess.Popen(
        [*command, "--faults", str(fault_file), *extra],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert found, banner + (server.stderr.read() if server.stderr else "")
        streams = re.search(r"ws://127\.0\.0\.1:\d+", banner)
        yield ServedSim(found.group(0), state, server, streams.group(0) if streams else "")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
