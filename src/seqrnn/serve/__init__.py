"""The HTTP scoring service (``seqrnn serve``): FastAPI + uvicorn, optional extra ``serve``.

Nothing here is imported by training or the other verbs; FastAPI, pydantic and
prometheus-client are imported only when the service is built.
"""
