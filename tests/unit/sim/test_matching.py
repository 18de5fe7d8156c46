"""Market moves: legs fill, trigger and expire as Binance's matching rules say; balances settle.

The price moves through the engine (what ``sim price`` calls); the effects are read back over HTTP.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oco_reconcile.sim.engine.machine import Engine
from tests.support.sim_api import Api, buy_oco

LIST_ID = "ocr-btc-exit-abcdef"


def _legs(api: Api, placed: dict[str, Any], symbol: str = "BTCUSDT") -> list[dict[str, Any]]:
    return [
        api.signed("GET", "/api/v3/order", symbol=symbol, orderId=ref["orderId"]).json()
        for ref in placed["orders"]
    ]


def test_limit_maker_fills_when_the_price_reaches_it(api: Api, engine: Engine) -> None:
    placed = api.place().json()
    engine.set_price("BTCUSDT", Decimal("119999.99"))
    assert len(api.open_lists()) == 1  # not reached yet
    engine.set_price("BTCUSDT", Decimal("120500"))
    stop, take_profit = _legs(api, placed)
    assert (take_profit["status"], take_profit["executedQty"]) == ("FILLED", "0.01000000")
    assert take_profit["cummulativeQuoteQty"] == "1200.00000000"  # at its own price
    assert (stop["status"], stop["expiryReason"]) == ("EXPIRED", "OCO_TRIGGER")
    assert api.open_lists() == []
    done = api.signed("GET", "/api/v3/orderList", origClientOrderId=LIST_ID).json()
    assert (done["listStatusType"], done["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    assert api.balance("BTC") == ("0.99000000", "0.00000000")
    assert api.balance("USDT") == ("101200.00000000", "0.00000000")


def test_stop_loss_market_fills_at_the_new_price(api: Api, engine: Engine) -> None:
    placed = api.place(belowType="STOP_LOSS", belowPrice=None, belowTimeInForce=None).json()
    engine.set_price("BTCUSDT", Decimal("95000"))  # a gap through the 100000 stop
    stop, take_profit = _legs(api, placed)
    assert (stop["status"], stop["cummulativeQuoteQty"]) == ("FILLED", "950.00000000")
    assert (take_profit["status"], take_profit["expiryReason"]) == ("EXPIRED", "OCO_TRIGGER")
    assert api.balance("USDT") == ("100950.00000000", "0.00000000")
    assert api.signed("GET", "/api/v3/openOrders").json() == []


def test_stop_loss_limit_triggers_and_works_on_the_book(api: Api, engine: Engine) -> None:
    placed = api.place().json()  # stop 100000, limit 99900
    engine.set_price("BTCUSDT", Decimal("99000"))  # below the limit: the sell rests
    stop, take_profit = _legs(api, placed)
    assert (stop["status"], stop["isWorking"]) == ("NEW", True)
    assert take_profit["status"] == "EXPIRED"
    assert api.open_lists() == []  # the list is done ...
    working = api.signed("GET", "/api/v3/openOrders", symbol="BTCUSDT").json()
    assert [order["orderListId"] for order in working] == [placed["orderListId"]]  # ... the leg not
    assert api.balance("BTC") == ("0.99000000", "0.01000000")
    engine.set_price("BTCUSDT", Decimal("99950"))
    stop = _legs(api, placed)[0]
    assert (stop["status"], stop["cummulativeQuoteQty"]) == ("FILLED", "999.00000000")
    assert api.balance("BTC") == ("0.99000000", "0.00000000")


def test_marketable_stop_limit_fills_at_once(api: Api, engine: Engine) -> None:
    placed = api.place().json()
    engine.set_price("BTCUSDT", Decimal("99950"))  # triggers at 100000 and 99950 >= 99900
    stop = _legs(api, placed)[0]
    assert (stop["status"], stop["cummulativeQuoteQty"]) == ("FILLED", "999.50000000")


def test_take_profit_sell_triggers_above(api: Api, engine: Engine) -> None:
    placed = api.place(aboveType="TAKE_PROFIT", abovePrice=None, aboveStopPrice="121000").json()
    engine.set_price("BTCUSDT", Decimal("121000"))
    stop, take_profit = _legs(api, placed)
    assert (take_profit["status"], take_profit["cummulativeQuoteQty"]) == (
        "FILLED",
        "1210.00000000",
    )
    assert stop["status"] == "EXPIRED"


def test_buy_oco_mirrors_and_settles_quote(api: Api, engine: Engine) -> None:
    placed = api.signed("POST", "/api/v3/orderList/oco", **buy_oco()).json()
    engine.set_price("ETHUSDT", Decimal("3500"))  # the LIMIT_MAKER BUY at 3600 fills
    stop, take_profit = _legs(api, placed, "ETHUSDT")
    assert (take_profit["type"], take_profit["status"]) == ("LIMIT_MAKER", "FILLED")
    assert stop["status"] == "EXPIRED"
    assert api.balance("ETH") == ("20.50000000", "0.00000000")
    assert api.balance("USDT") == ("98200.00000000", "0.00000000")  # 0.5 x 3600 spent


def test_buy_stop_above_triggers_on_a_rise(api: Api, engine: Engine) -> None:
    placed = api.signed("POST", "/api/v3/orderList/oco", **buy_oco()).json()
    engine.set_price("ETHUSDT", Decimal("4405"))  # stop 4400 triggers; BUY limit 4410 >= 4405
    stop, take_profit = _legs(api, placed, "ETHUSDT")
    assert (stop["status"], stop["cummulativeQuoteQty"]) == ("FILLED", "2202.50000000")
    assert take_profit["status"] == "EXPIRED"
    assert api.balance("USDT") == ("97797.50000000", "0.00000000")


def test_forced_partial_fill_expires_the_sibling(api: Api, engine: Engine) -> None:
    """Binance: when one order is fully or partially filled, the other is canceled."""
    placed = api.place(quantity="0.02").json()
    engine.force_fill(LIST_ID, Decimal("0.005"))
    stop, take_profit = _legs(api, placed)
    assert (take_profit["status"], take_profit["executedQty"]) == ("PARTIALLY_FILLED", "0.00500000")
    assert stop["status"] == "EXPIRED"
    assert api.open_lists() == []
    assert api.balance("BTC") == ("0.98000000", "0.01500000")
    engine.set_price("BTCUSDT", Decimal("120000"))
    assert _legs(api, placed)[1]["status"] == "FILLED"
    assert api.balance("USDT") == ("102400.00000000", "0.00000000")


def test_event_log_records_each_step(api: Api, engine: Engine) -> None:
    api.place()
    api.signed("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId=LIST_ID)
    api.place()
    engine.set_price("BTCUSDT", Decimal("121000"))
    kinds = [(e.kind, e.list_client_order_id) for e in engine.events() if e.kind != "price"]
    assert kinds == [
        ("placed", LIST_ID),
        ("cancelled", LIST_ID),
        ("placed", LIST_ID),
        ("filled", LIST_ID),
        ("expired", LIST_ID),
    ]
