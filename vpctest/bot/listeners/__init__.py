"""Slack listeners: they parse, authorize and hand over to the flows."""
