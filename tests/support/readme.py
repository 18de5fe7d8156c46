"""The README's quick start, read (never edited) by the tests that keep tools in step with it."""

from __future__ import annotations

import re

from tests.support.paths import REPO_ROOT


def quick_start_commands() -> list[str]:
    """The ``sh`` blocks of the "Quick start" section, in order."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def readme_test_command() -> str:
    """The last step of the quick start's test command: how the suite is run."""
    return quick_start_commands()[1].rsplit("&& ", 1)[1]
