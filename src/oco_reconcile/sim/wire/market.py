"""Market data other clients call (rest-api.md "Market data endpoints"), derived from the sim's
last prices and the account's own fills (the account is the only trader):

* ``ticker/24hr`` and ``ticker/bookTicker``: last, open, high and low from the fills of the last
  24 hours and the last price; the best bid and ask one tick either side of the last price;
* ``depth``: a synthetic book, ``limit`` levels one tick apart either side of the last price, each
  worth about :data:`LEVEL_NOTIONAL` of the quote asset (the account's own orders are not in it);
* ``klines`` / ``uiKlines``: flat candles at the last price, with the volume of the fills in each;
* ``trades`` and ``aggTrades``: the account's fills, one aggregate per fill.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal

from oco_reconcile.json_types import JsonObject, JsonValue
from oco_reconcile.sim.engine.errors import SimError
from oco_reconcile.sim.engine.records import SimTrade
from oco_reconcile.sim.wire import codes
from oco_reconcile.sim.wire.endpoints import SYMBOL_STATUSES, Endpoints, symbol_list
from oco_reconcile.sim.wire.params import Params

DAY_MS = 86_400_000
LEVEL_NOTIONAL = Decimal(10000)
DEPTH_DEFAULT_LIMIT, DEPTH_MAX_LIMIT = 100, 5000
CANDLES_DEFAULT_LIMIT, CANDLES_MAX_LIMIT = 500, 1000
TRADES_DEFAULT_LIMIT, TRADES_MAX_LIMIT = 500, 1000
MONTH = "1M"
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": DAY_MS, "w": 7 * DAY_MS}
INTERVALS: tuple[str, ...] = ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h")
INTERVALS += ("8h", "12h", "1d", "3d", "1w", MONTH)
_WEEK_OFFSET_MS = 4 * DAY_MS  # weeks open on Monday; 1970-01-01 was a Thursday
MSG_INVALID_INTERVAL = "Invalid interval."  # -1120


def ticker_24hr(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/ticker/24hr``: one object for ``symbol``, else an array."""
    symbol, names = _one_or_many(api, params)
    mini = params.enum("type", ("FULL", "MINI")) == "MINI"
    params.finish()
    if symbol is not None:
        return _day_stats(api, symbol, mini=mini)
    return [_day_stats(api, name, mini=mini) for name in names]


