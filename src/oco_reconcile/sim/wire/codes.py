"""The error messages only the HTTP face gives: parameters, keys, signatures, timing, faults.

Copied from the official ``errors.md``, ``%s`` templates filled the way Binance does. The
exchange's own rejections (placement, matching, rate limits) and :class:`SimError` itself are in
:mod:`oco_reconcile.sim.engine.errors`.
"""

from __future__ import annotations

from oco_reconcile.sim.engine.errors import SimError

# The legal ranges Binance prints in -1100 messages.
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
LONG_RANGE = r"^-?[0-9]{1,20}$"
CLIENT_ID_RANGE = "^[a-zA-Z0-9-_]{1,36}$"

# --- 10xx ---------------------------------------------------------------------------------------
MSG_INTERNAL = "Internal error; unable to process your request. Please try again."  # -1001
MSG_UNEXPECTED_RESP = (
    "An unexpected response was received from the message bus. Execution status unknown."  # -1006
)
MSG_TIMEOUT = (
    "Timeout waiting for response from backend server. "
    "Send status unknown; execution status unknown."
)  # -1007
MSG_BUSY = "Server is currently overloaded with other requests. Please try again in a few minutes."
MSG_RECV_WINDOW = "Timestamp for this request is outside of the recvWindow."  # -1021
MSG_AHEAD = "Timestamp for this request was 1000ms ahead of the server's time."  # -1021
MSG_BAD_SIGNATURE = "Signature for this request is not valid."  # -1022

# --- 11xx ---------------------------------------------------------------------------------------
MSG_ILLEGAL_CHARS = "Illegal characters found in parameter '{name}'; legal range is '{range}'."
MSG_DUPLICATE_PARAM = "Duplicate values for a parameter detected."  # -1101
MSG_TOO_GREAT = "'{name}' contains unexpected value. Cannot be greater than {limit}."  # -1102
MSG_UNREAD = "Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'."
MSG_EMPTY_PARAM = "Parameter '{name}' was empty."  # -1105
MSG_INVALID_TIF = "Invalid timeInForce."  # -1115
MSG_INVALID_SIDE = "Invalid side."  # -1117
MSG_INTERVAL_TOO_BIG = "More than {hours} hours between startTime and endTime."  # -1127
MSG_BAD_COMBO = "Combination of optional parameters invalid."  # -1128
MSG_STRATEGY_TYPE_TOO_LOW = "`strategyType` was less than 1000000."  # -1134
MSG_INVALID_JSON = "JSON sent for parameter '{name}' is not valid"  # -1135
MSG_INVALID_CANCEL_RESTRICTIONS = "Invalid cancelRestrictions"  # -1145 (rest-api.md cancel order)
MSG_DUPLICATE_SYMBOLS = "Symbol is present multiple times in the list."  # -1151
MSG_SYMBOL_STATUS_MISMATCH = "The symbol's status does not match the requested symbolStatus."

# --- 20xx ---------------------------------------------------------------------------------------
MSG_BAD_API_KEY_FORMAT = "API-key format invalid."  # -2014
MSG_REJECTED_KEY = "Invalid API-key, IP, or permissions for action."  # -2015


def illegal_chars(name: str, legal_range: str) -> SimError:
    return SimError(-1100, MSG_ILLEGAL_CHARS.format(name=name, range=legal_range))


def too_great(name: str, limit: int) -> SimError:
    return SimError(-1102, MSG_TOO_GREAT.format(name=name, limit=limit))
