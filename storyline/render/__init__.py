"""Presentation of stored views: outlet palette, terminal tables, the HTML report. Reads views, never the store."""
