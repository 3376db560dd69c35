"""What counts as unusual in the access review, with defaults a society may override.

Read from Django settings when set there (`REPORTS_OFFICE_OPENS`, ...), else these defaults.
"""

import datetime

from django.conf import settings

# Office hours, Asia/Tokyo, on weekdays that are not Japanese public holidays (jpholiday).
OFFICE_OPENS = datetime.time(8, 30)
OFFICE_CLOSES = datetime.time(18, 0)
# One read of more rows than this is unusually large.
LARGE_READ_ROWS = 1000
# A handler's day is unusual when its rows exceed this many times their median day, and at
# least VOLUME_MIN_ROWS (a handler who reads 2 rows a day is not alarming at 10).
VOLUME_FACTOR = 5
VOLUME_MIN_ROWS = 200


def setting(name: str):
    return getattr(settings, f"REPORTS_{name}", globals()[name])
