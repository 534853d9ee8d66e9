"""The shape of Kept's data files, declared once.

The validator walks these declarations to check a loaded document, and the same declarations
give the JSON Schema and the field reference, so the three cannot drift apart. Checks that
span fields or files (references, dates inside periods, ...) live in `validate`; the kinds of
value are in `kinds`.
"""

from __future__ import annotations

from generator.kinds import (
    ChangeName,
    Currency,
    Date,
    Enum,
    Flag,
    LanguageTag,
    Number,
    PeriodId,
    Slug,
    Text,
    Url,
)
from generator.shapes import AnyMapping, Field, ListOf, MapOf, NumberOr, OrNull, Record

# --- the declarations -------------------------------------------------------------------------

VISIBILITY = Field(Enum(("public", "internal")),
                   "public (default) or internal: internal entities appear on the internal site only")
INTERNAL = Field(AnyMapping(), "anything for the team (owner, notes, tickets...); internal site only")

ORGANIZATION = Record("organization", {
    "name": Field(Text(), "the organisation's name, shown as the site's name", required=True),
    "url": Field(Url(), "base URL of the public site (http or https), for canonical links "
                        "and feeds"),
    "period": Field(Enum(("quarter", "month", "year")),
                    "reporting period: quarter (results/2026-Q3.yml), month (results/2026-09.yml) "
                    "or year (results/2025.yml)", required=True),
    "year_starts": Field(Number(minimum=1, maximum=12, integer=True),
                         "the month a reporting year starts (default 1, January; 4 for April): "
                         "years are then named by the years they span (2024-25) and quarters "
                         "count from it (2024-25-Q3)"),
    "require_explanations": Field(Flag(),
                                  "whether a missed target needs an explanation (default true; "
                                  "false for reports that never had them)"),
    "min_sample": Field(Number(minimum=0, integer=True),
                        "per-location figures measured on fewer cases are not published (default 30)"),
    "currency": Field(Currency(), "the currency of guarantee payments (ISO 4217: GBP, USD, EUR); "
                                  "required once a guarantee amount is given"),
    "languages": Field(ListOf(LanguageTag()),
                       "the site's languages, the main one first (default [en]): any text may "
                       "then be given by language, title: {en: ..., cy: ...}"),
    "internal": INTERNAL,
}, "Who makes the promises")

