"""What `openapi.yaml` says in words and no JSON Schema can: rules between values.

schemathesis draws each value from its schema alone, so a request it calls valid can break a rule
that ties two values together, and the API refuses it (422) as the document says. These hooks
make the drawn requests keep those rules and nothing else; every value still comes from the
fuzzer, and every check still runs on every answer.

- `Idempotency-Key`: a key names one request. Reused with another body it is 422, as the IETF
  draft (httpapi-idempotency-key-header) asks; a key drawn again for another request gets a
  suffix, a repeat of the same request keeps it (and must get the first answer).
- `GET /ratings/summary`: `to` comes after `from`, at most 366 days later; two moments drawn
  out of order or too far apart are put in order within the period.
- `format: phone`: a number valid in its country's numbering plan (libphonenumber's data), in
  the notations people write; the API's own tests cover the notations one by one.
- `attachments` of a ticket or comment: uploads made by `POST /uploads` and put to S3, which the
  generator cannot do; a list the schema takes is sent empty (the API's own suites attach real
  uploads), one it refuses is sent as drawn.
- `POST /import/{kind}`: the CSV's first line names its columns, one of them the record's id;
  a body without such a line gets one, so the rows the fuzzer drew are what is tested.
"""

import datetime
import json

import schemathesis
from hypothesis import strategies as st

_KEYS = {}
_MAX_PERIOD = datetime.timedelta(days=366)
_ID_COLUMNS = {"clients": "client_id", "contacts": "contact_id", "employees": "employee_id"}


def _moment(text):
    """A `Moment` as the API reads it: an RFC 3339 time or a date (its midnight, UTC)."""
    if not isinstance(text, str):
        return None
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
        moment = datetime.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        return moment if moment.tzinfo else None
    except (TypeError, ValueError):
        return None


def _text(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_key_one_request(case):
    headers = case.headers or {}
    name = next((h for h in headers if h.lower() == "idempotency-key"), None)
    if name is None or not isinstance(headers[name], str):
        return
    request = json.dumps([case.method, case.formatted_path, case.body], sort_keys=True, default=str)
    # HTTP drops the spaces around a field's value: `k ` and `k` are one key on the wire.
    key = headers[name].strip(" \t")
    first = _KEYS.setdefault(key, request)
    if first != request:
        suffix = f"-{len(_KEYS)}"
        key = key[: 255 - len(suffix)] + suffix
        _KEYS[key] = request
        headers[name] = key


def _period_in_order(case):
    query = case.query or {}
    start, end = (_moment(query.get(name)) for name in ("from", "to"))
    if start is None or end is None or start.year > 9997:
        return
    if not start < end <= start + _MAX_PERIOD:
        query["to"] = _text(start + datetime.timedelta(days=30))


def _csv_with_header(case):
    kind = (case.path_parameters or {}).get("kind")
    if kind not in _ID_COLUMNS or not isinstance(case.body, str):
        return
    first = case.body.split("\n", 1)[0].lstrip("\ufeff")
    columns = {column.strip() for column in first.split(",")}
    if not columns & {"id", _ID_COLUMNS[kind]}:
        case.body = "id,name\n" + case.body


# Numbers valid in their plans: Russian mobiles and Moscow lines (national and international
# notations), and London lines, their last digits drawn.
schemathesis.openapi.format(
    "phone",
    st.builds(
        lambda notation, digits: notation.format(*f"{digits:07d}"),
        st.sampled_from([
            "+7 912 {}{}{}-{}{}-{}{}",
            "8 (912) {}{}{} {}{} {}{}",
            "7912{}{}{}{}{}{}{}",
            "+7 (495) {}{}{}-{}{}-{}{}",
            "+44 20 7{}{}{} {}{}{}{}",
        ]),
        st.integers(0, 9_999_999),
    ),
)


def _no_uploads_to_attach(case):
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("attachments"), list):
        return
    ids = body["attachments"]
    schema_valid = (
        len(ids) <= 10
        and all(isinstance(i, str) and len(i) == 32 and all(c in "0123456789abcdef" for c in i) for i in ids)
        and len(set(ids)) == len(ids)
    )
    if schema_valid:
        body["attachments"] = []


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    _no_uploads_to_attach(case)
    _one_key_one_request(case)
    if case.operation.path == "/ratings/summary":
        _period_in_order(case)
    elif case.operation.path == "/import/{kind}":
        _csv_with_header(case)
