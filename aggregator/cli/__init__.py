"""The `aggregator` command: run everything, or one process of it, and operate it.

`main` and its arguments are here; the commands live by responsibility:
`supervisor` (`run`), `processes` (worker, scheduler, web, redis), `operate` (check-config,
sources, refresh, pause/resume/reset, OPML), and `terminal` (what they print).
`python -m aggregator.cli` runs `main`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

import redis

from aggregator import logs
from aggregator.__main__ import INTERRUPTED
from aggregator.cli import operate, processes, supervisor
from aggregator.errors import ConfigError, SettingError, SettingExit
from aggregator.models import SOURCE_STATES
from aggregator.redis_server import LOG_FILE, EmbeddedServerError, data_dir, redis_url

# The exit status of a command that could not reach Redis, or that Redis did not answer: apart
# from 1 (a command's own failure, such as `sources` listing failing sources), so a monitoring
# script tells "the service is down" from "some sources fail" (3 is "unknown" to Nagios).
UNREACHABLE = 3


def _port(raw: str) -> int:
    """A TCP port, 1-65535 (argparse says which option it was for)."""
    try:
        port = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a port number: {raw!r} (--port, else $PORT)"
        ) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535 (--port, else $PORT)")
    return port


def _at_least(least: int) -> Callable[[str], int]:
    def whole(raw: str) -> int:
        try:
            n = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"{n} is too few: at least {least}")
        return n

    return whole


def _seconds(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {raw!r}") from None
    if not 0.1 <= seconds <= 3600:  # (0 polled Redis and the file without pause: 70% of a core)
        raise argparse.ArgumentTypeError(f"{raw} s: use 0.1 to 3600 seconds")
    return seconds


def _default_port() -> str:
    """$PORT, checked when a command that serves uses it (every other command ignores it);
    empty, as an unset one in `PORT=$PORT make run`, it is the default."""
    return os.environ.get("PORT") or "8000"


class _Command(argparse.ArgumentParser):
    """A command's parser: an argument too many is named by the command, with what it takes.

    (argparse leaves what a command did not take to the top parser, which said only
    "aggregator: error: unrecognized arguments: b" under the top usage, for `sources a b`.)
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extra = super().parse_known_args(args, namespace)
        if extra:
            self.error(self._too_many(extra))
        return parsed, extra

    def _too_many(self, extra: list[str]) -> str:
        options = [a for a in extra if a.startswith("-") and a != "-"]
        values = [a for a in extra if a not in options]
        # The top parser's own (`sources --config x`): its place is before the command.
        own = [o for o in options if o.partition("=")[0] in TOP_OPTIONS]
        options = [o for o in options if o not in own]
        said = [
            f"{name} is aggregator's own option: it goes before the command"
            f" (aggregator {name} {TOP_OPTIONS[name]} {self.prog.rpartition(' ')[2]})"
            for name in dict.fromkeys(o.partition("=")[0] for o in own)
        ]
        if values:
            said.append(f"too many arguments: {' '.join(values)} ({self._takes()})")
        if options:
            said.append(
                f"no such option: {' '.join(options)} (`{self.prog} --help` lists its options)"
            )
        return "; ".join(said)

    def _takes(self) -> str:
        """What this command takes besides options, in its usage's words."""
        positionals = [a for a in self._actions if not a.option_strings]
        if not positionals:
            options = [a for a in self._actions if a.option_strings and a.dest != "help"]
            return "it takes options only" if options else "it takes no arguments"
        taken = []
        for action in positionals:
            name = action.metavar if isinstance(action.metavar, str) else action.dest
            taken.append(f"at most one {name}" if action.nargs == "?" else f"one {name}")
        return f"it takes {' and '.join(taken)}"


# The top parser's options, with their metavar (build_parser).
TOP_OPTIONS = {"--config": "FILE"}


def _knows(parser: argparse.ArgumentParser, option: str) -> bool:
    """Whether `parser` takes `option` (`--x=v` too, and an abbreviation as argparse reads one)."""
    name = option.partition("=")[0]
    known = parser._option_string_actions  # (argparse's own table of option strings)
    if name in known:
        return True
    return name.startswith("--") and len({known[s] for s in known if s.startswith(name)}) == 1


