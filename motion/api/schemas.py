"""Marshmallow schemas of the JSON API: they validate input and document the OpenAPI spec."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

# Requests: an unknown property is an error (marshmallow's default). Responses derive from
# Response: every property is listed and required.


class Response(Schema):
    """A response: every property is listed and required (schemathesis checks the
    responses against them), so its fields need not say ``required=True``."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.required = True


class ProblemSchema(Schema):
    """RFC 9457 problem details; `detail` is in French."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Messages per invalid field (422)."})


class PhaseSchema(Response):
    kind = fields.String(validate=validate.OneOf(
        ["collect", "synthesis", "plenary", "closed"]))
    starts_at = fields.DateTime()
    ends_at = fields.DateTime(allow_none=True)


class CampaignSchema(Response):
    slug = fields.String()
    title = fields.String()
    timezone = fields.String()
    place = fields.String(allow_none=True)
    current_phase = fields.String(allow_none=True)
    phases = fields.List(fields.Nested(PhaseSchema))


class CampaignListSchema(Response):
    items = fields.List(fields.Nested(CampaignSchema))


class WorkshopSchema(Response):
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    engagement_code = fields.String(allow_none=True)
    is_open = fields.Boolean()
    member = fields.Boolean(metadata={"description": "Whether the caller is a "
                                                     "member (and so may post there)."})


class WorkshopListSchema(Response):
    items = fields.List(fields.Nested(WorkshopSchema))


class AxisSchema(Response):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    description = fields.String()


class EngagementSchema(AxisSchema):
    axes = fields.List(fields.Nested(AxisSchema))


class FrameworkSchema(Response):
    name = fields.String(allow_none=True)
    engagements = fields.List(fields.Nested(EngagementSchema))


class ContributionSchema(Response):
    id = fields.Integer()
    title = fields.String(allow_none=True)
    text = fields.String()
    workshop = fields.String(metadata={"description": "Workshop slug."})
    engagement_code = fields.String(allow_none=True)
    collectivite = fields.String(allow_none=True)
    author = fields.String(allow_none=True, metadata={
        "description": "The author's name when the campaign publishes names, else null."})
    status = fields.String()
    source = fields.String()
    external_id = fields.String(allow_none=True)
    supports = fields.Integer()
    created_at = fields.DateTime()


class ContributionPageSchema(Response):
    items = fields.List(fields.Nested(ContributionSchema))
    next_cursor = fields.String(allow_none=True, metadata={
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


class ThemeMemberSchema(Response):
    id = fields.Integer()
    text = fields.String()
    workshop = fields.String()
    collectivite = fields.String(allow_none=True)
    confidence = fields.Float()


class ThemeSchema(Response):
    id = fields.Integer()
    name = fields.String()
    summary = fields.String()
    keywords = fields.List(fields.String())
    size = fields.Integer()
    engagement_code = fields.String(allow_none=True)
    axis_code = fields.String(allow_none=True)
    out_of_frame = fields.Boolean()


class ThemeDetailSchema(ThemeSchema):
    members = fields.List(fields.Nested(ThemeMemberSchema))


class ThemeListSchema(Response):
    items = fields.List(fields.Nested(ThemeSchema))
    unassigned = fields.Integer(metadata={
        "description": "Contributions of the latest run left « à classer »."})


class JobSchema(Response):
    id = fields.Integer()
    status = fields.String()
    progress = fields.Float()
    message = fields.String()
    finished = fields.Boolean()
    error = fields.String(allow_none=True)


class ExportJobSchema(JobSchema):
    kind = fields.String()
    format = fields.String()
    size = fields.Integer(allow_none=True)
    download_url = fields.String(allow_none=True)


class ExportCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["motion", "opendata",
                                                                  "report"]))
    format = fields.String(required=True, validate=validate.OneOf(
        ["odt", "docx", "pdf", "md", "csv", "json"]))


class VoteResultSchema(Response):
    outcome = fields.String(allow_none=True, validate=validate.OneOf(
        ["adopted", "rejected"]))
    pour = fields.Integer(allow_none=True)
    contre = fields.Integer(allow_none=True)
    abstention = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class SourceSchema(Response):
    contribution_id = fields.Integer()
    text = fields.String()
    workshop = fields.String()
    collectivite = fields.String(allow_none=True)
    supports = fields.Integer()
    theme = fields.String(allow_none=True, metadata={
        "description": "The theme the contribution came through, as named when linked."})


class CountersSchema(Response):
    contributions = fields.Integer()
    elus = fields.Integer()
    collectivites = fields.Integer()


class FollowUpLinkSchema(Response):
    title = fields.String()
    url = fields.String()


class FollowUpSchema(Response):
    status = fields.String(validate=validate.OneOf(
        ["not_transmitted", "transmitted", "answered", "in_text", "no_follow_up"]))
    label = fields.String(metadata={"description": "The status in French."})
    last_note = fields.String(allow_none=True)
    last_note_on = fields.Date(allow_none=True)
    links = fields.List(fields.Nested(FollowUpLinkSchema))


class PropositionSchema(Response):
    id = fields.Integer()
    section = fields.String()
    engagement_code = fields.String(allow_none=True)
    position = fields.Integer()
    title = fields.String()
    text = fields.String()
    version = fields.Integer()
    vote = fields.Nested(VoteResultSchema)
    provenance = fields.Nested(CountersSchema)
    followup = fields.Nested(FollowUpSchema, allow_none=True, metadata={
        "description": "What became of the proposition; null until the campaign closes."})


class PropositionDetailSchema(PropositionSchema):
    sources = fields.List(fields.Nested(SourceSchema))


class MotionSchema(Response):
    title = fields.String()
    status = fields.String()
    preamble = fields.String()
    adopted_at = fields.DateTime(allow_none=True)
    propositions = fields.List(fields.Nested(PropositionSchema))


class VoteRowSchema(VoteResultSchema):
    proposition_id = fields.Integer()
    title = fields.String()


class VoteListSchema(Response):
    items = fields.List(fields.Nested(VoteRowSchema))
