"""The wire layer: one request (method, path, query, body, headers) -> one Binance-shaped answer.

Both front-ends call :meth:`SimApp.handle`: the in-process httpx transport (``transport.py``) and
``sim serve`` (``server.py``). For every request, in order:

1. route (unknown path: HTTP 404);
2. fault plan draw; injected latency;
3. rate limits: an active ban (418), request weight (429 ``-1003``), escalation to a ban;
4. a "before" fault answers here, nothing executes;
5. signed endpoints: ``X-MBX-APIKEY`` (401 ``-2014``/``-2015``), ``signature`` over the exact
   query string + body without the ``signature`` parameter (``-1022``), ``timestamp`` and
   ``recvWindow`` (``-1021``) as rest-api.md "Timing security" gives them;
6. the endpoint's parameters (``-1100``/``-1101``/``-1102``/``-1104``/``-1105``/``-1111``/``-1121``)
   and the engine (``rules.py`` and ``engine.py``);
7. weight and order counts are charged (a successful order or cancel weighs 0 since 2026-04-02);
8. an "after" fault replaces the answer: the engine already committed.

Every answer carries ``X-MBX-USED-WEIGHT-1M``; successful placements also
``X-MBX-ORDER-COUNT-10S`` and ``-1D``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from oco_reconcile.sim import codes
from oco_reconcile.sim.codes import SimError
from oco_reconcile.sim.engine import Engine
from oco_reconcile.sim.faults import Draw, FaultInjector, FaultKind, FaultPlan, FaultRule
from oco_reconcile.sim.keys import SIM_API_KEY, SIM_API_SECRET
from oco_reconcile.sim.limits import Limit, RateLimiter
from oco_reconcile.sim.params import Params, parse_pairs
from oco_reconcile.sim.rules import ABOVE, BELOW, TIME_IN_FORCE_VALUES, LegSpec, OcoSpec
from oco_reconcile.sim.shapes import ACK, FULL, RESULT, Shapes

DROP = "drop"
TIMEOUT = "timeout"
SIDES = ("BUY", "SELL")
RESPONSE_TYPES = (ACK, RESULT, FULL)
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER")
CANCEL_RESTRICTIONS = ("ONLY_NEW", "ONLY_PARTIALLY_FILLED")
SYMBOL_STATUSES = ("TRADING", "HALT", "BREAK", "END_OF_DAY", "CANCEL_ONLY")
DEFAULT_RECV_WINDOW = Decimal(5000)
MAX_RECV_WINDOW = Decimal(60000)
EARLIEST_TIMESTAMP = 1_483_228_800_000  # 2017-01-01: earlier timestamps are refused
JSON_TYPE = "application/json;charset=UTF-8"

Json = Any


@dataclass(frozen=True)
class SimRequest:
    method: str
    path: str
    query: str = ""
    body: str = ""
    headers: Mapping[str, str] | None = None

    def header(self, name: str) -> str | None:
        for key, value in (self.headers or {}).items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class SimResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    disconnect: str | None = None  # DROP or TIMEOUT: the front-end sends no answer

    def json(self) -> Json:
        return json.loads(self.body)


# --- signature verification -------------------------------------------------------------------


class Verifier:
    """Checks one key type's signature over the payload bytes."""

    def verify(self, payload: bytes, signature: str) -> bool:
        raise NotImplementedError


class HmacVerifier(Verifier):
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def verify(self, payload: bytes, signature: str) -> bool:
        expected = hmac.new(self._secret, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.lower())  # HMAC is case-insensitive

    def __repr__(self) -> str:
        return "HmacVerifier(secret=***)"


class PublicKeyVerifier(Verifier):
    """Ed25519 or RSA (PKCS#1 v1.5, SHA-256) with a registered public key; base64 signatures."""

    def __init__(self, public_key_pem: bytes) -> None:
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
            raise ValueError("only Ed25519 and RSA public keys are supported")
        self._key = key

    def verify(self, payload: bytes, signature: str) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
            if isinstance(self._key, ed25519.Ed25519PublicKey):
                self._key.verify(raw, payload)
            else:
                self._key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


def default_keys() -> dict[str, Verifier]:
    return {SIM_API_KEY: HmacVerifier(SIM_API_SECRET)}


