"""Where the repository's test inputs live: every path a test reads is under the repository."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTS_DIR = REPO_ROOT / "tests"
FIXTURES_DIR = TESTS_DIR / "fixtures" / "binance"
CASSETTES_DIR = TESTS_DIR / "cassettes"
