"""The ``trialfinder`` command line: one module per command, sharing the option and output
helpers (:mod:`~trialfinder.cli.common`). :func:`trialfinder.cli.main.main` is the entry."""
