"""`python -m salesops_cli`: the same as the `salesops` command."""

import sys

from salesops_cli.main import main

sys.exit(main())
