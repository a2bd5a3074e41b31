"""`python -m flopcalc`."""

from flopcalc.cli import main

if __name__ == "__main__":
    main()
