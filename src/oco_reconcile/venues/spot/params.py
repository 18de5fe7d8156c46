"""Request parameters of Binance Spot endpoints, in sending order, and their encoding.

Prices and quantities go out as canonical decimal strings; only the parameters a leg type takes
are sent (rest-api.md "New Order list - OCO (TRADE)").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import quote, urlencode

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.model import LegRequest, OcoRequest

Params = Sequence[tuple[str, str]]


def _wire(value: Decimal | None) -> str | None:
    return None if value is None else to_wire(value)


def _leg_params(prefix: str, leg_request: LegRequest) -> list[tuple[str, str]]:
    leg = leg_request.leg
    values = (
        ("Type", leg.type.value),
        ("ClientOrderId", leg_request.client_order_id),
        ("Price", _wire(leg.price)),
        ("StopPrice", _wire(leg.stop_price)),
        ("TrailingDelta", None if leg.trailing_delta is None else str(leg.trailing_delta)),
        ("TimeInForce", None if leg.time_in_force is None else leg.time_in_force.value),
        ("IcebergQty", _wire(leg.iceberg_qty)),
    )
    # Only what is set: Binance rejects parameters a leg type does not take (-1104 / -1106).
    return [(prefix + name, value) for name, value in values if value is not None]


def oco_params(request: OcoRequest) -> list[tuple[str, str]]:
    """The parameters of ``POST /api/v3/orderList/oco`` (rest-api.md "New Order list - OCO
    (TRADE)"), in sending order."""
    return [
        ("symbol", request.symbol),
        ("side", request.side.value),
        ("quantity", to_wire(request.quantity)),
        ("listClientOrderId", request.list_client_order_id),
        *_leg_params("above", request.above),
        *_leg_params("below", request.below),
        ("newOrderRespType", "RESULT"),
    ]


def encode_query(params: Params) -> str:
    """Percent-encode every key and value (only ``A-Za-z0-9-_.~`` stay as they are, §8.1)."""
    return urlencode(list(params), quote_via=quote)


def symbols_json(symbols: Sequence[str]) -> str:
    return json.dumps(list(dict.fromkeys(symbols)), separators=(",", ":"))
