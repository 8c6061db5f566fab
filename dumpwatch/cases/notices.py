"""Notices from Jinja2 templates: XARF v4, EU DSA Art. 16 and a Korean 삭제요청.

The package's templates (``dumpwatch/cases/templates``) are the defaults; a file of the
same name under ``config/notices/`` overrides one. The XARF template renders the
report's fields as JSON; ``xarf.create_report`` adds id and time and validates it against
the schemas the ``xarf`` package ships. What a template sees is the case's URL, counts,
fields, hashes and *redacted* samples — never corpus plaintext, which dumpwatch does
not have.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from dumpwatch.errors import NoticeError

TEMPLATES = ("subject.txt.j2", "dsa.txt.j2", "kr.txt.j2", "xarf.json.j2")
_DATA_TYPES = {"name": "personal_information", "phone": "phone_numbers",
               "email": "email_addresses", "address": "personal_information",
               "order": "customer_data", "id": "customer_data"}
_FIELDS_KO = {"name": "이름", "phone": "전화번호", "email": "이메일", "address": "주소",
              "order": "주문내역", "id": "고객번호"}


@dataclass
class RenderedNotice:
    subject: str
    body: str  # DSA notice, then the Korean request
    xarf: dict  # validated XARF v4 report


def _environment(override_dir: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override_dir)))
    loaders.append(jinja2.PackageLoader("dumpwatch.cases", "templates"))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders),
                             undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True)
    env.filters["b64"] = lambda s: base64.b64encode(s.encode("utf-8")).decode("ascii")
    env.filters["sha256"] = lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()
    env.filters["utf8len"] = lambda s: len(s.encode("utf-8"))
    return env


def notice_context(case: dict, *, records: int, fields: list[str], samples: list[str],
                   evidence_sha256: str, notifier: dict, affected_organization: str,
                   automated: bool, now: str, recipient: str | None,
                   listing: dict | None = None, kind: str = "paste") -> dict:
    """Everything a template may use. ``samples`` must already be redacted."""
    samples = samples[:5]
    evidence_text = "\n".join([f"url: {case['url']}", f"sha256: {evidence_sha256}",
                               f"records: {records}", *samples])
    data_types = sorted({_DATA_TYPES.get(f, "other") for f in fields}) or ["personal_information"]
    return {
        "case": case, "records": records, "fields": fields,
        "fields_ko": [_FIELDS_KO.get(f, f) for f in fields], "samples": samples,
        "evidence_sha256": evidence_sha256, "evidence_text": evidence_text,
        "notifier": notifier, "affected_organization": affected_organization,
        "automated": automated, "now": now, "recipient": recipient,
        "listing": {"price": None, "count": None, "handles": [], **(listing or {})},
        "reporter": {"org": notifier["organization"], "contact": notifier["email"],
                     "domain": notifier["domain"]},
        "data_types": data_types,
        "exposure_method": "forum_post" if kind == "forum" else "paste_site",
        "accessibility": "dark_web" if case.get("country") == "onion" else "public",
        "sample_records": [{"description": "redacted record", "redacted_sample": s}
                           for s in samples],
    }


def render_notice(context: dict, override_dir: Path | None = None) -> RenderedNotice:
    """Render all templates; any problem is one :class:`NoticeError` line."""
    env = _environment(override_dir)
    texts = {name: _render(env, name, context) for name in TEMPLATES}
    try:
        fields = json.loads(texts["xarf.json.j2"])
    except json.JSONDecodeError as exc:
        raise NoticeError(f"notice template xarf.json.j2 does not render JSON: {exc.msg} at "
                          f"line {exc.lineno}") from None
    report = validate_xarf_fields(fields)
    body = texts["dsa.txt.j2"].rstrip() + "\n\n" + "-" * 72 + "\n\n" + texts["kr.txt.j2"]
    return RenderedNotice(subject=" ".join(texts["subject.txt.j2"].split()), body=body,
                          xarf=report)


def validate_xarf_fields(fields: dict) -> dict:
    """Build the report with ``xarf.create_report`` (adds id and time), then re-parse it
    strictly: both the generator and the parser check the package's JSON schemas."""
    import xarf

    args = dict(fields)
    try:
        result = xarf.create_report(category=args.pop("category"), type=args.pop("type"),
                                    source_identifier=args.pop("source_identifier"),
                                    reporter=args.pop("reporter"), sender=args.pop("sender"),
                                    **args)
    except KeyError as exc:
        raise NoticeError(f"XARF notice lacks the field {exc.args[0]}") from None
    if result.errors or result.report is None:
        raise NoticeError(f"XARF notice is invalid: {_xarf_errors(result.errors)}")
    report = result.report.model_dump(mode="json", by_alias=True, exclude_none=True)
    parsed = xarf.parse(json.dumps(report))
    if parsed.errors:
        raise NoticeError(f"XARF notice is invalid: {_xarf_errors(parsed.errors)}")
    return report


def _xarf_errors(errors: list) -> str:
    return "; ".join(f"{getattr(e, 'field', '')}: {getattr(e, 'message', e)}"
                     for e in errors[:3]) or "no report built"


def _render(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise NoticeError(f"notice template {where}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise NoticeError(f"notice template {name}: {exc}") from None
