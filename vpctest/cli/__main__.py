"""`python -m cli` runs the vpc-test command."""

import sys

from vpctest.cli import main

sys.exit(main())
