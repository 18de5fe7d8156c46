"""``oco-reconcile sim ...``: run, move and inspect the simulated exchange.

Every command works on the state file of ``exchange: sim`` (the ``sim_state`` setting of
``oco-reconcile.yaml``, default ``.oco-reconcile/sim.json``); ``--state PATH`` overrides it. The
heavy modules are imported inside the commands, so ``oco-reconcile --help`` stays fast.
"""

from __future__ import annotations

import signal
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oco_reconcile.commands.typer_params import PlainGroup

if TYPE_CHECKING:
    from oco_reconcile.sim.engine.machine import Engine
    from oco_reconcile.sim.engine.records import Event, SimOrder, SimOrderList
    from oco_reconcile.sim.exchange import SimExchange
    from oco_reconcile.sim.streams.server import StreamServer
    from oco_reconcile.sim.wire.auth import Verifier
    from oco_reconcile.sim.wire.server import SimHTTPServer

# A PEM public key is well under 1 KiB (RSA 4096: ~800 bytes); 64 KiB as for private key files.
MAX_PUBLIC_KEY_BYTES = 64 * 1024

sim_app = typer.Typer(
    cls=PlainGroup,  # words, not Python types, in --help (commands/typer_params.py)
    help="The simulated exchange: serve the Binance REST API, move prices, inspect, reset.",
    no_args_is_help=True,
)

StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        metavar="FILE",
        help="Simulator state file (default: sim_state of oco-reconcile.yaml, "
        "else .oco-reconcile/sim.json).",
        show_default=False,
    ),
]


def state_path(state: Path | None) -> Path:
    """``--state``, else the settings' ``sim_state`` (relative to the settings file, as
    ``exchange: sim`` resolves it), else ``.oco-reconcile/sim.json``."""
    if state is not None:
        return state
    from oco_reconcile.inputs.settings import load_settings
    from oco_reconcile.venues.connect import sim_state_path

    return sim_state_path(load_settings(None))


def _open_exchange(state: Path | None) -> SimExchange:
    from oco_reconcile.sim.exchange import open_sim

    return open_sim(state_path(state))


def _positive_decimal(text: str, what: str) -> Decimal:
    from oco_reconcile.errors import UsageError

    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UsageError(f"{what} must be a decimal number, not {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise UsageError(f"{what} must be a positive number, not {text!r}")
    return value


@sim_app.command()
def serve(  # noqa: PLR0917 - typer passes every option
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Address to listen on (loopback only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port (0: any free port).")] = 8765,
    ws_port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT",
            help="Port of the user data streams (WebSocket; default: --port + 1, any free port "
            "with --port 0).",
            show_default=False,
        ),
    ] = None,
    state: StateOption = None,
    faults: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Fault plan (YAML/JSON), see docs/simulator.md."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(metavar="SEED", help="Seed of the fault plan's draws.")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(metavar="KEY", help="Accept this API key instead.")
    ] = None,
    api_secret: Annotated[
        str | None,
        typer.Option(metavar="SECRET", help="HMAC secret for --api-key.", show_default=False),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Ed25519/RSA public key (PEM) for --api-key instead of a secret."
        ),
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Log every request.")] = False,
) -> None:
    """Speak the Binance Spot and USDⓈ-M futures REST APIs over HTTP on a local port until
    interrupted."""
    import dataclasses

    from oco_reconcile.errors import UsageError
    from oco_reconcile.sim.exchange import open_sim
    from oco_reconcile.sim.wire.faults import FaultPlan, load_fault_plan
    from oco_reconcile.venues.urls import is_loopback_host

    if not allow_remote and not is_loopback_host(host):
        raise UsageError(f"refusing to listen on {host}: not a loopback address (--allow-remote)")
    plan = load_fault_plan(faults) if faults else FaultPlan()
    if seed is not None:
        plan = dataclasses.replace(plan, seed=seed)
    path = state_path(state)
    sim = open_sim(path, faults=plan, keys=_keys(api_key, api_secret, public_key))
    server = _listen(host, port, sim, quiet=not verbose)
    if ws_port is None:
        ws_port = port + 1 if port else 0
    streams = _streams(host, ws_port, sim)
    typer.echo(
        f"Simulated Binance Spot and USDⓈ-M futures API on {server.url} (state: {path}); "
        f"user data streams on {streams.url}/ws-api/v3 and {streams.url}/private/ws. "
        "Ctrl-C stops."
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops it as cleanly as Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("Stopped.")
    finally:
        streams.stop()
        server.server_close()


def _streams(host: str, port: int, sim: SimExchange) -> StreamServer:
    from oco_reconcile.errors import OcoReconcileError, UsageError
    from oco_reconcile.sim.streams.server import start_streams

    try:
        return start_streams(sim.app, host, port)
    except OcoReconcileError:
        raise UsageError(f"cannot listen on {host}:{port} for the user data streams") from None


def _listen(host: str, port: int, sim: SimExchange, *, quiet: bool) -> SimHTTPServer:
    import errno

    from oco_reconcile.errors import UsageError
    from oco_reconcile.sim.wire.server import SimHTTPServer

    try:
        return SimHTTPServer((host, port), sim, quiet=quiet)
    except OSError as error:
        where = f"{host}:{port}"
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"cannot listen on {where}: the port is in use") from None
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot listen on {where}: {reason}") from None


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _keys(
    api_key: str | None, secret: str | None, public_key: Path | None
) -> dict[str, Verifier] | None:
    """The one key ``sim serve`` accepts instead of the default pair, or None for the default."""
    from oco_reconcile.errors import UsageError
    from oco_reconcile.files import FileReadError, read_bounded
    from oco_reconcile.sim.wire.auth import HmacVerifier, PublicKeyVerifier

    if api_key is None:
        if secret is not None or public_key is not None:
            raise UsageError("--api-secret/--public-key need --api-key")
        return None
    if (secret is None) == (public_key is None):
        raise UsageError("--api-key needs exactly one of --api-secret or --public-key")
    if secret is not None:
        return {api_key: HmacVerifier(secret)}
    assert public_key is not None  # noqa: S101 - checked above
    try:
        return {api_key: PublicKeyVerifier(read_bounded(public_key, MAX_PUBLIC_KEY_BYTES))}
    except FileReadError as error:
        raise UsageError(f"cannot load the public key {public_key}: {error.reason}") from None
    except ValueError as error:
        raise UsageError(f"cannot load the public key {public_key}: {error}") from None


