"""Schemathesis hooks of the contract-fuzzing test (tests/tests/contract_fuzzing.rs).

A client of these APIs reads before it writes and refers to what exists; generated data can do
neither. So that a request the schema calls valid reaches the rules the schema describes, these
hooks complete the *positive* cases only (negative cases are sent as generated):

- `If-Match` gets the resource's current ETag, read with a GET of the operation's path or of
  the nearest parent path that answers with an ETag (an invented ETag is a 412 that says nothing
  about the schema);
- a body field named like a path parameter gets the path's value (`PUT /v1/services/{number}`
  carries the record's `number` too);
- a field that refers to another resource (an atto's id, an intervento's code, a body's code,
  a scheda's change in the feed) gets an identifier of the loaded dataset, read from the APIs;
- amounts that must add up to the intervento's cost do, and fields a rule ties to the calendar
  or to the resource's state get what a client sends (see `AS_A_CLIENT_SENDS`).

`APQ_ST_URLS` names the four services' base URLs (`name=url,...`), `APQ_ST_TOKEN` the token.
"""

import datetime
import os
import random
import uuid

import requests
import schemathesis
from schemathesis import GenerationMode

URLS = dict(pair.split("=", 1) for pair in os.environ.get("APQ_ST_URLS", "").split(",") if pair)
TOKEN = os.environ.get("APQ_ST_TOKEN", "")
TIMEOUT = 10
_cache = {}
random.seed(20091231)  # the same choices in every run, as schemathesis' own --seed


def _get(service, path):
    response = requests.get(
        URLS[service] + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT
    )
    return response


def _items(service, path):
    key = (service, path)
    if key not in _cache:
        response = _get(service, path)
        items = response.json().get("items", []) if response.ok else []
        if not items:
            return []  # read again next time: the run may create some
        _cache[key] = items
    return _cache[key]


def _pick(values):
    values = [v for v in values if v is not None]
    return random.choice(values) if values else None


# Field name -> where its existing values come from (service, list path, item field).
REFERENCES = {
    "service_number": ("catalogue", "/v1/services?status=active&limit=200", "number"),
    "accordo_id": ("agreements", "/v1/accordi", "id"),
    "atto_id": ("agreements", "/v1/atti-integrativi", "id"),
    "intervento_id": ("agreements", "/v1/interventi?limit=200", "id"),
    "intervento_code": ("agreements", "/v1/interventi?limit=200", "code"),
    "ente_code": ("adhesion", "/v1/enti?region_code=09&kind=comune&limit=200", "code"),
}


# References a valid request may leave out (an adhesion through an aggregation, to a
# sub-service): left out, so that the rules past them are reached.
OPTIONAL_REFERENCES = {"via_aggregation", "sub_service"}


def _reference(field):
    source = REFERENCES.get(field)
    if source is None or source[0] not in URLS:
        return None
    service, path, attribute = source
    return _pick([item.get(attribute) for item in _items(service, path)])


def _complete(body, path_parameters):
    """Fills reference fields and path-named fields, at any depth."""
    if isinstance(body, dict):
        for field, value in list(body.items()):
            if field in path_parameters and not isinstance(value, (dict, list)):
                body[field] = path_parameters[field]
            elif field in OPTIONAL_REFERENCES:
                body[field] = None
            elif field in REFERENCES and isinstance(value, (str, int)) and not isinstance(value, bool):
                existing = _reference(field)
                if existing is not None:
                    body[field] = existing
            elif field == "members" and isinstance(value, list) and value:
                comuni = [item.get("code") for item in _items("adhesion", "/v1/enti?region_code=09&kind=comune&limit=200")]
                if comuni:
                    body[field] = random.sample(comuni, min(len(value), len(comuni)))
            else:
                _complete(value, path_parameters)
    elif isinstance(body, list):
        for value in body:
            _complete(value, path_parameters)


def _service_of(case):
    info = case.operation.schema.raw_schema.get("info", {})
    return info.get("x-api-id", "").removeprefix("apq-")


