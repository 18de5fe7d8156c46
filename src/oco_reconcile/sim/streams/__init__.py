"""``sim serve``'s user data streams: the Spot WebSocket API subscription and the futures
listenKey stream (docs/simulator.md "User data streams"). ``watch.py`` notices what changed in
the engine (also a change another process made through the shared state file), ``spot.py`` and
``usdm.py`` render the events, ``server.py`` speaks WebSocket."""
