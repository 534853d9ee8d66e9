"""An edition's announcement, for telling customers: `announce.md` (to paste into a newsletter
or a post) and `announce.html` (to send as an email: inline styles, no script, every text
escaped). Both say the headline, what went well, what changed because of customers and what
is coming, with links to the pages that say more."""

from __future__ import annotations

import html
from dataclasses import dataclass

from generator.i18n import current, ntr, tr
from generator.markup import inline, md_text
from generator.view import EditionView
from generator.words import date_text, num, qty


@dataclass(frozen=True)
class _Item:
    text: str
    link: str | None = None


@dataclass(frozen=True)
class _Section:
    title: str
    items: list[_Item]


def _sections(view: EditionView) -> tuple[str, list[str], list[_Section]]:
    """The announcement's title, its opening lines and its sections, as plain text."""
    edition, period = view.edition, view.period
    link = view.link_from("")
    score = view.score(period)
    kept = ntr("In {period} we kept {met} of {count} promise.",
               "In {period} we kept {met} of {count} promises.", score.measured,
               period=period.label, met=num(score.met))
    if score.not_measured:
        kept = ntr("{sentence} ({count} was not measured.)", "{sentence} ({count} were not "
                   "measured.)", score.not_measured, sentence=kept)
    opening = [kept]
    compared = view.compared()
    if compared:
        opening.append(tr("For comparison: {list}.", list="; ".join(
            tr("{period}, {met} of {count}", period=what, met=num(then.met),
               count=num(then.measured)) for what, then in compared)))
    paid = view.paid(period)
    if paid and paid.paid:
        if paid.amount is not None:
            opening.append(ntr("We paid {amount} to {count} customer when we broke a guaranteed "
                               "promise.", "We paid {amount} to {count} customers when we broke "
                               "a guaranteed promise.", paid.paid,
                               amount=qty(paid.amount, view.organization.currency or "")))
        else:
            opening.append(ntr("We paid {count} customer when we broke a guaranteed promise.",
                               "We paid {count} customers when we broke a guaranteed promise.",
                               paid.paid))
    went_well = [_Item(md_text(h)) for h in period.highlights]
    went_well += [_Item(tr("Back on track: {promise}", promise=c.title), link(f"commitments/{c.id}/"))
                  for c in view.newly_met()]
    changed = [_Item(tr("{improvement} (you said: {feedback})", improvement=i.title,
                        feedback=md_text(i.you_said)), link(f"improvements/{i.id}/"))
               for i in view.period_improvements(period)]
    coming = [_Item(_coming(p.state, p.planned.title, view.period_label(p.planned.by)),
                    link(f"planned/{p.planned.id}/"))
              for p in view.plans() if p.state != "done"]
    coming += [_Item(tr("{promise}: a new promise from {day}", promise=c.title,
                        day=date_text(c.since)), link(f"commitments/{c.id}/"))
               for c in view.announced()]
    sections = [_Section(title, items) for title, items in (
        (tr("What went well"), went_well), (tr("What we changed because of you"), changed),
        (tr("Coming next"), coming)) if items]
    sections.append(_Section(tr("Read more"), [
        _Item(tr("Our results for {period}", period=period.label), link(f"reports/{period.id}/")),
        _Item(tr("Every promise and how we did"), link(""))]))
    title = tr("{organisation}: our promises in {period}", organisation=view.organization.name,
               period=period.label)
    if edition.period.draft:
        title = tr("{title} (draft)", title=title)
    return title, opening, sections


def _coming(state: str, plan: str, period: str) -> str:
    if state == "late":
        return tr("{plan}: late, expected in {period}", plan=plan, period=period)
    return tr("{plan}: expected in {period}", plan=plan, period=period)


def announce_md(view: EditionView) -> str:
    title, opening, sections = _sections(view)
    lines = [f"# {inline(title)}", "", *[inline(line) for line in opening]]
    for section in sections:
        lines += ["", f"## {inline(section.title)}", ""]
        lines += [f"- [{inline(item.text)}](<{item.link}>)" if item.link else f"- {inline(item.text)}"
                  for item in section.items]
    return "\n".join(lines) + "\n"


_BODY = "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;"
_LINK = "color:#1a4d8f;"


def announce_html(view: EditionView) -> str:
    title, opening, sections = _sections(view)

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    def words(text: str) -> str:  # an element's text: quotes stay as they are
        return html.escape(text, quote=False)

    language = current()
    parts = ['<!doctype html>', f'<html lang="{e(language.code)}" dir="{language.direction}">'
             '<head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             *(['<meta name="robots" content="noindex, nofollow">'] if view.edition.internal else []),
             f"<title>{e(title)}</title></head>",
             f'<body style="margin:0;padding:16px;{_BODY}">',
             '<article style="display:block;max-width:600px;margin:0 auto;">',
             *(['<p class="kept-internal-banner" style="margin:0 0 12px;padding:8px;'
                'background:#fff3cd;color:#1a1a1a;"><strong>' + words(tr("Internal")) + "</strong>: "
                + words(tr("for the team only. Do not share with customers: the public edition's "
                           "announcement is the one to send."))
                + ("" if view.organization.url else " " + words(tr(
                    "Its links lead nowhere once sent until the public site's address is known: "
                    "set url under organization in commitments.yml.")))
                + "</p>"] if view.edition.internal else []),
             f'<h1 style="font-size:22px;margin:0 0 12px;">{e(title)}</h1>']
    parts += [f'<p style="margin:0 0 12px;">{e(line)}</p>' for line in opening]
    for section in sections:
        parts.append(f'<h2 style="font-size:18px;margin:20px 0 8px;">{e(section.title)}</h2>')
        parts.append('<ul style="margin:0;padding-left:20px;">')
        for item in section.items:
            text = (f'<a href="{e(item.link)}" style="{_LINK}">{e(item.text)}</a>'
                    if item.link else e(item.text))
            parts.append(f'<li style="margin:0 0 6px;">{text}</li>')
        parts.append("</ul>")
    parts += ["</article>", "</body></html>"]
    return "\n".join(parts) + "\n"
