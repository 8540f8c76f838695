"""API routes of the screening area (registered by himaya.assessments.api)."""

from ninja import Router

router = Router(tags=["assessments"])
