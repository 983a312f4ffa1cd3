"""The AACT tables with many rows per study: conditions, keywords, interventions and their
other names, arm groups and which interventions they get, sites with their contacts and
investigators, central contacts, officials, sponsors, countries, ids and planned outcomes.

Ids are made here, not taken from AACT (whose ids are serial numbers of its own loads): the NCT
number times :data:`~trialfinder.store.aact.sqlparts.ID_STEP` plus the row's position within
its study, so the ids of one study are the same in every export, and the links between tables
(``facility_contacts.facility_id``, ``intervention_other_names.intervention_id``,
``design_group_interventions``) hold. A row under a site or an intervention is numbered
``parent position x 10,000 + its position``; tables made of several lists number them one after
the other, in the order AACT's loader fills them. No view needs a window over the whole
table, so every one of them streams.
"""

from __future__ import annotations

from typing import Final

from trialfinder.store.aact.sqlparts import SOURCE, field, matches, ps, row_id

__all__ = ["ROW_VIEWS"]

_CL: Final = "contactsLocationsModule."
_LOCATIONS: Final = ps(_CL + "locations")
_ARMS: Final = ps("armsInterventionsModule.armGroups")
_INTERVENTIONS: Final = ps("armsInterventionsModule.interventions")
_INVESTIGATOR: Final = "investigator|study.chair"  # AACT's split of site contacts
_UNDER: Final = "i * 10000 + j"  # the position of a row under a site or an intervention


def _each(items: str, *, also: str = "") -> str:
    """Rows of one list per study: ``nct_id``, the item ``x`` and its position ``i``."""
    extra = f", {also}" if also else ""
    return (f"SELECT r.nct_id AS nct_id, unnest({items}) AS x, "
            f"generate_subscripts({items}, 1) AS i{extra} FROM {SOURCE}")


def _count(items: str) -> str:
    return f"coalesce(len({items}), 0)"


def _names(key: str) -> str:
    """``conditions`` / ``keywords``: one row per name, with its lower-case form."""
    return (f"SELECT {row_id('i', 'nct_id')} AS id, nct_id, x AS name, lower(x) AS "
            f"downcase_name FROM ({_each(ps('conditionsModule.' + key))})")


_INTERVENTION_ROWS: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, x."type" AS intervention_type, x."name" AS name,
       x."description" AS description
FROM ({_each(_INTERVENTIONS)})
"""

_OTHER_NAMES: Final = f"""
SELECT {row_id(_UNDER, 'nct_id')} AS id, nct_id, {row_id('i', 'nct_id')} AS intervention_id,
       name
FROM (
  SELECT nct_id, i, generate_subscripts(x."otherNames", 1) AS j, unnest(x."otherNames") AS name
  FROM ({_each(_INTERVENTIONS)})
)
"""

_DESIGN_GROUPS: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, x."type" AS group_type, x."label" AS title,
       x."description" AS description
FROM ({_each(_ARMS)})
"""

# An intervention's arm labels, each linked to the arm group of that title (the last one when
# titles repeat, as AACT's look-up keeps the last); an unknown label gets no group.
_GROUP_LINKS: Final = f"""
SELECT {row_id(_UNDER, 'nct_id')} AS id, nct_id,
       {row_id('len(titles) - list_position(list_reverse(titles), label) + 1', 'nct_id')}
         AS design_group_id,
       {row_id('i', 'nct_id')} AS intervention_id
FROM (
  SELECT nct_id, i, titles, generate_subscripts(x."armGroupLabels", 1) AS j,
         unnest(x."armGroupLabels") AS label
  FROM ({_each(_INTERVENTIONS, also=f'[g."label" FOR g IN {_ARMS}] AS titles')})
)
"""

_FACILITIES: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, x."status" AS status, x."facility" AS name,
       x."city" AS city, x."state" AS state, x."zip" AS zip, x."country" AS country,
       CAST(x."geoPoint"."lat" AS DECIMAL(10, 6)) AS latitude,
       CAST(x."geoPoint"."lon" AS DECIMAL(10, 6)) AS longitude
FROM ({_each(_LOCATIONS)})
"""


def _site_people(investigators: bool) -> str:
    """Each site's contacts split as AACT splits them: roles naming an investigator or a
    study chair are ``facility_investigators``, every other contact (no role included) is a
    ``facility_contacts`` row, the first of a site ``primary`` and the others ``backup``."""
    wanted = matches('c."role"', _INVESTIGATOR)
    keep = wanted if investigators else f"NOT {wanted}"
    columns = ('c."role" AS role, c."name" AS name' if investigators else
               "CASE WHEN j = 1 THEN 'primary' ELSE 'backup' END AS contact_type, "
               'c."name" AS name, c."email" AS email, c."phone" AS phone, '
               'c."phoneExt" AS phone_extension')
    return f"""
SELECT {row_id(_UNDER, 'nct_id')} AS id, nct_id, {row_id('i', 'nct_id')} AS facility_id,
       {columns}
FROM (
  SELECT nct_id, i, generate_subscripts(people, 1) AS j, unnest(people) AS c
  FROM (SELECT nct_id, i, [c FOR c IN x."contacts" IF {keep}] AS people
        FROM ({_each(_LOCATIONS)}))
)
"""


_CENTRAL: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id,
       CASE WHEN i = 1 THEN 'primary' ELSE 'backup' END AS contact_type, x."name" AS name,
       x."phone" AS phone, x."email" AS email, x."phoneExt" AS phone_extension,
       x."role" AS role
FROM ({_each(ps(_CL + 'centralContacts'))})
"""

