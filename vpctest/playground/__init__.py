"""The playground: the real bot, the Alibaba Cloud and Slack emulators, and a web page that
plays Slack's client, all on loopback. See docs/playground.md."""
