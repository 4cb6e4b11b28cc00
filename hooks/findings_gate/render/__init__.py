"""Output formats: each `render(decision) -> str`."""
