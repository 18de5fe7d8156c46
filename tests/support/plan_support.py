"""Builders shared by the planner, checks, render, importer and saved-plan tests.

Live lists are built the way Binance reports them (openOrders joined on orderListId): a
STOP_LOSS leg reports ``price: 0``, a LIMIT_MAKER reports ``timeInForce: GTC``, leg ids are the
deterministic ``-tp`` / ``-sl`` ids. ``apply_plan`` is a pure model of what a successful apply does
to the live state (cancels, then placements), for the "planning after apply is empty" property.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from oco_reconcile.core.history import classify, find_remnants
from oco_reconcile.core.identity import bracket_ids, cancel_id_for
from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import (
    Balance,
    Bracket,
    ExchangeInfo,
    HistoryOutcome,
    Leg,
    LegType,
    ListHistory,
    OcoRequest,
    OrderList,
    OrderRef,
    OrderReport,
    Side,
    SymbolRules,
    TimeInForce,
)
from oco_reconcile.core.plan import Action, Plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.venues.spot.parse import parse_exchange_info
from tests.support.paths import FIXTURES_DIR

FIXTURES = FIXTURES_DIR
OWNER = "ocr"
SETTINGS = Settings()
D = Decimal


def btcusdt_info() -> ExchangeInfo:
    """The real exchangeInfo recording (2025-08-07), BTCUSDT only."""
    raw = json.loads((FIXTURES / "exchange_info_btcusdt.json").read_text())
    return parse_exchange_info(raw["response_filtered_to_BTCUSDT"])


def btcusdt_rules() -> SymbolRules:
    return btcusdt_info().symbols["BTCUSDT"]


def ethusdt_rules() -> SymbolRules:
    """A second symbol with BTCUSDT's filters (only the names differ)."""
    return replace(btcusdt_rules(), symbol="ETHUSDT", base_asset="ETH")


def market_info() -> ExchangeInfo:
    info = btcusdt_info()
    return replace(info, symbols={"BTCUSDT": btcusdt_rules(), "ETHUSDT": ethusdt_rules()})


PRICES = {"BTCUSDT": D("100000"), "ETHUSDT": D("4000")}
RICH = {
    "BTC": Balance("BTC", D("100"), D(0)),
    "ETH": Balance("ETH", D("1000"), D(0)),
    "USDT": Balance("USDT", D("100000000"), D(0)),
}


# --- desired ------------------------------------------------------------------------------------


def sell(
    name: str,
    *,
    symbol: str = "BTCUSDT",
    qty: str = "0.01",
    tp: str = "110000",
    stop: str = "90000",
    limit: str | None = "89900",
    **extra: object,
) -> Bracket:
    """A SELL bracket: LIMIT_MAKER take profit above, STOP_LOSS(_LIMIT) below."""
    below = Leg(
        LegType.STOP_LOSS_LIMIT if limit else LegType.STOP_LOSS,
        price=D(limit) if limit else None,
        stop_price=D(stop),
        time_in_force=TimeInForce.GTC if limit else None,
    )
    above = Leg(LegType.LIMIT_MAKER, price=D(tp))
    return Bracket(name, symbol, Side.SELL, D(qty), above, below, **extra)  # type: ignore[arg-type]


def buy(
    name: str,
    *,
    symbol: str = "BTCUSDT",
    qty: str = "0.01",
    tp: str = "90000",
    stop: str = "110000",
    limit: str | None = "110100",
    **extra: object,
) -> Bracket:
    """A BUY bracket: LIMIT_MAKER below, STOP_LOSS(_LIMIT) above."""
    above = Leg(
        LegType.STOP_LOSS_LIMIT if limit else LegType.STOP_LOSS,
        price=D(limit) if limit else None,
        stop_price=D(stop),
        time_in_force=TimeInForce.GTC if limit else None,
    )
    below = Leg(LegType.LIMIT_MAKER, price=D(tp))
    return Bracket(name, symbol, Side.BUY, D(qty), above, below, **extra)  # type: ignore[arg-type]


