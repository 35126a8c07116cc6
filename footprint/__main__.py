"""``python -m footprint`` runs the command line."""

from footprint.cli.app import main

main()
