"""The Streamlit side of the dashboard: one small module per part of the page.

``app.py`` calls :func:`dashboard.page.main`. Importing these modules only defines functions;
the page is drawn when ``main`` runs. Pure logic lives in :mod:`trialfinder.views`.
"""
