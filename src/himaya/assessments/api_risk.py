"""API routes of the risk area (registered by himaya.assessments.api)."""

from ninja import Router

router = Router(tags=["assessments"])