class _Top(argparse.ArgumentParser):
    """The top parser: a command's option given before the command is named, with where it goes.

    (argparse said "unrecognized arguments: --json" for `aggregator --json sources`, and for
    `--workers 3 run` that '3' is no command; `sources --config x` already said where it goes.)
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        said = self._misplaced(list(sys.argv[1:] if args is None else args))
        if said:
            self.error(said)
        return super().parse_known_args(args, namespace)

    def _misplaced(self, args: list[str]) -> str:
        """What is wrong with the options before the command that are not aggregator's own."""
        commands = next(
            a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)
        )
        misplaced: list[list[str]] = []  # each option with the values after it
        command = None
        rest = iter(args)
        for arg in rest:
            if arg in ("-h", "--help", "--"):
                return ""  # (help first, as argparse does; after "--" nothing is an option)
            if arg.startswith("-") and arg != "-":
                if _knows(self, arg):
                    if "=" not in arg:
                        next(rest, None)  # its value (--config FILE)
                else:
                    misplaced.append([arg])
            elif arg in commands:
                command = arg
                break
            elif misplaced:
                misplaced[-1].append(arg)
        said = []
        for option, *values in misplaced:
            takers = [name for name, p in commands.items() if _knows(p, option)]
            if command is not None and command in takers:
                said.append(
                    f"{option} is the {command} command's option: it goes after the command"
                    f" ({' '.join(['aggregator', command, option, *values])})"
                )
            elif command is not None and takers:
                said.append(f"{option} is an option of {' and '.join(takers)}, not of {command}")
            elif takers:
                example = " ".join(["aggregator", takers[0], option, *values])
                said.append(
                    f"{option} is an option of {' and '.join(takers)}: it goes after the"
                    f" command ({example})"
                )
            else:
                which = f"aggregator {command} --help" if command else "aggregator --help"
                said.append(
                    f"no such option: {option} (`{which}` lists its options"
                    + (", `aggregator --help` aggregator's own)" if command else ")")
                )
        return "; ".join(said)


