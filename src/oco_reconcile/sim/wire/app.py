"""The wire layer: one request (method, path, query, body, headers) -> one Binance-shaped answer.

Both front-ends call :meth:`SimApp.handle`: the in-process httpx transport (``transport.py``) and
``sim serve`` (``server.py``). For every request, in order:

1. route (``routes.py``; a path it does not serve: HTTP 404 with a body that is no Binance error,
   ``other_venues.py``);
2. fault plan draw (``faults.py``); injected latency;
3. rate limits: an active ban (418), request weight (429 ``-1003``), escalation to a ban;
4. a "before" fault answers here, nothing executes;
5. signed endpoints: the API key, signature and timing (``auth.py``); USER_STREAM ones
   (``listen_keys.py``): the API key only;
6. the endpoint's parameters (``params.py``, ``endpoints.py``) and the engine;
7. weight and order counts are charged (a successful order or cancel weighs 0 since 2026-04-02);
8. an "after" fault replaces the answer: the engine already committed.

Every answer carries ``X-MBX-USED-WEIGHT-1M``; successful placements also
``X-MBX-ORDER-COUNT-10S`` and ``-1D`` (``/fapi``: ``-10S`` and ``-1M``). ``/fapi`` paths are
counted and banned by their own :class:`RateLimiter`, built from the futures exchangeInfo limits
(Binance limits USDⓈ-M futures apart from Spot).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence

from oco_reconcile.json_types import JsonValue
from oco_reconcile.sim.engine import errors
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.limits import Limit, RateLimiter, weight_message
from oco_reconcile.sim.engine.machine import Engine
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.auth import (
    API_KEY_HEADER,
    Verifier,
    authenticate,
    default_keys,
    known_key,
)
from oco_reconcile.sim.wire.endpoints import Endpoints
from oco_reconcile.sim.wire.faults import FaultDraw, FaultInjector, FaultKind, FaultPlan, FaultRule
from oco_reconcile.sim.wire.listen_keys import ListenKeys
from oco_reconcile.sim.wire.messages import (
    DROP,
    JSON_CONTENT_TYPE,
    TIMEOUT,
    SimRequest,
    SimResponse,
)
from oco_reconcile.sim.wire.other_venues import NOT_SERVED_STATUS, not_served
from oco_reconcile.sim.wire.params import Params, parse_pairs
from oco_reconcile.sim.wire.routes import FAPI_PREFIX, ROUTES, Route
from oco_reconcile.sim.wire.shapes import Shapes

USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-"
ORDER_COUNT_HEADER = "X-MBX-ORDER-COUNT-"
_LIMITED_STATUSES = (418, 429)  # a rate-limit answer: nothing ran, nothing is charged


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
        self.keys = dict(keys) if keys is not None else default_keys()
        self.fault_plan = faults or FaultPlan()
        self.faults = FaultInjector(self.fault_plan)
        self.sleep = sleep
        limits = [Limit.from_json(item) for item in engine.state.rate_limits]
        self.limiter = RateLimiter(limits, self.server_time, ban_after=ban_after)
        # /fapi has its own limits (its exchangeInfo): Binance counts futures apart from Spot
        futures = [Limit.from_json(item) for item in engine.state.usdm.rate_limits]
        self.fapi_limiter = RateLimiter(futures, self.server_time, ban_after=ban_after)
        self.shapes = Shapes(engine)
        self.endpoints = Endpoints(
            engine, self.shapes, self.server_time, lambda: self.limiter.counts("ORDERS")
        )
        self.listen_keys = ListenKeys(self.server_time)  # the futures user data stream's key
        self.endpoints.listen_keys = self.listen_keys

    def server_time(self) -> int:
        return self.engine.clock() + self.fault_plan.clock_offset_ms

    # --- the pipeline -------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        method = request.method.upper()
        route = ROUTES.get((method, request.path))
        if route is None:
            body = json.dumps(not_served(method, request.path)).encode()
            headers = (("Content-Type", JSON_CONTENT_TYPE),)
            return SimResponse(NOT_SERVED_STATUS, headers, body)
        limiter = self.fapi_limiter if request.path.startswith(FAPI_PREFIX) else self.limiter
        draw = self.faults.draw(method, request.path)
        if draw.latency_ms:
            self.sleep(draw.latency_ms / 1000)
        response = self._run(route, request, draw, limiter)
        if draw.after is not None and response.status not in _LIMITED_STATUSES:
            return self._fault_answer(draw.after, limiter)  # the engine already committed
        return response

    def _run(
        self, route: Route, request: SimRequest, draw: FaultDraw, limiter: RateLimiter
    ) -> SimResponse:
        weight = route.weight(dict(parse_pairs(request.query)))
        try:
            limiter.admit(weight)
        except SimError as reject:
            return self._answer(reject, limiter)
        if draw.before is not None:
            return self._fault_answer(draw.before, limiter)
        try:
            if route.order_count:
                limiter.admit_orders(route.order_count)
            body = self._call(route, request)
        except SimError as reject:
            if reject.status not in _LIMITED_STATUSES:
                limiter.charge(weight)
            return self._answer(reject, limiter)
        limiter.charge(0 if route.trade else weight, orders=route.order_count)
        extra = _usage(limiter, "ORDERS", ORDER_COUNT_HEADER) if route.order_count else []
        return self._json(200, body, extra, limiter)

    def _call(self, route: Route, request: SimRequest) -> JsonValue:
        body = request.body if request.method.upper() != "GET" else ""
        params = Params(request.query, body)
        if route.signed:
            authenticate(request, params, self.keys, self.server_time)
        elif route.keyed:
            known_key(request.header(API_KEY_HEADER), self.keys)
        with self.engine.lock:  # render while no other request can change the records
            return route.handler(self.endpoints, params)

    # --- answers ------------------------------------------------------------------------------

    def _json(
        self,
        status: int,
        body: JsonValue,
        extra: Sequence[tuple[str, str]],
        limiter: RateLimiter,
    ) -> SimResponse:
        weight = _usage(limiter, "REQUEST_WEIGHT", USED_WEIGHT_HEADER)
        headers = [("Content-Type", JSON_CONTENT_TYPE), *weight, *extra]
        data = json.dumps(body, separators=(",", ":")).encode()
        return SimResponse(status, tuple(headers), data)

    def _answer(self, reject: SimError, limiter: RateLimiter) -> SimResponse:
        body = {"code": reject.code, "msg": reject.msg}
        return self._json(reject.status, body, reject.headers, limiter)

    def _fault_answer(self, rule: FaultRule, limiter: RateLimiter) -> SimResponse:
        if rule.kind is FaultKind.DROP:
            return SimResponse(0, (), b"", disconnect=DROP)
        if rule.kind is FaultKind.READ_TIMEOUT:
            return SimResponse(0, (), b"", disconnect=TIMEOUT)
        return self._answer(self._fault_reject(rule, limiter), limiter)

    def _fault_reject(self, rule: FaultRule, limiter: RateLimiter) -> SimError:
        status = rule.http_status
        if rule.kind is FaultKind.HTTP_5XX:
            if rule.commits_first:
                return SimError(-1006, codes.MSG_UNEXPECTED_RESP, status=status)
            return SimError(-1001, codes.MSG_INTERNAL, status=status)
        if rule.kind is FaultKind.TIMEOUT:
            return SimError(-1007, codes.MSG_TIMEOUT, status=status)
        if rule.kind is FaultKind.BUSY:
            return SimError(-1008, codes.MSG_BUSY, status=status)
        if rule.kind is FaultKind.RATE_LIMIT:
            return _injected_429(limiter, rule.retry_after_s)
        if rule.kind is FaultKind.BAN:
            return limiter.ban(rule.retry_after_s)
        return SimError(-1021, codes.MSG_RECV_WINDOW)  # CLOCK_SKEW


def _usage(limiter: RateLimiter, kind: str, prefix: str) -> list[tuple[str, str]]:
    return [(prefix + suffix, str(used)) for suffix, used in limiter.usage(kind)]


def _injected_429(limiter: RateLimiter, retry_after_s: int) -> SimError:
    """The 429 of the first request-weight limit (as a real weight overrun words it)."""
    first = limiter.first_limit("REQUEST_WEIGHT")
    message = errors.MSG_TOO_MANY_RAW if first is None else weight_message(first)
    return SimError(-1003, message, status=429, headers=errors.retry_after(retry_after_s))
