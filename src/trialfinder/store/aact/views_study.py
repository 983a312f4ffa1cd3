"""The AACT tables with (at most) one row per study: ``studies``, ``brief_summaries``,
``detailed_descriptions``, ``designs``, ``eligibilities`` and ``calculated_values``.

Column names, order and types follow AACT's ``ctgov`` schema; values follow its loader for API
v2 records (codes as the API sends them: ``RECRUITING``, ``PHASE2/PHASE3``, ``INTERVENTIONAL``;
ages as text such as ``18 Years``; partial dates as the last day of their month or year, with
the text as sent in the ``*_month_year`` columns). ``docs/aact.md`` lists the differences.
"""

from __future__ import annotations

from typing import Final

from trialfinder.store.aact.sqlparts import (
    SOURCE,
    US_PLACES,
    end_date,
    field,
    matches,
    ps,
    row_id,
    sql_list,
)

__all__ = ["STUDY_VIEWS"]

_ST: Final = "statusModule."
_DE: Final = "designModule."
_OV: Final = "oversightModule."
_IPD: Final = "ipdSharingStatementModule."
_EXP: Final = _ST + "expandedAccessInfo."


def _date_pair(name: str, struct: str) -> str:
    """The date, then its type (``ACTUAL``/``ESTIMATED``), of one ``*DateStruct``."""
    return (f"{end_date(ps(_ST + struct + '.date'))} AS {name}_date, "
            f"{ps(_ST + struct + '.type')} AS {name}_date_type")


def _month_year(name: str, struct: str) -> str:
    """``<name>_month_year`` (the text as sent), ``<name>_date_type``, ``<name>_date``."""
    text = ps(_ST + struct + ".date")
    return (f"{text} AS {name}_month_year, {ps(_ST + struct + '.type')} AS {name}_date_type, "
            f"{end_date(text)} AS {name}_date")


_INTERVENTIONAL: Final = matches(ps(_DE + "studyType"), "interventional")
_ARMS: Final = f"len({ps('armsInterventionsModule.armGroups')})"

_STUDIES: Final = f"""
SELECT
  r.nct_id AS nct_id,
  CAST(NULL AS VARCHAR) AS nlm_download_date_description,
  {end_date(ps(_ST + 'studyFirstSubmitDate'))} AS study_first_submitted_date,
  {end_date(ps(_ST + 'resultsFirstSubmitDate'))} AS results_first_submitted_date,
  {end_date(ps(_ST + 'dispFirstSubmitDate'))} AS disposition_first_submitted_date,
  {end_date(ps(_ST + 'lastUpdateSubmitDate'))} AS last_update_submitted_date,
  {end_date(ps(_ST + 'studyFirstSubmitQcDate'))} AS study_first_submitted_qc_date,
  {_date_pair('study_first_posted', 'studyFirstPostDateStruct')},
  {end_date(ps(_ST + 'resultsFirstSubmitQcDate'))} AS results_first_submitted_qc_date,
  {_date_pair('results_first_posted', 'resultsFirstPostDateStruct')},
  {end_date(ps(_ST + 'dispFirstSubmitQcDate'))} AS disposition_first_submitted_qc_date,
  {_date_pair('disposition_first_posted', 'dispFirstPostDateStruct')},
  {end_date(ps(_ST + 'lastUpdateSubmitDate'))} AS last_update_submitted_qc_date,
  {_date_pair('last_update_posted', 'lastUpdatePostDateStruct')},
  {_month_year('start', 'startDateStruct')},
  {ps(_ST + 'statusVerifiedDate')} AS verification_month_year,
  {end_date(ps(_ST + 'statusVerifiedDate'))} AS verification_date,
  {_month_year('completion', 'completionDateStruct')},
  {_month_year('primary_completion', 'primaryCompletionDateStruct')},
  {ps(_DE + 'targetDuration')} AS target_duration,
  {ps(_DE + 'studyType')} AS study_type,
  {ps('identificationModule.acronym')} AS acronym,
  {field('resultsSection.baselineCharacteristicsModule.populationDescription')}
    AS baseline_population,
  {ps('identificationModule.briefTitle')} AS brief_title,
  {ps('identificationModule.officialTitle')} AS official_title,
  {ps(_ST + 'overallStatus')} AS overall_status,
  {ps(_ST + 'lastKnownStatus')} AS last_known_status,
  array_to_string({ps(_DE + 'phases')}, '/') AS phase,
  try_cast({ps(_DE + 'enrollmentInfo.count')} AS INTEGER) AS enrollment,
  {ps(_DE + 'enrollmentInfo.type')} AS enrollment_type,
  {ps('identificationModule.organization.fullName')} AS source,
  {field('resultsSection.moreInfoModule.limitationsAndCaveats.description')}
    AS limitations_and_caveats,
  CAST(CASE WHEN {_INTERVENTIONAL} THEN {_ARMS} END AS INTEGER) AS number_of_arms,
  CAST(CASE WHEN NOT {_INTERVENTIONAL} THEN {_ARMS} END AS INTEGER) AS number_of_groups,
  {ps(_ST + 'whyStopped')} AS why_stopped,
  {ps(_EXP + 'hasExpandedAccess')} AS has_expanded_access,
  {ps(_DE + 'expandedAccessTypes.individual')} AS expanded_access_type_individual,
  {ps(_DE + 'expandedAccessTypes.intermediate')} AS expanded_access_type_intermediate,
  {ps(_DE + 'expandedAccessTypes.treatment')} AS expanded_access_type_treatment,
  {ps(_OV + 'oversightHasDmc')} AS has_dmc,
  {ps(_OV + 'isFdaRegulatedDrug')} AS is_fda_regulated_drug,
  {ps(_OV + 'isFdaRegulatedDevice')} AS is_fda_regulated_device,
  {ps(_OV + 'isUnapprovedDevice')} AS is_unapproved_device,
  {ps(_OV + 'isPpsd')} AS is_ppsd,
  {ps(_OV + 'isUsExport')} AS is_us_export,
  {ps(_DE + 'bioSpec.retention')} AS biospec_retention,
  {ps(_DE + 'bioSpec.description')} AS biospec_description,
  {ps(_IPD + 'timeFrame')} AS ipd_time_frame,
  {ps(_IPD + 'accessCriteria')} AS ipd_access_criteria,
  {ps(_IPD + 'url')} AS ipd_url,
  {ps(_IPD + 'ipdSharing')} AS plan_to_share_ipd,
  {ps(_IPD + 'description')} AS plan_to_share_ipd_description,
  r.first_seen AS created_at,
  r.seen AS updated_at,
  {ps('identificationModule.organization.class')} AS source_class,
  {ps(_ST + 'delayedPosting')} AS delayed_posting,
  {ps(_EXP + 'nctId')} AS expanded_access_nctid,
  {ps(_EXP + 'statusForNctId')} AS expanded_access_status_for_nctid,
  {ps(_OV + 'fdaaa801Violation')} AS fdaaa801_violation,
  {field('resultsSection.baselineCharacteristicsModule.typeUnitsAnalyzed')}
    AS baseline_type_units_analyzed,
  {ps(_DE + 'patientRegistry')} AS patient_registry
FROM {SOURCE}
"""

