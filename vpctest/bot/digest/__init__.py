"""Scheduled health digests: subscriptions, their schedules, exactly-once slots, history.

- schedule.py: `daily|weekdays|hourly|CRON [HH:MM] [TZ]` → `Schedule` (APScheduler 3
  CronTrigger, next and latest slot);
- subcommands.py: `/vpc-test digest …` → `DigestAdd | DigestList | DigestRemove | DigestRun`;
- models.py, service.py: the tables and `DigestStore` (subscriptions, slot claims,
  verdict history);
- history.py: `VerdictRow` in, `AuthorizationHistory` (previous verdict, failing since,
  newly broken, recovered) out;
- scheduler.py: `DigestScheduler`, one APScheduler job per subscription, catch-up at start;
- run.py: `DigestRunner`, one slot's diagnosis, record and posts;
- live.py: `Digests` (store, runner, scheduler) and the `/vpc-test digest …` answers.

Import from the submodules: this package stays light so bot.command_parse can use it.
"""