# --- live ---------------------------------------------------------------------------------------


def report_for(
    leg: Leg,
    *,
    symbol: str,
    side: Side,
    qty: Decimal,
    order_id: int,
    list_id: int,
    client_id: str,
    status: str = "NEW",
    executed: str = "0",
) -> OrderReport:
    """A leg as openOrders reports it (zeros where Binance prints zeros)."""
    return OrderReport(
        symbol=symbol,
        order_id=order_id,
        order_list_id=list_id,
        client_order_id=client_id,
        side=side,
        type=leg.type.value,
        status=status,
        price=leg.price if leg.price is not None else D("0.00000000"),
        orig_qty=qty,
        executed_qty=D(executed),
        stop_price=leg.stop_price if leg.stop_price is not None else D("0.00000000"),
        iceberg_qty=leg.iceberg_qty if leg.iceberg_qty is not None else D("0.00000000"),
        trailing_delta=leg.trailing_delta,
        time_in_force=(leg.time_in_force or TimeInForce.GTC).value,
    )


def list_from_request(
    request: OcoRequest,
    order_list_id: int,
    *,
    transaction_time: int = 1_700_000_000_000,
    executed: str = "0",
    status: str = "EXECUTING",
) -> OrderList:
    """The open list (with legs) a successful placement of ``request`` produces."""
    legs = (request.below, request.above)  # the stop-loss leg first, like the docs' examples
    reports = tuple(
        report_for(
            part.leg,
            symbol=request.symbol,
            side=request.side,
            qty=request.quantity,
            order_id=order_list_id * 10 + i,
            list_id=order_list_id,
            client_id=part.client_order_id,
            executed=executed if i == 1 else "0",
        )
        for i, part in enumerate(legs)
    )
    return OrderList(
        order_list_id=order_list_id,
        list_client_order_id=request.list_client_order_id,
        symbol=request.symbol,
        contingency_type="OCO",
        list_status_type="EXEC_STARTED",
        list_order_status=status,
        transaction_time=transaction_time,
        orders=tuple(OrderRef(r.symbol, r.order_id, r.client_order_id) for r in reports),
        reports=reports,
    )


def open_list(
    bracket: Bracket, order_list_id: int = 1, *, owner: str = OWNER, **kw: object
) -> OrderList:
    """The open list this owner places for ``bracket``."""
    from oco_reconcile.core.oco_planner import oco_request

    return list_from_request(oco_request(owner, bracket), order_list_id, **kw)  # type: ignore[arg-type]


def foreign_list(bracket: Bracket, order_list_id: int, client_id: str) -> OrderList:
    """An unmanaged list (placed by hand: random ids) with the bracket's legs."""
    base = open_list(bracket, order_list_id)
    reports = tuple(
        replace(r, client_order_id=f"{client_id}{i}") for i, r in enumerate(base.reports)
    )
    return replace(
        base,
        list_client_order_id=client_id,
        reports=reports,
        orders=tuple(OrderRef(r.symbol, r.order_id, r.client_order_id) for r in reports),
    )


def closed(
    order_list: OrderList, *leg_statuses: tuple[str, str], cancel_id: str | None = None
) -> OrderList:
    """The list as history shows it: ALL_DONE, each leg with (status, executed qty)."""
    reports = tuple(
        replace(
            report,
            status=status,
            executed_qty=D(executed),
            client_order_id=cancel_id or report.client_order_id,
        )
        for report, (status, executed) in zip(order_list.reports, leg_statuses, strict=True)
    )
    return replace(
        order_list,
        list_status_type="ALL_DONE",
        list_order_status="ALL_DONE",
        reports=reports,
    )


