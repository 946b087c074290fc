"""The `vpc-test` command: `check`, `serve`, `playground`, `emulator`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from vpctest.diagnostics.errors import UsageError
from vpctest.messages import one_line

EXIT_USAGE = 3
EXIT_SIGPIPE = 141  # 128 + SIGPIPE, as a shell reports a command its reader left
WORLD_SUFFIXES = (".yaml", ".yml")


class Parser(argparse.ArgumentParser):
    """Bad usage exits 3 with one line, not argparse's 2 (which means `unknown` here)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def _normalise(argv: list[str]) -> list[str]:
    """Make the optional values of `--probe[=INSTANCE]` and `--sandbox [FILE]` unambiguous.

    A bare `--probe` never eats the next word; `--sandbox` takes the next word only
    when it names a world file (a .yaml/.yml name, a path with a slash, or an existing
    file), so `check --sandbox va-orders` works as meant.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--probe":
            out.append("--probe=")
        elif arg == "--sandbox":
            following = argv[i + 1] if i + 1 < len(argv) else ""
            if following.endswith(WORLD_SUFFIXES) or "/" in following or Path(following).is_file():
                out.append(f"--sandbox={following}")
                i += 1
            else:
                out.append("--sandbox=")
        else:
            out.append(arg)
        i += 1
    return out


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="vpc-test",
        description="Diagnose Alibaba Cloud API Gateway VPC access authorizations.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="diagnose an authorization (or --all)",
        description="Run the troubleshooting guide's checks on VPC access authorizations.",
    )
    check.add_argument(
        "vpc_access", nargs="?", metavar="VPC_ACCESS", help="authorization id or name"
    )
    check.add_argument("--all", action="store_true", help="every authorization in the region")
    check.add_argument(
        "--gateway", metavar="ID", help="API Gateway instance (default: the only one)"
    )
    check.add_argument(
        "--region", metavar="R", help="region (default: $VPCTEST_REGION or cn-hangzhou)"
    )
    check.add_argument(
        "--probe",
        metavar="INSTANCE",
        help="also probe the port with Cloud Assistant (from the target, or =INSTANCE)",
    )
    check.add_argument(
        "--probe-timeout",
        metavar="S",
        type=_seconds,
        help="wait this long for a running Cloud Assistant probe (default 30)",
    )
    check.add_argument("--json", action="store_true", help="JSON (JSON Lines with --all)")
    check.add_argument(
        "--sandbox",
        metavar="FILE",
        help="serve FILE (default: the bundled demo world) with the emulator and test it",
    )
    check.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    check.add_argument(
        "--evidence",
        action="store_true",
        help="show the evidence rows under every check (default: under failing and warning ones)",
    )
    check.add_argument("-v", "--verbose", action="store_true", help="log cloud calls and retries")

    watch = commands.add_parser(
        "watch",
        help="say what shifted since the last run (JSON Lines), keeping the state in a file",
        description="Diagnose the authorizations, compare with the reports --state holds, "
        "print each one whose verdict or root causes changed, with what changed, as a JSON "
        "line, and keep the new reports. Exit 0: nothing shifted; 1: something did.",
    )
    watch.add_argument(
        "vpc_access", nargs="*", metavar="VPC_ACCESS", help="authorizations (default: all)"
    )
    watch.add_argument("--state", required=True, metavar="FILE", help="where the reports are kept")
    watch.add_argument("--once", action="store_true", help="one round, then exit")
    watch.add_argument(
        "--every",
        metavar="S",
        type=_seconds,
        default=300.0,
        help="without --once: seconds between rounds (default 300)",
    )
    watch.add_argument("--gateway", metavar="ID", help="API Gateway instance")
    watch.add_argument("--region", metavar="R", help="region (default: $VPCTEST_REGION)")
    watch.add_argument("--sandbox", metavar="FILE", help="watch FILE's world in the emulator")
    watch.add_argument("-v", "--verbose", action="store_true", help="log cloud calls and retries")

    emulator = commands.add_parser("emulator", help="serve a world file as Alibaba Cloud OpenAPI")
    emulator.add_argument("--world", required=True, metavar="FILE")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8080)

    serve = commands.add_parser(
        "serve",
        help="run the Slack bot (configured by environment variables: docs/spec/bot.md)",
    )
    serve.add_argument(
        "--sandbox",
        metavar="FILE",
        help="serve FILE (default: the bundled demo world) with the emulator, for the cloud",
    )
    serve.add_argument(
        "--host", default="0.0.0.0", help="address to listen on (default: every interface)"
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log requests and calls")

    playground = commands.add_parser(
        "playground",
        help="try the bot in a browser: the bot, a local Slack and a sandbox cloud, on loopback",
    )
    playground.add_argument(
        "--world", metavar="FILE", help="the cloud to serve (default: the bundled demo world)"
    )
    playground.add_argument(
        "--port", type=int, default=8400, help="the page's port (default 8400; 0: any free one)"
    )
    playground.add_argument(
        "--bot-url",
        metavar="URL",
        help="drive a bot you run yourself (its /slack/events URL) instead of starting one",
    )
    playground.add_argument(
        "--database-url",
        metavar="URL",
        help="the started bot's DATABASE_URL (default: a temporary SQLite file)",
    )
    playground.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    return top


def quiet_credential_chain(verbose: bool) -> None:
    """The credential chain's logger prints each provider's failure with its traceback, on
    handlers of its own, before the one line that says what to set. Keep that for -v (through
    the root handler, once); otherwise the one line is the message.
    """
    import alibabacloud_credentials.client  # noqa: F401  (its providers set the logger up)

    chain = logging.getLogger("credentials")
    for handler in list(chain.handlers):
        chain.removeHandler(handler)
    chain.setLevel(logging.DEBUG if verbose else logging.CRITICAL)


def main(argv: list[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw[:1] == ["emulator"]:
        from vpctest.emulator.cli import main as emulator_main

        return emulator_main(raw[1:])
    args = parser().parse_args(_normalise(raw))
    verbose = bool(getattr(args, "verbose", False))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command in ("check", "serve", "watch"):
        quiet_credential_chain(verbose)
    try:
        if args.command == "serve":
            from vpctest.cli.serve import run_serve

            return run_serve(args.sandbox, args.host, verbose)
        if args.command == "playground":
            from vpctest.cli.playground import run_playground

            return run_playground(args.world, args.port, args.bot_url, args.database_url)
        if args.command == "watch":
            return _watch(args)
        return _check(args)
    except UsageError as exc:
        print(f"vpc-test: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of stdout left (`vpc-test check --all | head`): stop quietly, with the
    status a shell gives a command ended by SIGPIPE. stdout is pointed at /dev/null so that
    the interpreter's last flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_SIGPIPE


def _seconds(text: str) -> float:
    """A positive number of seconds, at most an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a number of seconds above 0 and at most 3600"
        )
    return value


def _watch(args: argparse.Namespace) -> int:
    from vpctest.cli.watch import WatchArgs, run_watch

    return run_watch(
        WatchArgs(
            state=Path(args.state),
            vpc_accesses=tuple(args.vpc_access),
            gateway=args.gateway,
            region=args.region,
            sandbox=args.sandbox,
            once=args.once,
            every_s=args.every,
        )
    )


def _check(args: argparse.Namespace) -> int:
    from vpctest.cli.check import CheckArgs, run_check
    from vpctest.diagnostics.snapshot import ProbeRequest

    timeout = {} if args.probe_timeout is None else {"timeout_s": args.probe_timeout}
    probe = None if args.probe is None else ProbeRequest(args.probe or None, **timeout)
    color = sys.stdout.isatty() and not args.no_color and "NO_COLOR" not in os.environ
    return run_check(
        CheckArgs(
            vpc_access=args.vpc_access,
            all=args.all,
            gateway=args.gateway,
            region=args.region,
            probe=probe,
            json=args.json,
            sandbox=args.sandbox,
            color=color,
            evidence=args.evidence,
        )
    )
