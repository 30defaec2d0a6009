"""`python -m tf1_dnn.lab` = `python -m tf1_dnn lab`."""

import sys

from tf1_dnn.lab.cli import main

sys.exit(main())
