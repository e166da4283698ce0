import sys

from gxcrawler.cli import main

sys.exit(main())
