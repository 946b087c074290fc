"""`python -m emulator --world FILE`: the same as `vpc-test emulator`."""

import sys

from vpctest.emulator.cli import main

sys.exit(main())
