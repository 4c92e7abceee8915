"""Filing a report: steps, answers, rules and submission, free of Telegram."""
