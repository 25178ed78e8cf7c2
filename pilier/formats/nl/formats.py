# Belgian usage in every language (dates dd/mm/yyyy, see fr); only the number separators differ.
from pilier.formats.fr.formats import *  # noqa: F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
