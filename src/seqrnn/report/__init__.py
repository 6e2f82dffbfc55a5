"""Reports of runs: one self-contained HTML page per run or comparison of runs
(:func:`~seqrnn.report.build.write_report`), run lists
(:func:`~seqrnn.report.runs.list_runs`) and TensorBoard logging
(:class:`~seqrnn.report.tensorboard.TensorBoardLogger`).

Jinja2 and Plotly (extra ``report``) and TensorBoard (extra ``tensorboard``) are imported only
where they are used, so importing this package costs neither.
"""
