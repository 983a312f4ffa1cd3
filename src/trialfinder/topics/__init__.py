"""The focus topics: search presets, background notes and the fictional demo data set."""
