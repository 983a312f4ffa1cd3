"""Country names as ClinicalTrials.gov writes them, and the everyday names people type.

The registry writes a site's country from a fixed pick list of its own. For years that list
followed the ISO 3166 English short names of the mid-2000s ("Korea, Republic of", "Iran,
Islamic Republic of", "Viet Nam", "Libyan Arab Jamahiriya", "Holy See (Vatican City State)"),
with changes of its own ("Czechia", "North Macedonia") and a few names of states that no longer
exist ("Former Serbia and Montenegro", "Netherlands Antilles"). Records updated since late 2025
carry shorter names ("South Korea", "Russia", "Vietnam", "Turkey (Türkiye)"). A record keeps
the spelling it was last written with, so one country has several spellings across records.

:data:`REGISTRY_COUNTRIES` holds every spelling we know or expect the registry to write (from
public copies of its pick list and from its records), each with its ISO 3166-1 alpha-2 code; a
former state has the code it had (``AN``, ``CS``, ``YU``) and :data:`FORMER` names the
countries that now cover it. :data:`EVERYDAY_COUNTRIES` adds names people type ("USA", "UK",
"Holland"). The gazetteer adds both to the ISO and GeoNames names it already knows when it is
read, and the site filter treats every name of a country as the same country.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from trialfinder.core.folding import fold

__all__ = ["DEPENDENCIES", "EVERYDAY_COUNTRIES", "FORMER", "FORMER_NAMES", "REGISTRY_COUNTRIES",
           "country_code", "spellings"]

#: Every country spelling the registry is known to write -> ISO 3166-1 alpha-2 code.
REGISTRY_COUNTRIES: dict[str, str] = {
    "Afghanistan": "AF", "Åland Islands": "AX", "Albania": "AL", "Algeria": "DZ",
    "American Samoa": "AS", "Andorra": "AD", "Angola": "AO", "Anguilla": "AI",
    "Antarctica": "AQ", "Antigua and Barbuda": "AG", "Argentina": "AR", "Armenia": "AM",
    "Aruba": "AW", "Australia": "AU", "Austria": "AT", "Azerbaijan": "AZ", "Bahamas": "BS",
    "Bahrain": "BH", "Bangladesh": "BD", "Barbados": "BB", "Belarus": "BY", "Belgium": "BE",
    "Belize": "BZ", "Benin": "BJ", "Bermuda": "BM", "Bhutan": "BT", "Bolivia": "BO",
    "Bonaire, Sint Eustatius and Saba": "BQ", "Bosnia and Herzegovina": "BA",
    "Botswana": "BW", "Bouvet Island": "BV", "Brazil": "BR",
    "British Indian Ocean Territory": "IO", "Brunei Darussalam": "BN", "Bulgaria": "BG",
    "Burkina Faso": "BF", "Burundi": "BI", "Cambodia": "KH", "Cameroon": "CM", "Canada": "CA",
    "Cape Verde": "CV", "Cabo Verde": "CV", "Cayman Islands": "KY",
    "Central African Republic": "CF", "Chad": "TD", "Chile": "CL", "China": "CN",
    "Christmas Island": "CX", "Cocos (Keeling) Islands": "CC", "Colombia": "CO",
    "Comoros": "KM", "Congo": "CG", "Congo, The Democratic Republic of the": "CD",
    "Cook Islands": "CK", "Costa Rica": "CR", "Côte D'Ivoire": "CI", "Cote D'Ivoire": "CI",
    "Croatia": "HR", "Cuba": "CU", "Curaçao": "CW", "Cyprus": "CY", "Czechia": "CZ",
    "Czech Republic": "CZ", "Denmark": "DK", "Djibouti": "DJ", "Dominica": "DM",
    "Dominican Republic": "DO", "East Timor": "TL", "Ecuador": "EC", "Egypt": "EG",
    "El Salvador": "SV", "Equatorial Guinea": "GQ", "Eritrea": "ER", "Estonia": "EE",
    "Eswatini": "SZ", "Ethiopia": "ET", "Falkland Islands (Malvinas)": "FK",
    "Faroe Islands": "FO", "Federated States of Micronesia": "FM", "Fiji": "FJ",
    "Finland": "FI", "Former Serbia and Montenegro": "CS", "Former Yugoslavia": "YU",
    "France": "FR", "French Guiana": "GF", "French Polynesia": "PF",
    "French Southern Territories": "TF", "Gabon": "GA", "Gambia": "GM", "Georgia": "GE",
    "Germany": "DE", "Ghana": "GH", "Gibraltar": "GI", "Greece": "GR", "Greenland": "GL",
    "Grenada": "GD", "Guadeloupe": "GP", "Guam": "GU", "Guatemala": "GT", "Guernsey": "GG",
    "Guinea": "GN", "Guinea-Bissau": "GW", "Guyana": "GY", "Haiti": "HT",
    "Heard Island and McDonald Islands": "HM", "Holy See (Vatican City State)": "VA",
    "Honduras": "HN", "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS", "India": "IN",
    "Indonesia": "ID", "Iran": "IR", "Iran, Islamic Republic of": "IR", "Iraq": "IQ",
    "Ireland": "IE", "Isle of Man": "IM", "Israel": "IL", "Italy": "IT", "Jamaica": "JM",
    "Japan": "JP", "Jersey": "JE", "Jordan": "JO", "Kazakhstan": "KZ", "Kenya": "KE",
    "Kiribati": "KI", "Korea, Democratic People's Republic of": "KP",
    "Korea, Republic of": "KR", "Kosovo": "XK", "Kuwait": "KW", "Kyrgyzstan": "KG",
    "Lao People's Democratic Republic": "LA", "Latvia": "LV", "Lebanon": "LB",
    "Lesotho": "LS", "Liberia": "LR", "Libya": "LY", "Libyan Arab Jamahiriya": "LY",
    "Liechtenstein": "LI", "Lithuania": "LT", "Luxembourg": "LU", "Macao": "MO",
    "Macau": "MO", "Macedonia, The Former Yugoslav Republic of": "MK", "Madagascar": "MG",
    "Malawi": "MW", "Malaysia": "MY", "Maldives": "MV", "Mali": "ML", "Malta": "MT",
    "Marshall Islands": "MH", "Martinique": "MQ", "Mauritania": "MR", "Mauritius": "MU",
    "Mayotte": "YT", "Mexico": "MX", "Micronesia, Federated States of": "FM",
    "Moldova, Republic of": "MD", "Monaco": "MC", "Mongolia": "MN", "Montenegro": "ME",
    "Montserrat": "MS", "Morocco": "MA", "Mozambique": "MZ", "Myanmar": "MM",
    "Namibia": "NA", "Nauru": "NR", "Nepal": "NP", "Netherlands": "NL",
    "Netherlands Antilles": "AN", "New Caledonia": "NC", "New Zealand": "NZ",
    "Nicaragua": "NI", "Niger": "NE", "Nigeria": "NG", "Niue": "NU", "Norfolk Island": "NF",
    "North Macedonia": "MK", "Northern Mariana Islands": "MP", "Norway": "NO", "Oman": "OM",
    "Pakistan": "PK", "Palau": "PW", "Palestinian Territory, occupied": "PS",
    "Palestine, State of": "PS", "Panama": "PA", "Papua New Guinea": "PG", "Paraguay": "PY",
    "Peru": "PE", "Philippines": "PH", "Pitcairn": "PN", "Poland": "PL", "Portugal": "PT",
    "Puerto Rico": "PR", "Qatar": "QA", "Réunion": "RE", "Reunion": "RE", "Romania": "RO",
    "Russian Federation": "RU", "Rwanda": "RW", "Saint Barthélemy": "BL",
    "Saint Helena": "SH", "Saint Kitts and Nevis": "KN", "Saint Lucia": "LC",
    "Saint Martin": "MF", "Saint Pierre and Miquelon": "PM",
    "Saint Vincent and the Grenadines": "VC", "Samoa": "WS", "San Marino": "SM",
    "Sao Tome and Principe": "ST", "Saudi Arabia": "SA", "Senegal": "SN", "Serbia": "RS",
    "Serbia and Montenegro": "CS", "Seychelles": "SC", "Sierra Leone": "SL",
    "Singapore": "SG", "Sint Maarten": "SX", "Slovakia": "SK", "Slovenia": "SI",
    "Solomon Islands": "SB", "Somalia": "SO", "South Africa": "ZA",
    "South Georgia and the South Sandwich Islands": "GS", "South Sudan": "SS",
    "Spain": "ES", "Sri Lanka": "LK", "Sudan": "SD", "Suriname": "SR",
    "Svalbard and Jan Mayen": "SJ", "Swaziland": "SZ", "Sweden": "SE", "Switzerland": "CH",
    "Syrian Arab Republic": "SY", "Taiwan": "TW", "Tajikistan": "TJ", "Tanzania": "TZ",
    "Tanzania, United Republic of": "TZ", "Thailand": "TH", "Timor-Leste": "TL",
    "Togo": "TG", "Tokelau": "TK", "Tonga": "TO", "Trinidad and Tobago": "TT",
    "Tunisia": "TN", "Turkey": "TR", "Turkey (Türkiye)": "TR", "Türkiye": "TR",
    "Turkmenistan": "TM", "Turks and Caicos Islands": "TC", "Tuvalu": "TV", "Uganda": "UG",
    "Ukraine": "UA", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US", "United States Minor Outlying Islands": "UM", "Uruguay": "UY",
    "Uzbekistan": "UZ", "Vanuatu": "VU", "Venezuela": "VE", "Viet Nam": "VN",
    "Virgin Islands (British)": "VG", "Virgin Islands, British": "VG",
    "Virgin Islands (U.S.)": "VI", "Virgin Islands, U.S.": "VI", "Wallis and Futuna": "WF",
    "Western Sahara": "EH", "Yemen": "YE", "Zambia": "ZM", "Zimbabwe": "ZW",
    # the shorter names of records updated since late 2025, and their like
    "South Korea": "KR", "North Korea": "KP", "Russia": "RU", "Vietnam": "VN",
    "Syria": "SY", "Laos": "LA", "Moldova": "MD", "Micronesia": "FM", "Brunei": "BN",
    "Côte d'Ivoire": "CI", "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG", "Palestinian Territories": "PS",
    "Palestinian Territories, Occupied": "PS", "Vatican City": "VA",
    "U.S. Virgin Islands": "VI", "British Virgin Islands": "VG",
}

#: Codes of states that no longer exist -> the countries that now cover their land.
FORMER: dict[str, tuple[str, ...]] = {
    "AN": ("CW", "SX", "BQ"),  # Netherlands Antilles, dissolved in 2010
    "CS": ("RS", "ME", "XK"),  # Serbia and Montenegro, split in 2006
    "YU": ("RS", "ME", "XK", "SI", "HR", "BA", "MK"),  # Yugoslavia
}

#: Display names of the former states.
FORMER_NAMES: dict[str, str] = {
    "AN": "Netherlands Antilles", "CS": "Serbia and Montenegro", "YU": "Yugoslavia",
}

#: Territories with an ISO code of their own that a site may be written under the country that
#: governs them ("Hong Kong, China", "Saint-Denis, France" for Réunion); a town not found in
#: the country is looked for in these.
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "CN": ("HK", "MO", "TW"),
    "US": ("PR", "GU", "VI", "AS", "MP", "UM"),
    "FR": ("GP", "MQ", "GF", "RE", "YT", "NC", "PF", "PM", "BL", "MF", "WF"),
    "GB": ("GG", "JE", "IM", "GI", "BM", "KY", "VG", "AI", "MS", "TC", "FK", "SH"),
    "NL": ("AW", "CW", "SX", "BQ"),
    "DK": ("FO", "GL"),
    "NO": ("SJ",),
    "AU": ("CX", "CC", "NF"),
    "NZ": ("CK", "NU", "TK"),
    "FI": ("AX",),
}

#: Everyday names people type, by ISO code (the registry does not write these).
EVERYDAY_COUNTRIES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.", "U.S.A.", "United States of America", "US of A"),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland"),
    "KR": ("Korea", "Republic of Korea", "Korea, South"),
    "KP": ("Korea, North", "DPRK"),
    "NL": ("Holland", "The Netherlands", "Netherlands, The"),
    "TR": ("Turkiye", "Republic of Türkiye"),
    "CZ": ("Czech Rep.",),
    "TW": ("Republic of China", "Taiwan, Province of China", "Chinese Taipei"),
    "CN": ("PRC", "People's Republic of China", "China, People's Republic of",
           "Mainland China"),
    "CI": ("Ivory Coast",),
    "AE": ("UAE", "U.A.E."),
    "MK": ("Macedonia",),
    "BO": ("Bolivia, Plurinational State of",),
    "VE": ("Venezuela, Bolivarian Republic of",),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "PS": ("Palestine",),
    "HK": ("Hong Kong SAR", "Hong Kong, China"),
    "MO": ("Macao SAR", "Macau SAR"),
    "VA": ("Vatican", "Holy See"),
    "SA": ("KSA",),
}


@cache
def spellings() -> dict[str, tuple[str, ...]]:
    """Folded name -> every folded name of the same country (itself included), for every
    registry spelling and everyday name: ``"turkey"`` gives ``("turkey", "turkey
    (turkiye)", "turkiye", "republic of turkiye")``."""
    names = [*REGISTRY_COUNTRIES.items(),
             *((n, c) for c, typed in EVERYDAY_COUNTRIES.items() for n in typed)]
    by_code: dict[str, list[str]] = defaultdict(list)
    for name, code in names:
        by_code[code].append(" ".join(fold(name).split()))
    return {folded: tuple(dict.fromkeys(by_code[code]))
            for code, folded_names in by_code.items() for folded in folded_names}


@cache
def _codes() -> dict[str, str]:
    names = [*REGISTRY_COUNTRIES.items(),
             *((n, c) for c, typed in EVERYDAY_COUNTRIES.items() for n in typed)]
    return {" ".join(fold(name).split()): code for name, code in names}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country by any of its registry spellings or everyday
    names (``"USA"``: ``US``); ``None`` for a name that is none of them."""
    return _codes().get(" ".join(fold(name).split()))

