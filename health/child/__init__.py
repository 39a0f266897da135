"""Mother and child (母子健康手帳): pregnancy and birth, growth against reference percentiles, vaccinations.

``rules`` (pure: ages, dose windows, LMS percentiles), ``references`` (WHO tables and staff-loaded
Japanese tables), ``charts`` (SVG geometry), ``selectors`` / ``services`` (reads / writes),
``reminders`` (vaccine reminder mails), ``sections`` (the doctor view / summary / FHIR parts),
``views`` / ``forms`` (the resident's pages), ``staff`` (the 健康 staff CSV upload).
"""
