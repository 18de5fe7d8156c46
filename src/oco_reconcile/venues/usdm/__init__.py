"""The USDⓈ-M futures venue (``/fapi``): REST client, answers parsed into values, live state."""
