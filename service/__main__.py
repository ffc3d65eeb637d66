"""``python -m service …``: the command line (see service/cli.py)."""

from service.cli import app

if __name__ == "__main__":
    app(prog_name="python -m service")
