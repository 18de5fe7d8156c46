"""The exchange's rejections: :class:`SimError` and the messages the engine gives.

Messages are copied from the official ``errors.md``; where ``errors.md`` has a ``%s`` template the
simulator fills it the way Binance does. A :class:`SimError` carries one answer: HTTP status, code,
message and extra headers (``Retry-After``). The engine, its rules and the rate limiter raise it;
the wire layer turns it into the JSON body ``{"code": ..., "msg": "..."}``. Messages only the HTTP
face gives (parameters, signatures, timing) are in :mod:`oco_reconcile.sim.wire.codes`.
"""

from __future__ import annotations

RETRY_AFTER = "Retry-After"

# --- 10xx: rate limits (rest-api.md "LIMITS") ---------------------------------------------------
MSG_TOO_MUCH_WEIGHT = (
    "Too much request weight used; current limit is {limit} request weight per {interval}. "
    "Please use WebSocket Streams for live updates to avoid polling the API."
)  # -1003
MSG_TOO_MANY_RAW = "Too many requests queued."  # -1003
MSG_BANNED = (
    "Way too much request weight used; IP banned until {until}. "
    "Please use WebSocket Streams for live updates to avoid bans."
)  # -1003
MSG_TOO_MANY_ORDERS = (
    "Too many new orders; current limit is {limit} orders per {interval}."  # -1015
)

# --- 11xx: parameters the placement rules check -------------------------------------------------
MSG_MANDATORY = "Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
MSG_ONE_OF = "Param '{first}' or '{second}' must be sent, but both were empty/null!"  # -1102
MSG_NOT_REQUIRED = "Parameter '{name}' sent when not required."  # -1106
MSG_PRECISION = "Parameter '{name}' has too much precision."  # -1111
MSG_INVALID_ORDER_TYPE = "Invalid orderType."  # -1116
MSG_BAD_SYMBOL = "Invalid symbol."  # -1121
MSG_OCO_TYPE = "Order type not supported in OCO."  # -1158
# -1160
MSG_OCO_ICEBERG_TIF = (
    "Parameter '{name}' is not supported if `aboveTimeInForce`/`belowTimeInForce` is not GTC."
)
MSG_BUY_LIMIT_BELOW = "A limit order in a buy OCO must be below."  # -1165
MSG_SELL_LIMIT_ABOVE = "A limit order in a sell OCO must be above."  # -1166
MSG_BOTH_LIMIT = "At least one OCO order must be contingent."  # -1168
MSG_BUY_STOP_ABOVE = "A stop loss order in a buy OCO must be above."  # -1196
MSG_SELL_STOP_BELOW = "A stop loss order in a sell OCO must be below."  # -1197
MSG_BUY_TP_BELOW = "A take profit order in a buy OCO must be below."  # -1198
MSG_SELL_TP_ABOVE = "A take profit order in a sell OCO must be above."  # -1199

# --- 20xx: matching-engine messages (errors.md "Messages for -1010, -2010, -2011, -2038") ---------
MSG_DUPLICATE_ORDER = "Duplicate order sent."
MSG_INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
MSG_MARKET_CLOSED = "Market is closed."
MSG_BAD_PRICES = "The relationship of the prices for the orders is not correct."
MSG_OCO_NOT_SUPPORTED = "OCO orders are not supported for this symbol"
MSG_ICEBERG_NOT_SUPPORTED = "Iceberg orders are not supported for this symbol."
MSG_TRAILING_NOT_SUPPORTED = "Trailing stop orders are not supported for this symbol."
MSG_PEG_NOT_SUPPORTED = "Pegged orders are not supported for this symbol."
MSG_ICEBERG_EXCEEDS = "IcebergQty exceeds QTY."
MSG_UNKNOWN_ORDER = "Unknown order sent."
MSG_UNKNOWN_ORDER_LIST = "Unknown order list sent."
MSG_CANCEL_RESTRICTED = "Order was not canceled due to cancel restrictions."
MSG_NO_SUCH_ORDER = "Order does not exist."  # -2013
MSG_NO_SUCH_ORDER_LIST = "Order list does not exist."  # -2018 (undocumented; the testnet answer)
MSG_CLIENT_ID_MISMATCH = "Client order ID is not correct for this order ID."  # -2039
MSG_WOULD_TAKE = "Order would immediately match and take."
MSG_WOULD_TRIGGER = "Stop price would trigger immediately."
MSG_QUOTE_QTY_NOT_SUPPORTED = "Quote order qty market orders are not support for this symbol."

MSG_UNSUPPORTED_COMBINATION = "Unsupported order combination"
TYPE_NOT_SUPPORTED = {
    "STOP_LOSS": "Stop loss orders are not supported for this symbol.",
    "STOP_LOSS_LIMIT": "Stop loss limit orders are not supported for this symbol.",
    "TAKE_PROFIT": "Take profit orders are not supported for this symbol.",
    "TAKE_PROFIT_LIMIT": "Take profit limit orders are not supported for this symbol.",
    # errors.md has no message for LIMIT_MAKER; the generic combination message stands in.
    "LIMIT_MAKER": MSG_UNSUPPORTED_COMBINATION,
}


class SimError(Exception):
    """One error answer of the simulated exchange (HTTP status + Binance code + message)."""

    def __init__(
        self,
        code: int,
        msg: str,
        *,
        status: int = 400,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.code = code
        self.msg = msg
        self.status = status
        self.headers = headers
        super().__init__(f"{code}: {msg}")


def retry_after(seconds: int) -> tuple[tuple[str, str], ...]:
    """The ``Retry-After`` header of a 429 / 418 answer (rest-api.md "LIMITS")."""
    return ((RETRY_AFTER, str(seconds)),)


def filter_failure(name: str) -> SimError:
    """``-1013 Filter failure: NAME`` (errors.md "Filter failures")."""
    return SimError(-1013, f"Filter failure: {name}")


def rejected(msg: str) -> SimError:
    """``-2010 NEW_ORDER_REJECTED`` with a matching-engine message."""
    return SimError(-2010, msg)


def cancel_rejected(msg: str) -> SimError:
    """``-2011 CANCEL_REJECTED`` with a matching-engine message."""
    return SimError(-2011, msg)


def mandatory(name: str) -> SimError:
    return SimError(-1102, MSG_MANDATORY.format(name=name))


def one_of(first: str, second: str) -> SimError:
    return SimError(-1102, MSG_ONE_OF.format(first=first, second=second))


def not_required(name: str) -> SimError:
    return SimError(-1106, MSG_NOT_REQUIRED.format(name=name))
