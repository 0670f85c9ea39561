"""``python -m simulate`` runs the command line."""

from simulate.cli import main

if __name__ == "__main__":
    main()
