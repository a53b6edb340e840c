"""The 型 library: use-case patterns, KPIs and the method's vocabulary (see ``catalog``)."""
