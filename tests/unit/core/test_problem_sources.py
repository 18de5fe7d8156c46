"""Every plan problem about a bracket names where the bracket is defined (issue 16): the planner
carries each bracket's source location onto its problems, and the problem reads
``file:line: address: ...`` as validate's problems do."""

from __future__ import annotations

from dataclasses import replace

from oco_reconcile.core.model import SourceLocation
from oco_reconcile.core.plan import PlanProblem
from oco_reconcile.core.planner import make_plan
from oco_reconcile.core.settings import Guardrails, Settings
from tests.support.futures_state import bracket as futures_bracket
from tests.support.futures_state import futures_live
from tests.support.plan_support import live_state, sell

HERE = SourceLocation("brackets/btc.yaml", 7)


def test_a_filter_problem_names_the_file_and_line_of_its_bracket() -> None:
    tiny = replace(sell("tiny", qty="0.000001"), source=HERE)
    plan = make_plan([tiny], live_state(), Settings())

    assert plan.problems
    assert {p.source for p in plan.problems} == {HERE}
    assert str(plan.problems[0]).startswith("brackets/btc.yaml:7: bracket.tiny: ")


def test_a_guardrail_problem_names_the_file_and_line_too() -> None:
    settings = Settings(guardrails=Guardrails(symbols=frozenset({"ETHUSDT"})))
    plan = make_plan([replace(sell("x"), source=HERE)], live_state(), settings)

    (problem,) = plan.problems
    assert str(problem) == (
        "brackets/btc.yaml:7: bracket.x: symbol: guardrail symbols: BTCUSDT is not an allowed "
        "symbol (ETHUSDT)"
    )


def test_a_futures_problem_names_the_file_and_line_of_its_bracket() -> None:
    where = SourceLocation("brackets/perp.yaml", 3)
    item = replace(futures_bracket(symbol="DOGEUSDT"), source=where)
    live = replace(live_state(), usdm=futures_live())

    plan = make_plan([], live, Settings(owner="ocr"), futures=[item])

    assert [p.source for p in plan.problems] == [where]


def test_a_problem_about_no_one_bracket_names_no_file() -> None:
    problem = PlanProblem("symbol.BTCUSDT", "MAX_NUM_ALGO_ORDERS: 6 open algo orders")
    assert str(problem) == "symbol.BTCUSDT: MAX_NUM_ALGO_ORDERS: 6 open algo orders"
