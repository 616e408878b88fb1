"""Who may call which route: the policy the authorisation matrix test checks.

One row per (method, endpoint) of the URL map. ``expected`` gives, for each visitor, the
outcome of calling the route on campaign A's objects: ``ok`` (served, redirected or a
form error: the visitor got past every access check), ``login`` (sent to the login page
or 401), ``denied`` (403) or ``missing`` (404). ``cross`` lists the statuses allowed when
an administrator calls the route with campaign A's slug and campaign B's object ids.
A new route needs a row here, or tests/web/test_authorisation_matrix.py fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK, LOGIN, DENIED, MISSING = "ok", "login", "denied", "missing"
ROLES = ("anonymous", "elu_a", "elu_b", "facilitator_a", "facilitator_b", "admin")

# URL arguments that are not object ids, and the value the matrix gives them.
FIXED_ARGUMENTS = {"lang": "en", "kind": "contribution", "action": "masquer",
                   "decision": "rejeter", "number": 1, "filename": "motion.css",
                   "name": "contributions"}
# A shelf of the board ("themes/groupe/<key>") names a place of the campaign's framework
# (an axis, an engagement, "hors-cadre"), not another campaign's object.
NOT_IDS = {"campaign_slug", "workshop_slug", "token", "key", *FIXED_ARGUMENTS}
# Routes whose <job_id> is an import job (elsewhere: an export job).
IMPORT_JOB_ENDPOINTS = {"admin.import_job", "admin_api.import_status"}
# An object of another campaign: not found (or, for a form, refused as invalid).
REFUSED_GET = frozenset({403, 404})
REFUSED_POST = frozenset({400, 403, 404, 409})


# Per-route values of URL arguments that are not object ids.
ENDPOINT_ARGUMENTS = {"projection.act": {"action": "suivante"},
                      "themes.shelf": {"key": "hors-cadre"}}
# Routes that end the caller's sessions: the visitors sign in again after them.
ENDS_SESSIONS = {"auth.logout", "auth.end_other_sessions", "auth.change_password"}


def crosses_campaigns(rule) -> bool:
    """A route of one campaign that names objects by id: try it with another's objects."""
    arguments = set(rule.arguments)
    return "campaign_slug" in arguments and bool(arguments - NOT_IDS)


@dataclass(frozen=True)
class Row:
    expected: dict[str, str]
    cross: frozenset[int] = field(default=REFUSED_GET)


def _profile(**outcomes: str) -> dict[str, str]:
    assert set(outcomes) == set(ROLES), outcomes
    return outcomes


PUBLIC = _profile(anonymous=OK, elu_a=OK, elu_b=OK, facilitator_a=OK, facilitator_b=OK, admin=OK)
SIGNED_IN = _profile(anonymous=LOGIN, elu_a=OK, elu_b=OK, facilitator_a=OK, facilitator_b=OK,
                     admin=OK)
# Pages of campaign A: its participants (and administrators) only.
MEMBERS = _profile(anonymous=LOGIN, elu_a=OK, elu_b=DENIED, facilitator_a=OK,
                   facilitator_b=DENIED, admin=OK)
# Facilitators' pages of campaign A: its facilitators and administrators.
FACILITATORS = _profile(anonymous=LOGIN, elu_a=DENIED, elu_b=DENIED, facilitator_a=OK,
                        facilitator_b=DENIED, admin=OK)
ADMINS = _profile(anonymous=LOGIN, elu_a=DENIED, elu_b=DENIED, facilitator_a=DENIED,
                  facilitator_b=DENIED, admin=OK)
# None of the six visitors (e.g. only a contribution's author, who is none of them).
NONE_OF_THEM = {**ADMINS, "admin": DENIED}


def _with(profile: dict[str, str], **changes: str) -> dict[str, str]:
    return {**profile, **changes}


