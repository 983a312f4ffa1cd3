"""The tables layer: study records to typed tables, local filters, exports and study detail."""
