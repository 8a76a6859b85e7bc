"""Per-story analyses: key dates, outlet comparison and claims, framing, sourced summaries."""
