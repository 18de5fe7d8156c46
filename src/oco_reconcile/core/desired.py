"""The desired state of one run: the selected bracket files' brackets, both venues."""

from __future__ import annotations

from dataclasses import dataclass

from oco_reconcile.core.model import Bracket
from oco_reconcile.core.usdm.model import FuturesBracket


@dataclass(frozen=True)
class Desired:
    """What the bracket files ask for: Spot OCO brackets and USDⓈ-M futures brackets."""

    spot: tuple[Bracket, ...]
    futures: tuple[FuturesBracket, ...] = ()
