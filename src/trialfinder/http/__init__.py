"""Generic HTTP: the bounded, paced, cached session and one GET (no registry here)."""
