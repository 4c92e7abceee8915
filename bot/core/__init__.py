"""The report itself: statuses, transitions, deadlines, working days, codes, agencies, queues.

Nothing here knows Telegram, HTTP or the database (lint-imports checks it)."""
