"""The in-process front-end: an httpx transport in front of the simulator's wire app.

``BinanceClient(base_url, credentials, transport=SimTransport(...))`` then runs the production
client code against the simulator without a socket. Faults that lose the answer after the engine
committed surface as the exceptions a real connection would raise: a dropped connection is
``httpx.RemoteProtocolError``, a timeout ``httpx.ReadTimeout``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from oco_reconcile.sim.wire.messages import DROP, TIMEOUT, SimRequest, SimResponse

HandleRequest = Callable[[SimRequest], SimResponse]


class SimTransport(httpx.BaseTransport):
    def __init__(self, handle: HandleRequest) -> None:
        self._handle = handle

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read().decode("utf-8")
        sim_request = SimRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query.decode("ascii"),
            body=body,
            headers=dict(request.headers),
        )
        answer = self._handle(sim_request)
        if answer.disconnect == DROP:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if answer.disconnect == TIMEOUT:
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        return httpx.Response(
            answer.status, headers=list(answer.headers), content=answer.body, request=request
        )
