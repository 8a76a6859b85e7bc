"""Reading articles: formats to ``Document`` (readers), and the publication date, outlet and clean text found in
an article's own words (metadata)."""
