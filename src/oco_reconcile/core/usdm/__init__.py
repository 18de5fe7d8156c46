"""USDⓈ-M futures brackets: two algo orders on one position, tied together by the tool (PURE)."""
