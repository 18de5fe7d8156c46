"""The simulated exchange (Binance Spot, the OCO subset), in two halves and their joint.

* ``engine/``: the exchange state machine - account and balances, order and order-list books,
  placement rules and filters, matching and fills, rate limits, the event history and the state
  file. It knows nothing of HTTP.
* ``wire/``: the HTTP face - routes, request parameters, API keys and signatures, response shapes,
  wire error codes, fault injection, the ``sim serve`` HTTP server and the in-process httpx
  transport. It calls the engine, never the other way round.
* ``exchange.py``: one simulated exchange (engine + wire app + optional state file);
  ``cli.py``: the ``oco-reconcile sim ...`` commands; ``data/seed.json``: a fresh account.
"""
