"""Per-document annotation, pure functions of one document: sentences (nlp), dated expressions (dates), entities
and quotes; ``document`` runs them all."""