def signed_payload(query: str, body: str) -> bytes:
    """Binance signs the query string concatenated with the body, minus ``signature`` itself."""
    return (_strip_signature(query) + _strip_signature(body)).encode()


def _strip_signature(raw: str) -> str:
    if not raw:
        return ""
    return "&".join(part for part in raw.split("&") if not part.startswith("signature="))


# --- routes -----------------------------------------------------------------------------------

Handler = Callable[["SimApp", Params], Json]
Weight = Callable[[Mapping[str, str]], int]


@dataclass(frozen=True)
class Route:
    handler: Handler
    weight: Weight
    signed: bool = False
    trade: bool = False  # order/cancel: a success weighs 0 (CHANGELOG 2026-03-27)
    order_count: int = 0  # unfilled orders a success adds


def _fixed(weight: int) -> Weight:
    return lambda _values: weight


def _by_symbol(with_symbol: int, without: int) -> Weight:
    return lambda values: with_symbol if values.get("symbol") else without


def _weights_of_ticker(values: Mapping[str, str]) -> int:
    return 2 if values.get("symbol") else 4


class SimApp:
    def __init__(
        self,
        engine: Engine,
        *,
        keys: Mapping[str, Verifier] | None = None,
        faults: FaultPlan | None = None,
        sleep: Callable[[float], None] = time.sleep,
        ban_after: int = 3,
    ) -> None:
        self.engine = engine
        self.shapes = Shapes(engine)
        self.keys = dict(keys) if keys is not None else default_keys()
        self.fault_plan = faults or FaultPlan()
        self.faults = FaultInjector(self.fault_plan)
        self.sleep = sleep
        limits = [Limit.from_json(item) for item in engine.state.rate_limits]
        self.limiter = RateLimiter(limits, self.server_time, ban_after=ban_after)

    def server_time(self) -> int:
        return self.engine.clock() + self.fault_plan.clock_offset_ms

    # --- the pipeline -------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        method = request.method.upper()
        route = ROUTES.get((method, request.path))
        if route is None:
            return self._answer(SimError(-1020, codes.MSG_UNSUPPORTED_OPERATION, status=404))
        draw = self.faults.draw(method, request.path)
        if draw.latency_ms:
            self.sleep(draw.latency_ms / 1000)
        response = self._run(route, request, draw)
        if draw.after is not None and response.status not in (418, 429):
            return self._fault_answer(draw.after)  # the engine already committed
        return response

    def _run(self, route: Route, request: SimRequest, draw: Draw) -> SimResponse:
        weight = route.weight(dict(parse_pairs(request.query)))
        try:
            self.limiter.admit(weight)
        except SimError as reject:
            return self._answer(reject)
        if draw.before is not None:
            return self._fault_answer(draw.before)
        try:
            if route.order_count:
                self.limiter.admit_orders(route.order_count)
            body = self._call(route, request)
        except SimError as reject:
            if reject.status not in (418, 429):
                self.limiter.charge(weight)
            return self._answer(reject)
        self.limiter.charge(0 if route.trade else weight, orders=route.order_count)
        extra = self.limiter.order_headers() if route.order_count else []
        return self._json(200, body, extra)

    def _call(self, route: Route, request: SimRequest) -> Json:
        body = request.body if request.method.upper() != "GET" else ""
        params = Params(request.query, body)
        if route.signed:
            self._authenticate(request, params)
        with self.engine.lock:  # render while no other request can change the records
            return route.handler(self, params)

    # --- authentication -----------------------------------------------------------------------

    def _authenticate(self, request: SimRequest, params: Params) -> None:
        api_key = request.header("X-MBX-APIKEY")
        if not api_key:
            raise SimError(-2014, codes.MSG_BAD_API_KEY_FORMAT, status=401)
        verifier = self.keys.get(api_key)
        if verifier is None:
            raise SimError(-2015, codes.MSG_REJECTED_KEY, status=401)
        signature = params.required("signature")
        timestamp = params.long("timestamp", mandatory=True)
        recv_window = params.decimal("recvWindow")
        if recv_window is not None and recv_window > MAX_RECV_WINDOW:
            raise SimError(-1102, codes.MSG_TOO_GREAT.format(name="recvWindow", limit=60000))
        if not verifier.verify(signed_payload(request.query, request.body), signature):
            raise SimError(-1022, codes.MSG_BAD_SIGNATURE)
        assert timestamp is not None  # noqa: S101 - mandatory
        self._check_timestamp(timestamp, recv_window or DEFAULT_RECV_WINDOW)

    def _check_timestamp(self, timestamp: int, recv_window: Decimal) -> None:
        """rest-api.md "Timing security"; microsecond timestamps are accepted too."""
        millis = Decimal(timestamp) / 1000 if timestamp >= 10**14 else Decimal(timestamp)
        now = self.server_time()
        if millis >= now + 1000:
            raise SimError(-1021, codes.MSG_AHEAD)
        if millis < EARLIEST_TIMESTAMP or now - millis > recv_window:
            raise SimError(-1021, codes.MSG_RECV_WINDOW)

    # --- answers ------------------------------------------------------------------------------

    def _json(
        self, status: int, body: Json, extra: list[tuple[str, str]] | tuple[tuple[str, str], ...]
    ) -> SimResponse:
        headers = [("Content-Type", JSON_TYPE), *self.limiter.weight_headers(), *extra]
        data = json.dumps(body, separators=(",", ":")).encode()
        return SimResponse(status, tuple(headers), data)

    def _answer(self, reject: SimError) -> SimResponse:
        return self._json(reject.status, {"code": reject.code, "msg": reject.msg}, reject.headers)

    def _fault_answer(self, rule: FaultRule) -> SimResponse:
        if rule.kind is FaultKind.DROP:
            return SimResponse(0, (), b"", disconnect=DROP)
        if rule.kind is FaultKind.READ_TIMEOUT:
            return SimResponse(0, (), b"", disconnect=TIMEOUT)
        return self._answer(self._fault_reject(rule))

    def _fault_reject(self, rule: FaultRule) -> SimError:
        status = rule.http_status
        retry = (("Retry-After", str(rule.retry_after_s)),)
        if rule.kind is FaultKind.HTTP_5XX:
            if rule.commits_first:
                return SimError(-1006, codes.MSG_UNEXPECTED_RESP, status=status)
            return SimError(-1001, codes.MSG_INTERNAL, status=status)
        if rule.kind is FaultKind.TIMEOUT:
            return SimError(-1007, codes.MSG_TIMEOUT, status=status)
        if rule.kind is FaultKind.BUSY:
            return SimError(-1008, codes.MSG_BUSY, status=status)
        if rule.kind is FaultKind.RATE_LIMIT:
            limit = next(iter(self.engine.state.rate_limits), None)
            message = codes.MSG_TOO_MANY_RAW
            if limit is not None:
                parsed = Limit.from_json(limit)
                message = codes.MSG_TOO_MUCH_WEIGHT.format(
                    limit=parsed.limit, interval=f"{parsed.interval_num} {parsed.interval}"
                )
            return SimError(-1003, message, status=429, headers=retry)
        if rule.kind is FaultKind.BAN:
            return self.limiter.ban(rule.retry_after_s)
        return SimError(-1021, codes.MSG_RECV_WINDOW)  # CLOCK_SKEW

    # --- endpoint handlers --------------------------------------------------------------------

    def ping(self, params: Params) -> Json:
        params.finish()
        return {}

    def get_time(self, params: Params) -> Json:
        params.finish()
        return {"serverTime": self.server_time()}

    def exchange_info(self, params: Params) -> Json:
        symbol = params.text("symbol")
        symbols = _symbol_list(params, "symbols")
        params.text("permissions")
        show_sets = params.boolean("showPermissionSets")
        status = params.enum("symbolStatus", SYMBOL_STATUSES)
        params.finish()
        if (symbol and symbols) or (status and (symbol or symbols)):
            raise SimError(-1128, codes.MSG_BAD_COMBO)
        names = [symbol] if symbol else symbols or list(self.engine.state.symbols)
        infos = [self.engine.symbol(name) for name in names]
        if status:
            infos = [info for info in infos if info.get("status") == status]
        if show_sets is False:
            infos = [{**info, "permissionSets": []} for info in infos]
        return self.shapes.exchange_info(infos, self.server_time())

    def ticker_price(self, params: Params) -> Json:
        symbol = params.text("symbol")
        symbols = _symbol_list(params, "symbols")
        status = params.enum("symbolStatus", SYMBOL_STATUSES)
        params.finish()
        if symbol and symbols:
            raise SimError(-1128, codes.MSG_BAD_COMBO)
        if symbol:
            if status and self.engine.symbol(symbol).get("status") != status:
                raise SimError(
                    -1220, "The symbol's status does not match the requested symbolStatus."
                )
            self.engine.symbol(symbol)
            return self.shapes.ticker_price(symbol)
        names = symbols or list(self.engine.state.symbols)
        for name in names:
            self.engine.symbol(name)
        if status:
            names = [n for n in names if self.engine.state.symbols[n].get("status") == status]
        return [self.shapes.ticker_price(name) for name in names]

    def avg_price(self, params: Params) -> Json:
        symbol = params.required("symbol")
        params.finish()
        self.engine.symbol(symbol)
        return self.shapes.avg_price(symbol)

    def account(self, params: Params) -> Json:
        omit_zero = params.boolean("omitZeroBalances")
        params.finish()
        return self.shapes.account(self.engine.balances(), omit_zero=bool(omit_zero))

    def open_order_list(self, params: Params) -> Json:
        params.finish()
        return [self.shapes.order_list(item) for item in self.engine.open_order_lists()]

    def order_list(self, params: Params) -> Json:
        order_list_id = params.long("orderListId")
        client_id = params.text("origClientOrderId")
        params.finish()
        if order_list_id is None and client_id is None:
            raise codes.one_of("orderListId", "origClientOrderId")
        return self.shapes.order_list(self.engine.find_order_list(order_list_id, client_id))

    def all_order_list(self, params: Params) -> Json:
        from_id = params.long("fromId")
        start, end = params.long("startTime"), params.long("endTime")
        limit = params.long("limit")
        params.finish()
        if from_id is not None and (start is not None or end is not None):
            raise SimError(-1128, codes.MSG_BAD_COMBO)
        if start is not None and end is not None and end - start > 24 * 3_600_000:
            raise SimError(-1127, codes.MSG_INTERVAL_TOO_BIG.format(hours=24))
        if limit is not None and limit > 1000:
            raise SimError(-1102, codes.MSG_TOO_GREAT.format(name="limit", limit=1000))
        lists = self.engine.all_order_lists(from_id, start, end, limit or 500)
        return [self.shapes.order_list(item) for item in lists]

    def open_orders(self, params: Params) -> Json:
        symbol = params.text("symbol")
        params.finish()
        if symbol is not None:
            self.engine.symbol(symbol)
        orders = self.engine.open_orders(symbol)
        return [self.shapes.query_order(order, open_orders_layout=True) for order in orders]

    def get_order(self, params: Params) -> Json:
        symbol = params.required("symbol")
        order_id = params.long("orderId")
        client_id = params.text("origClientOrderId")
        params.finish()
        if order_id is None and client_id is None:
            raise codes.one_of("orderId", "origClientOrderId")
        return self.shapes.query_order(self.engine.find_order(symbol, order_id, client_id))

    def new_oco(self, params: Params) -> Json:
        spec, response_type = _read_oco(params)
        params.finish()
        order_list = self.engine.place_oco(spec)
        return self.shapes.placement(order_list, response_type)

    def new_oco_deprecated(self, params: Params) -> Json:
        spec, response_type = _read_deprecated_oco(params)
        params.finish()
        order_list = self.engine.place_oco(spec)
        return self.shapes.placement(order_list, response_type)

    def cancel_order_list(self, params: Params) -> Json:
        symbol = params.required("symbol")
        order_list_id = params.long("orderListId")
        client_id = params.client_id("listClientOrderId")
        new_id = params.client_id("newClientOrderId")
        params.finish()
        if order_list_id is None and client_id is None:
            raise codes.one_of("orderListId", "listClientOrderId")
        result = self.engine.cancel_order_list(symbol, order_list_id, client_id, new_id)
        assert result.order_list is not None  # noqa: S101 - a list cancel always has one
        when = result.order_list.transaction_time
        return self.shapes.cancellation(result.order_list, result.orders, when)

    def cancel_order(self, params: Params) -> Json:
        symbol = params.required("symbol")
        order_id = params.long("orderId")
        client_id = params.text("origClientOrderId")
        new_id = params.client_id("newClientOrderId")
        restriction = params.enum(
            "cancelRestrictions",
            CANCEL_RESTRICTIONS,
            invalid=SimError(-1145, codes.MSG_INVALID_CANCEL_RESTRICTIONS),
        )
        params.finish()
        if order_id is None and client_id is None:
            raise codes.one_of("orderId", "origClientOrderId")
        result = self.engine.cancel_order(
            symbol,
            order_id=order_id,
            client_id=client_id,
            new_client_order_id=new_id,
            restriction=restriction,
        )
        if result.order_list is not None:  # a leg of an open list: the list's shape
            when = result.order_list.transaction_time
            return self.shapes.cancellation(result.order_list, result.orders, when)
        order = result.orders[0]
        return self.shapes.cancel_report(order, order.update_time)


