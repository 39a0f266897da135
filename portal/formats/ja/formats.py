"""Japanese date and time formats: 2026年12月7日(月) 14:00 (Django's 'D' is 月, 火, … in Japanese)."""

DATE_FORMAT = "Y年n月j日(D)"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y年n月j日(D) H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "Y/m/d"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
