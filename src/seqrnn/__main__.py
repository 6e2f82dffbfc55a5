"""``python -m seqrnn`` (also what ``torchrun -m seqrnn`` runs)."""

from seqrnn.cli.main import main

main()
