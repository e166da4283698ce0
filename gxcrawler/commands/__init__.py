"""Sub-commands of the ``gxcrawler`` CLI (see ``gxcrawler.cli``)."""