def history_of(bracket: Bracket, outcome: HistoryOutcome, *, owner: str = OWNER) -> ListHistory:
    list_id = bracket_ids(owner, bracket).list_client_order_id
    base = open_list(bracket, 77)
    statuses = {
        HistoryOutcome.FIRED: (("EXPIRED", "0"), ("FILLED", str(bracket.quantity))),
        HistoryOutcome.CANCELLED_BY_TOOL: (("CANCELED", "0"), ("CANCELED", "0")),
        HistoryOutcome.CANCELLED_OUTSIDE: (("CANCELED", "0"), ("CANCELED", "0")),
        HistoryOutcome.EXPIRED: (("EXPIRED", "0"), ("EXPIRED", "0")),
    }
    if outcome is HistoryOutcome.NEVER_PLACED:
        return ListHistory(list_id, outcome)
    cancel = cancel_id_for(list_id) if outcome is HistoryOutcome.CANCELLED_BY_TOOL else None
    return ListHistory(list_id, outcome, closed(base, *statuses[outcome], cancel_id=cancel), "")


def live_state(
    lists: Sequence[OrderList] = (),
    *,
    history: Iterable[ListHistory] = (),
    prices: Mapping[str, Decimal] | None = None,
    balances: Mapping[str, Balance] | None = None,
    info: ExchangeInfo | None = None,
    plain_orders: Sequence[OrderReport] = (),
) -> LiveState:
    orders = tuple(r for item in lists for r in item.reports) + tuple(plain_orders)
    remnants = find_remnants(OWNER, orders, lists)  # as the reader does (venues/spot/live.py)
    return LiveState(
        open_lists=tuple(lists),
        open_orders=orders,
        info=info or market_info(),
        prices=dict(PRICES if prices is None else prices),
        balances=dict(RICH if balances is None else balances),
        history={entry.list_client_order_id: entry for entry in history},
        remnants=remnants,
    )


def partly_filled(
    bracket: Bracket, executed: str = "0.004", *, order_list_id: int = 5
) -> tuple[OrderReport, ListHistory]:
    """The bracket's list after its take profit filled ``executed`` (rest-api.md "New Order list -
    OCO (TRADE)": the stop-loss leg expired, the list is done): the take-profit leg still working
    with the rest (what openOrders shows) and the list's history (fired)."""
    placed = open_list(bracket, order_list_id)
    stop, take = placed.reports  # the stop-loss leg first (list_from_request)
    working = replace(take, status="PARTIALLY_FILLED", executed_qty=D(executed))
    expired = replace(stop, status="EXPIRED", expiry_reason="OCO_TRIGGER")
    done = replace(placed, list_status_type="ALL_DONE", list_order_status="ALL_DONE", reports=())
    legs = (expired, working)
    return working, classify(done.list_client_order_id, replace(done, reports=legs), legs)


def apply_plan(plan: Plan, live: LiveState) -> LiveState:
    """What a fully successful apply leaves: cancelled lists gone (history: cancelled by the
    tool), placed lists open; unmanaged lists and everything else as they were."""
    cancelled = {c.cancel.list_client_order_id for c in plan.changes if c.cancel is not None}
    kept = [item for item in live.open_lists if item.list_client_order_id not in cancelled]
    next_id = max((item.order_list_id for item in live.open_lists), default=0) + 1000
    placed = [
        list_from_request(c.place, next_id + i, transaction_time=1_800_000_000_000)
        for i, c in enumerate(plan.changes)
        if c.place is not None and c.action in (Action.CREATE, Action.REPLACE)
    ]
    history = dict(live.history)
    for item in live.open_lists:
        if item.list_client_order_id in cancelled:
            cancel = cancel_id_for(item.list_client_order_id)
            gone = closed(item, *[("CANCELED", "0")] * len(item.reports), cancel_id=cancel)
            history[item.list_client_order_id] = ListHistory(
                item.list_client_order_id, HistoryOutcome.CANCELLED_BY_TOOL, gone
            )
    lists = [*kept, *placed]
    ended = {s.order.order_id for c in plan.actionable for s in c.remnants}
    remnants = tuple(r for r in live.remnants if r.order.order_id not in ended)
    return replace(
        live,
        open_lists=tuple(lists),
        open_orders=tuple(r for item in lists for r in item.reports)
        + tuple(r.order for r in remnants),
        history=history,
        remnants=remnants,
    )
