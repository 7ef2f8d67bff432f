"""`python -m trinity.controller` runs trinityctl."""

from trinity.controller.cli import main

main()
