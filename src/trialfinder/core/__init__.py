"""What every layer uses: errors, settings, provenance, text and folder rules."""
