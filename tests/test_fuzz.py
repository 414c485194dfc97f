"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis, bounded examples per operation) over the
real seeded system: no 5xx, and every response — status, content type, headers, body — matches the schema
(schema-valid requests that break a rule the schema cannot state, such as a blank question, get a 422).
The number of cases run is printed (``-s``) for docs/reliability.md."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

# Rules the schema cannot state (a blank or over-long question, unknown filter values) answer 422 by design.
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from fulian_qa.api import create_app

EXAMPLES = 25  # per operation; CI stays cheap
CASES = {"n": 0, "5xx": 0}


@pytest.fixture(scope="module")
def api_schema(system):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(system))


def test_api_matches_its_schema_and_never_fails(api_schema):
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(operation.as_strategy())
        def fuzz(case) -> None:
            response = case.call()
            CASES["n"] += 1
            CASES["5xx"] += response.status_code >= 500
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        fuzz()
    print(f"\nschemathesis: {CASES['n']} cases, {CASES['5xx']} server errors")
    assert CASES["n"] > 0 and CASES["5xx"] == 0
