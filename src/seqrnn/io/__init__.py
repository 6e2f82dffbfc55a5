"""Files: atomic writes, checkpoints, run folders."""
