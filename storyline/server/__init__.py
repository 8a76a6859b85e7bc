"""The REST API and the server-rendered web UI over the same store."""