POLICY: dict[tuple[str, str], Row] = {
    ("GET", "main.index"): Row(PUBLIC),
    ("GET", "legal.accessibility_statement"): Row(PUBLIC),
    ("GET", "admin.index"): Row(ADMINS),
    ("GET", "collectivites.index"): Row(ADMINS),
    ("POST", "collectivites.upload"): Row(ADMINS),
    ("POST", "collectivites.run"): Row(_with(ADMINS, admin=MISSING)),
    ("GET", "admin.campaign"): Row(ADMINS),
    ("GET", "admin.workshop"): Row(ADMINS),
    ("GET", "admin.import_job"): Row(ADMINS),
    ("GET", "admin.new_campaign"): Row(ADMINS),
    ("GET", "invitations.import_file"): Row(ADMINS),
    # no invitation job in the seed.
    ("GET", "invitations.job"): Row(_with(ADMINS, admin=MISSING)),
    ("GET", "legal.edit_texts"): Row(ADMINS),
    ("GET", "admin.users"): Row(ADMINS),
    ("GET", "admin_api.import_status"): Row(ADMINS),
    # no invitation job in the seed.
    ("GET", "invitations.job_status"): Row(_with(ADMINS, admin=MISSING)),
    ("GET", "themes.run_status"): Row(FACILITATORS),
    ("GET", "exports.status"): Row(FACILITATORS),
    ("GET", "projection.state"): Row(MEMBERS),
    ("GET", "api_campaigns.list_campaigns"): Row(SIGNED_IN),
    ("GET", "api_campaigns.get_campaign"): Row(MEMBERS),
    ("GET", "api_themes.get_clustering_run"): Row(FACILITATORS),
    ("GET", "api_contributions.list_contributions"): Row(MEMBERS),
    ("GET", "api_contributions.get_contribution"): Row(MEMBERS),
    ("GET", "api_exports.get_export"): Row(FACILITATORS),
    # the seeded export job has no file yet.
    ("GET", "api_exports.download_export"): Row(
        _with(FACILITATORS, facilitator_a=MISSING, admin=MISSING)
    ),
    ("GET", "api_campaigns.get_framework"): Row(MEMBERS),
    ("GET", "api_motion.get_motion"): Row(MEMBERS),
    ("GET", "api_motion.get_proposition"): Row(MEMBERS),
    ("GET", "api_motion.list_votes"): Row(MEMBERS),
    ("GET", "api_themes.list_themes"): Row(FACILITATORS),
    ("GET", "api_themes.get_theme"): Row(FACILITATORS),
    ("GET", "api_campaigns.list_workshops"): Row(MEMBERS),
    ("GET", "api_docs.reference"): Row(PUBLIC),
    ("GET", "api-docs.openapi_json"): Row(PUBLIC),
    ("GET", "main.archive"): Row(PUBLIC),
    ("GET", "main.campaign_home"): Row(PUBLIC),
    ("GET", "workshops.index"): Row(MEMBERS),
    ("GET", "workshops.show"): Row(MEMBERS),
    ("GET", "contributions.index"): Row(MEMBERS),
    ("GET", "contributions.show"): Row(MEMBERS),
    # only the author (not one of the visitors) edits.
    ("GET", "contributions.edit"): Row(NONE_OF_THEM),
    # only the author withdraws.
    ("GET", "contributions.confirm_withdraw"): Row(NONE_OF_THEM),
    ("GET", "themes.coverage_view"): Row(FACILITATORS),
    ("GET", "exports.index"): Row(FACILITATORS),
    ("GET", "exports.show"): Row(FACILITATORS),
    # the seeded export job has no file yet.
    ("GET", "exports.download"): Row(_with(FACILITATORS, facilitator_a=MISSING, admin=MISSING)),
    ("GET", "moderation.index"): Row(FACILITATORS),
    ("GET", "motions.index"): Row(MEMBERS),
    ("GET", "motions.unused"): Row(FACILITATORS),
    ("GET", "motions.contribution"): Row(MEMBERS),
    ("GET", "exports.document"): Row(MEMBERS),
    ("GET", "projection.control"): Row(FACILITATORS),
    ("GET", "motions.preamble"): Row(MEMBERS),
    ("GET", "projection.screen"): Row(FACILITATORS),
    ("GET", "motions.proposition"): Row(MEMBERS),
    ("GET", "motions.edit"): Row(FACILITATORS),
    ("GET", "motions.versions"): Row(MEMBERS),
    ("GET", "motions.new_proposition"): Row(FACILITATORS),
    ("GET", "motions.confirm_adopt"): Row(FACILITATORS),
    ("GET", "projection.qr"): Row(MEMBERS),
    ("GET", "themes.board"): Row(FACILITATORS),
    ("GET", "themes.shelf"): Row(FACILITATORS),
    ("GET", "themes.show"): Row(FACILITATORS),
    ("GET", "themes.split_form"): Row(FACILITATORS),
    ("GET", "themes.unsorted"): Row(FACILITATORS),
    ("GET", "themes.compare"): Row(FACILITATORS),
    ("GET", "themes.history"): Row(FACILITATORS),
    ("GET", "auth.login"): Row(PUBLIC),
    ("GET", "api_tokens.index"): Row(SIGNED_IN),
    ("GET", "preferences.notifications"): Row(SIGNED_IN),
    ("GET", "legal.contact"): Row(PUBLIC),
    ("GET", "legal.personal_data"): Row(PUBLIC),
    ("GET", "main.favicon"): Row(PUBLIC),
    ("GET", "main.healthz"): Row(PUBLIC),
    ("GET", "invitations.accept"): Row(PUBLIC),
    ("GET", "main.set_language"): Row(PUBLIC),
    ("GET", "legal.legal_notice"): Row(PUBLIC),
    ("GET", "votes.phone"): Row(MEMBERS),
    ("POST", "admin.update_campaign"): Row(ADMINS),
    ("POST", "admin.new_workshop"): Row(ADMINS),
    ("POST", "admin.workshop"): Row(ADMINS, cross=REFUSED_POST),
    ("POST", "admin.engagement_workshops"): Row(ADMINS),
    ("POST", "admin.new_import"): Row(ADMINS),
    ("POST", "admin.phases"): Row(ADMINS),
    ("POST", "admin.framework"): Row(ADMINS),
    ("POST", "admin.new_campaign"): Row(ADMINS),
    ("POST", "invitations.import_file"): Row(ADMINS),
    ("POST", "legal.edit_texts"): Row(ADMINS),
    ("POST", "admin.user"): Row(ADMINS),
    ("POST", "contributions_api.similar_ideas"): Row(MEMBERS),
    # writing through the API needs a write-scoped token.
    ("POST", "api_themes.start_clustering"): Row(NONE_OF_THEM),
    # writing through the API needs a write-scoped token.
    ("POST", "api_contributions.create_contribution"): Row(NONE_OF_THEM),
    # writing through the API needs a write-scoped token.
    ("POST", "api_exports.start_export"): Row(NONE_OF_THEM),
    # administrators take part in no workshop: they do not vote.
    ("POST", "votes.api_vote"): Row(_with(MEMBERS, admin=DENIED)),
    # the collect phase is over in the seeded campaigns.
    ("POST", "workshops.post"): Row(NONE_OF_THEM),
    ("POST", "workshops.join"): Row(MEMBERS),
    ("POST", "contributions.comment"): Row(MEMBERS, cross=REFUSED_POST),
    # only the comment's author withdraws it.
    ("POST", "contributions.withdraw_comment"): Row(
        NONE_OF_THEM, cross=REFUSED_POST
    ),
    ("POST", "contributions.report_comment"): Row(MEMBERS, cross=REFUSED_POST),
    # only the author (not one of the visitors) edits.
    ("POST", "contributions.edit"): Row(NONE_OF_THEM, cross=REFUSED_POST),
    # only the author restores.
    ("POST", "contributions.restore"): Row(NONE_OF_THEM, cross=REFUSED_POST),
    # only the author withdraws.
    ("POST", "contributions.withdraw"): Row(NONE_OF_THEM, cross=REFUSED_POST),
    ("POST", "contributions.unsupport"): Row(MEMBERS, cross=REFUSED_POST),
    ("POST", "themes.secondary"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "contributions.report"): Row(MEMBERS, cross=REFUSED_POST),
    ("POST", "contributions.support"): Row(MEMBERS, cross=REFUSED_POST),
    ("POST", "themes.move_contribution"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.lock"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "exports.create"): Row(FACILITATORS),
    ("POST", "exports.licence"): Row(ADMINS),
    ("POST", "moderation.decide"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "motions.adopt"): Row(FACILITATORS),
    ("POST", "motions.create"): Row(FACILITATORS),
    ("POST", "projection.act"): Row(FACILITATORS),
    ("POST", "motions.preamble"): Row(FACILITATORS),
    ("POST", "motions.propose_amendment"): Row(MEMBERS, cross=REFUSED_POST),
    ("POST", "motions.decide_amendment"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "motions.merge_amendments"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "motions.edit"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "motions.restore"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "motions.new_proposition"): Row(FACILITATORS),
    ("POST", "themes.move"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.pin"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.rename"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.split"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.move_many"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.place_many"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "themes.run"): Row(FACILITATORS),
    ("POST", "themes.merge"): Row(FACILITATORS),
    ("POST", "themes.undo"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "auth.login"): Row(PUBLIC),
    ("POST", "auth.logout"): Row(SIGNED_IN),
    ("GET", "auth.account"): Row(SIGNED_IN),
    ("POST", "auth.change_password"): Row(SIGNED_IN),
    ("POST", "auth.end_other_sessions"): Row(SIGNED_IN),
    ("POST", "auth.keep_alive"): Row(SIGNED_IN),
    ("GET", "auth.forgot_password"): Row(PUBLIC),
    ("POST", "auth.forgot_password"): Row(PUBLIC),
    ("GET", "auth.reset_password"): Row(PUBLIC),
    ("POST", "auth.reset_password"): Row(PUBLIC),
    ("POST", "api_tokens.index"): Row(SIGNED_IN),
    # the token belongs to elu_a: anyone else's revocation finds nothing.
    ("POST", "api_tokens.revoke"): Row(
        _with(SIGNED_IN, elu_b=MISSING, facilitator_a=MISSING, facilitator_b=MISSING,
        admin=MISSING)
    ),
    ("POST", "preferences.notifications"): Row(SIGNED_IN),
    ("POST", "invitations.accept"): Row(PUBLIC),
    ("POST", "votes.vote"): Row(MEMBERS),
    # Interchange (Decidim, spreadsheets): administrators; the propositions for Decidim
    # also for facilitators. <name> is a pending upload: the fixed value names none.
    ("GET", "interchange.index"): Row(ADMINS),
    ("GET", "interchange.export_decidim"): Row(FACILITATORS),
    ("GET", "interchange.mapping"): Row(_with(ADMINS, admin=MISSING)),
    ("POST", "interchange.import_decidim"): Row(ADMINS),
    ("POST", "interchange.upload_sheet"): Row(ADMINS),
    ("POST", "interchange.run_sheet"): Row(_with(ADMINS, admin=MISSING)),
    # Engagement sessions: <number> is the engagement's number in the framework (1: E1).
    # Facilitators lead every session unless they are référent of other engagements only
    # (tests/web/test_sessions.py checks référents against each other).
    ("GET", "sessions.programme"): Row(MEMBERS),
    ("POST", "sessions.update_programme"): Row(FACILITATORS),
    ("POST", "sessions.update_referents"): Row(ADMINS),
    ("GET", "sessions.show"): Row(MEMBERS),
    ("GET", "sessions.screen"): Row(FACILITATORS),
    ("GET", "sessions.screen_state"): Row(FACILITATORS),
    ("POST", "sessions.texts"): Row(FACILITATORS),
    ("GET", "sessions.new_axis_proposition"): Row(FACILITATORS),
    ("POST", "sessions.new_axis_proposition"): Row(FACILITATORS),
    ("POST", "sessions.set_axis"): Row(FACILITATORS),
    ("POST", "sessions.vote"): Row(FACILITATORS),
    # Follow-up (suivi) of a closed campaign's motion; the earlier propositions a campaign
    # continues. Campaign A is not closed: a status change is refused (409) past the guards.
    ("GET", "followup.index"): Row(MEMBERS),
    ("POST", "followup.update"): Row(FACILITATORS, cross=REFUSED_POST),
    ("GET", "followup.earlier"): Row(MEMBERS),
    ("POST", "followup.import_previous"): Row(FACILITATORS),
    ("POST", "followup.continues"): Row(FACILITATORS, cross=REFUSED_POST),
    # Addressees and transmission dossiers: facilitators; the cover letter: administrators.
    # The seeded addressee has the seeded proposition confirmed (its deletion is refused).
    ("GET", "dossiers.addressee_list"): Row(FACILITATORS),
    ("POST", "dossiers.create_addressee"): Row(FACILITATORS),
    ("POST", "dossiers.add_defaults"): Row(FACILITATORS),
    ("GET", "dossiers.edit_addressee"): Row(FACILITATORS),
    ("POST", "dossiers.edit_addressee"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "dossiers.move_addressee"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "dossiers.delete_addressee"): Row(FACILITATORS, cross=REFUSED_POST),
    ("POST", "dossiers.proposition_addressees"): Row(FACILITATORS, cross=REFUSED_POST),
    ("GET", "dossiers.index"): Row(FACILITATORS),
    ("POST", "dossiers.suggest_all"): Row(FACILITATORS),
    ("GET", "dossiers.download"): Row(FACILITATORS),
    ("GET", "dossiers.archive"): Row(FACILITATORS),
    ("POST", "dossiers.prepare"): Row(FACILITATORS),
    ("POST", "dossiers.mark_sent"): Row(FACILITATORS, cross=REFUSED_POST),
    ("GET", "dossiers.letter"): Row(ADMINS),
    ("POST", "dossiers.letter"): Row(ADMINS),
}
