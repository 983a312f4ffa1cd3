"""Pure logic behind the dashboard, testable without Streamlit (nothing here imports it).

- :mod:`.text`          escaping for Markdown, and words instead of the registry's codes
- :mod:`.urlstate`      widget state <-> URL parameters (as the search options declare them),
                        the submitted search
- :mod:`.linknotes`     a link's study, distance and order, and the notes on what it got wrong
- :mod:`.request`       the search request the dashboard caches and sends (SearchOptions)
- :mod:`.summary`       the filter summary in words, and the one-click undo of a filter
- :mod:`.searchline`    what was searched as removable chips; what to try when nothing was found
- :mod:`.extrafilters`  words for funder type and the completion/posted/update date ranges
- :mod:`.mapfit`        the first map view that shows every point
- :mod:`.outlines`      country and state borders for an offline map
- :mod:`.stillmap`      the map as a still SVG picture, shown before the interactive map
- :mod:`.provenance`    the one place that reads a result's provenance (its age, download names)
- :mod:`.prescreen`     the "About you" panel's rules
- :mod:`.watches`       saved searches and "What's new"
- :mod:`.sorting`       the order of the result list
- :mod:`.contact`       phone numbers as ``tel:`` links, only from a phone number
- :mod:`.device`        a phone's browser, told by its User-Agent (the sidebar starts closed)
- :mod:`.describe`      the map and the charts in words
- :mod:`.registrynames` the registries a search asks and the one an error came from, by title
"""