def _symbol_list(params: Params, name: str) -> list[str] | None:
    value = params.text(name)
    if value is None:
        return None
    try:
        names = json.loads(value)
    except ValueError:
        raise SimError(-1135, codes.MSG_INVALID_JSON.format(name=name)) from None
    if not isinstance(names, list) or not all(isinstance(item, str) for item in names):
        raise SimError(-1135, codes.MSG_INVALID_JSON.format(name=name))
    if len(set(names)) != len(names):
        raise SimError(-1151, codes.MSG_DUPLICATE_SYMBOLS)
    return names


def _read_common(params: Params) -> tuple[str, str | None, str, Decimal]:
    symbol = params.required("symbol")
    list_client_id = params.client_id("listClientOrderId")
    side = params.enum(
        "side", SIDES, mandatory=True, invalid=SimError(-1117, codes.MSG_INVALID_SIDE)
    )
    quantity = params.decimal("quantity", mandatory=True)
    assert side is not None  # noqa: S101 - mandatory
    assert quantity is not None  # noqa: S101 - mandatory
    return symbol, list_client_id, side, quantity


def _read_tail(params: Params) -> tuple[str, str | None]:
    response_type = params.enum("newOrderRespType", RESPONSE_TYPES) or FULL
    stp = params.enum("selfTradePreventionMode", STP_MODES)
    return response_type, stp