_OFFICIALS: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, x."role" AS role, x."name" AS name,
       x."affiliation" AS affiliation
FROM ({_each(ps(_CL + 'overallOfficials'))})
"""

# Tables made of several lists number them in the order AACT's loader fills them (the reverse
# of its declaration of them): collaborators before the lead sponsor, removed countries before
# site countries, secondary ids before the org study id before NCT aliases, other outcomes
# before secondary before primary ones. So ``ORDER BY id`` lists a study's rows as AACT does.
_LEAD: Final = ps("sponsorCollaboratorsModule.leadSponsor")
_COLLABORATORS: Final = ps("sponsorCollaboratorsModule.collaborators")
_SPONSORS: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, agency_class, lead_or_collaborator, name
FROM (
  SELECT r.nct_id AS nct_id, {_count(_COLLABORATORS)} + 1 AS i, {_LEAD}."class" AS agency_class,
         'lead' AS lead_or_collaborator, {_LEAD}."name" AS name
  FROM {SOURCE} WHERE {_LEAD} IS NOT NULL
  UNION ALL
  SELECT nct_id, i, x."class", 'collaborator', x."name"
  FROM ({_each(_COLLABORATORS)})
)
"""

_REMOVED: Final = field("derivedSection.miscInfoModule.removedCountries")
# Distinct removed countries (removed = true), numbered by the first mention of each, then
# distinct site countries (removed = false), numbered by the first site in each after the
# removed ones; a site without a country gives a NULL name, as in AACT.
_COUNTRIES: Final = f"""
SELECT {row_id('min(i)', 'nct_id')} AS id, nct_id, name, removed
FROM (
  SELECT nct_id, i, x AS name, true AS removed FROM ({_each(_REMOVED)})
  UNION ALL
  SELECT nct_id, i + removed, x."country", false
  FROM ({_each(_LOCATIONS, also=f'{_count(_REMOVED)} AS removed')})
)
GROUP BY nct_id, name, removed
"""

_ID: Final = "identificationModule."
_ORG_ID: Final = ps(_ID + "orgStudyIdInfo")
_SECONDARY: Final = ps(_ID + "secondaryIdInfos")
_ID_INFORMATION: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, id_source, id_value, id_type, id_type_description,
       id_link
FROM (
  SELECT nct_id, i, 'secondary_id' AS id_source, x."id" AS id_value, x."type" AS id_type,
         x."domain" AS id_type_description, x."link" AS id_link
  FROM ({_each(_SECONDARY)})
  UNION ALL
  SELECT r.nct_id, {_count(_SECONDARY)} + 1, 'org_study_id', {_ORG_ID}."id", {_ORG_ID}."type",
         {_ORG_ID}."domain", {_ORG_ID}."link"
  FROM {SOURCE} WHERE {_ORG_ID} IS NOT NULL
  UNION ALL
  SELECT nct_id, i + before, 'nct_alias', x, NULL, NULL, NULL
  FROM ({_each(ps(_ID + 'nctIdAliases'),
               also=f'{_count(_SECONDARY)} + ({_ORG_ID} IS NOT NULL)::INTEGER AS before')})
)
"""


def _outcomes(key: str, kind: str, before: tuple[str, ...]) -> str:
    """One kind of planned outcome, numbered after the kinds in ``before``."""
    offset = " + ".join(_count(ps("outcomesModule." + k)) for k in before) or "0"
    return (f"SELECT nct_id, i + before AS i, '{kind}' AS outcome_type, x.\"measure\" AS "
            f"measure, x.\"timeFrame\" AS time_frame, x.\"description\" AS description "
            f"FROM ({_each(ps('outcomesModule.' + key), also=f'{offset} AS before')})")


_DESIGN_OUTCOMES: Final = f"""
SELECT {row_id('i', 'nct_id')} AS id, nct_id, outcome_type, measure, time_frame,
       CAST(NULL AS VARCHAR) AS population, description
FROM (
  {_outcomes('otherOutcomes', 'other', ())}
  UNION ALL {_outcomes('secondaryOutcomes', 'secondary', ('otherOutcomes',))}
  UNION ALL {_outcomes('primaryOutcomes', 'primary', ('otherOutcomes', 'secondaryOutcomes'))}
)
"""

ROW_VIEWS: Final[dict[str, str]] = {
    "conditions": _names("conditions"),
    "keywords": _names("keywords"),
    "interventions": _INTERVENTION_ROWS,
    "intervention_other_names": _OTHER_NAMES,
    "design_groups": _DESIGN_GROUPS,
    "design_group_interventions": _GROUP_LINKS,
    "facilities": _FACILITIES,
    "facility_contacts": _site_people(investigators=False),
    "facility_investigators": _site_people(investigators=True),
    "central_contacts": _CENTRAL,
    "overall_officials": _OFFICIALS,
    "sponsors": _SPONSORS,
    "countries": _COUNTRIES,
    "id_information": _ID_INFORMATION,
    "design_outcomes": _DESIGN_OUTCOMES,
}
