"""Exports of a campaign: the motion (ODT, DOCX, PDF, Markdown), open data (CSV, JSON)
and the facilitators' synthesis report (ODT, PDF).

``builder`` reads the database into the frozen values of ``document`` and ``opendata``;
every renderer takes those values only.
"""
