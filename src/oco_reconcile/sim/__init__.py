"""The simulated exchange: one engine, an in-process transport and an HTTP server."""
