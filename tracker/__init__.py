"""The weekly PDCA tracker: check-ins against the playbook's KPIs and use cases, trends, the weekly pack."""
