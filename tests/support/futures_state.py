"""Futures values for pure planner tests: brackets, live algo orders built from the requests the
planner makes, positions and a BTCUSDT/ETHUSDT perpetual exchangeInfo (shaped like
``GET /fapi/v1/exchangeInfo``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from oco_reconcile.core.model import LotSize, PriceFilter, Side
from oco_reconcile.core.usdm.model import (
    AlgoOrder,
    AlgoOrderType,
    AlgoRequest,
    AlgoStatus,
    FuturesBracket,
    FuturesInfo,
    FuturesLeg,
    FuturesLiveState,
    FuturesSymbolRules,
    LegRole,
    Position,
    PositionSide,
    WorkingType,
)
from oco_reconcile.core.usdm.requests import leg_request

D = Decimal
OWNER = "ocr"
ALGO_TYPES = frozenset(
    {"LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"}
)


def perpetual(symbol: str, tick: str, step: str) -> FuturesSymbolRules:
    return FuturesSymbolRules(
        symbol=symbol,
        status="TRADING",
        contract_type="PERPETUAL",
        base_asset=symbol.removesuffix("USDT"),
        quote_asset="USDT",
        margin_asset="USDT",
        order_types=ALGO_TYPES,
        price_filter=PriceFilter(D(tick), D("1000000"), D(tick)),
        lot_size=LotSize(D(step), D("1000"), D(step)),
        market_lot_size=LotSize(D(step), D("120"), D(step)),
        min_notional=D("100"),
    )


INFO = FuturesInfo(
    {
        "BTCUSDT": perpetual("BTCUSDT", "0.10", "0.001"),
        "ETHUSDT": perpetual("ETHUSDT", "0.01", "0.001"),
    }
)
PRICES = {"BTCUSDT": D("110000"), "ETHUSDT": D("4000")}


def bracket(
    name: str = "btc-perp",
    *,
    side: Side = Side.SELL,
    quantity: Decimal | None = None,
    take_profit: str = "125000",
    stop_loss: str = "98000",
    symbol: str = "BTCUSDT",
    **options: object,
) -> FuturesBracket:
    return FuturesBracket(
        name=name,
        symbol=symbol,
        side=side,
        quantity=quantity,
        take_profit=FuturesLeg(AlgoOrderType.TAKE_PROFIT_MARKET, D(take_profit)),
        stop_loss=FuturesLeg(AlgoOrderType.STOP_MARKET, D(stop_loss)),
        **options,  # type: ignore[arg-type]
    )


def order_of(request: AlgoRequest, algo_id: int, status: AlgoStatus = AlgoStatus.NEW) -> AlgoOrder:
    """The algo order Binance reports for ``request`` (its fields echoed back)."""
    return AlgoOrder(
        algo_id=algo_id,
        client_algo_id=request.client_algo_id,
        symbol=request.symbol,
        side=request.side,
        position_side=request.position_side,
        order_type=request.type.value,
        status=status,
        trigger_price=request.trigger_price,
        price=request.price,
        quantity=request.quantity,
        close_position=request.close_position,
        reduce_only=request.reduce_only,
        working_type=request.working_type,
        price_protect=request.price_protect,
        time_in_force=None if request.time_in_force is None else request.time_in_force.value,
    )


def leg_order(
    item: FuturesBracket,
    role: LegRole,
    algo_id: int,
    status: AlgoStatus = AlgoStatus.NEW,
    *,
    hedge: bool = False,
) -> AlgoOrder:
    return order_of(leg_request(OWNER, item, role, hedge), algo_id, status)


def both_legs(item: FuturesBracket, first_id: int = 1) -> tuple[AlgoOrder, AlgoOrder]:
    return (
        leg_order(item, LegRole.STOP_LOSS, first_id),
        leg_order(item, LegRole.TAKE_PROFIT, first_id + 1),
    )


def unmanaged(algo_id: int = 900, client_algo_id: str = "web_tp_1") -> AlgoOrder:
    order = leg_order(bracket("x"), LegRole.TAKE_PROFIT, algo_id)
    return replace(order, client_algo_id=client_algo_id)


def long_position(amount: str = "0.05", symbol: str = "BTCUSDT") -> Position:
    return Position(symbol, PositionSide.BOTH, D(amount), D("105000"), PRICES.get(symbol, D(0)))


def futures_live(
    open_orders: Iterable[AlgoOrder] = (),
    *,
    positions: Iterable[Position] = (),
    history: Iterable[AlgoOrder] = (),
    hedge_mode: bool = False,
    mark: Mapping[str, Decimal] | None = None,
) -> FuturesLiveState:
    return FuturesLiveState(
        info=INFO,
        open_algo_orders=tuple(open_orders),
        positions=tuple(positions),
        hedge_mode=hedge_mode,
        mark_prices=dict(mark or PRICES),
        last_prices=dict(PRICES),
        history={order.client_algo_id: order for order in history},
    )


MARK = WorkingType.MARK_PRICE
