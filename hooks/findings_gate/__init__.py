"""findings-gate: gate a change on the findings of the review reports attached to it."""
