"""Template tags of assessments and plans."""
