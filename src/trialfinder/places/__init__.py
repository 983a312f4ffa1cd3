"""Places: offline resolution of place names, ZIP codes and coordinates; distances.

``resolve.py`` reads what people and the registry write (:func:`resolve_place`), ``names.py``
folds names for matching, ``gazetteer.py`` reads the shipped GeoNames gazetteer and ``geo.py``
measures great-circle distances.
"""
