"""Futures records -> the JSON ``/fapi`` sends (binance-api.md §10.3 response example; the
common wire contract): same keys, same order, decimals as strings with the contract's
``pricePrecision`` / ``quantityPrecision``."""

from __future__ import annotations

from decimal import Decimal

from oco_reconcile.json_types import JsonObject
from oco_reconcile.sim.engine.usdm.records import AlgoRecord, FuturesOrder, FuturesState

MONEY_PLACES = 8


def places(value: Decimal, count: int) -> str:
    return format(value, f".{count}f")


class FuturesShapes:
    def __init__(self, state: FuturesState) -> None:
        self.state = state

    def price(self, symbol: str, value: Decimal) -> str:
        return places(value, int(self.state.symbols[symbol]["pricePrecision"]))

    def qty(self, symbol: str, value: Decimal) -> str:
        return places(value, int(self.state.symbols[symbol]["quantityPrecision"]))

    def algo(self, order: AlgoRecord, *, open_list: bool = False) -> JsonObject:
        """One algo order; ``actualOrderId`` / ``actualPrice`` once triggered (always, empty
        when not, in the ``openAlgoOrders`` items)."""
        body: JsonObject = {
            "algoId": order.algo_id,
            "clientAlgoId": order.client_algo_id,
            "algoType": "CONDITIONAL",
            "orderType": order.order_type,
            "symbol": order.symbol,
            "side": order.side,
            "positionSide": order.position_side,
            "timeInForce": order.time_in_force,
            "quantity": self.qty(order.symbol, order.quantity),
            "algoStatus": order.status,
        }
        if open_list or order.actual_order_id is not None:
            body["actualOrderId"] = (
                "" if order.actual_order_id is None else str(order.actual_order_id)
            )
            actual = order.actual_price
            body["actualPrice"] = "" if actual is None else self.price(order.symbol, actual)
        body.update(self._algo_terms(order))
        return body

    def _algo_terms(self, order: AlgoRecord) -> JsonObject:
        return {
            "triggerPrice": self.price(order.symbol, order.trigger_price),
            "price": self.price(order.symbol, order.price),
            "icebergQuantity": None,
            "selfTradePreventionMode": order.self_trade_prevention_mode,
            "workingType": order.working_type,
            "priceMatch": order.price_match,
            "closePosition": order.close_position,
            "priceProtect": order.price_protect,
            "reduceOnly": order.reduce_only,
            "activatePrice": "",
            "callbackRate": "",
            "createTime": order.create_time,
            "updateTime": order.update_time,
            "triggerTime": order.trigger_time,
            "goodTillDate": order.good_till_date,
        }

    def order(self, order: FuturesOrder) -> JsonObject:
        """``POST /fapi/v1/order``'s answer (New-Order.md response)."""
        symbol = order.symbol
        return {
            "orderId": order.order_id,
            "symbol": symbol,
            "status": order.status,
            "clientOrderId": order.client_order_id,
            "price": self.price(symbol, order.price),
            "avgPrice": self.price(symbol, order.avg_price),
            "origQty": self.qty(symbol, order.orig_qty),
            "executedQty": self.qty(symbol, order.executed_qty),
            "cumQty": self.qty(symbol, order.executed_qty),
            "cumQuote": places(order.cum_quote, MONEY_PLACES),
            "timeInForce": order.time_in_force,
            "type": order.type,
            "reduceOnly": order.reduce_only,
            "closePosition": order.close_position,
            "side": order.side,
            "positionSide": order.position_side,
            "stopPrice": self.price(symbol, order.stop_price),
            "workingType": order.working_type,
            "priceProtect": order.price_protect,
            "origType": order.orig_type,
            "priceMatch": "NONE",
            "selfTradePreventionMode": "NONE",
            "goodTillDate": 0,
            "updateTime": order.update_time,
        }

    def position(self, symbol: str, side: str) -> JsonObject:
        """A ``GET /fapi/v3/positionRisk`` row; margin is not modelled (zeros)."""
        held = self.state.position(symbol, side)
        amount = held.amount if held is not None else Decimal(0)
        entry = held.entry_price if held is not None else Decimal(0)
        mark = self.state.mark_prices[symbol]
        zero = places(Decimal(0), MONEY_PLACES)
        return {
            "symbol": symbol,
            "positionSide": side,
            "positionAmt": self.qty(symbol, amount),
            "entryPrice": str(entry),
            "breakEvenPrice": str(entry),
            "markPrice": places(mark, MONEY_PLACES),
            "unRealizedProfit": places(
                (mark - entry) * amount if amount else Decimal(0), MONEY_PLACES
            ),
            "liquidationPrice": "0",
            "isolatedMargin": zero,
            "notional": places(mark * amount, MONEY_PLACES),
            "marginAsset": "USDT",
            "isolatedWallet": "0",
            "initialMargin": zero,
            "maintMargin": zero,
            "positionInitialMargin": zero,
            "openOrderInitialMargin": "0",
            "adl": 0,
            "bidNotional": "0",
            "askNotional": "0",
            "updateTime": held.update_time if held is not None else 0,
        }