@sim_app.command()
def price(
    symbol: Annotated[str, typer.Argument(help="Symbol, e.g. BTCUSDT.")],
    new_price: Annotated[str, typer.Argument(metavar="PRICE", help="The new last price.")],
    mark: Annotated[
        str | None,
        typer.Option(
            metavar="PRICE", help="Futures mark price (default: PRICE).", show_default=False
        ),
    ] = None,
    state: StateOption = None,
) -> None:
    """Move the last price (Spot and the futures contract) and the futures mark price; orders
    fill, trigger and expire as Binance's rules say."""
    from oco_reconcile.errors import UsageError
    from oco_reconcile.sim.cli_usdm import move

    name = symbol.upper()
    value = _positive_decimal(new_price, "PRICE")
    mark_value = _positive_decimal(mark, "--mark") if mark is not None else None
    sim = _open_exchange(state)
    before = len(sim.engine.events())
    spot = name in sim.engine.state.prices
    if not spot and name not in sim.engine.usdm.state.symbols:
        raise UsageError(f"unknown symbol {name!r}")
    with sim.engine.lock:  # one save for both markets
        if spot:
            sim.engine.set_price(name, value)
        move(sim.engine.usdm, name, value, mark_value)
    for event in sim.engine.events()[before:]:
        typer.echo(_event_line(event))


@sim_app.command(context_settings={"ignore_unknown_options": True})  # AMOUNT may be negative
def position(
    symbol: Annotated[str, typer.Argument(help="Futures symbol, e.g. BTCUSDT.")],
    amount: Annotated[
        str, typer.Argument(help="Signed position amount (negative: short; 0: none).")
    ],
    position_side: Annotated[
        str,
        typer.Option(
            "--position-side",
            metavar="BOTH|LONG|SHORT",
            help="BOTH (one-way mode), LONG or SHORT (hedge).",
        ),
    ] = "BOTH",
    entry: Annotated[
        str | None,
        typer.Option(
            metavar="PRICE", help="Entry price (default: the last price).", show_default=False
        ),
    ] = None,
    state: StateOption = None,
) -> None:
    """Put a USDⓈ-M futures position in place directly (for demos and tests)."""
    from oco_reconcile.errors import UsageError
    from oco_reconcile.sim.cli_usdm import seed_position

    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise UsageError(f"AMOUNT must be a decimal number, not {amount!r}") from None
    if not value.is_finite():
        raise UsageError(f"AMOUNT must be a decimal number, not {amount!r}")
    at = _positive_decimal(entry, "--entry") if entry is not None else None
    sim = _open_exchange(state)
    seed_position(sim.engine.usdm, symbol.upper(), value, position_side.upper(), at)
    typer.echo(_event_line(sim.engine.events()[-1]))


