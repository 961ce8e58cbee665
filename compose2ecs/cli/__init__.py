"""The `cli` stage: a thin Typer layer (parse, call, render, map errors to exit codes)."""
