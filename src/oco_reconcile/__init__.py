"""oco-reconcile: GitOps for Binance Spot OCO brackets."""

__version__ = "0.1.0"