def _read_oco(params: Params) -> tuple[OcoSpec, str]:
    """``POST /api/v3/orderList/oco`` parameters (rest-api.md "New Order list - OCO")."""
    symbol, list_client_id, side, quantity = _read_common(params)
    above_type = params.required("aboveType")
    below_type = params.required("belowType")
    above = _read_leg(params, ABOVE, above_type)
    below = _read_leg(params, BELOW, below_type)
    response_type, stp = _read_tail(params)
    spec = OcoSpec(symbol, side, quantity, above, below, list_client_id, stp)
    return spec, response_type


def _read_leg(params: Params, position: str, leg_type: str) -> LegSpec:
    def name(suffix: str) -> str:
        return position + suffix

    leg = LegSpec(
        position=position,
        type=leg_type,
        client_order_id=params.client_id(name("ClientOrderId")),
        iceberg_qty=params.decimal(name("IcebergQty")),
        price=params.decimal(name("Price")),
        stop_price=params.decimal(name("StopPrice")),
        trailing_delta=params.long(name("TrailingDelta")),
        time_in_force=_time_in_force(params, name("TimeInForce")),
        strategy_id=params.long(name("StrategyId")),
        strategy_type=params.strategy_type(name("StrategyType")),
    )
    for peg in ("PegPriceType", "PegOffsetType", "PegOffsetValue"):
        if params.text(name(peg)) is not None:
            raise codes.rejected(codes.MSG_PEG_NOT_SUPPORTED)
    return leg


