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


_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def _value(c):
    return ord(c) - (ord("0") if c.isdigit() else ord("A"))


def _with_control_character(code):
    """A codice fiscale whose control character holds, as a real one does (the schema gives its
    shape; the control character is a checksum no schema states)."""
    raw = code.strip().upper()
    if len(raw) == 16 and raw.isascii() and raw.isalnum():
        total = sum(_ODD[_value(c) % 26] if i % 2 == 0 else _value(c) for i, c in enumerate(raw[:15]))
        return raw[:15] + chr(ord("A") + total % 26)
    if len(raw) == 11 and raw.isascii() and raw.isdigit():
        digits = [int(c) for c in raw[:10]]
        total = sum(d if i % 2 == 0 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(digits))
        return raw[:10] + str((10 - total % 10) % 10)
    return code


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
            elif field == "codice_fiscale" and isinstance(value, str):
                body[field] = _with_control_character(value)
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
    units, _, cents = amount["amount"].strip().partition(".")
    cents = int(cents or 0)
    return int(units) * 100 + (cents if units[:1] != "-" else -cents)


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
# by today; a year of the cost plan with something realised has begun.
AS_A_CLIENT_SENDS = {
    "/v1/adhesions/{id}/transitions": {"on": lambda: datetime.date.today().isoformat()},
    "/v1/interventi/{code}/phases/{phase}": {"reason": lambda: "ripianificazione della fase"},
    "/v1/interventi/{code}/economie": {"ascertained_on": lambda: datetime.date.today().isoformat()},
    "/v1/interventi/{code}/cost-plan": {"year": lambda: random.randint(1990, datetime.date.today().year)},
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


def _feed_change(acknowledgement):
    """A change the feed really holds, for an acknowledgement (the sync job acknowledges what it
    read from the feed)."""
    item = _pick(_items("monitoring", "/v1/feed?cursor=0&limit=50"))
    if item and isinstance(acknowledgement, dict):
        acknowledgement["scheda_id"] = (item.get("scheda") or {}).get("id", acknowledgement.get("scheda_id"))
        acknowledgement["change_seq"] = item.get("change_seq", acknowledgement.get("change_seq"))


def _acknowledgement(case):
    _feed_change(case.body)


def _acknowledgement_batch(case):
    """Each item of a batch is a change the feed holds, as for a single acknowledgement."""
    items = case.body.get("items") if isinstance(case.body, dict) else None
    for item in items if isinstance(items, list) else []:
        _feed_change(item)


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _movement(case):
    """An impegno or pagamento of an intervento of the register, recorded once it happened: a
    client never dates an event ahead of today (the schema cannot say "not after today")."""
    code = _reference("intervento_code")
    if code is not None and case.path_parameters is not None:
        case.path_parameters["code"] = code
    if isinstance(case.body, dict):
        date = _date(case.body.get("date"))
        today = datetime.date.today()
        if date is not None and date > today:
            case.body["date"] = today.isoformat()


def _euro(cents):
    return {"amount": f"{cents // 100}.{cents % 100:02d}", "currency": "EUR"}


def _scheda(case):
    """A scheda as its author opens it: with the totals declared while the intervento has no
    impegni and pagamenti recorded (payments within the commitments), without them once it has
    (they are derived); an activity that ended, ended after it started."""
    body = case.body
    if not isinstance(body, dict):
        return
    code = body.get("intervento_code")
    recorded = False
    for register in ("impegni", "pagamenti"):
        response = _get("monitoring", f"/v1/interventi/{code}/{register}")
        recorded = recorded or (response.ok and bool(response.json().get("items")))
    if recorded:
        body.pop("commitments", None)
        body.pop("payments", None)
    else:
        amounts = [body.get(f) for f in ("commitments", "payments")]
        cents = [_cents(a) if isinstance(a, dict) and isinstance(a.get("amount"), str) else None for a in amounts]
        commitments = cents[0] if cents[0] is not None else 50000000
        payments = cents[1] if cents[1] is not None else commitments // 2
        body["commitments"], body["payments"] = _euro(max(commitments, payments)), _euro(min(commitments, payments))
    for activity in body.get("activities") or []:
        if isinstance(activity, dict):
            start, end = _date(activity.get("actual_start")), _date(activity.get("actual_end"))
            if start is not None and end is not None and end < start:
                activity["actual_start"], activity["actual_end"] = activity["actual_end"], activity["actual_start"]


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, or past year 9999
        try:
            return day.replace(year=day.year + years, day=28)
        except ValueError:
            return day


def _calendar(case):
    """The calendar of a signed atto, or of the signature date given: a client asks for the
    number of an atto the register holds signed (or gives `signed_on`) and a span the calendar
    covers (at most 30 years from the signature)."""
    query = case.query if isinstance(case.query, dict) else None
    if query is None:
        return
    signed_on = _date(query.get("signed_on"))
    if signed_on is None:
        signed = [a for a in _items("agreements", "/v1/atti-integrativi") if a.get("signed_on")]
        atto = _pick(signed)
        if atto is None:
            return
        query.pop("signed_on", None)
        query["atto"] = atto["number"]
        signed_on = _date(atto["signed_on"])
    limit = _years_after(signed_on, 30)
    as_of = _date(query.get("as_of")) or datetime.date.today()
    until = _date(query.get("until")) or _years_after(as_of, 1)
    if until > limit:
        query["until"] = limit.isoformat()


def _place(case):
    """A localisation whose comune lies in the province given, as a client picking the comune
    from the province's list sends (the comune's ISTAT code begins with its province's)."""
    body = case.body
    if not isinstance(body, dict):
        return
    province, comune = body.get("cod_provincia"), body.get("cod_comune")
    if isinstance(province, str) and isinstance(comune, str) and len(province) == 3 and len(comune) == 6:
        body["cod_comune"] = province + comune[3:]


# Which interventi an effect of the Tavolo applies to, read from the register at the time:
# reactivation to a cancelled one, cancellation to an active one, promotion to a mature one of the
# sezione programmatica (art. 5.4).
EFFECT_APPLIES_TO = {
    "reactivate": lambda i: i.get("state") == "cancelled",
    "cancel": lambda i: i.get("state") == "active",
    "promote_to_attuativa": lambda i: i.get("sezione") == "programmatica"
    and (i.get("maturity") or {}).get("mature"),
}


def _decision(case):
    """A decision of the Tavolo as it is taken: its effect applies to an intervento in a state
    the effect holds for (an invited conciliation for a referral), and a new plan adds up to the
    new cost within the co-financing cap (here, with no CNIPA share)."""
    effect = case.body.get("effect") if isinstance(case.body, dict) else None
    if not isinstance(effect, dict):
        return
    applies = EFFECT_APPLIES_TO.get(effect.get("kind"))
    if applies is not None and "intervento_id" in effect:
        response = _get("agreements", "/v1/interventi?limit=200")
        items = response.json().get("items", []) if response.ok else []
        chosen = _pick([i.get("id") for i in items if applies(i)])
        if chosen is not None:
            effect["intervento_id"] = chosen
    if effect.get("kind") == "refer_to_comitato":
        response = _get("agreements", "/v1/conciliations")
        items = response.json().get("items", []) if response.ok else []
        chosen = _pick([c.get("id") for c in items if c.get("state") == "invited"])
        if chosen is not None:
            effect["conciliation_id"] = chosen
    sources, cost = effect.get("sources"), effect.get("total_cost")
    if isinstance(sources, list) and sources and isinstance(cost, dict) and isinstance(cost.get("amount"), str):
        if all(isinstance(source, dict) for source in sources):
            for source in sources:
                source["amount"] = _euro(0)
                source["cnipa"] = False
            sources[-1]["amount"] = _euro(_cents(cost))


def _made_transmission():
    """A transmission made as the sync job makes one: of a semester whose file the national
    checks let through (the register as the Region completed it, apq_e2e::puc)."""
    response = requests.post(
        URLS["monitoring"] + "/v1/puc/transmissions",
        json={"semester": "2010-S1"},
        headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=TIMEOUT,
    )
    if response.status_code != 201:
        # The run's setup is broken (the register is not clean): say so, never test on 404s.
        raise RuntimeError(f"no transmission could be made: {response.status_code} {response.text[:500]}")
    return response.json()


def _transmission(case):
    """A transmission that exists, as a client reads one it listed."""
    if "monitoring" not in URLS or case.path_parameters is None:
        return
    made = _pick([t.get("id") for t in _items("monitoring", "/v1/puc/transmissions")])
    case.path_parameters["id"] = made if made is not None else _made_transmission()["id"]


def _answer(case):
    """IGRUE's answer to a transmission not answered yet, as it arrives: the PUC framing naming
    no record refused (each transmission has one answer), with the transmission's ETag."""
    if "monitoring" not in URLS or case.path_parameters is None:
        return
    made = _made_transmission()
    case.path_parameters["id"] = made["id"]
    case.body = "HH#0#SISIGRUE#\r\nFF#1#0#\r\n"
    headers = case.headers or {}
    for name in [n for n in headers if n.lower() == "if-match"]:
        del headers[name]
    headers["If-Match"] = f'"{made["version"]}"'
    case.headers = headers


# Operations whose request refers to a resource the run has to make first (whatever the body).
BEFORE_ANY_BODY = {
    "/v1/puc/transmissions/{id}": _transmission,
    "/v1/puc/transmissions/{id}/file": _transmission,
    "/v1/puc/transmissions/{id}/response": _answer,
}

# The interventi the dataset ships soggetti collegati for.
INTERVENTI_WITH_SOGGETTI = ("CSTT-ALI", "E-TOSCANA-RIUSO", "GEOSIGMA")


def _soggetto(case):
    """A soggetto collegato of an intervento of the register, as a client patches one it listed."""
    if case.path_parameters is None:
        return
    code = random.choice(INTERVENTI_WITH_SOGGETTI)
    chosen = _pick(_items("monitoring", f"/v1/interventi/{code}/soggetti"))
    if chosen is not None:
        case.path_parameters["code"], case.path_parameters["id"] = code, chosen["id"]

# Operations whose valid requests depend on the state of the register or on the calendar, and
# what a client sends there (each refusal stays a 4xx problem naming the field).
BEFORE_CALL = {
    "/v1/feed/acknowledgements": _acknowledgement,
    "/v1/feed/acknowledgement-batches": _acknowledgement_batch,
    "/v1/interventi/{code}/impegni": _movement,
    "/v1/interventi/{code}/pagamenti": _movement,
    "/v1/schede": _scheda,
    "/v1/calendar": _calendar,
    "/v1/puc/projects": _place,
    "/v1/interventi/{code}/soggetti/{id}": _soggetto,
    "/v1/tavolo-decisions": _decision,
}

# Path parameters that name another thing than a body field of the same name (an impegno's own
# `code` is not its intervento's).
NOT_IN_BODY = {
    "/v1/interventi/{code}/impegni": {"code"},
    "/v1/interventi/{code}/pagamenti": {"code"},
}


@schemathesis.hook
def before_call(context, case, **kwargs):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return
    path = case.operation.path
    if path in BEFORE_ANY_BODY:
        BEFORE_ANY_BODY[path](case)
        if path.endswith("/response"):
            return  # the answer and its ETag are complete
    path_parameters = {
        k: v for k, v in (case.path_parameters or {}).items() if k not in NOT_IN_BODY.get(path, set())
    }
    if case.body is not None and not isinstance(case.body, (bytes, str)):
        _complete(case.body, path_parameters)
    if path in BEFORE_CALL and (case.body is None or not isinstance(case.body, (bytes, str))):
        BEFORE_CALL[path](case)
    if case.body is not None and not isinstance(case.body, (bytes, str)):
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
