"""The pure core: routes (ИОМ), diagnostics, workflow, working-day calendar. No I/O here."""
