"""``python -m fulian_qa`` is ``fulian-qa``."""

import sys

from fulian_qa.cli import main

sys.exit(main())