def build_parser() -> argparse.ArgumentParser:
    parser = _Top(
        prog="aggregator",
        description="Aggregate RSS/Atom/JSON feeds into merged category feeds and a reader.",
        # What no option sets: `--help` named none of it (a stranger's review).
        epilog="Environment: AGGREGATOR_CONFIG (the file --config names);"
        " AGGREGATOR_DATA_DIR (default ./var) holds the embedded server's data, so the commands"
        " find the service where it was started; PORT (default 8000) of the web;"
        " ADMIN_TOKEN (24 characters or more) turns on /admin/; REDIS_URL names a server to"
        " use instead of the embedded one; LOG_LEVEL, LOG_FORMAT=json. The rest: README.md.",
    )
    parser.add_argument(
        "--config",
        metavar=TOP_OPTIONS["--config"],
        default=None,
        help="config file (default: $AGGREGATOR_CONFIG or ./aggregator.toml)",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Command
    )
    # (A string default goes through `type`: a bad $PORT is an argparse error, for these only.)
    port = _default_port()

    p = sub.add_parser(
        "run", help="everything: embedded Redis (unless REDIS_URL), scheduler, web, workers"
    )
    p.add_argument("--workers", type=_at_least(1), default=2, help="worker processes (default 2)")
    p.add_argument("--host", default="127.0.0.1", help="web address (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=port, help="web port (default $PORT or 8000)")
    p.set_defaults(func=supervisor.cmd_run)

    p = sub.add_parser("worker", help="one RQ worker that refreshes sources")
    p.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    p.add_argument(
        "--max-jobs",
        type=_at_least(0),
        default=1000,
        help="exit after this many jobs, to be restarted fresh (default 1000; 0: never)",
    )
    p.set_defaults(func=processes.cmd_worker)

    p = sub.add_parser("scheduler", help="claims due sources and enqueues them")
    p.add_argument(
        "--interval", type=_seconds, default=1.0, help="seconds between ticks (default 1)"
    )
    p.set_defaults(func=processes.cmd_scheduler)

    p = sub.add_parser("web", help="the web app under gunicorn")
    p.add_argument("--host", default="0.0.0.0", help="address (default 0.0.0.0)")  # noqa: S104
    p.add_argument("--port", type=_port, default=port, help="port (default $PORT or 8000)")
    p.add_argument("--workers", type=_at_least(1), default=2, help="gunicorn workers (default 2)")
    p.set_defaults(func=processes.cmd_web)

    p = sub.add_parser("redis", help="only the embedded Redis-compatible server")
    p.set_defaults(func=processes.cmd_redis)

    p = sub.add_parser("check-config", help="validate the config and print a summary")
    p.epilog = (
        "Exit status: 0 when the file is valid (its warnings are printed, each with its line);"
        " 2 when the file is invalid (every problem, each with its line and the fix) or, with"
        " the service running, holds what its scheduler would refuse."
    )
    p.set_defaults(func=operate.cmd_check_config)

    p = sub.add_parser("sources", help="every source's health, as a table (or --json)")
    p.add_argument(
        "source", nargs="?", metavar="SOURCE", help="one source id: all of it, nothing cut"
    )
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.add_argument("--failing", action="store_true", help="only failing and gone sources")
    p.epilog = (
        "Exit status: 0, or 1 when a source it lists is failing or gone (so `sources --failing`"
        " is a check: 1 when any source fails); 3 when the service cannot be reached."
    )
    p.add_argument(
        "--state",
        action="append",
        choices=SOURCE_STATES,
        help="only sources in this state (again for more states)",
    )
    p.set_defaults(func=operate.cmd_sources)

    for action, says in (
        ("pause", "take sources off the schedule until resumed"),
        ("resume", "put paused sources back on the schedule, due now"),
        ("reset", "forget sources' errors, gone mark and adopted redirect; due now"),
    ):
        p = sub.add_parser(action, help=says)
        p.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids")
        if action == "reset":
            p.add_argument("--failing", action="store_true", help="every failing and gone source")
        p.set_defaults(func=operate.cmd_act, action=action)

    p = sub.add_parser("import-opml", help="add an OPML file's feeds to the config file")
    # (Optional here: "--allow-private-networks feeds.opml" takes the file as the option's value,
    # which cmd_import_opml gives back.)
    p.add_argument("file", nargs="?", help="the OPML file")
    p.add_argument("--category", help="put every feed in this category (created if missing)")
    p.add_argument(
        "--allow-private-networks",
        nargs="?",
        const="true",
        metavar="NETWORKS",
        help="let every imported source reach private addresses: all of them, or only the"
        " comma-separated networks and hosts given (10.1.2.0/24,intranet.corp)",
    )
    p.add_argument("--dry-run", action="store_true", help="report, but do not write the file")
    p.set_defaults(func=operate.cmd_import_opml)

    p = sub.add_parser("export-opml", help="every source as OPML, grouped by category")
    p.add_argument("-o", "--output", help="write to this file (default: standard output)")
    p.set_defaults(func=operate.cmd_export_opml)

    p = sub.add_parser("refresh", help="refresh sources now (enqueue, or --inline here)")
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids")
    p.add_argument("--all", action="store_true", help="every source in the config")
    p.add_argument("--inline", action="store_true", help="refresh in this process and report")
    p.epilog = (
        "Exit status: 0, or 1 when a source is not in the running config (an unknown id, or one"
        " only the file has yet) or, with --inline, a source failed; 3 when the service cannot"
        " be reached."
    )
    p.set_defaults(func=operate.cmd_refresh)

    p = sub.add_parser("story", help="print the story an article belongs to (all its copies)")
    p.add_argument("article_id", help="an article id (the last part of /a/<id>)")
    p.set_defaults(func=operate.cmd_story)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        # argparse said only "the following arguments are required: COMMAND", naming none.
        parser.print_help(sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        logs.configure(args.command)
        result: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
    except ConfigError as error:
        print(f"aggregator: invalid configuration: {error}", file=sys.stderr)
        return 2
    except SettingError as error:  # an environment variable: no file to point at
        print(f"aggregator: {error}", file=sys.stderr)
        return 2
    except SettingExit as error:  # the same, raised where no caller could catch it
        print(error.code, file=sys.stderr)
        return 2
    except redis.exceptions.TimeoutError as error:
        # A server that accepts connections but answers nothing: stopped (SIGSTOP), swapping,
        # a stalled disk. Waiting longer would not help the operator, saying so does.
        log = "" if os.environ.get("REDIS_URL") else f" Its log is {data_dir() / LOG_FILE}."
        print(
            f"aggregator: Redis at {redis_url()} does not answer ({error}): its server is"
            " running but hung (stopped, overloaded, or waiting on its disk); `aggregator run`"
            f" restarts a server that exits, not one that hangs.{log}",
            file=sys.stderr,
        )
        return UNREACHABLE
    except redis.exceptions.ConnectionError as error:
        # The commands that read or change the store need it running: one line, not a traceback.
        where = (
            ""
            if os.environ.get("REDIS_URL")
            else f" The embedded server is looked for in the data directory {data_dir()}"
            " (./var of the directory this runs in, or $AGGREGATOR_DATA_DIR): run this where"
            " the service was started, or set AGGREGATOR_DATA_DIR to its data directory."
        )
        print(
            f"aggregator: cannot reach Redis at {redis_url()} ({error}).{where} If the service is"
            " not running, `make run` (or `aggregator run`) starts it, with its embedded server;"
            " set REDIS_URL for another server.",
            file=sys.stderr,
        )
        return UNREACHABLE
    except EmbeddedServerError as error:
        # Another `run` or `redis` on the same data directory, a server that would not start:
        # the message says what and where, a traceback would only bury it.
        print(f"aggregator: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C before a command's own handler, or in one with none
        return INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`aggregator sources --json | head`): stop quietly, as `cat`
        # does. Python would flush stdout again at exit and fail again: point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command a closed pipe stopped
    return result
