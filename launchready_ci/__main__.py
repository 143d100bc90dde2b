from __future__ import annotations

from launchready_ci.cli import main

if __name__ == "__main__":
    main()
