"""Tests of assessments and plans."""
