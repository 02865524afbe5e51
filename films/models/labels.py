"""A choice's label by its enum, for descriptions written many times over (a history keeps thousands at once).

Django's ``get_FOO_display()`` rebuilds a dict of every choice, hashing each lazy label, on every call.
"""


def choice_label(choices, value):
    """The label of ``value`` in the ``TextChoices`` class ``choices``; ``value`` itself if it is not one."""
    try:
        return choices(value).label
    except ValueError:
        return value
