"""findings-gate: gate merges on review findings."""

VERSION = '0.1.0'
