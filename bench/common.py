"""Shared helpers: the machine line, repetitions with medians, and plain-text tables."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines() -> list[str]:
    import oco_reconcile

    return [
        f"machine: {cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"python:  {sys.version.split()[0]} ({sys.executable})",
        f"oco-reconcile {oco_reconcile.__version__}, started {time.strftime('%Y-%m-%d %H:%M:%S')}",
    ]


def _cpu_loop() -> int:
    return sum(index * index for index in range(1_000_000))


def reference_lines(reps: int = 5) -> list[str]:
    """Two machine references, to scale the absolute figures: a bare Python start-up and a
    fixed pure-Python loop (both medians)."""
    import subprocess

    command = [sys.executable, "-c", "pass"]
    start = median([timed(lambda: subprocess.run(command, check=True))[0] for _ in range(reps)])
    loop = median([timed(_cpu_loop)[0] for _ in range(reps)])
    return [
        f"reference: `python -c pass` {ms(start)}, a 1e6-step pure-Python loop {ms(loop)} "
        "(medians; scale the absolute figures by these on another machine)"
    ]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def repeat(times: int, run: Callable[[], T]) -> list[T]:
    return [run() for _ in range(times)]


def timed(run: Callable[[], T]) -> tuple[float, T]:
    """Wall time of ``run`` (``time.perf_counter``) and its result."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def secs(seconds: float, places: int = 2) -> str:
    return f"{seconds:.{places}f} s"


def ratio(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def verdict(value: float, limit: float) -> str:
    return met(value <= limit)


@dataclass
class Table:
    """A titled table of strings, printed with aligned columns."""

    title: str
    headers: Sequence[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def render(self) -> str:
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        line = "  ".join("-" * w for w in widths)
        out = [f"## {self.title}", "", self._line(self.headers, widths), line]
        out += [self._line(row, widths) for row in self.rows]
        out += [f"  {note}" for note in self.notes]
        return "\n".join(out) + "\n"

    @staticmethod
    def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
        return "  ".join(
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()
