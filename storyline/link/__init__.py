"""Cross-document linking, incremental: near-duplicates (dedup), stories (stories), timeline events (events)."""
