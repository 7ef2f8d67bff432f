"""`python -m trinity.agent` = `trinity-agent` (for hosts without the console script)."""

from trinity.agent.cli import main

main()