_ONE: Final = row_id("1")


def _text_table(key: str) -> str:
    """``brief_summaries`` / ``detailed_descriptions``: a row for every study with a
    description module (as AACT makes them, the text may be NULL)."""
    return (f"SELECT {_ONE} AS id, r.nct_id AS nct_id, {ps('descriptionModule.' + key)} "
            f"AS description FROM {SOURCE} WHERE {ps('descriptionModule')} IS NOT NULL")


_DI: Final = _DE + "designInfo."
_MASKED: Final = ps(_DI + "maskingInfo.whoMasked")

_DESIGNS: Final = f"""
SELECT
  {_ONE} AS id,
  r.nct_id AS nct_id,
  {ps(_DI + 'allocation')} AS allocation,
  {ps(_DI + 'interventionModel')} AS intervention_model,
  {ps(_DI + 'observationalModel')} AS observational_model,
  {ps(_DI + 'primaryPurpose')} AS primary_purpose,
  {ps(_DI + 'timePerspective')} AS time_perspective,
  {ps(_DI + 'maskingInfo.masking')} AS masking,
  {ps(_DI + 'maskingInfo.maskingDescription')} AS masking_description,
  {ps(_DI + 'interventionModelDescription')} AS intervention_model_description,
  list_contains({_MASKED}, 'PARTICIPANT') AS subject_masked,
  list_contains({_MASKED}, 'CARE_PROVIDER') AS caregiver_masked,
  list_contains({_MASKED}, 'INVESTIGATOR') AS investigator_masked,
  list_contains({_MASKED}, 'OUTCOMES_ASSESSOR') AS outcomes_assessor_masked
FROM {SOURCE}
WHERE {ps(_DE + 'designInfo')} IS NOT NULL
"""

_EL: Final = "eligibilityModule."
_AGES: Final = ps(_EL + "stdAges")

_ELIGIBILITIES: Final = f"""
SELECT
  {_ONE} AS id,
  r.nct_id AS nct_id,
  {ps(_EL + 'samplingMethod')} AS sampling_method,
  {ps(_EL + 'sex')} AS gender,
  {ps(_EL + 'minimumAge')} AS minimum_age,
  {ps(_EL + 'maximumAge')} AS maximum_age,
  {ps(_EL + 'healthyVolunteers')} AS healthy_volunteers,
  {ps(_EL + 'studyPopulation')} AS population,
  {ps(_EL + 'eligibilityCriteria')} AS criteria,
  {ps(_EL + 'genderDescription')} AS gender_description,
  {ps(_EL + 'genderBased')} AS gender_based,
  list_contains({_AGES}, 'ADULT') AS adult,
  list_contains({_AGES}, 'CHILD') AS child,
  list_contains({_AGES}, 'OLDER_ADULT') AS older_adult
FROM {SOURCE}
WHERE {ps('eligibilityModule')} IS NOT NULL
"""


