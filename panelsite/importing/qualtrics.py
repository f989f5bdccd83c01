"""Qualtrics CSV exports ("Export data" → CSV).

Three header rows: the column names (``Q1``, ``Q3_1`` … for the choices of a multiple-answer
question, ``Q3_4_TEXT`` for the text of an "other" choice), the question texts (``Question -
Choice`` for a choice column) and the ImportId of each column as JSON (``{"ImportId":"QID3_1"}``).
The legacy export has two (``V1``…``V10`` for the metadata, their names in the second row).
Values are codes with "Use numeric values" and labels with "Use choice text"; an unticked
choice is empty either way. ``Finished`` (1/0 or True/False) tells completes from partials;
``Status`` marks preview, test and spam responses, which are dropped.
"""

from __future__ import annotations

import datetime as _dt
import json
import re

import numpy as np

from panelsite.importing.table import IDENTIFYING, METADATA, OPEN_TEXT, OTHER_TEXT, MultiSet, SourceTable, from_records

IMPORT_IDS = {
    "startDate": (METADATA, "when the respondent started"),
    "endDate": (METADATA, "when the respondent stopped"),
    "recordedDate": (METADATA, "when Qualtrics recorded the response"),
    "status": (METADATA, "Qualtrics' response type (preview, test, spam)"),
    "progress": (METADATA, "how far the respondent got"),
    "duration": (METADATA, "how long the respondent took"),
    "finished": (METADATA, "whether the respondent finished"),
    "distributionChannel": (METADATA, "how the invitation was sent"),
    "userLanguage": (METADATA, "the respondent's language"),
    "ipAddress": (IDENTIFYING, "an IP address"),
    "recipientLastName": (IDENTIFYING, "a name"),
    "recipientFirstName": (IDENTIFYING, "a name"),
    "recipientEmail": (IDENTIFYING, "an e-mail address"),
    "externalDataReference": (IDENTIFYING, "an external reference that links the answers to a person"),
    "locationLatitude": (IDENTIFYING, "a location"),
    "locationLongitude": (IDENTIFYING, "a location"),
    "_recordId": (IDENTIFYING, "Qualtrics' own respondent id (ResponseId)"),
}
# The legacy export's metadata, named in its second row.
LEGACY = {"ResponseID": "_recordId", "ResponseSet": "distributionChannel", "Name": "recipientLastName",
          "ExternalDataReference": "externalDataReference", "EmailAddress": "recipientEmail",
          "IPAddress": "ipAddress", "Status": "status", "StartDate": "startDate", "EndDate": "endDate",
          "Finished": "finished", "LocationLatitude": "locationLatitude", "LocationLongitude": "locationLongitude",
          "LocationAccuracy": "locationLatitude"}
NOT_REAL = {"1", "2", "8", "survey preview", "survey test", "spam"}  # Status: preview, test, spam
TEXT_IQ = re.compile(r" - (Parent Topics|Topics|Sentiment Polarity|Sentiment Score|Sentiment|Topic Sentiment Label|"
                     r"Topic Sentiment Score)$")
CHOICE = re.compile(r"^QID(\d+)_(\d+)$")


def _import_id(cell: str) -> str | None:
    cell = cell.strip()
    if not cell.startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    return value.get("ImportId") if isinstance(value, dict) else None


def recognise(records: list[list[str]]) -> bool:
    if len(records) >= 2 and records[0][:2] == ["V1", "V2"] and records[1][:1] == ["ResponseID"]:
        return True
    if len(records) < 3:
        return False
    filled = [c for c in records[2] if c.strip()]
    return bool(filled) and sum(_import_id(c) is not None for c in filled) * 2 >= len(filled)


def table(numbered, display: str) -> SourceTable:
    names = [c.strip() for c in numbered[0][1]]
    texts = [c.strip() for c in numbered[1][1]] if len(numbered) > 1 else []
    legacy = names[:2] == ["V1", "V2"]
    if legacy:
        ids = [LEGACY.get(texts[i], "") if re.fullmatch(r"V\d+", n) else "" for i, n in enumerate(names)]
        names = [texts[i] if re.fullmatch(r"V\d+", n) and i < len(texts) else n for i, n in enumerate(names)]
        header_rows = 2
    else:
        ids = [(_import_id(c) or "") for c in numbered[2][1]]
        header_rows = 3
    numbered = [(numbered[0][0], names), *numbered[1:]]
    labels = [_question_text(t) for t in texts]
    out = from_records(numbered, display, header_rows, tool="Qualtrics", labels=labels)
    out.details["export"] = "legacy (two header rows)" if legacy else "three header rows"
    out.unticked_is_empty = True
    groups: dict[str, list] = {}
    for i, column in enumerate(out.columns):
        import_id = ids[i] if i < len(ids) else ""
        if import_id in IMPORT_IDS:
            column.role, column.reason = IMPORT_IDS[import_id]
        elif column.name.endswith("_TEXT"):
            column.role, column.reason = OTHER_TEXT, 'the text of an "other" choice'
        elif TEXT_IQ.search(column.name):
            column.role, column.reason = METADATA, "Qualtrics Text iQ analysis"
        elif column.name.endswith("_DO") or column.name.startswith("Q_"):
            column.role, column.reason = METADATA, "Qualtrics survey flow data"
        elif import_id.endswith("_TEXT"):
            column.role = OPEN_TEXT
        elif CHOICE.match(import_id) and "_" in column.name:
            base, _, code = column.name.rpartition("_")
            column.group, column.option_code = base, int(code) if code.isdigit() else code
            if column.label and " - " in column.label:
                column.option_label = column.label.rsplit(" - ", 1)[1].strip()
            groups.setdefault(base, []).append(column)
    for base, members in groups.items():
        stem = members[0].label.rsplit(" - ", 1)[0] if members[0].label and " - " in members[0].label else None
        out.multi_sets.append(MultiSet(base, stem, [c.name for c in members]))
    _completion(out)
    return out


def _question_text(text: str) -> str:
    return text.replace(" - Selected Choice", "").strip()


def _completion(out: SourceTable) -> None:
    by_reason = {c.reason: c for c in out.columns if c.role == METADATA}
    finished = by_reason.get(IMPORT_IDS["finished"][1])
    if finished is not None:
        out.complete = np.array([str(v).strip().lower() in ("1", "true") for v in finished.values])
        out.completion = f"the {finished.name} column (1 or True: finished)"
    status = by_reason.get(IMPORT_IDS["status"][1])
    if status is not None:
        out.excluded = np.array([str(v).strip().lower() in NOT_REAL for v in status.values])
    for reason in (IMPORT_IDS["startDate"][1], IMPORT_IDS["endDate"][1]):
        column = by_reason.get(reason)
        if column is not None:
            out.dates.extend(d for d in (_date(v) for v in column.values) if d)


def _date(text) -> _dt.date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(text))
    if not match:
        return None
    try:
        return _dt.date(*map(int, match.groups()))
    except ValueError:
        return None
