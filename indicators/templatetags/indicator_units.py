"""Template filters that print an indicator's numbers with their units (see ``indicators.display``)."""

from __future__ import annotations

from django import template

from indicators import display

register = template.Library()


@register.filter
def measure(value, definition):
    """``{{ value|measure:definition }}`` → «75 %», «2,55 из 4», «15 человек», «—»."""
    return display.value_text(definition, value)


@register.filter
def change(delta, definition):
    """``{{ delta|change:definition }}`` → «+18 п.п.», «−0,2 балла»."""
    return display.change_text(definition, delta)


@register.filter
def unit_of(definition):
    """``{{ definition|unit_of }}`` → «%», «баллы из 4», «человек»."""
    return display.unit_short(definition)


@register.filter
def row_class(standing):
    """The Bootstrap class of a row or cell for a standing (``alert``, ``short``, ``reached``)."""
    return display.STANDINGS.get(standing, ("",))[0]


@register.filter
def standing_bg(standing):
    """The background class of a block (not a table row) for a standing: the legend's swatch colours."""
    return display.STANDINGS.get(standing, ("", ""))[1]


@register.filter
def standing_text(standing):
    """What a standing means, for screen readers and the colour-blind (the colour is not the only cue)."""
    return display.STANDINGS.get(standing, ("", "", "", ""))[3]
