"""Showing a whole health log to others: share links for a doctor, the printable summary, the FHIR
export, caregivers and the logs of who looked. Everything goes through ``health.sections``, so it
shows whatever sections exist. See docs/health-sharing.md."""
