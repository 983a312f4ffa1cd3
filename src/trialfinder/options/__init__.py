"""The options of a search, declared once (what people give on the command line, in a link,
in a saved search or as keyword arguments) and made into a registry's query."""
