"""Columns that can identify a person: recognised by name, label or content, and never written.

An export from a survey tool or an agency carries e-mail addresses, names, phone numbers,
IP addresses, locations, the tool's own respondent ids and the tokens of personal links.
None of it is needed for the figures, and none of it may land in the repository, so every
such column is dropped and the report says which and why. Content is checked as well as
names, so an e-mail column called "contact" is caught too.
"""

from __future__ import annotations

import re

import numpy as np

from panelsite.importing.table import SourceColumn
from panelsite.importing.words import norm

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
PHONE = re.compile(r"^(?:\+|00)?[\d][\d\s\-().]{7,}$")
FULL_POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")

# Normalised column names (see words.norm) and why they identify someone.
NAMES = {
    "e-mail address": {"email", "e mail", "emailadres", "e mail adres", "mail", "mailadres", "email address",
                       "e mailadres", "recipientemail", "emailaddress"},
    "a name": {"naam", "voornaam", "achternaam", "roepnaam", "tussenvoegsel", "voorletters", "initialen", "name",
               "first name", "last name", "firstname", "lastname", "surname", "full name", "volledige naam",
               "recipientfirstname", "recipientlastname", "contactpersoon", "naam respondent", "respondent naam",
               "aanhef", "gebruikersnaam", "username"},
    "a phone number": {"telefoon", "telefoonnummer", "tel", "telnr", "tel nr", "phone", "phone number", "mobiel",
                       "mobiel nummer", "mobile", "gsm", "telefoon nummer"},
    "an IP address": {"ip", "ipaddress", "ip address", "ipaddr", "ip adres", "ipadres"},
    "a location": {"latitude", "longitude", "lat", "lon", "lng", "locationlatitude", "locationlongitude",
                   "locationaccuracy", "gps", "coordinaten", "geo", "geolocation", "adres", "address", "straat",
                   "straatnaam", "street", "huisnummer", "house number", "huisnr", "toevoeging", "postcode",
                   "postal code", "zip", "zipcode", "woonadres"},
    "a date of birth": {"geboortedatum", "date of birth", "birthdate", "birth date", "dob", "geb datum"},
    "the survey tool's own respondent id": {
        "respondent id", "respondentid", "responseid", "response id", "resp id", "respid", "respnr", "resp nr",
        "respondentnummer", "respondent", "id", "record", "recordid", "record id", "uuid", "guid",
        "externalreference", "external reference", "externe referentie", "externaldatareference", "panelid",
        "panel id", "panellid", "lidnummer", "member id", "memberid", "deelnemer id", "deelnemernummer",
        "participant id", "participantid", "klantnummer", "caseid", "case id", "serial", "volgnummer", "lfdn",
        "nr", "nummer", "volgnr", "respondentnr", "resp no", "respno"},
    "a token: the key to a personal link": {"token", "tokens", "access code", "toegangscode", "inlogcode", "code",
                                            "personal link", "link", "url", "refurl", "referrer url", "wachtwoord",
                                            "password", "pin"},
}
_LABEL_NAME = re.compile(r"\b(uw|je|jouw|your)\s+(voor|achter)?naam\b|\bname\b.*\byou\b")
_LABEL_MAIL = re.compile(r"\b(e ?mail|emailadres|mailadres)\b")


def identifying(column: SourceColumn) -> str | None:
    """Why a column can identify a person, or None."""
    name = norm(column.name)
    for reason, names in NAMES.items():
        if name in names:
            return f"by its name: {reason}"
    if name.endswith("naam") and name not in ("naam",) and len(name) > 4:
        return "by its name: a name"
    label = norm(column.label)
    if label and (_LABEL_NAME.search(label) or _LABEL_MAIL.search(label) and len(label.split()) <= 6):
        return f'by its label "{column.label}": ' + ("an e-mail address" if _LABEL_MAIL.search(label) else "a name")
    return _by_content(column)


def _by_content(column: SourceColumn) -> str | None:
    if column.numeric:
        return None
    sample = [v for v in column.values[:2000] if isinstance(v, str) and v]
    if len(sample) < 1:
        return None
    for pattern, what in ((EMAIL, "e-mail addresses"), (IPV4, "IP addresses"), (PHONE, "phone numbers"),
                          (FULL_POSTCODE, "full postcodes (a location)")):
        hits = sum(1 for v in sample if pattern.match(v))
        if hits and hits * 2 >= len(sample) and (pattern is not PHONE or _digits(sample) >= 9):
            return f"by its content: it holds {what}"
    return None


def _digits(sample: list[str]) -> float:
    return float(np.median([sum(ch.isdigit() for ch in v) for v in sample]))
