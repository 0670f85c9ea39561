"""``python -m simulate`` runs the command line."""

from simulate.cli.main import main

if __name__ == "__main__":
    main()