def _time_in_force(params: Params, name: str) -> str | None:
    invalid = SimError(-1115, codes.MSG_INVALID_TIF)
    return params.enum(name, TIME_IN_FORCE_VALUES, invalid=invalid)


def _read_deprecated_oco(params: Params) -> tuple[OcoSpec, str]:
    """``POST /api/v3/order/oco``: a LIMIT_MAKER at ``price`` and a stop leg at ``stopPrice``
    (a STOP_LOSS_LIMIT when ``stopLimitPrice`` is sent), normalised to above/below by side."""
    symbol, list_client_id, side, quantity = _read_common(params)
    limit_leg = {
        "type": "LIMIT_MAKER",
        "client_order_id": params.client_id("limitClientOrderId"),
        "price": params.decimal("price", mandatory=True),
        "strategy_id": params.long("limitStrategyId"),
        "strategy_type": params.strategy_type("limitStrategyType"),
        "iceberg_qty": params.decimal("limitIcebergQty"),
        "wire_names": {"price": "price", "icebergQty": "limitIcebergQty"},
    }
    trailing = params.long("trailingDelta")
    stop_client_id = params.client_id("stopClientOrderId")
    stop_price = params.decimal("stopPrice", mandatory=True)
    stop_leg = {
        "client_order_id": stop_client_id,
        "stop_price": stop_price,
        "trailing_delta": trailing,
        "strategy_id": params.long("stopStrategyId"),
        "strategy_type": params.strategy_type("stopStrategyType"),
        "price": params.decimal("stopLimitPrice"),
        "iceberg_qty": params.decimal("stopIcebergQty"),
        "time_in_force": _time_in_force(params, "stopLimitTimeInForce"),
        "wire_names": _DEPRECATED_STOP_NAMES,
    }
    stop_leg["type"] = "STOP_LOSS_LIMIT" if stop_leg["price"] is not None else "STOP_LOSS"
    response_type, stp = _read_tail(params)
    limit_position, stop_position = (ABOVE, BELOW) if side == "SELL" else (BELOW, ABOVE)
    limit = LegSpec(position=limit_position, **limit_leg)  # type: ignore[arg-type]
    stop = LegSpec(position=stop_position, **stop_leg)  # type: ignore[arg-type]
    above, below = (limit, stop) if side == "SELL" else (stop, limit)
    spec = OcoSpec(symbol, side, quantity, above, below, list_client_id, stp)
    return spec, response_type


