"""`aggregator`, the installed command (and `python -m aggregator`).

Loading the command line takes seconds (3 on a busy machine): a Ctrl-C meanwhile was a
KeyboardInterrupt traceback of whichever module was loading. Caught here, where nothing of it
is loaded yet; `aggregator.cli.main` catches one in a command.
"""

import sys

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command Ctrl-C stopped


def main() -> int:
    try:
        from aggregator.cli import main as command_line
    except KeyboardInterrupt:
        return INTERRUPTED
    return command_line()


if __name__ == "__main__":
    sys.exit(main())
