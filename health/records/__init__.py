"""Medical history, medicines, allergies and check-up files (issue 13, point 3).

``kinds`` describes each kind of entry once; ``views`` serves all of them with one generic set of
pages; ``files`` checks and stores uploads; ``signals`` removes stored files with their rows;
``sections`` registers them for the doctor view, the summary and the FHIR export (``fhir``).
"""
