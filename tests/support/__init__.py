"""Helpers shared by the tests, imported as ``from tests.support.x import y`` (conftest files
hold fixtures only): ``fake_time`` (the one clock), ``fake_exchange`` (the one fake of the
``Exchange`` seam), ``fake_binance`` (Binance over ``httpx.MockTransport``), ``sim_api`` (the
simulator and a signing client), ``network_guard``, ``cassettes``, ``shapes``, ``cli``,
``plan_support`` (model builders), ``readme`` and ``paths``."""
