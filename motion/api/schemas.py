"""Marshmallow schemas of the JSON API: they validate input and document the OpenAPI spec."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

# Requests: an unknown property is an error (marshmallow's default). Responses: every
# property is listed and required (schemathesis checks the responses against them).


class ProblemSchema(Schema):
    """RFC 9457 problem details; `detail` is in French."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Messages per invalid field (422)."})


class PhaseSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ["collect", "synthesis", "plenary", "closed"]))
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(allow_none=True, required=True)


class CampaignSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    timezone = fields.String(required=True)
    place = fields.String(allow_none=True, required=True)
    current_phase = fields.String(allow_none=True, required=True)
    phases = fields.List(fields.Nested(PhaseSchema), required=True)


class CampaignListSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema), required=True)


class WorkshopSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    engagement_code = fields.String(allow_none=True, required=True)
    is_open = fields.Boolean(required=True)
    member = fields.Boolean(required=True, metadata={"description": "Whether the caller is a "
                                                     "member (and so may post there)."})


class WorkshopListSchema(Schema):
    items = fields.List(fields.Nested(WorkshopSchema), required=True)


class AxisSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)


class EngagementSchema(AxisSchema):
    axes = fields.List(fields.Nested(AxisSchema), required=True)


class FrameworkSchema(Schema):
    name = fields.String(allow_none=True, required=True)
    engagements = fields.List(fields.Nested(EngagementSchema), required=True)


class ContributionSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(allow_none=True, required=True)
    text = fields.String(required=True)
    workshop = fields.String(required=True, metadata={"description": "Workshop slug."})
    engagement_code = fields.String(allow_none=True, required=True)
    collectivite = fields.String(allow_none=True, required=True)
    author = fields.String(allow_none=True, required=True, metadata={
        "description": "The author's name when the campaign publishes names, else null."})
    status = fields.String(required=True)
    source = fields.String(required=True)
    external_id = fields.String(allow_none=True, required=True)
    supports = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


class ContributionPageSchema(Schema):
    items = fields.List(fields.Nested(ContributionSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last page."})


class ContributionQuerySchema(Schema):
    workshop = fields.String(validate=validate.Length(max=80), metadata={
        "description": "Workshop slug."})
    engagement = fields.String(validate=validate.Length(max=40), metadata={
        "description": "Engagement code, e.g. E1."})
    collectivite = fields.String(validate=validate.Length(max=200))
    since = fields.Date(metadata={"description": "Posted on or after this day (campaign's "
                                                 "time zone)."})
    until = fields.Date(metadata={"description": "Posted on or before this day."})
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Words that must all appear."})
    cursor = fields.String(validate=validate.Length(max=40))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ContributionCreateSchema(Schema):
    workshop = fields.String(required=True, validate=validate.Length(min=1, max=80),
                             metadata={"description": "Slug of a workshop you belong to."})
    text = fields.String(required=True, validate=validate.Length(max=10000))
    title = fields.String(allow_none=True, validate=validate.Length(max=200))
    engagement_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    client_key = fields.String(allow_none=True, validate=validate.Length(max=64), metadata={
        "description": "Idempotency key (16-64 of A-Z a-z 0-9 _ -): a retry with the same "
                       "key returns the first contribution."})


class ThemeMemberSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    workshop = fields.String(required=True)
    collectivite = fields.String(allow_none=True, required=True)
    confidence = fields.Float(required=True)


class ThemeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    summary = fields.String(required=True)
    keywords = fields.List(fields.String(), required=True)
    size = fields.Integer(required=True)
    engagement_code = fields.String(allow_none=True, required=True)
    axis_code = fields.String(allow_none=True, required=True)
    out_of_frame = fields.Boolean(required=True)


class ThemeDetailSchema(ThemeSchema):
    members = fields.List(fields.Nested(ThemeMemberSchema), required=True)


class ThemeListSchema(Schema):
    items = fields.List(fields.Nested(ThemeSchema), required=True)
    unassigned = fields.Integer(required=True, metadata={
        "description": "Contributions of the latest run left « à classer »."})


class JobSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    progress = fields.Float(required=True)
    message = fields.String(required=True)
    finished = fields.Boolean(required=True)
    error = fields.String(allow_none=True, required=True)


class ExportJobSchema(JobSchema):
    kind = fields.String(required=True)
    format = fields.String(required=True)
    size = fields.Integer(allow_none=True, required=True)
    download_url = fields.String(allow_none=True, required=True)


class ExportCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["motion", "opendata",
                                                                  "report"]))
    format = fields.String(required=True, validate=validate.OneOf(
        ["odt", "docx", "pdf", "md", "csv", "json"]))


class VoteResultSchema(Schema):
    outcome = fields.String(allow_none=True, required=True, validate=validate.OneOf(
        ["adopted", "rejected"]))
    pour = fields.Integer(allow_none=True, required=True)
    contre = fields.Integer(allow_none=True, required=True)
    abstention = fields.Integer(allow_none=True, required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)


class SourceSchema(Schema):
    contribution_id = fields.Integer(required=True)
    text = fields.String(required=True)
    workshop = fields.String(required=True)
    collectivite = fields.String(allow_none=True, required=True)
    supports = fields.Integer(required=True)
    theme = fields.String(allow_none=True, required=True, metadata={
        "description": "The theme the contribution came through, as named when linked."})


class CountersSchema(Schema):
    contributions = fields.Integer(required=True)
    elus = fields.Integer(required=True)
    collectivites = fields.Integer(required=True)


class FollowUpLinkSchema(Schema):
    title = fields.String(required=True)
    url = fields.String(required=True)


class FollowUpSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(
        ["not_transmitted", "transmitted", "answered", "in_text", "no_follow_up"]))
    label = fields.String(required=True, metadata={"description": "The status in French."})
    last_note = fields.String(allow_none=True, required=True)
    last_note_on = fields.Date(allow_none=True, required=True)
    links = fields.List(fields.Nested(FollowUpLinkSchema), required=True)


class PropositionSchema(Schema):
    id = fields.Integer(required=True)
    section = fields.String(required=True)
    engagement_code = fields.String(allow_none=True, required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    version = fields.Integer(required=True)
    vote = fields.Nested(VoteResultSchema, required=True)
    provenance = fields.Nested(CountersSchema, required=True)
    followup = fields.Nested(FollowUpSchema, allow_none=True, required=True, metadata={
        "description": "What became of the proposition; null until the campaign closes."})


class PropositionDetailSchema(PropositionSchema):
    sources = fields.List(fields.Nested(SourceSchema), required=True)


class MotionSchema(Schema):
    title = fields.String(required=True)
    status = fields.String(required=True)
    preamble = fields.String(required=True)
    adopted_at = fields.DateTime(allow_none=True, required=True)
    propositions = fields.List(fields.Nested(PropositionSchema), required=True)


class VoteRowSchema(VoteResultSchema):
    proposition_id = fields.Integer(required=True)
    title = fields.String(required=True)


class VoteListSchema(Schema):
    items = fields.List(fields.Nested(VoteRowSchema), required=True)
