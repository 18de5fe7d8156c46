"""One exception tree for the whole tool.

Every error a user can cause or meet derives from :class:`OcoReconcileError` and carries the exit
code the CLI edge maps it to (README "Exit codes"). Anything else that escapes is a bug (exit 3).
Third-party exceptions (httpx, yaml, jsonschema) are translated into this tree where they are
caught, never re-raised raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, the shell's convention


class OcoReconcileError(Exception):
    """Base of every error the tool reports to a user (exit 1)."""

    exit_code = EXIT_ERROR


@dataclass(frozen=True)
class Problem:
    """One problem in user input: where it is and what is wrong.

    Rendered as ``file:line: bracket 'name': field: message``; parts that are unknown are left out.
    """

    file: str
    message: str
    line: int | None = None
    bracket: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.bracket is not None:
            parts.append(f"bracket '{self.bracket}'")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class InputError(OcoReconcileError):
    """User input (bracket files, settings) is wrong; carries every problem found at once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")


class UsageError(OcoReconcileError):
    """A command was called in a way that cannot work (missing file, refused confirmation...)."""


class PlanError(OcoReconcileError):
    """The plan has errors (plan-time checks failed); nothing may be applied."""


class StalePlanError(OcoReconcileError):
    """A saved plan no longer matches the live state or the desired files it was made from."""


class TamperedPlanError(OcoReconcileError):
    """A saved plan's changes are not the ones its files and live state give: never applied, and
    never "re-planned" around (unlike a stale plan)."""


# --- exchange errors: mapped from HTTP status + Binance code in venues/spot/errors.py only ---


class ExchangeError(OcoReconcileError):
    """Base of everything the exchange (or the way to it) answered or failed to answer."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.msg = message
        self.endpoint = endpoint
        super().__init__(self._describe())

    def _describe(self) -> str:
        bits = []
        if self.endpoint:
            bits.append(self.endpoint)
        if self.status is not None:
            bits.append(f"HTTP {self.status}")
        if self.code is not None:
            bits.append(f"code {self.code}")
        prefix = " ".join(bits)
        return f"{prefix}: {self.msg}" if prefix else self.msg


class RejectedError(ExchangeError):
    """The exchange refused the request (4xx with a Binance code); retrying unchanged won't help."""


class DuplicateOrderError(RejectedError):
    """'Duplicate order sent.': a list/order with that client id is already open."""


class UnknownOrderListError(RejectedError):
    """-2011 'Unknown order list sent.' / -2018 / -2013: the list is not (or no longer) there."""


class ArchivedOrderError(RejectedError):
    """-2026 ORDER_ARCHIVED: cancelled or expired with no executed quantity over 90 days ago
    (errors.md), so the order never filled."""


class UnauthorizedError(ExchangeError):
    """-2014 / -2015 / 401: API key, IP or permissions."""


class BlockedError(ExchangeError):
    """403: a WAF rule was violated."""


class RateLimitedError(ExchangeError):
    """429 / -1003 / -1015: slow down for ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class BannedError(ExchangeError):
    """418: the IP is banned until ``until`` (UTC); the run must stop."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        until: datetime | None = None,
        **kw: object,
    ) -> None:
        self.retry_after = retry_after
        self.until = until
        super().__init__(message, **kw)  # type: ignore[arg-type]

    def until_text(self) -> str:
        if self.until is None:
            return "unknown"
        return self.until.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class TransientError(ExchangeError):
    """Could not reach the exchange or it is busy (-1008, connect errors); nothing was executed."""


class ClockSkewError(ExchangeError):
    """-1021: the request timestamp is outside recvWindow; re-sync and re-sign."""


class OutcomeUnknownError(ExchangeError):
    """5xx / -1006 / -1007 / a timeout after sending: the request may or may not have executed."""


class BugError(OcoReconcileError):
    """An internal invariant broke; reported with a hint to file a bug (exit 3)."""

    exit_code = EXIT_BUG
