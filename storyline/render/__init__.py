"""Presentation of stored views: outlet palette, the timeline picture, the one Jinja environment (web pages and the
report), terminal tables, the HTML report. Reads views, never the store."""
