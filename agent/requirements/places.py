"""Places in a request: where the users are (a region) and where the data must stay (data residency).

Countries and their states or provinces come from `pycountry` (ISO 3166, kept up to date); cities from the IANA
time zone database that `tzdata` ships (zone.tab: "Europe/Berlin" is in DE), with a short table for the large
cities that are not a time zone's name. A place counts only when written with its capital letter, so "turkey"
and "chad" stay words. Data residency needs the clause to speak of stored data and of its staying somewhere
("patient records must never leave Norway", "hosted in Frankfurt only"); a place alone is the users' region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from agent.compiled_patterns import compile_pattern
from agent.machine_cache import MachineCache, key_of
from agent.requirements.nouns import words

ALIASES = {
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "America": "US",
    "Russia": "RU",
    "Turkey": "TR",
    "Holland": "NL",
    "Czech Republic": "CZ",
    "Korea": "KR",
    "Macedonia": "MK",
    "Ivory Coast": "CI",
    "UAE": "AE",
    "Emirates": "AE",
}
"""Everyday names ISO 3166 does not use."""
UNIONS = {
    "EU": "EU",
    "E.U.": "EU",
    "European Union": "EU",
    "EEA": "EEA",
    "European Economic Area": "EEA",
    "Europe": "Europe",
}
"""Groups of countries data can be kept in ("customer data can't leave the EU")."""
CITIES = {
    "Frankfurt": "DE",
    "Munich": "DE",
    "Hamburg": "DE",
    "Cologne": "DE",
    "Stuttgart": "DE",
    "Lyon": "FR",
    "Marseille": "FR",
    "Toulouse": "FR",
    "Milan": "IT",
    "Naples": "IT",
    "Barcelona": "ES",
    "Valencia": "ES",
    "Porto": "PT",
    "Manchester": "GB",
    "Birmingham": "GB",
    "Edinburgh": "GB",
    "Glasgow": "GB",
    "Geneva": "CH",
    "Basel": "CH",
    "Rotterdam": "NL",
    "Utrecht": "NL",
    "Antwerp": "BE",
    "Krakow": "PL",
    "Gothenburg": "SE",
    "Bergen": "NO",
    "Aarhus": "DK",
    "San Francisco": "US",
    "Seattle": "US",
    "Boston": "US",
    "Austin": "US",
    "Dallas": "US",
    "Houston": "US",
    "Miami": "US",
    "Atlanta": "US",
    "Washington": "US",
    "San Diego": "US",
    "Montreal": "CA",
    "Ottawa": "CA",
    "Calgary": "CA",
    "Mumbai": "IN",
    "Bangalore": "IN",
    "Bengaluru": "IN",
    "Delhi": "IN",
    "New Delhi": "IN",
    "Hyderabad": "IN",
    "Chennai": "IN",
    "Pune": "IN",
    "Osaka": "JP",
    "Beijing": "CN",
    "Shenzhen": "CN",
    "Guangzhou": "CN",
    "Rio de Janeiro": "BR",
    "Cape Town": "ZA",
    "Abu Dhabi": "AE",
    "Tel Aviv": "IL",
    "Brisbane": "AU",
    "Perth": "AU",
    "Wellington": "NZ",
}
"""Large cities that are not the name of a time zone."""
_SKIP_ZONES = ("Antarctica/", "Arctic/", "Indian/", "Atlantic/", "Pacific/", "Etc/")
_NOT_PLACES = frozenset(
    {
        "Christmas",
        "Easter",
        "Wake",
        "Midway",
        "Stanley",
        "Eucla",
        "Casey",
        "Davis",
        "Palmer",
        "Troll",
        "Mendoza",
        "Regina",
        "Dawson",
        "Creston",
        "Nome",
        "Sitka",
        "Juneau",
        "Boise",
        "Guam",
        "Monterrey",
        "Merida",
        "Ojinaga",
        "Inuvik",
        "Beulah",
        "Center",
        "Salem",
    }
)


@dataclass(frozen=True)
class Place:
    """A named place and the country it is in."""

    name: str
    country: str
    kind: str  # "union", "country", "state" or "city"

    def label(self) -> str:
        """ "Germany" or "EU", or "Lyon, France" for a city or a state."""
        return self.name if self.kind in ("country", "union") else f"{self.name}, {self.country}"


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name if country else code


_TABLES = MachineCache("places")


@cache
def _gazetteer() -> dict[str, Place]:
    """Every place name people write, with its place; built from pycountry and the time-zone table once per
    machine (and again whenever either, or the tables here, change)."""
    from importlib.metadata import version

    key = key_of(version("pycountry"), version("tzdata"), repr([ALIASES, UNIONS, CITIES, _SKIP_ZONES,
                 sorted(_NOT_PLACES)]), _build_gazetteer.__code__.co_code.hex())  # fmt: skip
    if (kept := _TABLES.get(key)) is not None:
        return {said: Place(*place) for said, place in kept.items()}
    places = _build_gazetteer()
    _TABLES.put(key, {said: (p.name, p.country, p.kind) for said, p in places.items()})
    return places


def _build_gazetteer() -> dict[str, Place]:
    places: dict[str, Place] = {}
    zones = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in zones.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _, zone = line.split("\t")[:3]
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        if not zone.startswith(_SKIP_ZONES) and city not in _NOT_PLACES:
            places[city] = Place(city, _country_name(code), "city")
    for city, code in CITIES.items():
        places[city] = Place(city, _country_name(code), "city")
    for subdivision in pycountry.subdivisions:
        if subdivision.type in ("State", "Province", "Land", "Canton", "Territory") and " " not in subdivision.name:
            places.setdefault(
                subdivision.name, Place(subdivision.name, _country_name(subdivision.country_code), "state")
            )
    for country in pycountry.countries:
        name = _country_name(country.alpha_2)
        for said in {country.name, name, getattr(country, "official_name", None)}:
            if said and "," not in said:
                places[said] = Place(name, name, "country")
    for alias, code in ALIASES.items():
        places[alias] = Place(_country_name(code), _country_name(code), "country")
    for said, union in UNIONS.items():
        places[said] = Place(union, union, "union")
    return places


# words as place names are written: letters, digits, apostrophes and hyphens, with dots only inside ("St. John's")
_WORD = compile_pattern(r"[\w'’-]+(?:\.[\w'’-]+)*")
_POSSESSIVE = compile_pattern(r"['’]s$")


@cache
def _by_first_word() -> dict[str, list[tuple[str, int]]]:
    """Place names by their first word, longest first, with how many words they have: a lookup, not one
    expression of thousands of names (which took a quarter of a second to compile in every process)."""
    table: dict[str, list[tuple[str, int]]] = {}
    for name in _gazetteer():
        words = _WORD.findall(name)
        if words:
            table.setdefault(words[0], []).append((name, len(words)))
    for candidates in table.values():
        candidates.sort(key=lambda item: -len(item[0]))
    return table


def places(text: str) -> list[tuple[Place, int, int]]:
    """Each place named in `text` (capitalised, whole, the longest name that fits), with where it stands."""
    table, gazetteer = _by_first_word(), _gazetteer()
    tokens = list(_WORD.finditer(text))
    found, i = [], 0
    while i < len(tokens):
        match = None
        first = tokens[i].group(0)
        for name, count in table.get(first, ()) or table.get(_POSSESSIVE.sub("", first), ()):
            if i + count <= len(tokens):
                start, end = tokens[i].start(), tokens[i + count - 1].end()
                said = _POSSESSIVE.sub("", text[start:end])  # "Switzerland's borders"
                if said == name and (start == 0 or text[start - 1] != "."):
                    match = (gazetteer[name], start, start + len(name), count)
                    break
        if match is None:
            i += 1
            continue
        found.append(match[:3])
        i += match[3]
    return found


STORED = compile_pattern(
    r"\b(?:data|records?|information|files|servers?|host\w*|stor\w+|backups?|data ?cent(?:er|re)s?"
    r"|cloud|databases?|kept|housed|held|personal|residency)\b",
    re.IGNORECASE,
)
# what comes just before a place where the data must stay: "must stay in", "never leave", "servers in", "within"
STAYS_BEFORE = compile_pattern(
    r"(?:\b(?:stay\w*|remain\w*|resid\w+|hosted|stored|kept|housed|located|held|sits?|lives?|processed|run)\b"
    r"(?:\s+[\w-]+){0,3}?\s+(?:in|within|inside|on)"  # "must stay in", "be hosted only in"
    r"|\b(?:leave|leaves|leaving|outside(?:\s+of)?|within|inside)"  # "never leave", "within"
    r"|\b(?:servers?|data ?cent(?:er|re)s?|hosting|cloud region|region)\s+in)\s+(?:the\s+)?$",  # "servers in"
    re.IGNORECASE,
)
STAYS_AFTER = compile_pattern(r"^(?:'s)?\s*(?:borders|soil)|^[- ]only\b|^[- ](?:hosted|based\s+(?:servers|data))", re.I)
ONLY_HERE = compile_pattern(r"\s*(?:-\s*)?only\b", re.I)
WHERE_USERS = compile_pattern(
    r"\b(?:in|from|across|throughout|within|for|around|all over|based in|located in|serve|serves|serving)\s+"
    r"(?:the\s+)?(?:[A-Z][\w.'-]*,?\s+(?:(?:and|or)\s+)?){0,4}$"
)


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(stop, 0, start) for stop in (". ", "; ", "! ", "? ", "\n", ", but "))
    rights = [i for i in (text.find(stop, end) for stop in (". ", "; ", "! ", "? ", "\n")) if i >= 0]
    return text[left + 1 : min(rights, default=len(text))]


def residency(text: str) -> list[Place]:
    """The places the request says its data must stay in."""
    found = []
    for place, start, end in places(text):
        stays = STAYS_BEFORE.search(text[max(0, start - 60) : start]) or STAYS_AFTER.search(text[end : end + 25])
        if stays and STORED.search(_clause(text, start, end)) and place not in found:
            found.append(place)
    return found


def user_region(text: str) -> list[Place]:
    """The places the request puts its users or business in ("a clinic in Lyon", "customers across Canada")."""
    found = []
    for place, start, end in places(text):
        only = ONLY_HERE.match(text[end : end + 20])  # "Germany only for now"
        if (WHERE_USERS.search(text[max(0, start - 40) : start]) or only) and place not in found:
            found.append(place)
    return found


EU = words("""
    AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE
""")


def in_eu(place: Place) -> bool:
    """Whether the place is in a member state of the European Union."""
    country = pycountry.countries.get(name=place.country) or pycountry.countries.get(common_name=place.country)
    return country is not None and country.alpha_2 in EU
