"""A small adjacency-list tree helper shared by regions, units and the directory.

Trees here are shallow (at most five levels), so walking parents is a handful
of primary-key lookups; descendants are collected level by level with one
query per level.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class TreeMixin:
    def ancestors(self, include_self=False):
        """Return the chain from the root down to the parent (or self)."""
        chain = []
        node = self if include_self else self.parent
        seen = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def descendant_ids(self, include_self=True):
        model = type(self)
        ids = {self.pk} if include_self else set()
        frontier = [self.pk]
        while frontier:
            frontier = list(
                model.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            frontier = [pk for pk in frontier if pk not in ids]
            ids.update(frontier)
        return ids

    def is_descendant_of(self, other, include_self=True):
        if other is None:
            return False
        if include_self and self.pk == other.pk:
            return True
        return any(a.pk == other.pk for a in self.ancestors())

    @property
    def path_name(self):
        return " / ".join(str(n.name) for n in self.ancestors(include_self=True))

    def clean_parent(self):
        """Refuse a parent that would make a cycle."""
        if self.parent_id is None or self.pk is None:
            return
        if self.parent_id == self.pk or self.parent.is_descendant_of(self):
            raise ValidationError({"parent": _("The parent cannot be this item or one below it.")})
