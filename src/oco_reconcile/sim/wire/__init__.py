"""The simulated exchange's HTTP face: one request in, one Binance-shaped answer out.

``app.SimApp`` runs the pipeline over ``routes``/``endpoints`` (with ``params`` and
``order_requests``; ``orders``, ``market`` and ``other_venues`` add what other clients call),
``auth`` (keys, signatures, timing), ``shapes`` (the JSON bodies), ``codes`` (wire error messages)
and ``faults``; ``messages`` holds the request/answer values both front-ends use: ``transport``
(in-process httpx) and ``server`` (``sim serve``). ``keys`` has the default credentials.
"""
