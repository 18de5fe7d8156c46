"""Reads that tolerate an unknown symbol: Binance refuses a whole batch (exchangeInfo, ticker
prices) with -1121 "Invalid symbol." when one symbol of it does not exist (errors.md), so the
live reader asks again without it and the plan names the missing symbol instead of failing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from oco_reconcile.core.model import ExchangeInfo
from oco_reconcile.errors import RejectedError
from oco_reconcile.venues.protocol import Exchange

INVALID_SYMBOL = -1121
T = TypeVar("T")


def _is_invalid_symbol(error: RejectedError) -> bool:
    return error.code == INVALID_SYMBOL


def exchange_info_of(exchange: Exchange, symbols: Sequence[str]) -> ExchangeInfo:
    """exchangeInfo for ``symbols`` in one request; when Binance refuses the batch because one
    symbol does not exist (-1121), each symbol alone (rare, sequential), so the plan can name the
    missing ones. No symbols, no request: cancels alone need no exchange rules."""
    if not symbols:
        return ExchangeInfo(symbols={})
    try:
        return exchange.exchange_info(symbols)
    except RejectedError as error:
        if not _is_invalid_symbol(error):
            raise
    found = [info for symbol in symbols if (info := _one_info(exchange, symbol)) is not None]
    merged = ExchangeInfo(symbols={}) if not found else found[0]
    for info in found[1:]:
        merged = merge_info(merged, info)
    return merged


def _one_info(exchange: Exchange, symbol: str) -> ExchangeInfo | None:
    return tolerate_invalid_symbol(lambda: exchange.exchange_info([symbol]))


def prices_of(exchange: Exchange, symbols: Sequence[str]) -> Mapping[str, Decimal] | None:
    if not symbols:
        return {}
    return tolerate_invalid_symbol(lambda: exchange.prices(symbols))


def tolerate_invalid_symbol(call: Callable[[], T]) -> T | None:
    try:
        return call()
    except RejectedError as error:
        if _is_invalid_symbol(error):
            return None
        raise


def merge_info(base: ExchangeInfo, extra: ExchangeInfo) -> ExchangeInfo:
    return replace(base, symbols={**base.symbols, **extra.symbols})
