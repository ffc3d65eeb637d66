"""schemathesis over the service's own OpenAPI schema (issue 13, item 9): in process (ASGI),
against the real app on the session index; every operation, valid and invalid data, every
default check (no server error, status codes, content types and bodies as documented, valid
data accepted, invalid data refused). Bounded: ``MAX_EXAMPLES`` per operation and mode.

Before: ``q`` of /search and ``ref`` of /mentions were schema-valid when empty, and the API
refused them (422): schemathesis's "schema-valid request rejected".
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from service.settings import Settings
from service.web.app import create_app

pytestmark = pytest.mark.slow  # every test needs the session index or the model

MAX_EXAMPLES = 25
HOST = "127.0.0.1"  # a Host the app answers for (schemathesis's own default is refused)
# The operations, read from the app's schema (building it needs no index).
_PATHS = create_app(Settings()).openapi()["paths"]
OPERATIONS = [f"{method.upper()} {path}" for path, item in _PATHS.items() for method in item]
# operations that take parameters (the others have no invalid input to generate)
PARAMETERS = {
    f"{method.upper()} {path}"
    for path, item in _PATHS.items()
    for method, op in item.items()
    if op.get("parameters")
}


@pytest.fixture(scope="module")
def api_schema(index_dir):
    app = create_app(Settings(index_dir=index_dir))
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers={"Host": HOST})


# Refusals no JSON Schema can state, each documented in its parameter's description: a
# schema-valid request may get a 422 only with one of these messages.
SEMANTIC_422 = {
    "GET /search": (
        "tokens for the embedding model",  # the query costs too much to embed
        "has no letter or digit",  # punctuation or symbols only: nothing to search for
    ),
    "GET /mentions": ("is not a document reference",),
    "GET /coverage/citations": (
        "is not a document reference",
        "no indexed plan cites",
        "longer than",  # a required reference longer than any document number
    ),
    "GET /coverage/changes": ("two different years",),
}
CASES = [
    (operation, mode)
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or operation in PARAMETERS
]


@pytest.mark.parametrize(("operation", "mode"), CASES, ids=[f"{o}-{m.value}" for o, m in CASES])
def test_the_api_does_what_its_schema_says(api_schema, operation, mode):
    method, path = operation.split(" ", 1)

    @given(case=api_schema[path][method].as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case):
        response = case.call_and_validate(
            base_url=f"http://{HOST}", excluded_checks=[positive_data_acceptance]
        )
        if mode is GenerationMode.POSITIVE and response.status_code >= 400:
            # valid data is accepted: 2xx, an unknown id's 404, or a documented 422
            message = response.json()["error"]["message"]
            semantic = response.status_code == 422 and any(
                words in message for words in SEMANTIC_422.get(operation, ())
            )
            assert response.status_code == 404 or semantic, (response.status_code, message)

    check()
