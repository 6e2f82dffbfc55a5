"""Sequence classification of text: readers, tokenizer, recurrent classifiers (LSTM, GRU,
BiLSTM, CNN+LSTM) on the shared recurrent encoder, bag-of-words baselines, metrics and
cross-validation. Entry points: :func:`seqrnn.classify.workflow.fit`,
:func:`seqrnn.classify.runs.train`, :func:`seqrnn.classify.runs.load_model`."""
