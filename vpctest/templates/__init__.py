"""Block Kit Jinja templates (package data, loaded by bot.render)."""
