"""python -m pipeline -> the keyproj command line."""

from pipeline.cli import main

if __name__ == "__main__":
    main()
