"""Plans outside the process: the versioned JSON document, its fingerprints and plan files.

* :mod:`~oco_reconcile.planfile.codec` -- a :class:`~oco_reconcile.core.plan.Plan` to and from
  the JSON document (``plan --format json`` and saved plans), validating an untrusted one;
* :mod:`~oco_reconcile.planfile.fingerprints` -- the hashes of the live and desired state a saved
  plan was made from, which ``apply`` compares to tell a stale plan;
* :mod:`~oco_reconcile.planfile.store` -- reading and writing plan files, with a size bound.

The plan values themselves are pure and live in :mod:`oco_reconcile.core.plan`.
"""
