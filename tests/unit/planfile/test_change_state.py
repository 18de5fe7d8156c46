"""A plan change says in machine-readable terms what became of its bracket (issue 16): a fired
bracket's change carries ``"state": "fired"`` and the leg that filled, a partly fired one
``"state": "partly_fired"``; every other change ``null``. Problems carry the bracket's file and
line. Both survive the saved plan's round trip."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.core.live import LiveState
from oco_reconcile.core.model import HistoryOutcome, SourceLocation
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Settings
from oco_reconcile.core.usdm.model import AlgoStatus, LegRole
from oco_reconcile.planfile.codec import Fingerprints, plan_document, plan_from_document
from tests.support.futures_state import OWNER, D, bracket, futures_live, leg_order
from tests.support.plan_support import history_of, live_state, partly_filled, sell

PRINTS = Fingerprints("sha256:" + "1" * 64, "sha256:" + "2" * 64)
ALPHA = sell("alpha")


def _changes(live: LiveState, **kw: object) -> dict[str, dict[str, object]]:
    plan = make_plan([ALPHA], live, Settings(owner=OWNER), **kw)  # type: ignore[arg-type]
    document = plan_document(plan, PRINTS)
    assert plan_from_document(document).plan == plan
    changes = document["changes"]
    assert isinstance(changes, list)
    return {c["address"]: c for c in changes}


def test_a_fired_spot_bracket_says_fired_and_which_leg_filled() -> None:
    live = live_state(history=[history_of(ALPHA, HistoryOutcome.FIRED)])

    change = _changes(live)["bracket.alpha"]

    assert change["action"] == "no-op"
    assert change["state"] == "fired"
    fired = change["fired"]
    assert isinstance(fired, dict)
    assert fired["leg"] == "take_profit"  # history_of: the take profit filled
    assert fired["status"] == "FILLED"
    assert fired["executed_qty"] == "0.01"
    assert str(fired["client_order_id"]).endswith("-tp")


def test_an_open_bracket_and_a_new_one_have_no_state() -> None:
    assert _changes(live_state())["bracket.alpha"]["state"] is None
    assert _changes(live_state())["bracket.alpha"]["fired"] is None


def test_a_partly_fired_bracket_says_so() -> None:
    working, history = partly_filled(ALPHA)
    live = live_state(plain_orders=[working], history=[history])
    change = _changes(live)["bracket.alpha"]
    assert change["state"] == "partly_fired"


def test_a_fired_futures_bracket_names_the_leg_and_its_fill_price() -> None:
    item = bracket()
    fired = leg_order(item, LegRole.STOP_LOSS, 1, AlgoStatus.FINISHED)
    fired = replace(fired, actual_price=D("97990"))
    live = replace(live_state(), usdm=futures_live(history=[fired]))
    plan = make_plan([], live, Settings(owner=OWNER), futures=[item])

    document = plan_document(plan, PRINTS)
    (change,) = document["changes"]
    assert change["state"] == "fired"
    assert change["fired"]["leg"] == "stop_loss"
    assert change["fired"]["status"] == "FINISHED"
    assert change["fired"]["price"] == "97990"
    assert plan_from_document(document).plan == plan


def test_a_problem_carries_the_file_and_line_of_its_bracket() -> None:
    tiny = replace(sell("tiny", qty="0.000001"), source=SourceLocation("brackets/a.yaml", 4))
    plan = make_plan([tiny], live_state(), Settings(owner=OWNER))

    problems = plan_document(plan, PRINTS)["problems"]
    assert isinstance(problems, list)
    assert {(p["file"], p["line"]) for p in problems} == {("brackets/a.yaml", 4)}
    saved = plan_from_document(plan_document(plan, PRINTS)).plan
    assert [p.source for p in saved.problems] == [p.source for p in plan.problems]
