"""Settings values: what ``oco-reconcile.yaml`` and the environment decide, as frozen data.

Pure values (no I/O); :mod:`oco_reconcile.inputs.settings` reads them from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from oco_reconcile.core.usdm.model import Market

DEFAULT_OWNER = "ocr"
DEFAULT_RECV_WINDOW_MS = 5000
# apply's cancels and placements in flight at once, at most and by default: the pacer, not the
# worker count, keeps the rate limits, and 64 lets 50 replacements (100 requests, each placement
# after its cancel) run in 2 waves of round trips instead of 4 (issue 17, bench/apply_bench.py).
MAX_PARALLEL_REQUESTS = 64


@dataclass(frozen=True)
class CredentialNames:
    """Names of the environment variables holding the credentials (docs/file-formats.md
    "Settings")."""

    api_key_env: str = "BINANCE_API_KEY"
    api_secret_env: str = "BINANCE_API_SECRET"  # noqa: S105 - a variable name
    private_key_file_env: str = "BINANCE_PRIVATE_KEY_FILE"
    private_key_passphrase_env: str = "BINANCE_PRIVATE_KEY_PASSPHRASE"  # noqa: S105


@dataclass(frozen=True)
class Guardrails:
    """Optional plan-time limits; None disables a rule."""

    max_notional: Decimal | None = None
    max_total_notional: Decimal | None = None
    max_distance_pct: Decimal | None = None
    symbols: frozenset[str] | None = None


@dataclass(frozen=True)
class Settings:
    exchange: str = "sim"
    owner: str = DEFAULT_OWNER
    prune: bool = True
    allow_empty: bool = False
    confirm_production: bool = False
    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS
    credentials: CredentialNames = field(default_factory=CredentialNames)
    guardrails: Guardrails = field(default_factory=Guardrails)
    sim_state: str = ".oco-reconcile/sim.json"
    max_parallel_symbols: int = 16
    max_parallel_requests: int = MAX_PARALLEL_REQUESTS
    # Venues read besides Spot: None -> those the bracket files use (``markets:`` in the file)
    markets: frozenset[Market] | None = None
    source: Path | None = field(default=None, compare=False)

    def reads_usdm(self, has_usdm_brackets: bool) -> bool:
        """Whether a run reads (and so can prune) the USDⓈ-M futures venue."""
        if self.markets is None:
            return has_usdm_brackets
        return Market.USDM in self.markets

    @property
    def is_production(self) -> bool:
        return self.exchange == "production"
