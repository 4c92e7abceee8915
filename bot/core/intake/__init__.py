"""Filing a report free of Telegram: the steps, the answers and the rules for them."""
