"""The input contract (DESIGN.md, "Input contract"): read a registry extract, validate it, quarantine bad rows.

Entry point: ``forlop.extract.validate.validate_extract(data_dir, out_dir)`` -> ``ValidationSummary``.
"""
