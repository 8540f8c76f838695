"""Month names as Django's ``django/utils/dates.py`` looks them up, so that our catalogues can override them.

Django's own Arabic catalogue uses Middle-Eastern month names (نوفمبر); Morocco uses يناير … نونبر، دجنبر.
Nothing imports this module: it only carries the exact msgids (and contexts) that ``makemessages`` must
keep in ``locale/*/LC_MESSAGES/django.po``, where the Arabic entries give the Moroccan names. Our
``LOCALE_PATHS`` catalogue takes precedence over Django's, so every date filter and format picks them up.
"""

from django.utils.translation import gettext_lazy, pgettext_lazy

# dates.MONTHS: format "F"
MONTHS = (
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
)

# dates.MONTHS_3: format "b" (and month_name_3 in date widgets)
MONTHS_3 = (
    gettext_lazy("jan"),
    gettext_lazy("feb"),
    gettext_lazy("mar"),
    gettext_lazy("apr"),
    gettext_lazy("may"),
    gettext_lazy("jun"),
    gettext_lazy("jul"),
    gettext_lazy("aug"),
    gettext_lazy("sep"),
    gettext_lazy("oct"),
    gettext_lazy("nov"),
    gettext_lazy("dec"),
)

# dates.MONTHS_AP: format "N" (Associated Press style, used by the default DATETIME_FORMAT)
MONTHS_AP = (
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)

# dates.MONTHS_ALT: format "E" (long date representation in some locales)
MONTHS_ALT = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
