"""`python -m aggregator.cli`: what `run` starts its children with."""

import sys

from aggregator.cli import main

sys.exit(main())
