"""lapor-bot: the core and the composition root."""

import os

# python-telegram-bot 22 returns durations as ints with a deprecation warning unless this
# opt-in to its next major version's timedelta values is set; we read both (handlers/inputs).
os.environ.setdefault("PTB_TIMEDELTA", "1")
