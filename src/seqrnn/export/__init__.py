"""Export of trained networks (``seqrnn export``): ONNX graphs for onnxruntime, optional
extra ``onnx``. Imported only by the export verb and ``seqrnn serve --backend onnxruntime``."""
