"""Daily measurements (測定記録): the catalogue of types, entry, goals, charts, CSV, FHIR, reminders.

- ``catalogue``: the types with their LOINC code, UCUM unit and plausible range (data, no database).
- ``rules``: pure checks and derivations (range, fever, goal, BMI); no database, no clock.
- ``selectors`` / ``services``: reads and writes; ``charts``: the SVG geometry;
  ``csvio``: CSV export and import; ``fhir``: FHIR R4 Observations; ``reminders`` and ``tasks``:
  the daily reminder to measure; ``section``: the registration in ``health.sections``.
"""
