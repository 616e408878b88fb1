"""Contract test: schemathesis generates requests from /api/v1/openapi.json against a seeded
instance (in process, through WSGI) and checks every response: no server error, and each
one matches the status codes, content types and schemas the document declares."""

from __future__ import annotations

import pytest

MAX_EXAMPLES = 8  # per operation and per mode: about a minute for the whole document
STARTS_A_JOB = ("/exports", "/clustering-runs")


@pytest.mark.slow
def test_api_honours_its_openapi_document(app, seeded_motion, make_token):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    # Facilitator's write token: every operation is reachable (themes, exports included).
    token = make_token(seeded_motion.facilitator, "write")
    # identity: the WSGI transport does not inflate the gzip/zstd the app may answer with.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    known = {"campaign_slug": seeded_motion.campaign.slug}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Real ids where the path names the seeded campaign, then anything at all.
        pinned = {k: v for k, v in known.items() if k in operation.path}
        if operation.method.upper() == "POST" and operation.path.endswith(STARTS_A_JOB):
            continue  # a detached process would outlive the test: see test_api's job tests
        for path_parameters in (pinned, None):

            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                      derandomize=True, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(path_parameters=path_parameters or None,
                                              headers=headers))
            def run(case):
                case.call_and_validate(checks=checks)

            run()
    assert operations >= 13
