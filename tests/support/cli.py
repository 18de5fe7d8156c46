"""Running the command line in-process, the way the console script does."""

from __future__ import annotations

import pytest

from oco_reconcile.commands import app as cli


def run_main(argv: list[str]) -> int:
    """``oco-reconcile <argv>`` through ``main()``; its exit code (main always exits)."""
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    code = done.value.code
    assert isinstance(code, int)
    return code
