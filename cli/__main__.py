"""`python -m cli` runs the vpc-test command."""

import sys

from cli import main

sys.exit(main())
