"""Deterministic client ids: stable, spec-sensitive, within Binance's id rules, parseable."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oco_reconcile.core import identity
from oco_reconcile.core.model import Bracket, Leg, LegType, Side, TimeInForce


def sell_bracket(**changes: object) -> Bracket:
    base = Bracket(
        name="btc-core-exit",
        symbol="BTCUSDT",
        side=Side.SELL,
        quantity=Decimal("0.05"),
        above=Leg(LegType.LIMIT_MAKER, price=Decimal("125000")),
        below=Leg(
            LegType.STOP_LOSS_LIMIT,
            stop_price=Decimal("98000"),
            price=Decimal("97900"),
            time_in_force=TimeInForce.GTC,
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_ids_are_deterministic_and_follow_the_documented_shape() -> None:
    ids = identity.bracket_ids("ocr", sell_bracket())
    again = identity.bracket_ids("ocr", sell_bracket())
    assert ids == again
    assert ids.list_client_order_id.startswith("ocr-btc-core-exit-")
    assert ids.above_client_order_id == ids.list_client_order_id + "-tp"  # SELL: TP above
    assert ids.below_client_order_id == ids.list_client_order_id + "-sl"
    assert ids.cancel_client_order_id == ids.list_client_order_id + "-cx"


def test_buy_bracket_puts_take_profit_below() -> None:
    buy = sell_bracket(
        side=Side.BUY,
        above=Leg(LegType.STOP_LOSS, stop_price=Decimal("130000")),
        below=Leg(LegType.LIMIT_MAKER, price=Decimal("90000")),
    )
    ids = identity.bracket_ids("ocr", buy)
    assert ids.below_client_order_id.endswith("-tp")
    assert ids.above_client_order_id.endswith("-sl")


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": Decimal("0.06")},
        {"side": Side.BUY},
        {"symbol": "ETHUSDT"},
        {"rev": 1},
        {"above": Leg(LegType.LIMIT_MAKER, price=Decimal("125001"))},
        {"below": Leg(LegType.STOP_LOSS, stop_price=Decimal("98000"))},
    ],
)
def test_any_change_sent_to_the_exchange_changes_the_hash(change: dict[str, object]) -> None:
    assert identity.spec_hash(sell_bracket(**change)) != identity.spec_hash(sell_bracket())


def test_protect_and_source_do_not_change_identity() -> None:
    assert identity.spec_hash(sell_bracket(protect=True)) == identity.spec_hash(sell_bracket())


def test_equal_decimals_written_differently_hash_the_same() -> None:
    written_long = sell_bracket(quantity=Decimal("0.0500"))
    assert identity.spec_hash(written_long) == identity.spec_hash(sell_bracket())


def test_parse_list_id_round_trips_and_rejects_foreign_ids() -> None:
    list_id = identity.bracket_ids("ocr", sell_bracket()).list_client_order_id
    parsed = identity.parse_list_id("ocr", list_id)
    assert parsed == identity.ParsedListId("btc-core-exit", identity.spec_hash(sell_bracket()))
    assert identity.parse_list_id("other", list_id) is None
    assert identity.parse_list_id("ocr", "web_8f3a9c2d1e") is None
    assert identity.parse_list_id("ocr", "ocr-noHash") is None
    assert identity.parse_list_id("ocr", "ocr--abcdef") is None
    assert not identity.is_managed("ocr", "x" + list_id)


names = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1
)
owners = st.from_regex(identity.OWNER_RE, fullmatch=True)


@given(owner=owners, name=names, rev=st.integers(min_value=0, max_value=10**6))
def test_every_id_fits_binance_rules_when_the_name_fits(owner: str, name: str, rev: int) -> None:
    name = name[: identity.max_name_length(owner)]
    ids = identity.bracket_ids(owner, sell_bracket(name=name, rev=rev))
    for client_id in (
        ids.list_client_order_id,
        ids.above_client_order_id,
        ids.below_client_order_id,
        ids.cancel_client_order_id,
    ):
        assert identity.CLIENT_ID_RE.match(client_id), client_id
    assert identity.parse_list_id(owner, ids.list_client_order_id) == identity.ParsedListId(
        name, identity.spec_hash(sell_bracket(name=name, rev=rev))
    )


def test_cancelled_by_tool_recognises_only_our_cancel_id() -> None:
    list_id = identity.bracket_ids("ocr", sell_bracket()).list_client_order_id
    assert identity.was_cancelled_by_tool(list_id, list_id + "-cx")
    assert not identity.was_cancelled_by_tool(list_id, "web_cancel_123")
