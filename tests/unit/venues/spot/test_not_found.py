""" "Not found" answers, recognised by code and by message in one place (venues/spot/errors.py).

Binance answers a list or order that is not (or no longer) there with several code/message pairs
(errors.md: -2011 CANCEL_REJECTED "Unknown order sent.", -2013 NO_SUCH_ORDER "Order does not
exist.", and the Spot testnet's -2018 "Order list does not exist."); any of the messages may come
with any of the codes, or with none. Each pair goes through the client on the fake transport.
"""

from __future__ import annotations

import pytest

from oco_reconcile.errors import RejectedError, UnknownOrderListError
from tests.support.fake_binance import FakeBinance

LIST = "/api/v3/orderList"
ORDER = "/api/v3/order"
NOT_FOUND_CODES = (-2011, -2013, -2018, None)
NOT_FOUND_MESSAGES = (
    "Unknown order sent.",
    "Unknown order list sent.",
    "Order does not exist.",
    "Order list does not exist.",
)
PAIRS = [(code, msg) for code in NOT_FOUND_CODES for msg in NOT_FOUND_MESSAGES]


@pytest.mark.parametrize(("code", "msg"), PAIRS)
def test_list_lookup_not_found_is_none(
    fake_binance: FakeBinance, code: int | None, msg: str
) -> None:
    fake_binance.error("GET", LIST, 400, code, msg)
    with fake_binance.client() as client:
        assert client.order_list("ocr-gone-aaaaaa") is None
    assert len(fake_binance.sent(LIST)) == 1


@pytest.mark.parametrize(("code", "msg"), PAIRS)
def test_order_lookup_not_found_is_none(
    fake_binance: FakeBinance, code: int | None, msg: str
) -> None:
    fake_binance.error("GET", ORDER, 400, code, msg)
    with fake_binance.client() as client:
        assert client.order("BTCUSDT", 12345) is None


@pytest.mark.parametrize(("code", "msg"), PAIRS)
def test_cancel_of_a_list_not_found_is_none(
    fake_binance: FakeBinance, code: int | None, msg: str
) -> None:
    fake_binance.error("DELETE", LIST, 400, code, msg)
    with fake_binance.client() as client:
        assert client.cancel_order_list("BTCUSDT", "ocr-gone-aaaaaa") is None


@pytest.mark.parametrize("msg", NOT_FOUND_MESSAGES)
def test_a_not_found_message_with_another_code_is_not_found(
    fake_binance: FakeBinance, msg: str
) -> None:
    fake_binance.error("GET", LIST, 400, -2099, msg)  # an undocumented code
    with fake_binance.client() as client:
        assert client.order_list("ocr-gone-aaaaaa") is None


@pytest.mark.parametrize("code", [-2013, -2018])
def test_a_not_found_code_with_another_message_is_not_found(
    fake_binance: FakeBinance, code: int
) -> None:
    fake_binance.error("GET", LIST, 400, code, "Something else entirely.")
    with fake_binance.client() as client:
        assert client.order_list("ocr-gone-aaaaaa") is None


@pytest.mark.parametrize(
    "msg",
    [
        "Order was not canceled due to cancel restrictions.",
        "Unsupported order combination",
    ],
)
def test_other_2011_rejections_stay_rejections(fake_binance: FakeBinance, msg: str) -> None:
    fake_binance.error("DELETE", LIST, 400, -2011, msg)
    with fake_binance.client() as client, pytest.raises(RejectedError) as caught:
        client.cancel_order_list("BTCUSDT", "ocr-list-aaaaaa")
    assert not isinstance(caught.value, UnknownOrderListError)