_DEPRECATED_STOP_NAMES = {
    "price": "stopLimitPrice",
    "stopPrice": "stopPrice",
    "trailingDelta": "trailingDelta",
    "timeInForce": "stopLimitTimeInForce",
    "icebergQty": "stopIcebergQty",
}

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/api/v3/ping"): Route(SimApp.ping, _fixed(1)),
    ("GET", "/api/v3/time"): Route(SimApp.get_time, _fixed(1)),
    ("GET", "/api/v3/exchangeInfo"): Route(SimApp.exchange_info, _fixed(20)),
    ("GET", "/api/v3/ticker/price"): Route(SimApp.ticker_price, _weights_of_ticker),
    ("GET", "/api/v3/avgPrice"): Route(SimApp.avg_price, _fixed(2)),
    ("GET", "/api/v3/account"): Route(SimApp.account, _fixed(20), signed=True),
    ("GET", "/api/v3/openOrderList"): Route(SimApp.open_order_list, _fixed(6), signed=True),
    ("GET", "/api/v3/orderList"): Route(SimApp.order_list, _fixed(4), signed=True),
    ("GET", "/api/v3/allOrderList"): Route(SimApp.all_order_list, _fixed(20), signed=True),
    ("GET", "/api/v3/openOrders"): Route(SimApp.open_orders, _by_symbol(6, 80), signed=True),
    ("GET", "/api/v3/order"): Route(SimApp.get_order, _fixed(4), signed=True),
    ("POST", "/api/v3/orderList/oco"): Route(
        SimApp.new_oco, _fixed(1), signed=True, trade=True, order_count=2
    ),
    ("POST", "/api/v3/order/oco"): Route(
        SimApp.new_oco_deprecated, _fixed(1), signed=True, trade=True, order_count=2
    ),
    ("DELETE", "/api/v3/orderList"): Route(
        SimApp.cancel_order_list, _fixed(1), signed=True, trade=True
    ),
    ("DELETE", "/api/v3/order"): Route(SimApp.cancel_order, _fixed(1), signed=True, trade=True),
}
