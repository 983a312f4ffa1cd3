"""The API layer: queries, the HTTP client, its transport and pacing, and the fields asked for."""
