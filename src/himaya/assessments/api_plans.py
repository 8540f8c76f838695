"""API routes of the plans area (registered by himaya.assessments.api)."""

from ninja import Router

router = Router(tags=["assessments"])