def _age_number(text: str) -> str:
    """The whole number an age starts with (``11 Months`` -> 11; text without one: 0)."""
    return (f"CASE WHEN trim(coalesce({text}, '')) <> '' THEN coalesce(try_cast("
            f"regexp_extract(trim({text}), '^[+-]?[0-9]+') AS INTEGER), 0) END")


def _age_unit(text: str) -> str:
    """An age's unit in the singular, lower case (``11 Months`` -> ``month``)."""
    return (f"CASE WHEN trim(coalesce({text}, '')) <> '' THEN regexp_replace(lower("
            f"string_split_regex(trim({text}), '\\s+')[-1]), 's$', '') END")


def _months(later: str, earlier: str) -> str:
    """Whole 30-day months from ``earlier`` to ``later``, cut toward zero, as AACT counts."""
    return f"CAST(trunc(date_diff('day', {earlier}, {later}) / 30) AS INTEGER)"


def _affected(key: str) -> str:
    """The participants affected, summed over every adverse event of one kind and every group
    (AACT's sum over its ``reported_events`` rows): NULL when the study reports no such event
    with a group, 0 when it does but gives no numbers."""
    stats = (f"flatten([[s.\"numAffected\" FOR s IN coalesce(e.\"stats\", [])] "
             f"FOR e IN {field('resultsSection.adverseEventsModule.' + key)}])")
    return (f"CAST(CASE WHEN len({stats}) > 0 THEN coalesce(list_sum({stats}), 0) END "
            "AS INTEGER)")


def _outcome_count(key: str) -> str:
    return f"CAST(nullif(coalesce(len({ps('outcomesModule.' + key)}), 0), 0) AS INTEGER)"


_LOCATIONS: Final = ps("contactsLocationsModule.locations")
_N_SITES: Final = f"coalesce(len({_LOCATIONS}), 0)"

_CALCULATED: Final = f"""
SELECT
  id, nct_id, number_of_facilities, number_of_nsae_subjects, number_of_sae_subjects,
  CAST(year(first_submitted) AS INTEGER) AS registered_in_calendar_year,
  nlm_download_date,
  CASE WHEN start_date IS NOT NULL AND start_type IS DISTINCT FROM 'ESTIMATED'
        AND completion IS NOT NULL AND completion_type IS DISTINCT FROM 'ESTIMATED'
       THEN {_months('completion', 'start_date')} END AS actual_duration,
  were_results_reported,
  {_months('results_submitted', 'completion')} AS months_to_report_results,
  has_us_facility, has_single_facility,
  {_age_number('min_age')} AS minimum_age_num,
  {_age_number('max_age')} AS maximum_age_num,
  {_age_unit('min_age')} AS minimum_age_unit,
  {_age_unit('max_age')} AS maximum_age_unit,
  number_of_primary_outcomes_to_measure,
  number_of_secondary_outcomes_to_measure,
  number_of_other_outcomes_to_measure
FROM (
  SELECT
    {_ONE} AS id,
    r.nct_id AS nct_id,
    CAST({_N_SITES} AS INTEGER) AS number_of_facilities,
    {_affected('otherEvents')} AS number_of_nsae_subjects,
    {_affected('seriousEvents')} AS number_of_sae_subjects,
    {end_date(ps(_ST + 'studyFirstSubmitDate'))} AS first_submitted,
    CAST(NULL AS DATE) AS nlm_download_date,
    {end_date(ps(_ST + 'startDateStruct.date'))} AS start_date,
    {ps(_ST + 'startDateStruct.type')} AS start_type,
    {end_date(ps(_ST + 'primaryCompletionDateStruct.date'))} AS completion,
    {ps(_ST + 'primaryCompletionDateStruct.type')} AS completion_type,
    {end_date(ps(_ST + 'resultsFirstSubmitDate'))} AS results_submitted,
    coalesce(r.doc."hasResults", false) AS were_results_reported,
    CASE WHEN {_N_SITES} > 0 THEN list_has_any(
      [l."country" FOR l IN {_LOCATIONS}], {sql_list(US_PLACES)})
    END AS has_us_facility,
    CASE WHEN {_N_SITES} > 0 THEN {_N_SITES} = 1 END AS has_single_facility,
    {ps(_EL + 'minimumAge')} AS min_age,
    {ps(_EL + 'maximumAge')} AS max_age,
    {_outcome_count('primaryOutcomes')} AS number_of_primary_outcomes_to_measure,
    {_outcome_count('secondaryOutcomes')} AS number_of_secondary_outcomes_to_measure,
    {_outcome_count('otherOutcomes')} AS number_of_other_outcomes_to_measure
  FROM {SOURCE}
)
"""

STUDY_VIEWS: Final[dict[str, str]] = {
    "studies": _STUDIES,
    "brief_summaries": _text_table("briefSummary"),
    "detailed_descriptions": _text_table("detailedDescription"),
    "designs": _DESIGNS,
    "eligibilities": _ELIGIBILITIES,
    "calculated_values": _CALCULATED,
}
