"""Request parameters of the fapi Algo Order API, in sending order (binance-api.md §10.3).

Only what a request needs is sent: Binance rejects parameters a combination does not take
(``closePosition`` with ``quantity`` or ``reduceOnly``; ``reduceOnly`` in hedge mode: -1106
"Parameter 'reduceOnly' sent when not required."; ``price`` / ``timeInForce`` for market types).
"""

from __future__ import annotations

from oco_reconcile.core.decimals import to_wire
from oco_reconcile.core.usdm.model import AlgoRequest, PositionSide


def algo_params(request: AlgoRequest) -> list[tuple[str, str]]:
    """The parameters of ``POST /fapi/v1/algoOrder`` with ``algoType=CONDITIONAL``."""
    params = [
        ("algoType", "CONDITIONAL"),
        ("symbol", request.symbol),
        ("side", request.side.value),
        ("positionSide", request.position_side.value),
        ("type", request.type.value),
        ("triggerPrice", to_wire(request.trigger_price)),
        ("workingType", request.working_type.value),
        ("clientAlgoId", request.client_algo_id),
    ]
    return params + _optional_params(request)


def _optional_params(request: AlgoRequest) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    if request.quantity is None:
        params.append(("closePosition", "true"))
    else:
        params.append(("quantity", to_wire(request.quantity)))
        # New-Algo-Order.md: reduceOnly is "not in Hedge Mode", whatever the request asks.
        if request.reduce_only and request.position_side is PositionSide.BOTH:
            params.append(("reduceOnly", "true"))
    if not request.type.is_market:
        if request.price is not None:
            params.append(("price", to_wire(request.price)))
        tif = request.time_in_force.value if request.time_in_force is not None else "GTC"
        params.append(("timeInForce", tif))
    if request.price_protect:
        params.append(("priceProtect", "TRUE"))
    return params
