"""The assessments API: trafficking screening, danger assessment, plans (under /api/v1/cases/{code}/...)."""

from ninja import Router

from himaya.assessments.api_plans import router as plans
from himaya.assessments.api_risk import router as risk
from himaya.assessments.api_screening import router as screening

router = Router()
router.add_router("/", screening)
router.add_router("/", risk)
router.add_router("/", plans)
