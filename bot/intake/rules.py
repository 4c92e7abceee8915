"""Limits on a report's answers, in one place so messages can quote them."""

CONTENT_MIN_CHARS = 20
# Leaves room on the staff card (4096 characters) for the other fields.
CONTENT_MAX_CHARS = 3000
LOCATION_MIN_CHARS = 5
LOCATION_MAX_CHARS = 300
MAX_ATTACHMENTS = 5
# Bots can download files up to 20 MB; a larger one could never reach the staff.
MAX_FILE_BYTES = 20 * 1024 * 1024
# Eight categories a page leaves the ninth line for "more" (at most 9 choices a list).
CATEGORIES_PER_PAGE = 8
