import sys

from panelsite.cli import main

sys.exit(main())