VALUE = Record("value", {
    "id": Field(Slug(), "permanent id of the value", required=True),
    "title": Field(Text(), "the principle, in a few words", required=True),
    "description": Field(Text(markdown=True), "what it means"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A principle that commitments serve")

LOCATION = Record("location", {
    "id": Field(Slug(), "permanent id of the location", required=True),
    "name": Field(Text(), "the location's name", required=True),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A site or team whose results are reported separately")

THRESHOLD = Record("threshold", {
    "value": Field(Number(minimum=0), "the threshold, in its unit", required=True),
    "unit": Field(Text(), "its unit (seconds, minutes, hours, working days...)", required=True),
}, "What a share is counted within: 80% of calls answered within 180 seconds")

METRIC = Record("metric", {
    "name": Field(Text(), "what is measured", required=True),
    "unit": Field(Text(may_be_empty=True),
                  "unit of the figures, free text (%, hours, score; \"\" for a plain count); a "
                  "currency (GBP, USD, EUR, £, $, €) makes the figures money", required=True),
    "direction": Field(Enum(("lower", "higher")),
                       "which way is better: lower or higher", required=True),
    "target": Field(Number(), "the figure to reach", required=True),
    "threshold": Field(THRESHOLD, "for a share counted within a limit: the limit (the target "
                                  "is then the share: 80, with threshold 180 seconds)"),
    "definition": Field(Text(markdown=True), "how it is measured"),
    "method": Field(Text(markdown=True), "how the figure is collected (a survey's method, its "
                                         "fieldwork, who counts)"),
}, "How a commitment is measured")

REVIEW = Record("review", {
    "every": Field(Enum(("month", "quarter", "half-year", "year")),
                   "how often the commitment is reviewed", required=True),
    "last": Field(Date(), "the day it was last reviewed"),
}, "When the commitment is reviewed")

GUARANTEE = Record("guarantee", {
    "remedy": Field(Text(markdown=True), "what a customer gets when we break this promise for "
                                         "them (We pay you £30.)", required=True),
    "automatic": Field(Flag(), "paid without the customer having to ask (default false)"),
}, "What a customer gets when we break the promise for them")

PREVIOUS = Record("previous", {
    "target": Field(Number(), "the target before the revision"),
    "title": Field(Text(), "the title before the revision"),
    "promise": Field(Text(markdown=True), "the promise before the revision"),
    "name": Field(Text(), "the metric's name (what was measured) before the revision"),
    "definition": Field(Text(markdown=True), "how it was measured before the revision"),
    "threshold": Field(THRESHOLD, "the threshold before the revision"),
    "guarantee": Field(OrNull(GUARANTEE), "the guarantee before the revision; null when there "
                                          "was none"),
}, "What applied before the revision")

REVISION = Record("revision", {
    "date": Field(Date(), "the day the change took effect", required=True),
    "reason": Field(Text(markdown=True), "why it changed", required=True),
    "previous": Field(PREVIOUS, "what applied before that day", required=True),
    "internal": INTERNAL,
}, "A change to a commitment, with its reason")

COMMITMENT = Record("commitment", {
    "id": Field(Slug(), "permanent id, part of every URL of the commitment", required=True),
    "title": Field(Text(), "the promise in one line", required=True),
    "promise": Field(Text(markdown=True), "the promise in customers' words", required=True),
    "why": Field(Text(markdown=True), "what is in it for the customer"),
    "value": Field(Slug(), "id of the value it serves"),
    "kind": Field(Enum(("number", "words")),
                  "number (default): measured by a figure against a target; words: a promise "
                  "kept or not, with no figure (each period says met or missed)"),
    "metric": Field(METRIC, "how it is measured (required, but for a words commitment)"),
    "since": Field(Date(), "first day the promise applies", required=True),
    "announced": Field(Date(), "the day the promise was announced, before `since`: editions from "
                               "then show it as starting on `since`"),
    "guarantee": Field(GUARANTEE, "what a customer gets when we break this promise for them"),
    "retired": Field(Date(), "last day the promise applies"),
    "locations": Field(ListOf(Slug()), "location ids: results are broken down by these"),
    "review": Field(REVIEW, "review schedule"),
    "revisions": Field(ListOf(REVISION), "how the promise changed, in any order"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A promise to customers")

COMMITMENTS_FILE = Record("commitments.yml", {
    "organization": Field(ORGANIZATION, "who makes the promises", required=True),
    "values": Field(ListOf(VALUE), "the principles commitments serve"),
    "locations": Field(ListOf(LOCATION), "sites or teams with results of their own"),
    "commitments": Field(ListOf(COMMITMENT), "the promises", required=True),
}, "Kept: an organisation's customer-service commitments")

LOCATION_FIGURE = NumberOr(Number(nullable=True), Record("location figure", {
    "value": Field(Number(nullable=True), "the location's figure", required=True),
    "sample": Field(Number(minimum=0, integer=True), "cases measured at the location"),
}, "A location's figure with its sample"))

BENCHMARK = Record("benchmark", {
    "value": Field(Number(), "the comparison figure, in the metric's unit", required=True),
    "label": Field(Text(), "what it is (Sector median 2025)", required=True),
}, "A comparison the reader trusts, shown beside the figure")

MEASUREMENT = Record("measurement", {
    "value": Field(Number(nullable=True), "the figure, or null when not measured (required, "
                                          "but for a words commitment)"),
    "status": Field(Enum(("met", "missed", "not-measured")),
                    "a words commitment's result: met, missed or not-measured"),
    "sample": Field(Number(minimum=0, integer=True), "cases measured"),
    "margin": Field(Number(minimum=0), "± in the metric's unit: the survey's margin of error"),
    "benchmark": Field(BENCHMARK, "a comparison figure, such as a sector median"),
    "guarantee": Field(Record("guarantee figures", {
        "breaches": Field(Number(minimum=0, integer=True),
                          "customers we broke the guaranteed promise for", required=True),
        "paid": Field(Number(minimum=0, integer=True), "payments made to them", required=True),
        "amount": Field(Number(minimum=0), "the total paid, in the organisation's currency"),
    }, "What the guarantee cost in the period"), "customers let down, payments made, total paid"),
    "recovery": Field(Record("recovery", {
        "action": Field(Text(markdown=True), "what we do about the miss", required=True),
        "by": Field(PeriodId(), "the period by which we will be back on target", required=True),
    }, "For a missed target: what we do about it, and by when"),
        "for a missed target: what we do about it, and by when we will be back on target"),
    "locations": Field(MapOf(LOCATION_FIGURE, "location id"),
                       "location id -> number or {value, sample}"),
    "explanation": Field(Text(markdown=True), "context; needed for a missed target or a null"),
    "internal": INTERNAL,
}, "A commitment's result for the period")

FEEDBACK = Record("feedback", {
    "source": Field(Text(), "where the feedback came from (survey, complaints, ...)"),
    "count": Field(Number(minimum=0, integer=True), "how many customers said it"),
}, "The feedback behind an improvement")

IMPROVEMENT = Record("improvement", {
    "id": Field(Slug(), "permanent id, unique across all periods; part of its URL", required=True),
    "date": Field(Date(), "the day it happened, inside the period", required=True),
    "title": Field(Text(), "what changed, in one line", required=True),
    "you_said": Field(Text(markdown=True), "the customers' feedback", required=True),
    "we_did": Field(Text(markdown=True), "the change made", required=True),
    "commitments": Field(ListOf(Slug()), "ids of the commitments it relates to"),
    "feedback": Field(FEEDBACK, "source and number of the feedback (`source: staff` for a change "
                                "the team suggested)"),
    "delivers": Field(Slug(), "the planned item (you said, we will) this improvement completes"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A change made because customers asked: you said, we did")

PLANNED = Record("planned", {
    "id": Field(Slug(), "permanent id, unique across all improvements and planned items; part "
                        "of its URL", required=True),
    "title": Field(Text(), "what will change, in one line", required=True),
    "you_said": Field(Text(markdown=True), "the customers' feedback", required=True),
    "we_will": Field(Text(markdown=True), "the change we will make", required=True),
    "by": Field(PeriodId(), "the period we expect it done", required=True),
    "commitments": Field(ListOf(Slug()), "ids of the commitments it relates to"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A change announced, not done yet: you said, we will")

CORRECTION = Record("correction", {
    "date": Field(Date(), "the day of the correction", required=True),
    "note": Field(Text(markdown=True), "what was corrected and why", required=True),
    "changes": Field(ListOf(ChangeName()),
                     "what it changes in the published edition: commitment ids (their figures "
                     "and text in this period), commitment@location, summary, highlights, "
                     "improvement ids; the edition shows each with its published and its "
                     "corrected value"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A change made after publication")

RESULTS_FILE = Record("results file", {
    "period": Field(PeriodId(), "the period, equal to the file name (2026-Q3 or 2026-09)",
                    required=True),
    "published": Field(Date(), "the day it was published; without it the period is a draft"),
    "summary": Field(Text(markdown=True), "the period in a few sentences"),
    "measurements": Field(MapOf(MEASUREMENT, "commitment id"), "commitment id -> measurement"),
    "highlights": Field(ListOf(Text(markdown=True)), "successes to celebrate"),
    "improvements": Field(ListOf(IMPROVEMENT), "you said, we did"),
    "planned": Field(ListOf(PLANNED), "you said, we will: changes announced, not done yet"),
    "corrections": Field(ListOf(CORRECTION), "changes made after publication"),
    "internal": INTERNAL,
}, "Kept: the results of one reporting period")
