"""Files in: diagnostics (CSV/XLSX/XML), curators (CSV/XLSX); shared table readers for the course map.

Every reader turns any input, however broken, into a ``Table`` or a ``ValidationError``:
nothing else escapes (binary garbage, a wrong encoding, a broken workbook or XML document).
"""
