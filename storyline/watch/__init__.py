"""Watching feeds: a polite fetcher, feed sources, the watch loop, follows and alerts.

``storyline watch`` and ``storyline serve --watch`` run a ``Watcher``; ``storyline follow`` and
``storyline alerts`` use ``alerts``. Every state lives in the database (see ``Store``'s watching part).
"""

from .alerts import FOLLOW_KINDS, Webhook, check, follow, payload
from .fetch import USER_AGENT, Clock, Fetcher, FetchError, Page
from .sources import SourceError, canonical_url, document_id, parse_feed, read_sources
from .watcher import RoundReport, Watcher

__all__ = ["FOLLOW_KINDS", "USER_AGENT", "Clock", "FetchError", "Fetcher", "Page", "RoundReport", "SourceError",
           "Watcher", "Webhook", "canonical_url", "check", "document_id", "follow", "parse_feed", "payload",
           "read_sources"]