def book_ticker(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/ticker/bookTicker``."""
    symbol, names = _one_or_many(api, params)
    params.finish()
    if symbol is not None:
        return _best(api, symbol)
    return [_best(api, name) for name in names]


def depth(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/depth``; a ``limit`` over 5000 is cut to 5000, as the docs say."""
    symbol = params.required("symbol")
    sent = params.long("limit")
    limit = min(sent if sent is not None and sent > 0 else DEPTH_DEFAULT_LIMIT, DEPTH_MAX_LIMIT)
    status = params.enum("symbolStatus", SYMBOL_STATUSES)
    params.finish()
    _check_status(api, symbol, status)
    last, tick = api.engine.state.prices[symbol], _grid(api, symbol, "PRICE_FILTER", "tickSize")
    qty = api.shapes.qty_text(symbol, _level_qty(api, symbol, last))
    bids = [last - tick * k for k in range(1, limit + 1) if last - tick * k > 0]
    asks = [last + tick * k for k in range(1, limit + 1)]
    return {
        "lastUpdateId": api.engine.state.update_time,
        "bids": [[api.shapes.price_text(symbol, price), qty] for price in bids],
        "asks": [[api.shapes.price_text(symbol, price), qty] for price in asks],
    }


def klines(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/klines`` (and ``uiKlines``): flat candles at the last price."""
    symbol = params.required("symbol")
    interval = params.enum(
        "interval", INTERVALS, mandatory=True, invalid=SimError(-1120, MSG_INVALID_INTERVAL)
    )
    start, end = params.long("startTime"), params.long("endTime")
    params.text("timeZone")  # candles stay in UTC
    limit = _limit(params, CANDLES_DEFAULT_LIMIT, CANDLES_MAX_LIMIT)
    params.finish()
    assert interval is not None  # noqa: S101 - mandatory
    api.engine.symbol_info(symbol)
    now = api.server_time()
    # clamped to 1970 .. now: there are no candles outside it, and datetime has no year 300000
    until = max(0, min(end if end is not None else now, now))
    opens = _candle_opens(interval, None if start is None else max(0, start), until, limit)
    trades = api.engine.trades(symbol)
    return [_candle(api, symbol, interval, when, trades) for when in opens]


def recent_trades(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/trades``."""
    symbol = params.required("symbol")
    limit = _limit(params, TRADES_DEFAULT_LIMIT, TRADES_MAX_LIMIT)
    params.finish()
    return [_public_trade(api, trade) for trade in api.engine.trades(symbol, limit=limit)]


def aggregate_trades(api: Endpoints, params: Params) -> JsonValue:
    """``GET /api/v3/aggTrades``: each fill is its own aggregate (the docs' one-letter keys)."""
    symbol = params.required("symbol")
    from_id = params.long("fromId")
    start, end = params.long("startTime"), params.long("endTime")
    limit = _limit(params, TRADES_DEFAULT_LIMIT, TRADES_MAX_LIMIT)
    params.finish()
    if from_id is not None and (start is not None or end is not None):
        raise SimError(-1128, codes.MSG_BAD_COMBO)
    window = (start, end)
    trades = api.engine.trades(symbol, from_id=from_id, window=window, limit=limit)
    return [
        {
            "a": trade.trade_id,
            "p": api.shapes.price_text(symbol, trade.price),
            "q": api.shapes.qty_text(symbol, trade.qty),
            "f": trade.trade_id,
            "l": trade.trade_id,
            "T": trade.time,
            "m": trade.is_buyer == trade.is_maker,
            "M": True,
        }
        for trade in trades
    ]


# --- the values ---------------------------------------------------------------------------------


def _one_or_many(api: Endpoints, params: Params) -> tuple[str | None, list[str]]:
    """``symbol`` or ``symbols`` (or every symbol) and ``symbolStatus``: a single symbol of
    another status is -1220, others are left out (rest-api.md "24hr ticker ...")."""
    symbol = params.text("symbol")
    names = symbol_list(params, "symbols")
    status = params.enum("symbolStatus", SYMBOL_STATUSES)
    if symbol and names:
        raise SimError(-1128, codes.MSG_BAD_COMBO)
    if symbol:
        _check_status(api, symbol, status)
        return symbol, [symbol]
    chosen = names or list(api.engine.state.symbols)
    infos = [api.engine.symbol_info(name) for name in chosen]
    return None, [info["symbol"] for info in infos if status in (None, info.get("status"))]


def _check_status(api: Endpoints, symbol: str, status: str | None) -> None:
    """-1121 for an unknown symbol, -1220 for one of another ``symbolStatus``."""
    info = api.engine.symbol_info(symbol)
    if status is not None and info.get("status") != status:
        raise SimError(-1220, codes.MSG_SYMBOL_STATUS_MISMATCH)


_MINI_KEYS = (
    "symbol",
    "openPrice",
    "highPrice",
    "lowPrice",
    "lastPrice",
    "volume",
    "quoteVolume",
    "openTime",
    "closeTime",
    "firstId",
    "lastId",
    "count",
)


def _day_stats(api: Endpoints, symbol: str, *, mini: bool) -> JsonObject:
    """The docs' FULL shape (or its MINI subset, in the MINI order) over the last 24 hours."""
    now = api.server_time()
    trades = api.engine.trades(symbol, window=(now - DAY_MS, now), limit=None)
    last = api.engine.state.prices[symbol]
    prices = [trade.price for trade in trades] + [last]
    volume = sum((trade.qty for trade in trades), Decimal(0))
    quote_volume = sum((trade.quote_qty for trade in trades), Decimal(0))
    opened, change = prices[0], last - prices[0]
    price, qty = api.shapes.price_text, api.shapes.qty_text
    best = _best(api, symbol)
    full: JsonObject = {
        "symbol": symbol,
        "priceChange": price(symbol, change),
        "priceChangePercent": format(change * 100 / opened, ".3f"),
        "weightedAvgPrice": price(symbol, quote_volume / volume if volume else last),
        "prevClosePrice": price(symbol, opened),
        "lastPrice": price(symbol, last),
        "lastQty": qty(symbol, trades[-1].qty if trades else Decimal(0)),
        **{key: value for key, value in best.items() if key != "symbol"},
        "openPrice": price(symbol, opened),
        "highPrice": price(symbol, max(prices)),
        "lowPrice": price(symbol, min(prices)),
        "volume": qty(symbol, volume),
        "quoteVolume": price(symbol, quote_volume),
        "openTime": now - DAY_MS,
        "closeTime": now,
        "firstId": trades[0].trade_id if trades else -1,  # -1: no trade in the window
        "lastId": trades[-1].trade_id if trades else -1,
        "count": len(trades),
    }
    return {key: full[key] for key in _MINI_KEYS} if mini else full


def _best(api: Endpoints, symbol: str) -> JsonObject:
    last, tick = api.engine.state.prices[symbol], _grid(api, symbol, "PRICE_FILTER", "tickSize")
    qty = api.shapes.qty_text(symbol, _level_qty(api, symbol, last))
    return {
        "symbol": symbol,
        "bidPrice": api.shapes.price_text(symbol, last - tick),
        "bidQty": qty,
        "askPrice": api.shapes.price_text(symbol, last + tick),
        "askQty": qty,
    }


def _grid(api: Endpoints, symbol: str, filter_type: str, key: str) -> Decimal:
    filters = api.engine.symbol_info(symbol).get("filters", ())
    rule = next((item for item in filters if item["filterType"] == filter_type), None)
    return Decimal(rule[key]) if rule else Decimal("0.00000001")


def _level_qty(api: Endpoints, symbol: str, last: Decimal) -> Decimal:
    step = _grid(api, symbol, "LOT_SIZE", "stepSize")
    raw = LEVEL_NOTIONAL / last
    return (raw / step).to_integral_value(ROUND_DOWN) * step if step else raw


def _public_trade(api: Endpoints, trade: SimTrade) -> JsonObject:
    return {
        "id": trade.trade_id,
        "price": api.shapes.price_text(trade.symbol, trade.price),
        "qty": api.shapes.qty_text(trade.symbol, trade.qty),
        "quoteQty": api.shapes.price_text(trade.symbol, trade.quote_qty),
        "time": trade.time,
        "isBuyerMaker": trade.is_buyer == trade.is_maker,
        "isBestMatch": True,
    }


def _limit(params: Params, default: int, maximum: int) -> int:
    limit = params.long("limit")
    if limit is not None and limit > maximum:
        raise codes.too_great("limit", maximum)
    if limit is None or limit <= 0:
        return default  # 0 or less: the default
    return limit


# --- candles ------------------------------------------------------------------------------------


def _candle(
    api: Endpoints, symbol: str, interval: str, opened: int, trades: list[SimTrade]
) -> list[JsonValue]:
    closed = _step(interval, opened, 1) - 1
    inside = [trade for trade in trades if opened <= trade.time <= closed]
    last = api.shapes.price_text(symbol, api.engine.state.prices[symbol])
    volume = sum((trade.qty for trade in inside), Decimal(0))
    quote = sum((trade.quote_qty for trade in inside), Decimal(0))
    bought = [trade for trade in inside if trade.is_buyer != trade.is_maker]  # the taker bought
    return [
        opened,
        last,
        last,
        last,
        last,
        api.shapes.qty_text(symbol, volume),
        closed,
        api.shapes.price_text(symbol, quote),
        len(inside),
        api.shapes.qty_text(symbol, sum((trade.qty for trade in bought), Decimal(0))),
        api.shapes.price_text(symbol, sum((trade.quote_qty for trade in bought), Decimal(0))),
        "0",
    ]


def _candle_opens(interval: str, start: int | None, end: int, limit: int) -> list[int]:
    """The open times: from the first at or after ``start``; else the ``limit`` up to ``end``;
    none before 1970."""
    if start is not None and start > end:
        return []
    if start is not None:
        first = _floor(interval, start)
        when = first if first == start else _step(interval, first, 1)
        opens: list[int] = []
        while when <= end and len(opens) < limit:
            opens.append(when)
            when = _step(interval, when, 1)
        return opens
    last = _floor(interval, end)
    opens = [_step(interval, last, -back) for back in reversed(range(limit))]
    return [when for when in opens if when >= 0]


def _floor(interval: str, when: int) -> int:
    if interval == MONTH:
        moment = datetime.fromtimestamp(when / 1000, tz=UTC)
        return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp() * 1000)
    length = _length(interval)
    offset = _WEEK_OFFSET_MS if interval.endswith("w") else 0
    return when - (when - offset) % length


def _step(interval: str, opened: int, count: int) -> int:
    """The open time ``count`` candles after (before, when negative) ``opened``."""
    if interval != MONTH:
        return opened + count * _length(interval)
    moment = datetime.fromtimestamp(opened / 1000, tz=UTC)
    months = moment.year * 12 + moment.month - 1 + count
    return int(datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC).timestamp() * 1000)


def _length(interval: str) -> int:
    return int(interval[:-1]) * _UNIT_MS[interval[-1]]
