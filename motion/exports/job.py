"""Entry point of an export job process: ``python -m motion.exports.job EXPORT_ID``.

Started by :func:`motion.services.exports.launch` with the app's configuration in the
environment (see :func:`motion.jobs.job_environment`).
"""

from __future__ import annotations

import logging
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: python -m motion.exports.job EXPORT_ID", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from motion import create_app
    from motion.services.exports import execute_export

    app = create_app()
    with app.app_context():
        ok = execute_export(int(argv[0]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
