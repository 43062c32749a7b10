"""``python -m up42``: the ``up42`` command line."""

from .cli import main

main()