def _current_etag(case):
    """The ETag a client would hold: from a GET of the resource (or of the nearest parent that
    has one), else from the 412 a stale ETag gets (it carries the current one)."""
    service = _service_of(case)
    if service not in URLS:
        return None
    segments = case.formatted_path.split("/")
    while len(segments) > 2:
        response = _get(service, "/".join(segments))
        if response.ok and response.headers.get("ETag"):
            return response.headers["ETag"]
        segments.pop()
    request = case.as_transport_kwargs(base_url=URLS[service])
    request["headers"] = {k: v for k, v in (request.get("headers") or {}).items() if k.lower() != "if-match"}
    request["headers"]["If-Match"] = '"0"'
    request["headers"].pop("Idempotency-Key", None)
    request["timeout"] = TIMEOUT
    response = requests.request(**request)
    if response.status_code == 412:
        return response.headers.get("ETag")
    return None


# Lists whose amounts must add up to the intervento's cost (a rule no schema states): the last
# amount is completed so that they do, as the client that prepares a plan does.
ADDS_UP = {
    "/v1/interventi/{id}/financing-plan": "sources",
    "/v1/interventi/{id}/cost-table": "cells",
}


def _cents(amount):
    units, _, cents = amount["amount"].partition(".")
    return int(units) * 100 + (int(cents) if units[:1] != "-" else -int(cents))


def _add_up(case):
    lines = case.body.get(ADDS_UP[case.operation.path]) if isinstance(case.body, dict) else None
    if not lines or not all(isinstance(line, dict) and isinstance(line.get("amount"), dict) for line in lines):
        return
    response = _get("agreements", case.formatted_path.rsplit("/", 1)[0])
    if not response.ok:
        return
    cost = _cents(response.json()["total_cost"])
    for line in lines[:-1]:
        line["amount"] = {"amount": "0.00", "currency": "EUR"}
    lines[-1]["amount"] = {"amount": f"{cost // 100}.{cost % 100:02d}", "currency": "EUR"}


# What a client sends where a rule ties a field to the state or the calendar, which no schema
# can say: a step happens today (never before the previous one), a report is issued today and a
# correction says why it is made; an economy is ascertained and a tranche's change takes effect
# by today.
AS_A_CLIENT_SENDS = {
    "/v1/adhesions/{id}/transitions": {"on": lambda: datetime.date.today().isoformat()},
    "/v1/interventi/{code}/phases/{phase}": {"reason": lambda: "ripianificazione della fase"},
    "/v1/interventi/{code}/economie": {"ascertained_on": lambda: datetime.date.today().isoformat()},
    "/v1/tranches/{tranche_id}/transitions": {"effective_on": lambda: datetime.date.today().isoformat()},
    "/v1/reports/{semester}/issues": {
        "issued_on": lambda: None,
        "reason": lambda: "correzione dei dati del semestre",
    },
}


def _as_a_client_sends(case):
    if isinstance(case.body, dict):
        for field, value in AS_A_CLIENT_SENDS[case.operation.path].items():
            case.body[field] = value()


def _feed_change(case):
    """A change the feed really holds, for an acknowledgement."""
    items = _items("monitoring", "/v1/feed?cursor=0&limit=50")
    item = _pick(items)
    if item and isinstance(case.body, dict):
        case.body["scheda_id"] = (item.get("scheda") or {}).get("id", case.body.get("scheda_id"))
        case.body["change_seq"] = item.get("change_seq", case.body.get("change_seq"))


@schemathesis.hook
def before_call(context, case, **kwargs):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return
    path_parameters = dict(case.path_parameters or {})
    if case.body is not None and not isinstance(case.body, (bytes, str)):
        _complete(case.body, path_parameters)
        if case.operation.path == "/v1/feed/acknowledgements":
            _feed_change(case)
        if case.operation.path in ADDS_UP:
            _add_up(case)
        if case.operation.path in AS_A_CLIENT_SENDS:
            _as_a_client_sends(case)
    headers = case.headers or {}
    for name in [n for n in headers if n.lower() == "idempotency-key"]:
        headers[name] = str(uuid.uuid4())  # a client never reuses a key for another request
    if any(name.lower() == "if-match" for name in headers):
        etag = _current_etag(case)
        if etag is not None:
            for name in [n for n in headers if n.lower() == "if-match"]:
                del headers[name]
            headers["If-Match"] = etag
            case.headers = headers
