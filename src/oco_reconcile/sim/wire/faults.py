"""Fault injection: what can go wrong between a client and Binance, reproducibly.

A :class:`FaultPlan` is a value (load it from YAML/JSON with :func:`load_fault_plan`); a
:class:`FaultInjector` applies it to the request stream. Each :class:`FaultRule` names an endpoint
(``"POST /api/v3/orderList/oco"``, ``"GET *"`` or ``"*"``), a kind, and when it fires: a scripted
``sequence`` over the endpoint's requests (``"x.x"``: the 1st and 3rd fire), then a
``probability`` drawn from a generator seeded with the plan's ``seed`` and the rule's index (so
one endpoint's traffic never shifts another's draws). ``times`` caps how often a rule fires.

Kinds, and the state each leaves behind (what the real exchange would be in):

* ``latency``: the answer is delayed by ``latency_ms`` (any rule may add latency when it fires).
* ``http_5xx``: HTTP ``status`` (default 503). ``after: false``: nothing executed, body ``-1001``;
  ``after: true``: the request executed, then the answer is lost (body ``-1006``, status unknown).
* ``timeout``: ``-1007`` "Timeout waiting for response from backend server..." with HTTP 408 (the
  spot status is undocumented; the futures docs use 408). ``after`` defaults to true: the request
  executed.
* ``busy``: ``-1008`` with HTTP 503; nothing executed unless ``after: true``.
* ``drop``: the connection closes without an answer (in process: ``httpx.RemoteProtocolError``);
  ``after: true`` commits first.
* ``read_timeout``: in process ``httpx.ReadTimeout``; over HTTP the server holds the connection for
  ``latency_ms`` then closes it. ``after`` as for ``drop``.
* ``rate_limit``: HTTP 429 ``-1003`` with ``Retry-After: retry_after`` (default 1 s); nothing
  executed.
* ``ban``: HTTP 418 ``-1003``; the ban is installed for ``retry_after`` seconds (default 120), so
  every request until then is refused too.
* ``clock_skew``: ``-1021`` "Timestamp for this request is outside of the recvWindow."; nothing
  executed. A standing skew is ``clock_offset_ms`` on the plan: the server clock (and
  ``GET /api/v3/time``) is shifted, so a client that re-syncs recovers.

The user data streams (``sim/streams/server.py``) draw their own rules, those whose endpoint is
``WS /ws-api/v3`` (Spot) or ``WS /ws`` (futures), once per event: ``latency``, ``drop``,
``read_timeout`` (a stall of ``latency_ms``, then the drop) and ``server_shutdown`` (that kind
only there). ``"*"`` rules stay with REST.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from oco_reconcile.errors import UsageError
from oco_reconcile.files import FileReadError, read_bounded
from oco_reconcile.json_types import JsonMapping, JsonValue


class FaultKind(StrEnum):
    LATENCY = "latency"
    HTTP_5XX = "http_5xx"
    TIMEOUT = "timeout"
    BUSY = "busy"
    DROP = "drop"
    READ_TIMEOUT = "read_timeout"
    RATE_LIMIT = "rate_limit"
    BAN = "ban"
    CLOCK_SKEW = "clock_skew"
    SERVER_SHUTDOWN = "server_shutdown"  # the streams only


AFTER_CAPABLE = frozenset(
    {FaultKind.HTTP_5XX, FaultKind.TIMEOUT, FaultKind.BUSY, FaultKind.DROP, FaultKind.READ_TIMEOUT}
)
MAX_FAULT_PLAN_BYTES = 1024 * 1024  # a plan is a few rules; the bound keeps `/dev/zero` out
STREAM_METHOD = "WS"
STREAM_KINDS = frozenset(
    {FaultKind.LATENCY, FaultKind.DROP, FaultKind.READ_TIMEOUT, FaultKind.SERVER_SHUTDOWN}
)
DEFAULT_STATUS = {FaultKind.HTTP_5XX: 503, FaultKind.TIMEOUT: 408, FaultKind.BUSY: 503}
DEFAULT_RETRY_AFTER = {FaultKind.RATE_LIMIT: 1, FaultKind.BAN: 120}


@dataclass(frozen=True)
class FaultRule:
    kind: FaultKind
    endpoint: str = "*"
    after: bool | None = None  # None: True for ``timeout``, False for the others
    probability: float = 0.0
    sequence: tuple[bool, ...] = ()
    times: int | None = None
    status: int | None = None
    retry_after: int | None = None
    latency_ms: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.endpoint == "*":
            return True
        want_method, _, want_path = self.endpoint.partition(" ")
        if want_method.upper() != method.upper():
            return False
        return want_path in ("*", path)

    @property
    def commits_first(self) -> bool:
        return self.kind is FaultKind.TIMEOUT if self.after is None else self.after

    @property
    def http_status(self) -> int:
        return self.status or DEFAULT_STATUS.get(self.kind, 503)

    @property
    def retry_after_s(self) -> int:
        return self.retry_after or DEFAULT_RETRY_AFTER.get(self.kind, 1)


@dataclass(frozen=True)
class FaultPlan:
    rules: tuple[FaultRule, ...] = ()
    seed: int = 0
    clock_offset_ms: int = 0

    @classmethod
    def from_mapping(cls, data: JsonMapping) -> FaultPlan:
        unknown = set(data) - {"seed", "clock_offset_ms", "faults"}
        if unknown:
            raise UsageError(f"fault plan: unknown keys {sorted(unknown)}")
        rules = tuple(
            _rule_from_mapping(item, index) for index, item in enumerate(data.get("faults") or ())
        )
        return cls(rules, int(data.get("seed", 0)), int(data.get("clock_offset_ms", 0)))


def _rule_from_mapping(item: JsonValue, index: int) -> FaultRule:
    if not isinstance(item, Mapping):
        raise UsageError(f"fault plan: faults[{index}] must be a mapping")
    allowed = set(FaultRule.__dataclass_fields__)
    unknown = set(item) - allowed
    if unknown:
        raise UsageError(f"fault plan: faults[{index}]: unknown keys {sorted(unknown)}")
    try:
        kind = FaultKind(item["kind"])
    except (KeyError, ValueError):
        kinds = ", ".join(kind.value for kind in FaultKind)
        raise UsageError(f"fault plan: faults[{index}].kind must be one of {kinds}") from None
    after = None if item.get("after") is None else bool(item["after"])
    endpoint = str(item.get("endpoint", "*"))
    on_stream = endpoint.upper().startswith(STREAM_METHOD + " ")
    if (kind is FaultKind.SERVER_SHUTDOWN or on_stream) and not (
        on_stream and kind in STREAM_KINDS
    ):
        kinds = ", ".join(sorted(kind.value for kind in STREAM_KINDS))
        raise UsageError(
            f"fault plan: faults[{index}]: a stream fault ('WS ...' endpoint) is one of {kinds}"
        )
    if after and kind not in AFTER_CAPABLE:
        raise UsageError(f"fault plan: faults[{index}]: '{kind.value}' cannot happen after")
    return FaultRule(
        kind=kind,
        endpoint=endpoint,
        after=after,
        probability=float(item.get("probability", 0.0)),
        sequence=_parse_sequence(item.get("sequence", ())),
        times=None if item.get("times") is None else int(item["times"]),
        status=None if item.get("status") is None else int(item["status"]),
        retry_after=None if item.get("retry_after") is None else int(item["retry_after"]),
        latency_ms=int(item.get("latency_ms", 0)),
    )


def stream_rules(plan: FaultPlan) -> tuple[FaultRule, ...]:
    """The rules of the user data streams (``WS ...`` endpoints)."""
    return tuple(
        rule for rule in plan.rules if rule.endpoint.upper().startswith(STREAM_METHOD + " ")
    )


def _parse_sequence(value: JsonValue) -> tuple[bool, ...]:
    """``"x..x"`` (x fires, anything else passes) or a list of booleans / 0 / 1."""
    if isinstance(value, str):
        return tuple(char in "xX1" for char in value)
    if isinstance(value, Sequence):
        return tuple(bool(item) for item in value)
    raise UsageError("fault plan: sequence must be a string like 'x.x' or a list of booleans")


def load_fault_plan(path: Path) -> FaultPlan:
    import yaml  # JSON is YAML too

    try:
        data = yaml.safe_load(read_bounded(path, MAX_FAULT_PLAN_BYTES).decode("utf-8"))
    except FileReadError as error:
        raise UsageError(f"cannot read fault plan {path}: {error.reason}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise UsageError(f"cannot read fault plan {path}: {error}") from None
    return FaultPlan.from_mapping(data or {})


@dataclass(frozen=True)
class FaultDraw:
    """What the plan decided for one request."""

    latency_ms: int = 0
    before: FaultRule | None = None
    after: FaultRule | None = None


@dataclass
class _RuleState:
    rng: random.Random
    seen: int = 0
    fired: int = 0


@dataclass
class FaultInjector:
    plan: FaultPlan
    _states: list[_RuleState] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._states = [
            _RuleState(random.Random(f"{self.plan.seed}:{index}"))  # noqa: S311 - not crypto
            for index, _ in enumerate(self.plan.rules)
        ]

    def draw(self, method: str, path: str) -> FaultDraw:
        latency, before, after = 0, None, None
        with self._lock:
            for rule, state in zip(self.plan.rules, self._states, strict=True):
                if not rule.matches(method, path) or not self._fires(rule, state):
                    continue
                latency += rule.latency_ms
                if rule.kind is FaultKind.LATENCY or before or after:
                    continue
                before, after = (None, rule) if rule.commits_first else (rule, None)
        return FaultDraw(latency, before, after)

    def _fires(self, rule: FaultRule, state: _RuleState) -> bool:
        index = state.seen
        state.seen += 1
        if rule.times is not None and state.fired >= rule.times:
            return False
        if index < len(rule.sequence):
            fires = rule.sequence[index]
        else:
            fires = rule.probability > 0 and state.rng.random() < rule.probability
        state.fired += int(fires)
        return fires
