"""Keeps request signatures out of logs: httpx logs every request URL at INFO.

Installed once by the venue clients; a signed URL's ``signature=`` value is replaced before any
handler sees the record.
"""

from __future__ import annotations

import logging
import re

import httpx

_SIGNATURE_PARAM = re.compile(r"signature=[^&\s\"']*")


class _RedactSignatures(logging.Filter):
    """httpx logs every request URL at INFO; the signature in it must not reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = _SIGNATURE_PARAM.sub("signature=<redacted>", record.msg)
        return True


def _redacted(value: object) -> object:
    text = str(value) if isinstance(value, httpx.URL | str) else None
    if text is None or "signature=" not in text:
        return value
    return _SIGNATURE_PARAM.sub("signature=<redacted>", text)


def install_log_redaction() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(existing, _RedactSignatures) for existing in httpx_log.filters):
        httpx_log.addFilter(_RedactSignatures())
