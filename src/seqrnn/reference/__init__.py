"""A small, readable NumPy reference of the plain RNN, the LSTM and the GRU.

Forward and back-propagation through time written out by hand (no autograd), proven equal
to ``torch.nn.RNN``/``LSTM``/``GRU`` in the tests; a finite-difference gradient check; a
character model trained with SGD or Adagrad; the vanishing-gradient experiment; parameter
counts. It answers the same next-symbol interface as every other model, so it also serves as
an oracle for the fast models.

* :mod:`~seqrnn.reference.cells` / :mod:`~seqrnn.reference.gated`: one time step of each cell
* :mod:`~seqrnn.reference.bptt`: forward over a sequence, full and truncated BPTT
* :mod:`~seqrnn.reference.network`: one-hot input, cell, softmax read-out, loss
* :mod:`~seqrnn.reference.gradcheck`, :mod:`~seqrnn.reference.train`,
  :mod:`~seqrnn.reference.model`, :mod:`~seqrnn.reference.vanishing`,
  :mod:`~seqrnn.reference.counts`, :mod:`~seqrnn.reference.bridge` (PyTorch weights)
"""

from seqrnn.reference.bptt import backward_sequence, forward_sequence
from seqrnn.reference.cells import Cell, CellType, RNNCell
from seqrnn.reference.gated import GRUCell, LSTMCell, make_cell
from seqrnn.reference.network import Network, Readout

__all__ = [
    "Cell",
    "CellType",
    "GRUCell",
    "LSTMCell",
    "Network",
    "RNNCell",
    "Readout",
    "backward_sequence",
    "forward_sequence",
    "make_cell",
]
