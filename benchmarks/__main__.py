"""`python -m benchmarks`: the same as `python -m tf1_dnn bench`."""

import sys

from benchmarks.bench import main

sys.exit(main())
