"""python -m pipeline -> the keyproj command line."""

from pipeline.cli import cli

if __name__ == "__main__":
    cli()
