"""Import columns: a translated name plus the Chinese headers accepted in
files, and the header normalisation that matches them."""

from import_export import fields

from ..widgets import TextWidget, cell_text


def column(attribute, label, headers, widget=None, **kwargs):
    """A column: ``label`` (lazy, English source) is its translated name;
    ``headers`` are the Chinese headers accepted in files, the first one
    being the header of the downloadable template."""
    field = fields.Field(attribute=attribute, column_name=label, widget=widget or TextWidget(), **kwargs)
    field.header_aliases = tuple(headers)
    return field


def normalise_header(text):
    text = cell_text(text)
    for ch in " \t*＊:：()（）":
        text = text.replace(ch, "")
    return text.lower()
