"""Who may record and read assessments and plans: the people who work on the case (need to know), while it is
open for writing; supervisors for what needs their authority. Objects passed to the rules are cases."""

from __future__ import annotations

import rules

from himaya.accounts.policies import is_supervisor
from himaya.cases.policies import case_is_open, works_on_the_case

rules.add_perm("assessments.view_assessments", works_on_the_case)
rules.add_perm("assessments.record_screening", works_on_the_case & case_is_open)
rules.add_perm("assessments.record_identification", works_on_the_case & case_is_open)
rules.add_perm("assessments.record_risk", works_on_the_case & case_is_open)
rules.add_perm("assessments.change_plan", works_on_the_case & case_is_open)
rules.add_perm("assessments.record_conference", works_on_the_case & case_is_open)
rules.add_perm("assessments.view_organisation_actions", is_supervisor)
