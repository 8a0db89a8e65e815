"""Checks requests jobhook sent in a CloudEvents format with the official SDK (see cloudevents-check).

Every request must parse with cloudevents.http.from_http; each required attribute must be present and
typed per CloudEvents 1.0 (id/source/type non-empty strings, specversion "1.0", time an RFC 3339
timestamp, source a URI-reference, extension names lower-case alphanumeric); data must be jobhook's
event document with the same id; binary mode's header values must use the binding's percent-encoding
(no raw space, '"', '%' or non-ASCII) and decode to the expected values. Prints one line per event
and exits 1 on the first failure."""
import base64, datetime, json, re, sys, urllib.parse
from cloudevents.http import from_http

captured = json.load(open(sys.argv[1]))
expected = json.load(open(sys.argv[2]))
if not captured:
    sys.exit("no requests captured")
modes = set()
for n, request in enumerate(captured):
    headers = {name: value for name, value in request["headers"]}
    body = base64.b64decode(request["body"])
    lower = {k.lower(): v for k, v in headers.items()}
    binary = any(k.startswith("ce-") for k in lower)
    modes.add("binary" if binary else "structured")
    if binary:
        for name, value in lower.items():
            if name.startswith("ce-") and re.search(r'[ "\x00-\x1f\x7f-\uffff]', value):
                sys.exit(f"request {n}: header {name} is not percent-encoded: {value!r}")
            if name.startswith("ce-") and re.search(r"%(?![0-9A-Fa-f]{2})", value):
                sys.exit(f"request {n}: header {name} has a stray '%': {value!r}")
    else:
        assert lower.get("content-type", "").startswith("application/cloudevents+json"), lower.get("content-type")
    event = from_http(headers, body)
    attrs = event.get_attributes()
    decode = urllib.parse.unquote if binary else (lambda v: v)
    for required in ("id", "source", "type", "specversion"):
        value = attrs.get(required)
        if not isinstance(value, str) or not value:
            sys.exit(f"request {n}: {required} missing or not a non-empty string: {value!r}")
    if attrs["specversion"] != "1.0":
        sys.exit(f"request {n}: specversion {attrs['specversion']!r}")
    if not re.match(r"^com\.huaweicloud\.cce\.(job|subjob)\.[^.]+$", decode(attrs["type"])):
        sys.exit(f"request {n}: type {attrs['type']!r}")
    source = decode(attrs["source"])
    if urllib.parse.urlparse(source).path != source or source != expected["source"]:
        sys.exit(f"request {n}: source {source!r}, expected {expected['source']!r}")
    time = attrs.get("time")
    try:
        if isinstance(time, str):
            datetime.datetime.fromisoformat(time.replace("Z", "+00:00"))
        elif not isinstance(time, datetime.datetime):
            raise ValueError(type(time))
    except ValueError as error:
        sys.exit(f"request {n}: time {time!r} is not RFC 3339: {error}")
    for name in attrs:
        if not re.match(r"^[a-z0-9]{1,20}$", name):
            sys.exit(f"request {n}: attribute name {name!r} is not lower-case alphanumeric")
    if decode(attrs.get("jobtype", "")) != expected["jobtype"]:
        sys.exit(f"request {n}: jobtype {attrs.get('jobtype')!r} decodes to {decode(attrs.get('jobtype', ''))!r}, expected {expected['jobtype']!r}")
    data = event.get_data()
    if isinstance(data, (bytes, str)):
        data = json.loads(data)
    if not isinstance(data, dict) or data.get("version") != "1" or data["event"]["id"] != attrs["id"]:
        sys.exit(f"request {n}: data is not the event document of {attrs['id']}: {str(data)[:200]}")
    print(f"ok {'binary' if binary else 'structured'} {attrs['id']} {decode(attrs['type'])} subject={attrs.get('subject')}")
print(f"{len(captured)} events parsed by the CloudEvents SDK ({', '.join(sorted(modes))})")
