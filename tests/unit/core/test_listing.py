"""How names are listed in messages (core/listing.py): natural order, wrapping, close matches."""

from __future__ import annotations

from oco_reconcile.core.listing import (
    LISTING_INDENT,
    LISTING_WIDTH,
    did_you_mean,
    listing,
    natural_sorted,
)


def test_names_sort_naturally() -> None:
    names = ["b-10", "b-2", "b-100", "b-0", "b-1", "a", "b-11"]
    assert natural_sorted(names) == ["a", "b-0", "b-1", "b-2", "b-10", "b-11", "b-100"]


def test_natural_order_compares_every_run_of_digits_and_keeps_a_total_order() -> None:
    names = ["eth-2-tp", "eth-10-sl", "eth-2-sl", "ETH-3", "eth-02-sl"]
    assert natural_sorted(names) == ["eth-02-sl", "eth-2-sl", "eth-2-tp", "ETH-3", "eth-10-sl"]


def test_a_short_list_stays_on_the_line() -> None:
    assert listing(["b-10", "b-2", "b-1"]) == " b-1, b-2, b-10"


def test_a_long_list_starts_on_its_own_line_and_wraps() -> None:
    names = [f"b-{i}" for i in reversed(range(200))]
    text = listing(names)

    lines = text.split("\n")
    assert lines[0] == ""
    assert len(lines) > 10
    assert all(line.startswith(LISTING_INDENT) for line in lines[1:])
    assert all(len(line) <= LISTING_WIDTH + len(LISTING_INDENT) for line in lines[1:])
    shown = [name.strip() for line in lines[1:] for name in line.split(",") if name.strip()]
    assert shown == [f"b-{i}" for i in range(200)]


def test_a_listed_name_appears_once() -> None:
    assert listing(["b", "a", "b"]) == " a, b"


def test_did_you_mean_offers_the_close_match() -> None:
    known = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]
    assert did_you_mean("BTCUSDTT", known) == "; did you mean BTCUSDT?"


def test_did_you_mean_offers_nothing_when_nothing_is_close() -> None:
    assert did_you_mean("DOGEEUR", ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]) == ""
    assert did_you_mean("BTCUSDTT", []) == ""
