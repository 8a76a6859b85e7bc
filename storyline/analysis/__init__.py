"""Per-story analyses: key dates, outlet comparison and claims, framing, sourced summaries, and the story views
built from them. (Named ``analysis``, not ``analyze``, so that it never shadows ``storyline.analyze()``.)"""
