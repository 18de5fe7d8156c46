"""Engine records -> the JSON Binance sends: same keys, same key order, decimals as strings.

Key orders follow the docs' examples (rest-api.md; the fixtures in ``tests/fixtures/binance/``).
Fields the docs call conditional (``stopPrice``, ``icebergQty``, ``trailingDelta``,
``strategyId``, ``expiryReason`` ...) appear only when they apply. Decimals carry the symbol's
precision (``"1.00000000"`` for 8), as Binance prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from oco_reconcile.json_types import JsonMapping, JsonObject
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.engine.records import CancelResult, Holding, SimOrder, SimOrderList, SimTrade
from oco_reconcile.sim.engine.specs import ALGO_TYPES

ACK = "ACK"
RESULT = "RESULT"
FULL = "FULL"
SIM_UID = 100000001


def decimal_text(value: Decimal, places: int = 8) -> str:
    return format(value, f".{places}f")


class Shapes:
    """Renders with the precision of each symbol (``baseAssetPrecision``/``quotePrecision``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def qty_text(self, symbol: str, value: Decimal) -> str:
        return decimal_text(value, int(self.engine.state.symbols[symbol]["baseAssetPrecision"]))

    def price_text(self, symbol: str, value: Decimal) -> str:
        return decimal_text(value, int(self.engine.state.symbols[symbol]["quotePrecision"]))

    # --- order lists ----------------------------------------------------------------------------

    def order_list(
        self, order_list: SimOrderList, *, reports: list[JsonObject] | None = None
    ) -> JsonObject:
        """The list object of openOrderList / orderList / allOrderList; with ``reports`` the
        placement / cancel shape (``orderReports``)."""
        body: JsonObject = {
            "orderListId": order_list.order_list_id,
            "contingencyType": order_list.contingency_type,
            "listStatusType": order_list.list_status_type,
            "listOrderStatus": order_list.list_order_status,
            "listClientOrderId": order_list.list_client_order_id,
            "transactionTime": order_list.transaction_time,
            "symbol": order_list.symbol,
            "orders": [self._order_ref(order) for order in self.engine.orders_of(order_list)],
        }
        if reports is not None:
            body["orderReports"] = reports
        return body

    def _order_ref(self, order: SimOrder) -> JsonObject:
        return {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "clientOrderId": order.placed_client_order_id,
        }

    def placement(self, order_list: SimOrderList, response_type: str) -> JsonObject:
        """``POST /api/v3/orderList/oco`` and ``/order/oco`` in the ``newOrderRespType`` shape."""
        orders = self.engine.orders_of(order_list)
        when = order_list.transaction_time
        if response_type == ACK:
            reports = [self.ack_report(order, when) for order in orders]
        else:
            reports = [
                self.result_report(order, when, full=response_type == FULL) for order in orders
            ]
        return self.order_list(order_list, reports=reports)

    def ack_report(self, order: SimOrder, transact_time: int) -> JsonObject:
        return {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": order.order_list_id,
            "clientOrderId": order.client_order_id,
            "transactTime": transact_time,
        }

    def result_report(
        self,
        order: SimOrder,
        transact_time: int,
        *,
        full: bool,
        fills: Iterable[SimTrade] = (),
    ) -> JsonObject:
        body = self.ack_report(order, transact_time)
        body.update(self._amounts(order, quote_qty_first=True))
        body.update(self._status_fields(order))
        body.update(self._trigger_fields(order))
        body["workingTime"] = order.working_time
        body.update(self._iceberg_and_strategy(order))
        body["selfTradePreventionMode"] = order.self_trade_prevention_mode
        body.update(self._expiry(order))
        if full:
            body["fills"] = [self.fill(trade) for trade in fills]
        return body

    def order_placement(self, order: SimOrder, response_type: str) -> JsonObject:
        """``POST /api/v3/order`` in the ``newOrderRespType`` shape (rest-api.md "New order")."""
        if response_type == ACK:
            return self.ack_report(order, order.time)
        fills = self.engine.trades(order.symbol, order_id=order.order_id)
        return self.result_report(order, order.time, full=response_type == FULL, fills=fills)

    def fill(self, trade: SimTrade) -> JsonObject:
        """One ``fills`` entry of a FULL answer; fees are zero."""
        return {
            "price": self.price_text(trade.symbol, trade.price),
            "qty": self.qty_text(trade.symbol, trade.qty),
            "commission": decimal_text(Decimal(0)),
            "commissionAsset": self._commission_asset(trade),
            "tradeId": trade.trade_id,
        }

    def my_trade(self, trade: SimTrade) -> JsonObject:
        """``GET /api/v3/myTrades`` (rest-api.md "Account trade list")."""
        return {
            "symbol": trade.symbol,
            "id": trade.trade_id,
            "orderId": trade.order_id,
            "orderListId": trade.order_list_id,
            "price": self.price_text(trade.symbol, trade.price),
            "qty": self.qty_text(trade.symbol, trade.qty),
            "quoteQty": self.price_text(trade.symbol, trade.quote_qty),
            "commission": decimal_text(Decimal(0)),
            "commissionAsset": self._commission_asset(trade),
            "time": trade.time,
            "isBuyer": trade.is_buyer,
            "isMaker": trade.is_maker,
            "isBestMatch": True,
        }

    def _commission_asset(self, trade: SimTrade) -> str:
        """Binance charges the fee in the asset the trade brings in."""
        info = self.engine.state.symbols[trade.symbol]
        return str(info["baseAsset"] if trade.is_buyer else info["quoteAsset"])

    def cancel_report(self, order: SimOrder, transact_time: int) -> JsonObject:
        """A cancelled leg: ``origClientOrderId`` is the old id, ``clientOrderId`` the cancel's."""
        body: JsonObject = {
            "symbol": order.symbol,
            "origClientOrderId": order.placed_client_order_id,
            "orderId": order.order_id,
            "orderListId": order.order_list_id,
            "clientOrderId": order.client_order_id,
            "transactTime": transact_time,
        }
        body.update(self._amounts(order, quote_qty_first=True))
        body.update(self._status_fields(order))
        body.update(self._trigger_fields(order))
        body.update(self._iceberg_and_strategy(order))
        body["selfTradePreventionMode"] = order.self_trade_prevention_mode
        body.update(self._expiry(order))
        return body

    def cancellation(
        self, order_list: SimOrderList, orders: Iterable[SimOrder], when: int
    ) -> JsonObject:
        return self.order_list(order_list, reports=[self.cancel_report(o, when) for o in orders])

    def cancel_result(self, result: CancelResult) -> JsonObject:
        """A whole list in the list's shape (rest-api.md "Cancel order": a leg cancels its
        list), else the one order."""
        if result.order_list is not None:
            when = result.order_list.transaction_time
            return self.cancellation(result.order_list, result.orders, when)
        order = result.orders[0]
        return self.cancel_report(order, order.update_time)

    # --- orders (GET /api/v3/order, GET /api/v3/openOrders) -------------------------------------

    def query_order(self, order: SimOrder, *, open_orders_layout: bool = False) -> JsonObject:
        """The two docs' examples list the same keys in slightly different orders; each endpoint
        answers in its own example's order."""
        body: JsonObject = {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": order.order_list_id,
            "clientOrderId": order.client_order_id,
        }
        body.update(self._amounts(order, quote_qty_first=False))
        body.update(self._status_fields(order))
        body["stopPrice"] = self.price_text(order.symbol, order.stop_price or Decimal(0))
        body["icebergQty"] = self.qty_text(order.symbol, order.iceberg_qty or Decimal(0))
        body["time"] = order.time
        body["updateTime"] = order.update_time
        body["isWorking"] = order.is_working
        quote = self.price_text(order.symbol, Decimal(0))
        if open_orders_layout:
            body["origQuoteOrderQty"] = quote
            body["workingTime"] = order.working_time
        else:
            body["workingTime"] = order.working_time
            body["origQuoteOrderQty"] = quote
        body["selfTradePreventionMode"] = order.self_trade_prevention_mode
        body.update(self._trailing(order))
        body.update(self._strategy(order))
        body.update(self._expiry(order))
        return body

    def _amounts(self, order: SimOrder, *, quote_qty_first: bool) -> JsonObject:
        symbol = order.symbol
        body: JsonObject = {
            "price": self.price_text(symbol, order.price),
            "origQty": self.qty_text(symbol, order.orig_qty),
            "executedQty": self.qty_text(symbol, order.executed_qty),
        }
        if quote_qty_first:
            body["origQuoteOrderQty"] = self.price_text(symbol, Decimal(0))
        body["cummulativeQuoteQty"] = self.price_text(symbol, order.cummulative_quote_qty)
        return body

    def _status_fields(self, order: SimOrder) -> JsonObject:
        return {
            "status": order.status,
            "timeInForce": order.time_in_force,
            "type": order.type,
            "side": order.side,
        }

    def _trigger_fields(self, order: SimOrder) -> JsonObject:
        body: JsonObject = {}
        if order.type in ALGO_TYPES:  # the legs with a trigger
            body["stopPrice"] = self.price_text(order.symbol, order.stop_price or Decimal(0))
        body.update(self._trailing(order))
        return body

    def _trailing(self, order: SimOrder) -> JsonObject:
        if order.trailing_delta is None:
            return {}
        return {"trailingDelta": order.trailing_delta, "trailingTime": -1}

    def _iceberg_and_strategy(self, order: SimOrder) -> JsonObject:
        body: JsonObject = {}
        if order.iceberg_qty is not None:
            body["icebergQty"] = self.qty_text(order.symbol, order.iceberg_qty)
        body.update(self._strategy(order))
        return body

    def _strategy(self, order: SimOrder) -> JsonObject:
        body: JsonObject = {}
        if order.strategy_id is not None:
            body["strategyId"] = order.strategy_id
        if order.strategy_type is not None:
            body["strategyType"] = order.strategy_type
        return body

    def _expiry(self, order: SimOrder) -> JsonObject:
        return {"expiryReason": order.expiry_reason} if order.expiry_reason else {}

    # --- account and market data ----------------------------------------------------------------

    def account(self, balances: Iterable[tuple[str, Holding]], *, omit_zero: bool) -> JsonObject:
        rows = [
            {"asset": asset, "free": decimal_text(held.free), "locked": decimal_text(held.locked)}
            for asset, held in balances
            if not (omit_zero and held.free == 0 and held.locked == 0)
        ]
        zero = decimal_text(Decimal(0))
        return {
            "makerCommission": 0,
            "takerCommission": 0,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": self.engine.state.update_time,
            "accountType": "SPOT",
            "balances": rows,
            "permissions": ["SPOT"],
            "uid": SIM_UID,
        }

    def exchange_info(self, symbols: Iterable[JsonMapping], server_time: int) -> JsonObject:
        return {
            "timezone": "UTC",
            "serverTime": server_time,
            "rateLimits": self.engine.state.rate_limits,
            "exchangeFilters": self.engine.state.exchange_filters,
            "symbols": list(symbols),
        }

    def ticker_price(self, symbol: str) -> JsonObject:
        return {
            "symbol": symbol,
            "price": self.price_text(symbol, self.engine.state.prices[symbol]),
        }

    def reference_price(self, symbol: str, value: Decimal | None) -> JsonObject:
        return {
            "symbol": symbol,
            "referencePrice": None if value is None else self.price_text(symbol, value),
            "timestamp": self.engine.state.price_times.get(symbol, 0),
        }

    def avg_price(self, symbol: str) -> JsonObject:
        """The simulator's average price is the last price (``mins`` from the symbol's filters)."""
        info = self.engine.state.symbols[symbol]
        mins = next(
            (int(f["avgPriceMins"]) for f in info.get("filters", ()) if "avgPriceMins" in f), 5
        )
        return {
            "mins": mins,
            "price": self.price_text(symbol, self.engine.state.prices[symbol]),
            "closeTime": self.engine.state.price_times.get(symbol, 0),
        }
