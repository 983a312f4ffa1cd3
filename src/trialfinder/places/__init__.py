"""Places: offline resolution of place names, ZIP codes and coordinates; distances."""
