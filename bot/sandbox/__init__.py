"""Trying the bot with no token: the terminal and browser sandboxes and the Bot API emulator."""
