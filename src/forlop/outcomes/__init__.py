"""Routine outcome monitoring for low-threshold services ("Rask psykisk helsehjelp", 003).

PHQ-9/GAD-7 recovery, reliable improvement, access and waiting, work status, case-mix adjusted
comparison between services, P charts over time and the clinician's client chart. Definitions in
``definitions.yaml`` (explained in docs/definitions.md, "Outcome monitoring (003)").
"""
