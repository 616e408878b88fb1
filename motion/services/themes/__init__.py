"""Themes: the clusters facilitators shape into the motion (model ``Cluster``, "thème" in
the UI).

* :mod:`.operations` — what facilitators do to the themes: rename, move, merge, split,
  move a contribution, pin, lock, second theme;
* :mod:`.journal` — how every operation records what it changed, and undo;
* :mod:`.queries` — reading: the board, a theme's page, per-theme statistics, where each
  contribution sits and the coverage of the framework (one read model for the pages and
  the exports).

Computing the themes (the clustering runs, and comparing two runs) is
:mod:`motion.services.clustering`. Services only add and flush; the caller commits.
"""
