import sys

from emdkit.cli import main

sys.exit(main())
