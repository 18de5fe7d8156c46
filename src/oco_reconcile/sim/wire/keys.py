"""Credentials the simulated exchange accepts by default.

They are public on purpose (documented in ``docs/simulator.md``): the simulator guards no money, and
a fixed pair lets ``exchange: sim`` work without keys. Requests are signed HMAC-SHA256 with
:data:`SIM_API_SECRET`, exactly as Binance verifies them (rest-api.md "SIGNED (TRADE and USER_DATA)
Endpoint security"). ``sim serve
--api-key/--api-secret`` replaces the pair for one server.
"""

from __future__ import annotations

SIM_API_KEY = "oco-reconcile-sim-api-key-0000000000000000000000000000000000000000"
SIM_API_SECRET = "oco-reconcile-sim-api-secret-not-a-secret-000000000000000000000000"  # noqa: S105
