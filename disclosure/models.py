from disclosure.catalogue.models import *  # noqa: F401,F403
