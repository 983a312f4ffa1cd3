"""The ``trialfinder`` command line: one module per command, sharing the connection options
and settings (:mod:`~trialfinder.cli.common`), the search options
(:mod:`trialfinder.options.cli`) and the output formats (:mod:`~trialfinder.cli.formats`).
:func:`trialfinder.cli.main.main` is the entry."""
