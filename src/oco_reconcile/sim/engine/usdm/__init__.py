"""The simulated USDⓈ-M futures account (``/fapi``): contract rules, mark and last prices, the
position mode, positions, a USDT wallet, MARKET/LIMIT orders and conditional algo orders that
trigger as binance-api.md §10.3 says. It lives in the Spot engine's state and under its lock."""
