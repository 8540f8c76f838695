from himaya.api.api import api

__all__ = ["api"]
