"""The venues one command talks to: Spot always, USDⓈ-M futures when the run reads it.

:func:`open_venues` connects both (for ``exchange: sim`` one simulated account serves both, over
one in-process transport), each behind its own read pacer; :func:`read_state` reads both at once
into one :class:`~oco_reconcile.core.live.LiveState` (its ``usdm`` part None when futures are not
read). Which venues a run reads is ``Settings.reads_usdm`` (the ``markets`` setting).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from oco_reconcile.apply.reads import PacedReads, paced_reads
from oco_reconcile.apply.usdm_reads import PacedFuturesReads, paced_futures_reads
from oco_reconcile.core.desired import Desired
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import AlgoOrder

if TYPE_CHECKING:
    import httpx

    from oco_reconcile.apply.executor import FuturesVenue  # apply's; plan never loads it
    from oco_reconcile.venues.protocol import Exchange
    from oco_reconcile.venues.usdm.protocol import FuturesExchange


@dataclass(frozen=True)
class Venues:
    """The connected venues: raw clients (for apply's own pacing) and their paced readers."""

    spot: Exchange
    spot_reads: PacedReads
    futures: FuturesExchange | None = None
    futures_reads: PacedFuturesReads | None = None

    def futures_venue(self, history: Mapping[str, AlgoOrder]) -> FuturesVenue | None:
        if self.futures is None or self.futures_reads is None:
            return None
        from oco_reconcile.apply.executor import FuturesVenue

        return FuturesVenue(self.futures, self.futures_reads.pacer, history)


@contextmanager
def open_venues(
    settings: Settings,
    desired: Desired,
    *,
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Venues]:
    """Spot, and futures when ``settings.reads_usdm`` says so, connected for one command."""
    from oco_reconcile.venues.connect import open_exchange, open_futures

    with ExitStack() as stack:
        if transport is None and base_url is None and settings.exchange == "sim":
            transport = _one_sim(settings)
        spot = stack.enter_context(open_exchange(settings, base_url=base_url, transport=transport))
        venues = Venues(spot, paced_reads(spot))
        if settings.reads_usdm(bool(desired.futures)):
            futures = stack.enter_context(
                open_futures(settings, base_url=base_url, transport=transport)
            )
            venues = replace(venues, futures=futures, futures_reads=paced_futures_reads(futures))
        yield venues


def _one_sim(settings: Settings) -> httpx.BaseTransport:
    """One simulated account answering both ``/api`` and ``/fapi``."""
    from oco_reconcile.sim.exchange import open_sim
    from oco_reconcile.venues.connect import sim_state_path

    return open_sim(sim_state_path(settings)).transport()


def read_state(venues: Venues, desired: Desired, settings: Settings) -> LiveState:
    """Both venues' live state, read at the same time."""
    from oco_reconcile.venues.spot.live import read_live
    from oco_reconcile.venues.usdm.live import read_futures_live

    futures_reads = venues.futures_reads
    if futures_reads is None:
        return read_live(venues.spot_reads, desired.spot, settings)
    with ThreadPoolExecutor(max_workers=2) as pool:
        spot = pool.submit(read_live, venues.spot_reads, desired.spot, settings)
        usdm = pool.submit(read_futures_live, futures_reads, desired.futures, settings)
        return replace(spot.result(), usdm=usdm.result())
