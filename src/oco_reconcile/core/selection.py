"""What one run plans: the whole repository, the brackets of some files, or ``--target`` names.

PURE values. A :class:`Selection` carries the bracket names defined in repository files that were
*not* selected (with the file defining each) and the ``--target`` names, if any. The planner
plans only selected brackets, and leaves a managed open list alone when its bracket name is
defined outside the selection or not targeted: planning one file never prunes the rest.
The default selection (nothing outside, no targets) is "everything", today's behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from oco_reconcile.core.identity import parse_leg_id, parse_list_id
from oco_reconcile.core.listing import listing
from oco_reconcile.core.live import LiveState
from oco_reconcile.json_types import JsonObject, JsonValue


class Named(Protocol):
    """A desired bracket of either venue, as far as selection cares: its name."""

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Selection:
    """``outside``: (name, file) for each bracket defined only in unselected files, sorted;
    ``targets``: the ``--target`` names, or None for no ``--target``."""

    outside: tuple[tuple[str, str], ...] = ()
    targets: frozenset[str] | None = None

    @staticmethod
    def of(outside: Mapping[str, str], targets: Iterable[str] | None = None) -> Selection:
        chosen = None if targets is None else frozenset(targets)
        return Selection(tuple(sorted(outside.items())), chosen)

    @property
    def is_everything(self) -> bool:
        return not self.outside and self.targets is None

    def plans(self, name: str) -> bool:
        """Whether a desired bracket of this name is planned at all."""
        return self.targets is None or name in self.targets

    def left_alone_because(self, name: str) -> str | None:
        """Why a managed open list of bracket ``name`` that no planned bracket claimed is left
        alone (neither cancelled nor replaced), or None when the usual pruning rules apply."""
        defined_in = dict(self.outside).get(name)
        if defined_in is not None:
            return f"defined in {defined_in}, outside the selection: left alone"
        if not self.plans(name):
            return "not a --target: left alone"
        return None


EVERYTHING = Selection()


def unknown_targets(
    selection: Selection, brackets: Iterable[Named], live: LiveState, owner: str
) -> tuple[str, ...]:
    """The ``--target`` names of no selected desired bracket and no managed open list or algo
    order (either venue)."""
    managed = (parse_list_id(owner, item.list_client_order_id) for item in live.open_lists)
    known = {parsed.name for parsed in managed if parsed is not None}
    if live.usdm is not None:
        legs = (parse_leg_id(owner, o.client_algo_id) for o in live.usdm.open_algo_orders)
        known.update(leg.name for leg in legs if leg is not None)
    known.update(bracket.name for bracket in brackets)
    return tuple(sorted((selection.targets or frozenset()) - known))


def unknown_target_message(names: Iterable[str]) -> str:
    unknown = list(dict.fromkeys(names))
    if len(unknown) == 1:
        return (
            f"--target {unknown[0]!r}: no such bracket in the selected files and no managed open "
            "order list of that name"
        )
    return (
        "--target: no such bracket in the selected files and no managed open order list of "
        f"these {len(unknown)} names:{listing(repr(name) for name in unknown)}"
    )


# --- saved plans --------------------------------------------------------------------------------


def selection_json(selection: Selection, paths: Iterable[str] = ()) -> JsonObject:
    """The ``selection`` a saved plan records: the PATH arguments it was made from, the names
    left outside, and the targets; ``apply --plan`` applies under the same selection."""
    targets = None if selection.targets is None else sorted(selection.targets)
    outside = [{"name": name, "file": file} for name, file in selection.outside]
    return {"paths": list(paths), "outside": outside, "targets": targets}


def selection_from_json(data: JsonValue) -> tuple[Selection, tuple[str, ...]]:
    """(selection, PATH arguments) from :func:`selection_json`; ``ValueError`` when malformed."""
    if data is None:
        return EVERYTHING, ()
    if not isinstance(data, dict):
        raise ValueError("selection is not an object")
    paths, outside, targets = data.get("paths"), data.get("outside"), data.get("targets")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("selection.paths is not a list of strings")
    if not isinstance(outside, list) or not all(_is_pair(item) for item in outside):
        raise ValueError("selection.outside is not a list of {name, file} objects")
    pairs = {item["name"]: item["file"] for item in outside}
    if targets is not None and not isinstance(targets, list):
        raise ValueError("selection.targets is not a list or null")
    return Selection.of(pairs, None if targets is None else map(str, targets)), tuple(paths)


def _is_pair(item: JsonValue) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("file"), str)
    )
