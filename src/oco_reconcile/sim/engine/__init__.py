"""The simulated exchange's state machine: ``machine.Engine`` and the modules it runs on (no HTTP).

``records`` (the state), ``specs`` (a requested OCO or order), ``rules`` and ``filters``
(placement checks), ``placement``, ``single`` (orders on their own), ``cancels``, ``matching``,
``prices`` (triggers), ``balances``, ``book`` (reads), ``history`` (the event log), ``limits``
(rate limits), ``errors`` (rejections), ``store`` (the state file and the seed).
"""
