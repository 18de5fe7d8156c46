"""``BinanceClient.cancel_order``: ``DELETE /api/v3/order`` of one order (a remnant: a leg still
working after its list is done), renamed to our cancel id; "Unknown order sent." is None."""

from __future__ import annotations

from decimal import Decimal

from tests.support.fake_binance import FAKE_API_KEY, FakeBinance

# The response example of rest-api.md "Cancel order (TRADE)", with our ids and a remnant's values.
CANCEL_RESPONSE = {
    "symbol": "BTCUSDT",
    "origClientOrderId": "ocr-btc-core-exit-abc234-tp",
    "orderId": 2,
    "orderListId": 1,
    "clientOrderId": "ocr-btc-core-exit-abc234-cx",
    "transactTime": 1684804350068,
    "price": "125000.00000000",
    "origQty": "0.05000000",
    "executedQty": "0.01000000",
    "cummulativeQuoteQty": "1250.00000000",
    "status": "CANCELED",
    "timeInForce": "GTC",
    "type": "LIMIT_MAKER",
    "side": "SELL",
    "selfTradePreventionMode": "NONE",
}


def test_cancel_order_sends_the_order_id_and_our_cancel_id(fake_binance: FakeBinance) -> None:
    fake_binance.reply("DELETE", "/api/v3/order", CANCEL_RESPONSE)
    with fake_binance.client() as client:
        cancelled = client.cancel_order("BTCUSDT", 2, "ocr-btc-core-exit-abc234-cx")
    assert cancelled is not None
    assert (cancelled.status, cancelled.executed_qty) == ("CANCELED", Decimal("0.01"))
    assert cancelled.orig_client_order_id == "ocr-btc-core-exit-abc234-tp"
    [sent] = fake_binance.sent("/api/v3/order", "DELETE")
    assert sent.signature_valid is True
    assert sent.api_key == FAKE_API_KEY
    assert sent.params[:-3] == [
        ("symbol", "BTCUSDT"),
        ("orderId", "2"),
        ("newClientOrderId", "ocr-btc-core-exit-abc234-cx"),
    ]


def test_an_order_already_gone_is_none(fake_binance: FakeBinance) -> None:
    fake_binance.error("DELETE", "/api/v3/order", 400, -2011, "Unknown order sent.")
    with fake_binance.client() as client:
        assert client.cancel_order("BTCUSDT", 2) is None
    [sent] = fake_binance.sent("/api/v3/order", "DELETE")
    assert [name for name, _ in sent.params[:-3]] == ["symbol", "orderId"]