@sim_app.command()
def fill(
    list_client_order_id: Annotated[
        str, typer.Argument(metavar="LIST_ID", help="listClientOrderId of the list.")
    ],
    quantity: Annotated[str, typer.Argument(help="Quantity to fill (partial if below the leg's).")],
    leg: Annotated[
        str | None,
        typer.Option(metavar="above|below", help="above or below (default: the leg on the book)."),
    ] = None,
    state: StateOption = None,
) -> None:
    """Force a (partial) fill of one leg at its own price, e.g. to test a partly executed list."""
    from oco_reconcile.errors import UsageError
    from oco_reconcile.sim.engine.specs import ABOVE, BELOW

    if leg not in (None, ABOVE, BELOW):
        raise UsageError("--leg must be above or below")
    sim = _open_exchange(state)
    before = len(sim.engine.events())
    sim.engine.force_fill(list_client_order_id, _positive_decimal(quantity, "QUANTITY"), leg)
    for event in sim.engine.events()[before:]:
        typer.echo(_event_line(event))


@sim_app.command()
def status(
    state: StateOption = None,
    history: Annotated[
        int, typer.Option(metavar="COUNT", help="How many recent events to show.")
    ] = 15,
) -> None:
    """Balances, prices, open order lists, futures positions and algo orders, recent history."""
    sim = _open_exchange(state)
    engine = sim.engine
    typer.echo("Balances (free / locked):")
    for asset, held in engine.balances():
        typer.echo(f"  {asset:<6} {held.free:>20} / {held.locked}")
    typer.echo("Last prices:")
    for symbol, value in engine.state.prices.items():
        typer.echo(f"  {symbol:<10} {value}")
    lists = engine.open_order_lists()
    typer.echo(f"Open order lists: {len(lists)}")
    for order_list in lists:
        typer.echo(_list_line(engine, order_list))
    for order in engine.open_orders():
        of_list = engine.state.lists.get(order.order_list_id)
        if of_list is not None and of_list.is_open:
            continue  # shown with its list
        what, where = ("working leg", f"(list {order.order_list_id} done)")
        if of_list is None:
            what, where = ("order", "(on its own)")
        typer.echo(
            f"  {what} {order.client_order_id} {order.type} {order.side} "
            f"{order.remaining} {_prices_text(order)} {where}"
        )
    from oco_reconcile.sim.cli_usdm import status_lines

    for line in status_lines(engine.usdm.state):
        typer.echo(line)
    events = engine.events()[-history:] if history > 0 else []
    typer.echo(f"Recent events ({len(events)}):")
    for event in events:
        typer.echo("  " + _event_line(event))


@sim_app.command()
def reset(state: StateOption = None) -> None:
    """Start afresh (Spot and futures): default balances, prices and positions, no orders."""
    from oco_reconcile.sim.exchange import open_sim

    open_sim(state_path(state), fresh=True)  # never reads the old state: it may be garbage
    typer.echo(f"Simulator state reset ({state_path(state)}).")


def _prices_text(order: SimOrder) -> str:
    """``@ 97900 stop 98000``, ``@ 98000`` or ``trailing delta 100`` (a trailing stop that has no
    stop price rests on its delta until it activates)."""
    at = order.price if order.price else order.stop_price
    parts = [] if at is None else [f"@ {at}"]
    if order.stop_price and order.price:
        parts.append(f"stop {order.stop_price}")
    if order.trailing_delta is not None:
        parts.append(f"trailing delta {order.trailing_delta}")
    return " ".join(parts)


def _list_line(engine: Engine, order_list: SimOrderList) -> str:
    legs = [
        f"{order.position} {order.type} {_prices_text(order)}"
        for order in engine.orders_of(order_list)
    ]
    quantity = engine.orders_of(order_list)[0].orig_qty
    return (
        f"  {order_list.list_client_order_id} {order_list.symbol} {order_list.side} {quantity}: "
        + "; ".join(legs)
    )


def _event_line(event: Event) -> str:
    from datetime import UTC, datetime

    when = datetime.fromtimestamp(event.time / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    who = event.list_client_order_id or ""
    if event.kind.startswith(("algo", "futures")):  # the futures side has no lists
        who = event.client_order_id or ""
    leg = f" order {event.order_id}" if event.order_id is not None else ""
    detail = f" {event.detail}" if event.detail else ""
    return f"{when} {event.kind:<16} {event.symbol} {who}{leg}{detail}".rstrip()
