"""What the per-bracket checks share: the bracket, its symbol's rules, the prices, settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oco_reconcile.core.market import FilterPrice
from oco_reconcile.core.model import Bracket, LegPosition, SymbolRules, take_profit_position
from oco_reconcile.core.plan import PlanProblem
from oco_reconcile.core.settings import Settings


@dataclass(frozen=True)
class BracketContext:
    """One bracket the plan places, with what its checks read."""

    bracket: Bracket
    rules: SymbolRules
    last: Decimal | None
    settings: Settings
    reference: FilterPrice | None = None  # None: the filters use the last price

    @property
    def filter_price(self) -> Decimal | None:
        """What PERCENT_PRICE(_BY_SIDE) and a market leg's notional are checked against."""
        return self.reference.value if self.reference is not None else self.last

    @property
    def filter_price_name(self) -> str:
        return self.reference.source if self.reference is not None else "last price"

    @property
    def address(self) -> str:
        return f"bracket.{self.bracket.name}"

    @property
    def tick(self) -> Decimal:
        """PRICE_FILTER's tickSize, 0 when the symbol has none."""
        price_filter = self.rules.price_filter
        return price_filter.tick_size if price_filter is not None else Decimal(0)

    def problem(
        self, message: str, leg: str | None = None, field: str | None = None
    ) -> PlanProblem:
        return PlanProblem(self.address, message, self.bracket.name, leg, field)


def leg_label(bracket: Bracket, position: LegPosition) -> str:
    """``take_profit (above)`` / ``stop_loss (below)``: the leg by intent and by Binance's name."""
    intent = "take_profit" if position is take_profit_position(bracket.side) else "stop_loss"
    return f"{intent} ({position.value})"
