"""The ``seqrnn`` command line: parses flags, builds a config, calls one library function.

One module per verb group; ``main.py`` assembles them.
"""
